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


@pytest.mark.parametrize("username", ["qh_office", "sw_admin", "sc_operator", "qh_supervisor", "admin"])
def test_demo_pages_render_for_every_role(demo, client, login, username):
    seed_items(demo)
    _run(demo)
    login(username)
    listing = client.get("/plans/")
    assert listing.status_code == 200
    for plan in Plan.objects.all():
        expected = 200 if services_visible(demo.users[username], plan) else 404
        assert client.get(f"/plans/{plan.pk}/").status_code == expected
        assert client.get(f"/plans/{plan.pk}/print/").status_code == expected
    assert client.get("/").status_code == 200


def services_visible(user, plan) -> bool:
    from shuangsuiji.plans.access import visible_plans

    return visible_plans(user).filter(pk=plan.pk).exists()


def test_demo_todo_shows_the_2027_draft_to_the_water_admin(demo, client, login):
    seed_items(demo)
    _run(demo)
    login("sw_admin")
    page = client.get("/").content.decode()
    assert "审批：清河县水务局2027年度“双随机、一公开”抽查工作计划（第 1 版）" in page
    login("qh_office")
    page = client.get("/plans/?year=2026").content.decode()
    assert 'data-testid="missing-plans"' in page and "数据范围内各部门均已发布" in page


def test_demo_visibility_is_concrete(demo, client, login):
    seed_items(demo)
    _run(demo)
    draft = Plan.objects.get(year=2027)
    joint = Plan.objects.get(is_joint=True)
    login("sc_operator")
    assert client.get(f"/plans/{draft.pk}/").status_code == 404  # another department's draft
    assert client.get(f"/plans/{joint.pk}/").status_code == 200  # published in the county
    login("qh_supervisor")
    assert client.get(f"/plans/{draft.pk}/").status_code == 200  # region-wide reader
