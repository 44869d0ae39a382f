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


SUBMITTERS = {"water": "sw_operator", "market": "sc_operator", "natural_resources": "zr_operator"}


def submitted_and_approved(demo, plan, admin="sw_admin"):
    """Submitted by the department's unit operator, approved by its administrator."""
    key = next(k for k, org in demo.orgs.items() if org.pk == plan.owner_id)
    services.submit(plan, demo.users[SUBMITTERS[key]])
    return services.approve(plan, demo.users[admin])


def published_plan(demo, key="water", admin="sw_admin", year=2026):
    plan = department_plan(demo, key=key, user=admin, year=year)
    submitted_and_approved(demo, plan, admin)
    return services.publish(plan, demo.users[admin])
