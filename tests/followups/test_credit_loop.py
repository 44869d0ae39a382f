"""The whole loop (issue 14 "Done means"): a determined part with a failed item → 责令改正
due in 10 working days → re-inspection by a small inspector draw whose bundle verifies with
tools/verify_draw.py → fails → 立案 with a fine of 1.5 万元 → the rule moves the target to
class D → a new task's preview counts it in stratum D and reports it as moved by the loop."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest

from shuangsuiji.followups import credit, services
from shuangsuiji.followups.models import CreditConsequence, FollowUpStatus, ReInspectionStatus
from shuangsuiji.targets.models import RiskClassChange, Target
from shuangsuiji.tasks import drawday
from shuangsuiji.tasks import services as task_services
from shuangsuiji.workdays.services import add_workdays
from tests.followups.helpers import DICE, determined_part, drawn_target, world_with_task
from tests.tasks.helpers import joint_task

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.django_db
def test_failed_item_to_class_d_and_the_new_preview(demo, tmp_path):
    world = world_with_task(demo)
    admin = world.users["sw_admin"]
    target = drawn_target(world, world.water)
    old_class = target.risk_class
    before_preview = {s.key: s.population for s in task_services.preview(joint_task(world)).strata}
    part = determined_part(world, world.water, target)
    today = part.determined_on

    # 责令改正, rectification due in 10 working days
    [fu] = services.open_followups(part, admin, type_code="02", rectify_workdays=10, today=today)
    assert fu.rectify_by == add_workdays(today, 10)
    assert fu.due_on >= fu.rectify_by
    with pytest.raises(services.FollowUpRuleError, match="整改期限"):
        services.schedule_reinspection(fu, admin, public=drawday.parse_entropy(DICE), today=today)

    # re-inspection of the failed item only, by a small inspector draw
    ri = services.schedule_reinspection(fu, admin, public=drawday.parse_entropy(DICE), today=fu.rectify_by)
    assert ri.method == "draw" and len(ri.inspectors) == world.task.group_size
    assert [it.item_result_id for it in ri.items.all()] == [p.pk for p in services.problem_items(part)]
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for name, data in ri.bundle_files().items():
        (bundle / name).write_bytes(data)
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            os.path.join(ROOT, "tools", "verify_draw.py"),
            str(bundle),
            "--commitment",
            ri.commitment_sha256,
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("OK consistent, and the commitment equals the published one")

    # it fails → escalate to 立案 with 1.5 万元
    [item] = ri.items.all()
    ri = services.determine_reinspection(
        ri, {item.item_result_id: ("problem", "仍未落实措施")}, admin, today=fu.rectify_by
    )
    assert ri.status == ReInspectionStatus.FAILED
    with pytest.raises(services.FollowUpRuleError, match="复查合格"):
        services.close(fu, "办结", admin, today=fu.rectify_by)
    case = services.escalate(
        fu,
        admin,
        type_code="04",
        reason="复查仍不合格，拒不整改",
        case_number="清水罚〔2026〕1号",
        decision="责令限期整改并处罚款",
        fine_wan="1.5",
        today=fu.rectify_by,
    )
    fu.refresh_from_db()
    assert fu.status == FollowUpStatus.ESCALATED and fu.escalated_to_id == case.pk
    assert case.fine_wan == Decimal("1.5000") and case.parent_id == fu.pk

    # the rule moved the target to D, through the risk-class history
    target.refresh_from_db()
    assert target.risk_class == "D"
    assert "R03" in target.risk_source and case.number in target.risk_source
    assert RiskClassChange.objects.filter(target=target, risk_class=old_class).exists()
    keys = set(CreditConsequence.objects.filter(target=target).values_list("rule__key", flat=True))
    assert {"R02", "R03", "R07"} <= keys  # fine → ≥C, refused to rectify → D, 责令改正 → weight 2

    # a new task's preview counts it in stratum D and reports it as moved by the loop
    new_task = joint_task(world)
    after_preview = {s.key: s.population for s in task_services.preview(new_task).strata}
    assert after_preview["D"] == before_preview["D"] + 1
    assert after_preview[old_class] == before_preview[old_class] - 1
    report = credit.loop_report(new_task)
    assert report.moved_stratum == 1 and report.by_stratum == {"D": 1}
    assert report.moved_weight == 1
    assert "D 类 1 户" in report.lines()[0]
    assert credit.draw_weights([target.pk]) == {target.pk: 2}
    assert Target.objects.get(pk=target.pk).risk_history.count() >= 1
    # and the preview page says so
    from django.test import Client

    c = Client()
    c.force_login(world.users["sw_operator"])
    page = c.get(f"/tasks/{new_task.pk}/preview/").content.decode()
    assert 'data-testid="preview-loop"' in page and "移入 D 类 1 户" in page
