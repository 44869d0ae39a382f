"""draft → submitted → approved → published, and who may take each step."""

import pytest
from django.core.exceptions import PermissionDenied

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.plans import services
from shuangsuiji.plans.models import PlanStatus
from shuangsuiji.plans.services import PlanRuleError
from tests.plans.helpers import department_plan, seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(demo):
    seed_items(demo)
    return department_plan(demo)


def test_operator_drafts_and_submits_department_admin_approves_and_publishes(demo, plan):
    operator, admin = demo.users["sw_operator"], demo.users["sw_admin"]
    services.submit(plan, operator)
    with pytest.raises(PermissionDenied):
        services.approve(plan, operator)
    services.approve(plan, admin)
    services.publish(plan, admin)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    assert (plan.submitted_by, plan.approved_by, plan.published_by) == (operator, admin, admin)
    assert plan.submitted_at <= plan.approved_at <= plan.published_at
    actions = list(
        AuditEntry.objects.filter(object_type="plans.plan", object_id=str(plan.pk)).values_list("action", flat=True)
    )
    assert {"plans.create", "plans.submit", "plans.approve", "plans.publish"} <= set(actions)


def test_steps_out_of_order_are_refused(demo, plan):
    admin = demo.users["sw_admin"]
    with pytest.raises(PlanRuleError):
        services.approve(plan, admin)
    with pytest.raises(PlanRuleError):
        services.publish(plan, admin)


def test_return_needs_a_reason_and_is_recorded(demo, plan):
    admin = demo.users["sw_admin"]
    services.submit(plan, demo.users["sw_operator"])
    with pytest.raises(PlanRuleError):
        services.return_plan(plan, admin, "  ")
    services.return_plan(plan, admin, "抽查比例偏低，请调整")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert plan.returned_by == admin and plan.return_reason == "抽查比例偏低，请调整"
    entry = AuditEntry.objects.get(action="plans.return")
    assert entry.reason == "抽查比例偏低，请调整"


def test_county_office_may_approve_department_plans_of_its_region(demo, plan):
    services.submit(plan, demo.users["sw_operator"])
    plan = services.approve(plan, demo.users["qh_office"])
    assert plan.status == PlanStatus.APPROVED


def test_other_department_and_supervisor_may_not_approve(demo, plan):
    services.submit(plan, demo.users["sw_operator"])
    for name in ("sc_admin", "qh_supervisor", "sw_inspector"):
        with pytest.raises(PermissionDenied):
            services.approve(plan, demo.users[name])


def test_supervisor_gets_403_on_every_post(demo, plan, client, login):
    services.submit(plan, demo.users["sw_operator"])
    login("qh_supervisor")
    assert client.get(f"/plans/{plan.pk}/").status_code == 200
    for action in ("submit", "approve", "publish", "return", "adjust", "waive"):
        assert client.post(f"/plans/{plan.pk}/{action}/", {"reason": "x"}).status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_other_department_gets_404(demo, plan, client, login):
    login("sc_admin")
    assert client.get(f"/plans/{plan.pk}/").status_code == 404
    assert client.post(f"/plans/{plan.pk}/submit/").status_code == 404


def test_pages_walk_the_states(demo, plan, client, login):
    login("sw_operator")
    assert client.post(f"/plans/{plan.pk}/submit/").status_code == 302
    login("sw_admin")
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "审批通过" in page
    client.post(f"/plans/{plan.pk}/approve/")
    client.post(f"/plans/{plan.pk}/publish/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED


def test_joint_plan_by_county_office(demo):
    seed_items(demo)
    from shuangsuiji.plans.services import PlanContent
    from tests.plans.helpers import full_lines

    office_user = demo.users["qh_office"]
    water, market = demo.department("water"), demo.department("market")
    plan = services.create_plan(
        office_user.organisation,
        year=2026,
        participants=[water, market],
        content=PlanContent(title="联合计划", lines=full_lines(water) + full_lines(market)),
        user=office_user,
    )
    assert plan.is_joint
    with pytest.raises(PermissionDenied):
        services.submit(plan, demo.users["sw_admin"])
    services.submit(plan, office_user)
    with pytest.raises(PermissionDenied):
        services.approve(plan, demo.users["sw_admin"])
    services.approve(plan, demo.users["xt_office"])  # the city 双随机办 (the submitter may not)
    plan = services.publish(plan, office_user)
    assert plan.status == PlanStatus.PUBLISHED


def test_one_department_plan_per_year(demo, plan):
    with pytest.raises(PlanRuleError, match="已存在"):
        department_plan(demo)
