"""Coverage holds at submission: a plan with an uncovered item (a published item of the
department neither in a line nor waived) cannot be submitted; the message names the item."""

import pytest

from shuangsuiji.items.models import Item
from shuangsuiji.plans import services
from shuangsuiji.plans.models import PlanStatus
from shuangsuiji.plans.services import PlanRuleError
from tests.plans.helpers import department_plan, full_lines, seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def partial(demo):
    seed_items(demo)
    lines = [x for x in full_lines(demo.department("water")) if x.item_version.item.code != "SW-002"]
    return department_plan(demo, lines=lines)


def test_uncovered_item_blocks_submission(demo, partial):
    with pytest.raises(PlanRuleError, match="SW-002") as exc:
        services.submit(partial, demo.users["sw_operator"])
    assert "未列入计划，也未说明不纳入原因" in str(exc.value)
    partial.refresh_from_db()
    assert partial.status == PlanStatus.DRAFT


def test_waived_item_may_be_submitted(demo, partial):
    item = Item.objects.get(department=demo.department("water"), code="SW-002")
    services.waive(partial, item, "本年度由市局统一组织", demo.users["sw_operator"])
    assert services.submit(partial, demo.users["sw_operator"]).status == PlanStatus.SUBMITTED


def test_the_page_says_which_item(demo, partial, client, login):
    login("sw_operator")
    response = client.post(f"/plans/{partial.pk}/submit/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "SW-002" in page and "未列入计划" in page
    partial.refresh_from_db()
    assert partial.status == PlanStatus.DRAFT
