"""The plans step of seed_demo: deterministic content, idempotent."""

from types import SimpleNamespace

import pytest

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.plans import demo as plans_demo
from shuangsuiji.plans import services
from shuangsuiji.plans.models import Plan, PlanLine, PlanStatus, PlanWaiver
from tests.plans.helpers import seed_items

pytestmark = pytest.mark.django_db


def _run(demo):
    with acting(actor_name="测试"):
        plans_demo.seed(SimpleNamespace(jurisdiction=demo), lambda *_: None)


def _counts():
    return tuple(m.objects.count() for m in (Plan, PlanLine, PlanWaiver, AuditEntry))


def test_plans_step_is_idempotent(demo):
    seed_items(demo)
    _run(demo)
    first = _counts()
    _run(demo)
    assert _counts() == first


def test_demo_plans(demo):
    seed_items(demo)
    _run(demo)
    for key in ("water", "market", "natural_resources"):
        plan = Plan.objects.get(owner=demo.department(key), year=2026, is_joint=False)
        assert plan.status == PlanStatus.PUBLISHED and services.uncovered_items(plan) == []
    market = Plan.objects.get(owner=demo.department("market"), year=2026, is_joint=False)
    assert [w.item.code for w in market.waivers.all()] == ["SC-004"]
    pending = Plan.objects.get(owner=demo.department("water"), year=2027)
    assert pending.status == PlanStatus.SUBMITTED and pending.submitted_by == demo.users["sw_operator"]
    joint = Plan.objects.get(is_joint=True)
    assert joint.owner == demo.users["qh_office"].organisation and joint.status == PlanStatus.PUBLISHED
    assert set(joint.participants.all()) == {demo.department("water"), demo.department("market")}
    assert sorted(x.item_version.item.code for x in joint.lines.all()) == ["SC-002", "SW-001", "SW-003"]
