"""Redaction (Art. 3) and withdrawal need a reason and the level above; the public sees the
redacted record exactly as previewed, and a withdrawn record leaves only its notice."""

import pytest
from django.core.exceptions import PermissionDenied

from shuangsuiji.publicity import services
from shuangsuiji.publicity.models import Decision
from shuangsuiji.rules import RuleError
from tests.publicity import results_world as rw
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db

SECRET_REMARK = "商业秘密标记：配方工艺参数"


def test_redaction_is_approved_above_and_the_preview_is_the_public_record(demo, client, login):
    w = public_world.build(demo)
    users = w.world.users
    target = w.draw.drawn_targets.filter(replaced_by__isnull=True).first().target
    part = rw.part(w.task, target, w.world.water, code="04", note=SECRET_REMARK)
    from shuangsuiji.publicity.results import subject_of

    with pytest.raises(RuleError, match="理由"):
        services.request_redaction(subject_of(part), w.world.water, "remark", " ", users["sw_admin"])
    r = services.request_redaction(subject_of(part), w.world.water, "remark", "涉及商业秘密", users["sw_admin"])
    with pytest.raises(PermissionDenied):  # the same level may not approve
        services.decide_redaction(r, True, users["sw_admin"])
    with pytest.raises(PermissionDenied):
        services.decide_redaction(r, True, users["sc_admin"])
    login("qh_office")
    assert "涉及商业秘密" in client.get("/publicity/").content.decode()
    client.post(f"/publicity/redactions/{r.pk}/decide/", {"decision": "approve", "note": "同意"})
    r.refresh_from_db()
    assert r.status == Decision.APPROVED and r.decided_by == users["qh_office"]

    login("sw_admin")
    preview = client.get(f"/publicity/results/{part.pk}/").content.decode()
    assert SECRET_REMARK not in preview and "经批准不予公开：备注" in preview
    pub = services.publish_result(part, ["gsxt"], users["sw_admin"])
    assert pub.record["remark"] == "" and pub.record["redacted"] == ["备注"]
    public = client.get(f"/gongshi/businesses/{target.pk}/").content.decode()
    assert SECRET_REMARK not in public and "未发现开展本次抽查涉及的经营活动" in public


def test_withdrawal_leaves_a_public_notice(demo, client):
    w = public_world.build(demo, results=True)
    users = w.world.users
    pub = w.pub_other
    with pytest.raises(RuleError, match="撤回原因"):
        services.request_withdrawal(pub, "", users["sw_admin"])
    wd = services.request_withdrawal(pub, "检查对象认定错误", users["sw_admin"])
    with pytest.raises(PermissionDenied):
        services.decide_withdrawal(wd, True, users["sw_admin"])
    services.decide_withdrawal(wd, True, users["qh_office"])
    page = client.get(f"/gongshi/publications/{pub.pk}/").content.decode()
    assert "已撤回" in page and "检查对象认定错误" in page
    assert "未发现问题" not in page.split('data-testid="withdrawn-notice"')[1]
    api = client.get(f"/api/public/publications/{pub.pk}").json()
    assert api["withdrawn"] is True and api["record"] is None and api["withdrawal_reason"] == "检查对象认定错误"
    # the business page (it is on the published list) keeps only the notice of that result
    business = client.get(f"/gongshi/businesses/{w.second.pk}/").content.decode()
    assert "该结果已撤回，内容不再公示" in business and "未发现问题" not in business
    with pytest.raises(RuleError, match="已撤回"):
        services.correct(pub, "更正", users["sw_admin"])
