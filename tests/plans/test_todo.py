"""The home page's plan to-do list (``services.todo_for``)."""

import datetime as dt

import pytest

from shuangsuiji.plans import services
from tests.plans.helpers import department_plan, seed_items

pytestmark = pytest.mark.django_db


def test_approver_sees_submitted_plan_operator_does_not(demo):
    seed_items(demo)
    plan = department_plan(demo, year=2027)
    services.submit(plan, demo.users["sw_operator"])
    todo = services.todo_for(demo.users["sw_admin"], today=dt.date(2027, 3, 2))
    assert [(t["title"], t["url"], t["due"], t["overdue"]) for t in todo] == [
        (f"审批：{plan}", f"/plans/{plan.pk}/", dt.date(2027, 2, 28), True)
    ]
    assert services.todo_for(demo.users["sw_operator"]) == []
    assert services.todo_for(demo.users["sc_admin"]) == []
    assert services.todo_for(demo.users["qh_supervisor"]) == []


def test_publish_adjustment_and_republication_todos(demo):
    seed_items(demo)
    admin = demo.users["sw_admin"]
    plan = department_plan(demo, user="sw_admin", year=2026)
    services.submit(plan, demo.users["sw_operator"])
    services.approve(plan, admin)
    assert [t["title"] for t in services.todo_for(admin)] == [f"发布：{plan}"]
    services.publish(plan, admin)
    services.request_adjustment(plan, demo.users["sw_operator"], "调整")
    assert [t["title"] for t in services.todo_for(admin)] == [f"审批调整申请：{plan}"]
    new = services.approve_adjustment(plan.adjustments.get(), admin, today=dt.date(2026, 9, 25))
    todo = services.todo_for(demo.users["sw_operator"], today=dt.date(2026, 10, 16))
    assert [(t["title"], t["due"], t["overdue"]) for t in todo] == [
        (f"调整后重新发布（已逾期）：{new}", dt.date(2026, 10, 15), True)
    ]


def test_home_page_shows_the_todo(demo, client, login):
    seed_items(demo)
    plan = department_plan(demo, year=2027)
    services.submit(plan, demo.users["sw_operator"])
    login("sw_admin")
    page = client.get("/").content.decode()
    assert f"审批：{plan}" in page and 'data-testid="todo-tasks"' in page
