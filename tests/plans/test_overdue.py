"""Due by the end of February of the plan year; overdue is computed from a given 'today'."""

import datetime as dt

import pytest

from shuangsuiji.plans import services
from shuangsuiji.plans.models import plan_due_date
from tests.plans.helpers import department_plan, published_plan, seed_items

pytestmark = pytest.mark.django_db


def test_due_date_is_the_last_day_of_february():
    assert plan_due_date(2026) == dt.date(2026, 2, 28)
    assert plan_due_date(2028) == dt.date(2028, 2, 29)


def test_due_date_follows_the_setting(settings):
    settings.SHUANGSUIJI_PLAN_DUE_MONTH_DAY = (3, 31)
    assert plan_due_date(2026) == dt.date(2026, 3, 31)


def test_unpublished_plan_is_overdue_after_february(demo):
    seed_items(demo)
    plan = department_plan(demo, year=2026)
    assert not plan.is_overdue(dt.date(2026, 2, 28))
    assert plan.is_overdue(dt.date(2026, 3, 1))


def test_published_plan_is_not_overdue(demo):
    seed_items(demo)
    plan = published_plan(demo, year=2026)
    assert not plan.is_overdue(dt.date(2026, 12, 31))


def test_departments_without_a_published_plan(demo):
    seed_items(demo)
    published_plan(demo, key="water", admin="sw_admin", year=2026)
    department_plan(demo, key="market", user="sc_admin", year=2026)  # draft only
    missing = {d.name for d in services.departments_without_plan(demo.users["qh_office"], 2026)}
    assert demo.department("market").name in missing
    assert demo.department("natural_resources").name in missing
    assert demo.department("water").name not in missing


def test_list_marks_overdue_and_lists_missing_departments(demo, client, login):
    seed_items(demo)
    department_plan(demo, year=2020)  # long past its due date
    login("qh_office")
    page = client.get("/plans/?year=2020&overdue=1").content.decode()
    assert 'data-testid="overdue"' in page and "2020年度抽查计划" in page
    assert 'data-testid="missing-plans"' in page and demo.department("water").name in page
    assert "2020年度抽查计划" not in client.get("/plans/?year=2021&overdue=1").content.decode()
