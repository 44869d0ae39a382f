"""Joint task: a cooperating department reporting a drawn target outside its remit removes
only its own items for that target (its inspectors are not assigned to it, visibly in its
inspector draw's exclusions); the target is replaced only when the lead reports it, or when
no department is left for it."""

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.tasks import drawday, services, sheets
from shuangsuiji.tasks.drawday import DrawRuleError
from shuangsuiji.tasks.models import Assignment, DrawnTarget, DrawResult, ItemWithdrawal
from tests.tasks.helpers import drawn_task, seed_world


@pytest.fixture
def world(demo):
    return seed_world(demo)


def test_a_cooperating_department_removes_only_its_items(world, client):
    task, draw = drawn_task(world)
    sw_admin, sc_admin = world.users["sw_admin"], world.users["sc_admin"]
    target = drawday.active_targets(draw).first().target
    out = drawday.report_out_of_scope(draw, world.market.pk, target, "该项目不涉及市场主体登记事项", sc_admin)
    assert isinstance(out, ItemWithdrawal)
    # the target is not replaced: same list, no new result version
    assert DrawnTarget.objects.get(draw=draw, target=target).replaced_by is None
    assert DrawResult.objects.filter(draw=draw).count() == 1
    entry = AuditEntry.objects.get(action="tasks.withdraw_items")
    assert entry.sealed["after"]["target"] == target.code and target.code not in str(entry.after)
    with pytest.raises(DrawRuleError, match="已报告"):
        drawday.report_out_of_scope(draw, world.market.pk, target, "再报", sc_admin)

    # the sealed list says so for the reporting department
    client.force_login(sc_admin)
    page = client.get(f"/tasks/draws/{draw.pk}/targets/").content.decode()
    assert "本部门已报告不属本部门职责" in page and "报告并移除本部门事项" in page
    client.force_login(sw_admin)
    assert "报告并由备选递补" in client.get(f"/tasks/draws/{draw.pk}/targets/").content.decode()

    drawday.confirm(draw, world.water.pk, sw_admin)
    drawday.confirm(draw, world.market.pk, sc_admin)
    idraws = {}
    for p in services.participants_lead_first(task):
        admin = sw_admin if p.department_id == world.water.pk else sc_admin
        idraws[p.department_id] = drawday.draw_inspectors(draw, p, admin)
    # 市场监管局's inspectors are not assigned to it, 水务局's are; the exclusion is in the bundle
    assert not Assignment.objects.filter(draw=idraws[world.market.pk], target=target).exists()
    assert Assignment.objects.filter(draw=idraws[world.water.pk], target=target).exists()
    files = drawday.bundle_files(idraws[world.market.pk])
    assert target.code in files["exclusions.csv"].decode()
    assert target.code not in files["population.csv"].decode()
    # 一企一表: the department's items are gone for that target only
    sheet = sheets.build_sheet(task, draw, DrawnTarget.objects.get(draw=draw, target=target))
    market = next(d for d in sheet.departments if d.department_id == world.market.pk)
    water = next(d for d in sheet.departments if d.department_id == world.water.pk)
    assert market.items == () and market.inspector_state == sheets.WITHDRAWN
    assert water.items and water.people
    other = drawday.active_targets(draw).exclude(target=target).first()
    other_sheet = sheets.build_sheet(task, draw, other)
    assert next(d for d in other_sheet.departments if d.department_id == world.market.pk).items


def test_the_lead_or_the_last_department_replaces_the_target(world):
    _task, draw = drawn_task(world)
    sw_admin, sc_admin = world.users["sw_admin"], world.users["sc_admin"]
    first, second = [r.target for r in drawday.active_targets(draw)[:2]]
    # the lead's report replaces the target for everyone
    new = drawday.report_out_of_scope(draw, world.water.pk, first, "项目已完工验收", sw_admin)
    assert isinstance(new, DrawnTarget) and new.from_reserve
    assert DrawnTarget.objects.get(draw=draw, target=first).replaced_by == new
    # a cooperating department's report is only a withdrawal while the lead is still on it …
    assert isinstance(drawday.report_out_of_scope(draw, world.market.pk, second, "不涉及", sc_admin), ItemWithdrawal)
    # … and when the lead reports it too, no department is left: replaced
    again = drawday.report_out_of_scope(draw, world.water.pk, second, "不涉及水土保持", sw_admin)
    assert isinstance(again, DrawnTarget)
    assert DrawnTarget.objects.get(draw=draw, target=second).replaced_by == again
