"""The deadlines of results and follow-ups in a year without its official calendar (2027 is
not in chinese_calendar 1.11): provisional (暂定), remembered, and computed again when the
platform administrator enters the year — the publication deadline of a determined result, a
follow-up's 整改期限 and its chained 办结期限, a transfer's 接收期限. A finished case keeps its
deadline. Each move is an audit entry and a notice to its owners."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.followups import deadlines as fdeadlines
from shuangsuiji.followups import services as followups
from shuangsuiji.inspections import deadlines as rdeadlines
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import PartStatus
from shuangsuiji.workdays.models import DeadlineNotice, ProvisionalDeadline
from shuangsuiji.workdays.services import deadline
from tests.followups.helpers import determined_part, drawn_target, world_with_task
from tests.inspections.helpers import build, code, visit, water_failed_entry

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 9, 20)  # before 国庆 2027: provisionally only 1–3 October are holidays


def enter_2027(client, admin) -> None:
    """The platform administrator enters 2027: 国庆 1–7 October, Saturday 9 October a working day."""
    client.force_login(admin)
    for day in range(1, 8):
        data = {"date": f"2027-10-0{day}", "name": "国庆节", "note": ""}
        assert client.post("/admin/workdays/calendaroverride/add/", data).status_code == 302
    data = {"date": "2027-10-09", "name": "国庆节调休", "note": "", "is_workday": "on"}
    assert client.post("/admin/workdays/calendaroverride/add/", data).status_code == 302
    data = {"year": "2027", "source": "国务院办公厅关于2027年部分节假日安排的通知", "published_on": ""}
    assert client.post("/admin/workdays/calendaryear/add/", data).status_code == 302


def test_a_publication_deadline_is_recomputed_when_its_year_is_entered(demo, client):
    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=water_failed_entry(w))
    part = services.submit(w.record, w.water.pk, sw)
    part = services.determine(part, w.users["sw_admin"], today=MONDAY)
    assert part.publication_due_on == dt.date(2027, 10, 19)  # 20 working days, provisional
    assert rdeadlines.provisional_parts([part]) == {part.pk}
    client.force_login(w.users["sw_admin"])
    page = client.get(f"/inspections/parts/{part.pk}/").content.decode()
    assert "2027年10月19日" in page and 'data-testid="due-provisional">（暂定）' in page

    enter_2027(client, w.users["admin"])
    part.refresh_from_db()
    assert part.status == PartStatus.DETERMINED
    assert part.publication_due_on == dt.date(2027, 10, 22) == deadline(MONDAY, 20).day
    assert rdeadlines.provisional_parts([part]) == set()
    assert part.deadline_status == "official"
    part.publication_due_on = dt.date(2027, 12, 31)  # official now: frozen with the version
    with pytest.raises(ValidationError, match="不可修改"):
        part.save()
    part.refresh_from_db()
    client.force_login(w.users["sw_admin"])
    page = client.get(f"/inspections/parts/{part.pk}/").content.decode()
    assert "2027年10月22日" in page and 'data-testid="due-provisional"' not in page
    entry = AuditEntry.objects.get(
        action="workdays.deadline_recomputed", object_type="inspections.departmentpart", object_id=str(part.pk)
    )
    assert "公示期限" in entry.object_repr
    assert (entry.before["due_on"], entry.after["due_on"]) == ("2027-10-19", "2027-10-22")
    notices = DeadlineNotice.objects.filter(text__contains="公示期限由 2027-10-19 调整为 2027-10-22")
    assert "sw_admin" in set(notices.values_list("user__username", flat=True))


def test_follow_up_deadlines_and_a_transfer_are_recomputed_a_closed_case_keeps_its_own(demo, client):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    part = determined_part(world, world.water, drawn_target(world, world.water))
    [fu] = followups.open_followups(part, sw, type_code="02", rectify_workdays=10, today=MONDAY)
    # provisional: 整改 10 working days -> 5 October; 办结 the later of 20 working days
    # (19 October) and 5 after the 整改期限 (12 October)
    assert (fu.rectify_by, fu.due_on) == (dt.date(2027, 10, 5), dt.date(2027, 10, 19))
    assert fu.deadline_status == "provisional"
    kinds = set(ProvisionalDeadline.objects.filter(object_id=fu.pk).values_list("kind", flat=True))
    assert {fdeadlines.RECTIFY, fdeadlines.DUE} <= kinds
    tr = followups.transfer(fu, demo.department("natural_resources"), "涉及耕地保护", sw, today=dt.date(2027, 9, 29))
    assert tr.respond_by == dt.date(2027, 10, 7)  # 5 working days, provisional
    from shuangsuiji.followups.todo import todo_for

    todo = {t["due"]: t["due_provisional"] for t in todo_for(world.users["zr_admin"], today=MONDAY)}
    assert todo.get(dt.date(2027, 10, 7)) is True

    part2 = determined_part(world, world.market, drawn_target(world, world.market))
    [done] = followups.open_followups(part2, world.users["sc_admin"], type_code="01", today=MONDAY)
    assert done.due_on == dt.date(2027, 10, 19)
    followups.close(done, "已行政指导", world.users["sc_admin"], today=MONDAY)

    enter_2027(client, world.users["admin"])
    fu.refresh_from_db()
    tr.refresh_from_db()
    done.refresh_from_db()
    # official: 整改 -> 9 October (the working Saturday); 办结 the later of 22 October and
    # 15 October; 接收 -> 12 October
    assert fu.rectify_by == dt.date(2027, 10, 9) == deadline(MONDAY, 10).day
    assert fu.due_on == dt.date(2027, 10, 22)
    assert tr.respond_by == dt.date(2027, 10, 12)
    assert done.due_on == dt.date(2027, 10, 19)  # closed before the year was entered: unchanged
    moved = {
        (t, i, "整改期限" in r, "办结期限" in r)
        for t, i, r in AuditEntry.objects.filter(action="workdays.deadline_recomputed").values_list(
            "object_type", "object_id", "object_repr"
        )
    }
    assert ("followups.followup", str(fu.pk), True, False) in moved
    assert ("followups.followup", str(fu.pk), False, True) in moved
    assert ("followups.transfer", str(tr.pk), False, False) in moved
    assert not any(i == str(done.pk) and t == "followups.followup" for t, i, *_ in moved)
    assert not ProvisionalDeadline.objects.filter(provisional=True, start__year=2027).exists()
    assert (fu.deadline_status, tr.deadline_status) == ("official", "official")
    fu.due_on = dt.date(2027, 12, 31)  # official now: an edit in place is refused
    with pytest.raises(ValidationError, match="不可修改"):
        fu.save()
