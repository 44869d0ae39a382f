"""seed_demo step: 一公开 of the demo county.

Each department's item list and every published plan version are published by their owner
(the department's 部门系统管理员, the office's 双随机办) through 国家企业信用信息公示系统 and the
department's website. The demo task is still a draft (a draw needs its own entropy and
witnesses), so no list or result is published in advance.

Idempotent: what already has a publication is left alone.
"""

from __future__ import annotations

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.items.models import ItemList
from shuangsuiji.plans.models import Plan, PlanStatus
from shuangsuiji.publicity import services
from shuangsuiji.publicity.models import Kind
from shuangsuiji.rules import RuleError

CHANNELS = ["gsxt", "department"]


def _publisher(org):
    return (
        User.objects.filter(organisation=org, is_active=True)
        .filter(role_grants__role__in=[Role.DEPARTMENT_ADMIN, Role.COORDINATING_OFFICE])
        .order_by("pk")
        .first()
    )


def seed(demo, log) -> None:
    done = 0
    for item_list in ItemList.objects.select_related("department__region").order_by("department_id"):
        dept = item_list.department
        user = _publisher(dept)
        if user is None or services.latest(Kind.ITEMS, dept.pk) is not None:
            continue
        try:
            services.publish_items(dept, CHANNELS, user)
            done += 1
        except RuleError:
            continue
    for plan in Plan.objects.filter(status__in=[PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED]).select_related("owner"):
        user = _publisher(plan.owner)
        if user is None or services.latest(Kind.PLAN, plan.pk) is not None:
            continue
        services.publish_plan(plan, CHANNELS, user)
        done += 1
    log(f"演示信息公开：公开事项清单与年度计划 {done} 项" if done else "演示信息公开：已公开，无需生成")
