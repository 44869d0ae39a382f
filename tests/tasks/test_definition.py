"""Task definition: the ratio floors (item minimum, plan line), the other creation rules,
no change after the first freeze, and task code numbering."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.plans import services as plan_services
from shuangsuiji.tasks import drawday, services
from shuangsuiji.tasks.models import Task, TaskStatus
from shuangsuiji.tasks.services import ItemChoice, ParticipantSpec, TaskRuleError
from tests.plans.helpers import department_plan, full_lines
from tests.tasks.helpers import joint_spec, joint_task, seed_world, window

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    return seed_world(demo)


def refused(world, user="sw_operator", **overrides) -> str:
    with pytest.raises(TaskRuleError) as exc:
        services.create_task(joint_spec(world, **overrides), world.users[user])
    return "；".join(exc.value.messages)


def strata(a="0.2", b="0.25", c="0.4", d="0.6") -> dict:
    return {k: {"ratio": r, "reserves": 2} for k, r in zip("ABCD", (a, b, c, d), strict=True)}


def test_ratio_below_item_minimum_or_plan_ratio_is_refused_naming_stratum_and_item(demo, world):
    # SW-001 (水务局) has a minimum of 20 %: stratum A at 10 % is refused, naming A and SW-001.
    message = refused(world, strata=strata(a="0.1"))
    assert "A 低风险的抽查比例 10% 低于" in message
    assert "SW-001" in message and "最低抽查比例 20%" in message
    # Only stratum A is wrong; SC-002 (5 %) is met by every stratum.
    assert "B 一般风险" not in message and "SC-002" not in message
    # Exactly at the minimum is accepted.
    assert services.create_task(joint_spec(world, strata=strata(a="0.20")), world.users["sw_operator"]).pk

    # A published plan of 水务局 asks 30 % for SW-001: a plan task below that is refused.
    admin = world.users["sw_admin"]
    year = timezone.localdate().year
    plan = department_plan(
        demo, user="sw_admin", year=year, lines=full_lines(world.water, **{"SW-001": Decimal("0.3")})
    )
    plan_services.submit(plan, world.users["sw_operator"])
    plan_services.approve(plan, admin)
    plan = plan_services.publish(plan, admin)
    message = refused(world, source="plan", plan=plan, justification="", strata=strata(a="0.25", b="0.3"))
    assert f"A 低风险的抽查比例 25% 低于年度计划“{plan.title}”对事项“SW-001”的计划抽查比例 30%" in message
    assert "B 一般风险" not in message and "最低抽查比例" not in message
    task = services.create_task(
        joint_spec(world, source="plan", plan=plan, justification="", strata=strata(a="0.3", b="0.3")),
        world.users["sw_operator"],
    )
    assert task.plan == plan and task.year == plan.year and task.source == "plan"


def test_other_creation_rules(world):
    assert "临时任务须说明依据" in refused(world, justification="   ")
    assert "每组检查人员不得少于 2 人" in refused(world, group_size=1)
    # 水务局 choosing 市场监管局's SC-002 as its own item.
    lead = ParticipantSpec(world.water, [ItemChoice(world.sc2, ["on_site"])])
    message = refused(world, lead=lead)
    assert f"{world.water.name}：事项“SC-002 {world.sc2.name}”不是本部门已发布的现行事项" in message
    # A plan task without a plan.
    assert "来源为年度计划的任务须选择年度计划" in refused(world, source="plan", plan=None)
    assert not Task.objects.exists()


def test_update_allowed_as_draft_and_refused_after_freeze(world):
    operator = world.users["sw_operator"]
    task = joint_task(world)
    task = services.update_task(task, joint_spec(world, title="改名后的联合抽查", group_size=3), operator, "补充")
    task.refresh_from_db()
    assert (task.title, task.group_size, task.status) == ("改名后的联合抽查", 3, TaskStatus.DRAFT)
    assert AuditEntry.objects.filter(action="tasks.update", object_id=str(task.pk)).exists()
    # An invalid change is refused and nothing changes.
    with pytest.raises(TaskRuleError):
        services.update_task(task, joint_spec(world, title="x", group_size=1), operator)

    drawday.freeze_targets(task, operator)
    task.refresh_from_db()
    assert task.status == TaskStatus.FIXED
    with pytest.raises(TaskRuleError, match="任务已冻结抽取，参数不可再修改"):
        services.update_task(task, joint_spec(world, title="冻结后改名"), operator)
    with pytest.raises(TaskRuleError, match="已冻结抽取的任务不能撤销"):
        services.cancel_task(task, operator, "不需要了")
    task.refresh_from_db()
    assert (task.title, task.group_size) == ("改名后的联合抽查", 3)
    assert task.participants.count() == 2


def test_task_codes_are_numbered_per_region_and_year(world):
    year = window()[0].year
    first, second = joint_task(world), joint_task(world)
    assert (first.code, second.code) == (f"130534-{year}-001", f"130534-{year}-002")
    # A cancelled task keeps its number.
    services.cancel_task(second, world.users["sw_operator"], "重复创建")
    third = joint_task(world)
    assert third.code == f"130534-{year}-003"
    # Another year starts again at 001 (the year is the window's unless given).
    next_year = joint_task(world, window_from=dt.date(year + 1, 3, 1), window_to=dt.date(year + 1, 3, 20))
    assert (next_year.year, next_year.code) == (year + 1, f"130534-{year + 1}-001")
    explicit = joint_task(world, year=year + 1)
    assert explicit.code == f"130534-{year + 1}-002"
