"""seed_demo step: the draw day of the demo county.

- A joint task from the county 双随机办's 2026 joint plan on 生产建设项目 (水务局 lead with its
  水土保持股, 市场监管局 cooperating), in draft, ready for 水务局 to preview, freeze and draw
  (nothing is drawn in advance: a draw needs its own public entropy and witnesses).
- The demo inspector accounts (sw_inspector, sc_inspector, zr_inspector) are linked to the
  register person of their unit with their name (``demo.inspectors.ACCOUNTS``: eligible for
  this task), so that after the demo draw they have assigned targets on their home page.

Idempotent: the task is looked up by title; a linked account is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.items.services import published_items
from shuangsuiji.plans.demo import JOINT_TITLE
from shuangsuiji.plans.models import Plan, PlanStatus
from shuangsuiji.tasks.models import Task
from shuangsuiji.tasks.services import ItemChoice, ParticipantSpec, TaskRuleError, TaskSpec, create_task

TITLE = "清河县2026年第四季度生产建设项目部门联合抽查（第一批）"
STRATA = {
    "A": {"ratio": "0.2", "reserves": 3},
    "B": {"ratio": "0.25", "reserves": 3},
    "C": {"ratio": "0.4", "reserves": 3},
    "D": {"ratio": "0.6", "reserves": 3},
}


def _link_inspectors(j, log) -> None:
    linked = 0
    for username in ("sw_inspector", "sc_inspector", "zr_inspector"):
        user = j.users[username]
        if Inspector.objects.filter(user=user).exists():
            continue
        free = Inspector.objects.filter(organisation=user.organisation, user__isnull=True, is_expert=False)
        # the person with the login's name (demo.inspectors.ACCOUNTS), else the first of the unit
        inspector = free.filter(name=user.full_name).order_by("certificate_no").first()
        inspector = inspector or free.order_by("certificate_no").first()
        if inspector is not None:
            inspector.user = user
            inspector.save(update_fields=["user"])
            linked += 1
    if linked:
        log(f"演示执法人员账号：关联名录库人员 {linked} 名")


def seed(demo, log) -> None:
    j = demo.jurisdiction
    _link_inspectors(j, log)
    if Task.objects.filter(title=TITLE).exists():
        log("演示抽查任务：已存在，无需生成")
        return
    water, market = j.department("water"), j.department("market")
    operator = j.users["sw_operator"]
    plan = Plan.objects.filter(title=JOINT_TITLE, status=PlanStatus.PUBLISHED).first()
    today = timezone.localdate()
    start = today + dt.timedelta(days=7)
    spec = TaskSpec(
        title=TITLE,
        lead=ParticipantSpec(
            water,
            [ItemChoice(published_items(water).get(item__code="SW-001"), ["on_site"])],
            unit=operator.organisation,
        ),
        cooperating=[
            ParticipantSpec(market, [ItemChoice(published_items(market).get(item__code="SC-002"), ["on_site"])])
        ],
        window_from=start,
        window_to=start + dt.timedelta(days=30),
        strata={k: dict(v) for k, v in STRATA.items()},
        population={"target_types": ["project"], "exclude_inspected_months": 12},
        source="plan" if plan is not None else "temporary",
        plan=plan,
        justification="" if plan is not None else "县双随机办部署",
        notes="“进一次门、查多项事”：水务局检查水土保持方案实施情况，市场监管局同时检查登记事项。",
    )
    try:
        task = create_task(spec, operator)
    except TaskRuleError as exc:
        log(f"演示抽查任务：未生成（{exc}）")
        return
    log(f"演示抽查任务：{task.code}（草稿，待水务局预览、冻结并抽取）")
