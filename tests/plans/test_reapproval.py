"""Any change after approval (a waiver) sends the plan back for approval: status back to
submitted, approval cleared, audited, and the approvers see it in their to-do."""

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.items.models import Item
from shuangsuiji.plans import services
from shuangsuiji.plans.models import PlanStatus
from shuangsuiji.plans.services import PlanRuleError
from tests.items.helpers import published_item
from tests.plans.helpers import department_plan, full_lines, seed_items, submitted_and_approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(demo):
    """Approved; then the department publishes a new item, which the plan must now address."""
    seed_items(demo)
    plan = submitted_and_approved(demo, department_plan(demo, lines=full_lines(demo.department("water"))))
    published_item(demo.department("water"), demo.users["sw_admin"], code="SW-009")
    return plan


def test_a_waiver_after_approval_needs_approval_again(demo, approved):
    admin, operator = demo.users["sw_admin"], demo.users["sw_operator"]
    item = Item.objects.get(department=demo.department("water"), code="SW-009")
    services.waive(approved, item, "新发布事项，下年度纳入", operator)
    approved.refresh_from_db()
    assert approved.status == PlanStatus.SUBMITTED
    assert approved.approved_by is None and approved.submitted_by == operator
    entry = AuditEntry.objects.get(action="plans.reapproval", object_id=str(approved.pk))
    assert "SW-009" in entry.reason and "重新审批" in entry.reason
    with pytest.raises(PlanRuleError, match="审批"):
        services.publish(approved, admin)
    assert [t["title"] for t in services.todo_for(admin)] == [f"重新审批（审批后又作修改）：{approved}"]
    services.approve(approved, admin)
    assert services.publish(approved, admin).status == PlanStatus.PUBLISHED


def test_the_page_gives_notice(demo, approved, client, login):
    login("sw_admin")
    item = Item.objects.get(department=demo.department("water"), code="SW-009")
    response = client.post(f"/plans/{approved.pk}/waive/", {"item": item.pk, "reason": "下年度纳入"}, follow=True)
    page = response.content.decode()
    assert "须重新审批" in page
    approved.refresh_from_db()
    assert approved.status == PlanStatus.SUBMITTED
    # The administrator made the change, so another approver must approve it.
    assert services.approve(approved, demo.users["qh_office"]).status == PlanStatus.APPROVED
