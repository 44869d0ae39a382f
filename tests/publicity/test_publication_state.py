"""One rule for a determined result's publication state (publicity.deadlines): a part
published late is neither overdue on the task page nor in the to-do; a part determined and
left unpublished past its due date is overdue everywhere (record page, part page, task page,
to-do, inspections API, publication queue); the counts agree between queue and progress."""

import datetime as dt

import pytest

from shuangsuiji.inspections import services as inspections
from shuangsuiji.inspections.templatetags.inspections_tags import inspection_work
from shuangsuiji.publicity import deadlines, results, services
from tests.publicity import results_world as rw
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db


def test_published_late_is_not_overdue_and_unpublished_past_due_is_overdue_everywhere(demo, client, login):
    w = public_world.build(demo)
    today = dt.date.today()
    water, admin = w.world.water, w.world.users["sw_admin"]
    targets = [r.target for r in w.draw.drawn_targets.filter(replaced_by__isnull=True).order_by("position")]
    soon = rw.part(w.task, targets[0], water, determined_on=rw.determined_for(3, today))
    overdue = rw.part(w.task, targets[1], water, determined_on=rw.determined_for(-2, today))
    late = rw.part(w.task, targets[2], water, determined_on=rw.determined_for(-4, today))
    on_time = rw.part(w.task, targets[3], water, determined_on=rw.determined_for(5, today))
    assert inspections.is_overdue(late)  # before it is published: overdue like the other one
    assert services.publish_result(late, ["gsxt"], admin).late
    assert not services.publish_result(on_time, ["gsxt"], admin).late

    # the rule
    st = deadlines.states([soon, overdue, late, on_time], today)
    assert (st[soon.pk].state, st[soon.pk].days_left) == (deadlines.State.DUE, 3)
    assert (st[overdue.pk].state, st[overdue.pk].days_left) == (deadlines.State.OVERDUE, -2)
    assert st[late.pk].state == deadlines.State.LATE and st[late.pk].days_left is None
    assert st[on_time.pk].state == deadlines.State.ON_TIME
    assert inspections.is_overdue(overdue) and not inspections.is_overdue(late)

    # the queue and the task progress count alike
    entries = [e for e in results.queue(water, today) if e.part.record.task_id == w.task.pk]
    by_state = {}
    for e in entries:
        by_state[e.state] = by_state.get(e.state, 0) + 1
    assert by_state == {"待公开": 1, "已逾期": 1, "逾期公开": 1, "已公开": 1}
    row = next(r for r in inspections.progress(w.task, today) if r.participant.department_id == water.pk)
    assert (row.due, row.overdue, row.published, row.published_late) == (1, 1, 2, 1)
    assert row.next_due == soon.publication_due_on
    counts = deadlines.counts(inspections_parts(w.task, water), today)
    assert counts == {"due": 1, "overdue": 1, "on_time": 1, "late": 1}

    # the to-do: the overdue one flagged, the published ones gone
    todo = [t for t in inspection_work(admin) if t["title"].startswith("公示检查结果")]
    flagged = {t["title"] for t in todo if t["overdue"]}
    assert any(overdue.record.target.name in t for t in flagged)
    assert not any(late.record.target.name in t["title"] for t in todo)
    assert not any(on_time.record.target.name in t["title"] for t in todo)
    assert len(flagged) == 1

    login("sw_admin")
    # the task page: one overdue, two published (one late)
    page = client.get(f"/tasks/{w.task.pk}/").content.decode()
    assert "1 项逾期" in page and "已公开 2（逾期公开 1）" in page
    # the record page and the part page
    record_page = client.get(f"/inspections/tasks/{w.task.pk}/targets/{targets[1].pk}/").content.decode()
    assert "逾期未公示" in record_page
    record_page = client.get(f"/inspections/tasks/{w.task.pk}/targets/{targets[2].pk}/").content.decode()
    assert "逾期公开" in record_page and "逾期未公示" not in record_page
    part_page = client.get(f"/inspections/parts/{late.pk}/").content.decode()
    assert "逾期公开" in part_page and "已逾期" not in part_page
    # the inspections API
    api = {p: client.get(f"/api/inspections/parts/{p.pk}").json() for p in (soon, overdue, late, on_time)}
    assert [api[p]["publication_state"] for p in (soon, overdue, late, on_time)] == [
        "due",
        "overdue",
        "late",
        "on_time",
    ]
    assert api[soon]["publication_days_left"] == 3 and api[overdue]["publication_days_left"] == -2
    progress = client.get(f"/api/inspections/tasks/{w.task.pk}/progress").json()
    mine = next(r for r in progress if r["department_id"] == water.pk)
    assert (mine["due"], mine["overdue"], mine["published"], mine["published_late"]) == (1, 1, 2, 1)


def inspections_parts(task, department):
    from shuangsuiji.inspections.models import DepartmentPart

    return DepartmentPart.objects.filter(record__task=task, department=department)
