"""The plan must cover every published item, or waive it with a reason, before publishing."""

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
def partial(demo):
    """Covered at submission and approved; then the department publishes a new item (SW-009)."""
    seed_items(demo)
    plan = department_plan(demo, user="sw_admin", lines=full_lines(demo.department("water")))
    submitted_and_approved(demo, plan)
    published_item(demo.department("water"), demo.users["sw_admin"], code="SW-009")
    return plan


def test_uncovered_item_blocks_publishing(demo, partial):
    assert [v.item.code for v in services.uncovered_items(partial)] == ["SW-009"]
    with pytest.raises(PlanRuleError, match="SW-009"):
        services.publish(partial, demo.users["sw_admin"])
    partial.refresh_from_db()
    assert partial.status == PlanStatus.APPROVED


def test_waiver_with_reason_allows_publishing_and_is_audited(demo, partial):
    admin = demo.users["sw_admin"]
    item = Item.objects.get(department=demo.department("water"), code="SW-009")
    with pytest.raises(PlanRuleError):
        services.waive(partial, item, " ", admin)
    services.waive(partial, item, "本年度由市局统一组织", admin)
    assert services.uncovered_items(partial) == []
    services.approve(partial, demo.users["qh_office"])  # a change after approval: approved again
    services.publish(partial, admin)
    assert partial.waivers.get().reason == "本年度由市局统一组织"
    assert AuditEntry.objects.get(action="plans.waive").reason == "本年度由市局统一组织"


def test_coverage_panel_lists_uncovered_items_and_waive_form(demo, partial, client, login):
    login("sw_admin")
    page = client.get(f"/plans/{partial.pk}/").content.decode()
    assert "SW-009 取水许可情况的检查" in page and "登记不纳入" in page
    item = Item.objects.get(department=demo.department("water"), code="SW-009")
    client.post(f"/plans/{partial.pk}/waive/", {"item": item.pk, "reason": "市局统一组织"})
    page = client.get(f"/plans/{partial.pk}/").content.decode()
    assert "SW-009：市局统一组织" in page and "已覆盖全部现行事项" in page
