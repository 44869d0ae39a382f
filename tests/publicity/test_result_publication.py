"""A determined result is published under the business's name as the national table shows
it; the internal interim code is mapped; a correction is a new version beside the original."""

import pytest

from shuangsuiji.publicity import services
from shuangsuiji.publicity.models import Publication
from shuangsuiji.rules import RuleError
from tests.publicity import results_world as rw
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db


def test_business_page_shows_both_departments_and_the_correction_beside_the_original(demo, client):
    w = public_world.build(demo, results=True)
    assert w.pub_water.record["result"] == "发现问题"  # 02 发现问题待后续处理 is never shown
    assert w.pub_correction.corrects_id == w.pub_water.pk and w.pub_correction.version == 2
    assert w.pub_correction.correction_reason == "整改已完成，结果更正"
    page = client.get(f"/gongshi/businesses/{w.first.pk}/").content.decode()
    assert "发现问题待后续处理" not in page
    expected = ("清河县水务局", "清河县市场监督管理局", "发现问题经责令已改正", "更正第 2 版", "已有更正", "未发现问题")
    for text in expected:
        assert text in page, text
    assert rw.PROBLEM not in page
    detail = client.get(f"/gongshi/publications/{w.pub_correction.pk}/").content.decode()
    assert "全部版本" in detail and "整改已完成" in detail
    # the search finds the business by a fragment and by its code
    hits = client.get("/gongshi/search/", {"q": w.first.name[-4:]}).content.decode()
    assert f"/gongshi/businesses/{w.first.pk}/" in hits
    hits = client.get("/gongshi/search/", {"q": w.first.code}).content.decode()
    assert f"/gongshi/businesses/{w.first.pk}/" in hits


def test_published_records_are_never_edited_and_a_result_is_published_once(demo):
    w = public_world.build(demo, results=True)
    from django.core.exceptions import ValidationError

    pub = Publication.objects.get(pk=w.pub_market.pk)
    pub.title = "改过的标题"
    with pytest.raises(ValidationError):
        pub.save()
    with pytest.raises(ValidationError):
        pub.delete()
    market = w.pub_market
    from shuangsuiji.inspections.models import DepartmentPart

    part = DepartmentPart.objects.get(record__target=w.first, department=w.world.market)
    with pytest.raises(RuleError, match="已公开"):
        services.publish_result(part, ["gsxt"], w.world.users["sc_admin"])
    with pytest.raises(RuleError, match="已认定"):
        services.publish_result(w.draft, ["gsxt"], w.world.users["sw_admin"])
    assert market.channel_labels == ["国家企业信用信息公示系统", "信用中国"]


def test_a_result_of_a_sealed_task_is_not_published(demo):
    w = public_world.build(demo)
    target = w.sealed_draw.drawn_targets.first().target
    p = rw.part(w.sealed_task, target, w.world.water)
    with pytest.raises(RuleError, match="名单公开后"):
        services.publish_result(p, ["gsxt"], w.world.users["sw_admin"])
