"""Re-inspection (复查): only the failed items; by the original group when the department's
rule says so; a pass closes the follow-up."""

from __future__ import annotations

import pytest

from shuangsuiji.followups import services
from shuangsuiji.followups.models import FollowUpStatus, ReInspectionRule
from shuangsuiji.inspections.models import ItemOutcome, ItemResult
from tests.followups.helpers import determined_part, drawn_target, world_with_task


@pytest.mark.django_db
def test_original_group_by_rule_and_a_pass_closes(demo):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    target = drawn_target(world, world.water)
    part = determined_part(world, world.water, target)
    ReInspectionRule.objects.create(department=world.water, original_group=True, note="本局规定由原检查组复查")
    [fu] = services.open_followups(part, sw, type_code="02", rectify_workdays=5)
    services.add_step(fu, sw, kind="rectified", text="项目单位报告已整改，附整改照片")
    ri = services.schedule_reinspection(fu, sw)  # reported rectified: no need to wait for the deadline
    present = sorted(part.record.inspectors_present.values_list("certificate_no", flat=True))
    assert ri.method == "original" and ri.inspectors == present and not ri.bundle
    [it] = ri.items.all()
    assert it.item_result.outcome == ItemOutcome.PROBLEM
    assert ItemResult.objects.filter(part=part).count() == 1
    with pytest.raises(services.FollowUpRuleError, match="复查结果"):
        services.determine_reinspection(ri, {}, sw)
    services.determine_reinspection(ri, {it.item_result_id: ("passed", "")}, sw, note="已落实水土保持措施")
    fu.refresh_from_db()
    assert fu.status == FollowUpStatus.CLOSED and "复查合格" in fu.outcome


@pytest.mark.django_db
def test_a_draw_needs_public_entropy(demo):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    part = determined_part(world, world.water, drawn_target(world, world.water))
    [fu] = services.open_followups(part, sw, type_code="02", rectify_workdays=5)
    with pytest.raises(services.FollowUpRuleError, match="公开随机数"):
        services.schedule_reinspection(fu, sw, today=fu.rectify_by)
