"""A planned ratio below the item's minimum is refused, naming the item."""

from decimal import Decimal

import pytest

from shuangsuiji.plans.services import PlanRuleError
from tests.plans.helpers import department_plan, full_lines, seed_items

pytestmark = pytest.mark.django_db


def test_ratio_below_item_minimum_is_refused_with_the_item_named(demo):
    seed_items(demo)
    water = demo.department("water")
    with pytest.raises(PlanRuleError) as exc:
        department_plan(demo, lines=full_lines(water, **{"SW-001": Decimal("0.1999")}))
    message = "；".join(exc.value.messages)
    assert "生产建设项目水土保持方案实施情况的监督检查（SW-001）" in message
    assert "19.99%" in message and "20%" in message


def test_ratio_equal_to_minimum_is_exact_and_accepted(demo):
    seed_items(demo)
    water = demo.department("water")
    plan = department_plan(demo, lines=full_lines(water, **{"SW-001": Decimal("0.20")}))
    line = plan.lines.get(item_version__item__code="SW-001")
    assert line.ratio == Decimal("0.2000") and line.ratio_percent == "20%"


def test_item_of_another_department_is_refused(demo):
    seed_items(demo)
    market = demo.department("market")
    with pytest.raises(PlanRuleError, match="不是参与部门现行发布的抽查事项"):
        department_plan(demo, lines=full_lines(market))


def test_edit_page_shows_the_refusal(demo, client, login):
    seed_items(demo)
    plan = department_plan(demo)
    login("sw_operator")
    data = {"title": plan.title}
    for line in plan.lines.all():
        k = line.item_version_id
        data |= {f"inc_{k}": "on", f"ratio_{k}": "1", f"methods_{k}": "on_site", f"start_{k}": "1", f"end_{k}": "3"}
    response = client.post(f"/plans/{plan.pk}/edit/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "（SW-001）」的计划抽查比例 1% 低于该事项的最低抽查比例 20%" in page
