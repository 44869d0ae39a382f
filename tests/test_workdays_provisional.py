"""Years without an official calendar (issue 18): a provisional deadline instead of a refusal,
marked 暂定 where it is shown, a reminder to the platform administrator from November, and
every provisional deadline recomputed when the year is entered (audit entry, notices)."""

from datetime import date

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.tasks import deadlines as task_deadlines
from shuangsuiji.tasks.models import Confirmation
from shuangsuiji.workdays import deadlines
from shuangsuiji.workdays.models import CalendarYear, DeadlineNotice, ProvisionalDeadline
from shuangsuiji.workdays.services import FIXED_HOLIDAYS, deadline, provisional_workday
from tests.tasks.helpers import drawn_task, seed_world

pytestmark = pytest.mark.django_db


def test_a_missing_year_gives_a_provisional_deadline():
    d = deadline(date(2026, 12, 31), 1)  # 2027-01-01 元旦 (Friday), then the weekend
    assert d.day == date(2027, 1, 4) and d.provisional and d.missing_years == (2027,)
    assert str(d) == "2027-01-04（暂定）"
    assert deadline(date(2027, 9, 30), 1).day == date(2027, 10, 4)  # 国庆 10-1..3
    assert deadline(date(2027, 4, 29), 1).day == date(2027, 4, 30)
    assert deadline(date(2028, 4, 28), 1).day == date(2028, 5, 3)  # 劳动节 5-1, 5-2 (2025 rules)
    assert set(FIXED_HOLIDAYS) == {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}
    assert not provisional_workday(date(2027, 2, 6)) and provisional_workday(date(2027, 2, 8))  # lunar: unknown
    final = deadline(date(2026, 9, 25), 20)  # a year chinese_calendar knows
    assert final.day == date(2026, 10, 29) and not final.provisional and str(final) == "2026-10-29"


def test_platform_admin_is_reminded_from_november(demo):
    admin, other = demo.users["admin"], demo.users["sw_admin"]
    assert deadlines.reminder(admin, date(2026, 10, 31)) == ""
    assert "2027年" in deadlines.reminder(admin, date(2026, 11, 1))
    assert deadlines.reminder(other, date(2026, 11, 1)) == ""
    assert "2027年" in deadlines.reminder(admin, date(2027, 3, 1))  # a year already reached
    CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    assert deadlines.reminder(admin, date(2026, 11, 1)) == ""


def test_entering_the_year_recomputes_provisional_deadlines(demo, client):
    world = seed_world(demo)
    task, draw = drawn_task(world)
    conf = Confirmation.objects.get(draw=draw, department=world.market)
    # as if drawn on 2027-09-30: due the next working day, provisionally 2027-10-04
    start = date(2027, 9, 30)
    due = deadline(start, 1)
    Confirmation.objects.filter(pk=conf.pk).update(due_on=due.day)
    deadlines.remember(task_deadlines.CONFIRMATION, conf.pk, start, 1, due)
    client.force_login(world.users["sc_admin"])
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "2027-10-04" in page and 'data-testid="due-provisional">暂定' in page
    home = client.get("/").content.decode()
    assert 'data-testid="todo-provisional">暂定' in home
    api = client.get(f"/api/tasks/draws/{draw.pk}/confirmations").json()
    assert {c["department_id"]: c["due_provisional"] for c in api}[world.market.pk] is True

    # The platform administrator enters 2027: 国庆 1–7 October, 9 October a working Saturday.
    client.force_login(world.users["admin"])
    for day, workday, name in [(f"2027-10-0{d}", False, "国庆节") for d in range(1, 8)] + [
        ("2027-10-09", True, "国庆节调休")
    ]:
        data = {"date": day, "name": name, "note": ""}
        if workday:
            data["is_workday"] = "on"
        assert client.post("/admin/workdays/calendaroverride/add/", data).status_code == 302
    assert Confirmation.objects.get(pk=conf.pk).due_on == date(2027, 10, 4)  # the year is not entered yet
    response = client.post(
        "/admin/workdays/calendaryear/add/",
        {"year": "2027", "source": "国务院办公厅关于2027年部分节假日安排的通知", "published_on": ""},
    )
    assert response.status_code == 302
    conf.refresh_from_db()
    assert conf.due_on == date(2027, 10, 8)
    row = ProvisionalDeadline.objects.get(kind="tasks.confirmation", object_id=conf.pk)
    assert (row.first_due_on, row.due_on, row.provisional) == (date(2027, 10, 4), date(2027, 10, 8), False)
    entry = AuditEntry.objects.get(action="workdays.deadline_recomputed")
    assert entry.before["due_on"] == "2027-10-04" and entry.after["due_on"] == "2027-10-08"
    notified = set(DeadlineNotice.objects.values_list("user__username", flat=True))
    assert {"sc_admin", "sw_admin"} <= notified and "zr_admin" not in notified
    # the other department's deadline did not move: no notice about it, not provisional
    client.force_login(world.users["sc_admin"])
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "2027-10-08" in page and 'data-testid="due-provisional"' not in page
    home = client.get("/").content.decode()
    assert "确认期限由 2027-10-04 调整为 2027-10-08" in home
