"""An objection (异议/申辩) with its decision: upheld reverses the consequence with history
(the class goes back through a new classification); rejected keeps it."""

from __future__ import annotations

import pytest

from shuangsuiji.followups import credit, services
from shuangsuiji.followups.models import ObjectionStatus
from shuangsuiji.targets.models import RiskClassChange
from tests.followups.helpers import determined_part, drawn_target, world_with_task


@pytest.mark.django_db
def test_upheld_objection_reverses_the_consequence_with_history(demo, client):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    target = drawn_target(world, world.water)
    old = target.risk_class
    part = determined_part(world, world.water, target)
    [fu] = services.open_followups(part, sw, type_code="08")  # 列入严重违法失信名单 → D
    target.refresh_from_db()
    assert target.risk_class == "D"
    [c] = fu.consequences.filter(rule__key="R01")

    client.force_login(sw)
    page = client.get(f"/followups/targets/{target.pk}/").content.decode()
    assert "R01" in page and fu.number in page  # the rule and the record that caused it
    client.post(
        f"/followups/targets/{target.pk}/objection/", {"consequence": c.pk, "objector": "项目负责人", "text": ""}
    )
    assert not c.objections.exists()  # the content is required
    client.post(
        f"/followups/targets/{target.pk}/objection/",
        {"consequence": c.pk, "objector": "项目负责人", "text": "已于检查前整改并取得验收意见"},
    )
    [o] = c.objections.all()

    client.force_login(world.users["qh_supervisor"])  # the supervisor reads, cannot decide
    assert client.post(f"/followups/objections/{o.pk}/decide/", {"upheld": "1", "decision": "x"}).status_code == 403
    client.force_login(world.users["sc_admin"])  # another department does not see it
    assert client.post(f"/followups/objections/{o.pk}/decide/", {"upheld": "1", "decision": "x"}).status_code == 404

    credit.decide_objection(o, True, "经复核，验收意见属实", sw)
    o.refresh_from_db()
    c.refresh_from_db()
    target.refresh_from_db()
    assert o.status == ObjectionStatus.UPHELD and c.reversed_at is not None
    assert target.risk_class == old and "异议成立" in target.risk_source
    assert RiskClassChange.objects.filter(target=target, risk_class="D").exists()  # history kept
    with pytest.raises(credit.CreditRuleError):
        credit.decide_objection(o, False, "再议", sw)


@pytest.mark.django_db
def test_rejected_objection_keeps_the_consequence(demo):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    target = drawn_target(world, world.water)
    part = determined_part(world, world.water, target)
    [fu] = services.open_followups(part, sw, type_code="08")
    o = credit.file_objection(target, sw, department=world.water, objector="法定代表人", text="不服", followup=fu)
    credit.decide_objection(o, False, "证据不足", sw)
    target.refresh_from_db()
    assert target.risk_class == "D"
    assert not fu.consequences.filter(reversed_at__isnull=False).exists()
