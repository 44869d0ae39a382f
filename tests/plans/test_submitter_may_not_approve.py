"""Whoever submitted a plan may not approve it (four eyes), whatever their roles."""

import pytest
from django.core.exceptions import PermissionDenied

from shuangsuiji.plans import access, services
from shuangsuiji.plans.models import PlanStatus
from tests.plans.helpers import department_plan, seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(demo):
    seed_items(demo)
    plan = department_plan(demo, user="sw_admin")
    return services.submit(plan, demo.users["sw_admin"])


def test_the_submitting_administrator_may_not_approve(demo, submitted):
    admin = demo.users["sw_admin"]
    with pytest.raises(PermissionDenied, match="报审人不能审批自己报审的计划"):
        services.approve(submitted, admin)
    assert access.allowed_actions(admin, submitted)["can_approve"] is False
    assert not [t for t in services.todo_for(admin) if t["title"].startswith("审批")]
    # Another approver of the department's plans may.
    assert access.allowed_actions(demo.users["qh_office"], submitted)["can_approve"] is True
    assert services.approve(submitted, demo.users["qh_office"]).status == PlanStatus.APPROVED


def test_platform_administrator_who_submitted_may_not_approve_either(demo):
    seed_items(demo)
    plan = department_plan(demo, user="admin")
    services.submit(plan, demo.users["admin"])
    with pytest.raises(PermissionDenied):
        services.approve(plan, demo.users["admin"])


def test_the_page_answers_403_in_chinese(demo, submitted, client, login):
    login("sw_admin")
    response = client.post(f"/plans/{submitted.pk}/approve/")
    assert response.status_code == 403
    assert "报审人不能审批" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == PlanStatus.SUBMITTED
