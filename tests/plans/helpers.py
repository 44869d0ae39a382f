"""Builders for the plan tests: the demo county's published item lists, and plans made
through the services as the pages would."""

from __future__ import annotations

from types import SimpleNamespace

from shuangsuiji.audit.context import acting
from shuangsuiji.items import demo as items_demo
from shuangsuiji.items.services import published_items
from shuangsuiji.plans import services
from shuangsuiji.plans.services import LineSpec, PlanContent


def seed_items(demo) -> None:
    with acting(actor_name="测试"):
        items_demo.seed(SimpleNamespace(jurisdiction=demo), lambda *_: None)


def full_lines(department, **overrides) -> list[LineSpec]:
    return [
        LineSpec(item_version=v, ratio=overrides.get(v.item.code, v.min_ratio), methods=["on_site"])
        for v in published_items(department)
    ]


def department_plan(demo, key="water", user="sw_operator", year=2026, lines=None):
    dept = demo.department(key)
    return services.create_plan(
        dept,
        year=year,
        content=PlanContent(title=f"{dept.name}{year}年度抽查计划", lines=full_lines(dept) if lines is None else lines),
        user=demo.users[user],
    )


def published_plan(demo, key="water", admin="sw_admin", year=2026):
    plan = department_plan(demo, key=key, user=admin, year=year)
    u = demo.users[admin]
    services.submit(plan, u)
    services.approve(plan, u)
    return services.publish(plan, u)
