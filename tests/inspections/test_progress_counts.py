"""The task progress's stored counts (``PartCount``, kept by database triggers) against a full
recount, after every transition of a scripted sequence: draft created and saved again,
submitted, returned, resubmitted, determined, a correction opened / submitted / determined, a
result published, the days passing (due → overdue), a record whose target is no longer drawn.
After each step the table equals a GROUP BY of the parts, and ``progress`` equals ``recount``
(the query counting the parts themselves) for several days; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import DepartmentPart, PartCount
from shuangsuiji.tasks import drawday
from shuangsuiji.tasks.models import DrawnTarget, DrawResult
from tests.inspections.helpers import build, code, market_passed_entry, visit, water_failed_entry, water_passed_entry


def _stored() -> dict:
    return {(r.participant_id, r.status, r.due_on): r.n for r in PartCount.objects.filter(n__gt=0) if r.n}


def _counted() -> dict:
    return {
        (p, s, d): n
        for p, s, d, n in DepartmentPart.objects.values("participant_id", "status", "publication_due_on")
        .annotate(n=Count("id"))
        .values_list("participant_id", "status", "publication_due_on", "n")
    }


def check(w, step: str) -> None:
    assert _stored() == _counted(), step
    assert not PartCount.objects.filter(n__lt=0).exists(), step
    today = timezone.localdate()
    due = [d for (_p, _s, d) in _counted() if d is not None]
    for day in {today, *(d for d in due), *(d + dt.timedelta(days=1) for d in due)}:
        assert services.progress(w.task, day) == services.recount(w.task, day), f"{step}, on {day}"


def _water(w):
    return {r.participant.department_id: r for r in services.progress(w.task)}[w.water.pk]


def test_stored_counts_equal_a_recount_after_every_transition(demo):
    w = build(demo)
    sw, sc = w.users["sw_inspector"], w.users["sc_inspector"]
    sw_admin, sc_admin = w.users["sw_admin"], w.users["sc_admin"]
    check(w, "nothing entered")
    visit(w)
    check(w, "visit")

    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=water_failed_entry(w))
    check(w, "water draft created")
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("未发现问题").pk], items=water_passed_entry(w))
    check(w, "water draft saved again")
    part = services.submit(w.record, w.water.pk, sw)
    check(w, "water submitted")
    services.return_part(part, sw_admin, "请补充现场照片说明")
    check(w, "water returned")
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("未发现问题").pk], items=water_passed_entry(w))
    check(w, "water draft after return")
    part = services.submit(w.record, w.water.pk, sw)
    check(w, "water resubmitted")
    v1 = services.determine(part, sw_admin, "属实")
    check(w, "water determined")
    assert (_water(w).entered, _water(w).submitted, _water(w).determined, _water(w).due) == (1, 1, 1, 1)

    services.save_draft(w.record, w.market.pk, sc, code_ids=[code("未发现问题").pk], items=market_passed_entry(w))
    check(w, "market draft")
    services.determine(services.submit(w.record, w.market.pk, sc), sc_admin)
    check(w, "market determined")

    v2 = services.start_correction(v1, sw, "复核发现弃渣场拦挡缺失，结果录入有误")
    check(w, "correction opened")
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=water_failed_entry(w))
    check(w, "correction saved")
    v2 = services.submit_correction(v2, sw)
    check(w, "correction submitted")
    v2 = services.determine(v2, sw_admin, "更正属实", today=timezone.localdate() + dt.timedelta(days=3))
    check(w, "correction determined (its own due date)")
    assert _water(w).determined == 1

    from shuangsuiji.publicity import services as publicity

    publicity.publish_drawn_list(w.task, ["gsxt"], sw_admin)
    publicity.publish_result(v2, ["gsxt"], sw_admin)
    check(w, "water published")
    assert _water(w).published == 1

    # the record's target no longer drawn (a replacement, as the tasks app writes it): its
    # parts leave the counts of progress and recount alike
    # (the tasks app stores a new result version with every replacement: the drawn total's
    # cache key)
    row = DrawnTarget.objects.get(draw=w.draw, target=w.target)
    other = DrawnTarget.objects.filter(draw=w.draw, replaced_by__isnull=True).exclude(pk=row.pk).first()
    last = drawday.latest_result(w.draw)
    drawday._store_result(
        w.draw, last.version + 1, DrawResult.Event.RESERVE, "测试：对象不再抽中", drawday._b(last.result_json), sw_admin
    )
    DrawnTarget.objects.filter(pk=row.pk).update(replaced_by=other)
    check(w, "target no longer drawn")
    assert (_water(w).entered, _water(w).determined, _water(w).published) == (0, 0, 0)


def test_bulk_written_parts_are_counted_too(demo):
    """The triggers count whatever writes the parts (a bulk load, a data migration)."""
    w = build(demo)
    participant = w.task.participants.get(department=w.water)
    DepartmentPart.objects.bulk_create(
        [DepartmentPart(record=w.record, participant=participant, department_id=w.water.pk)]
    )
    check(w, "bulk insert")
    assert _water(w).entered == 1


def test_the_count_triggers_survive_later_migrations_of_the_parts_table(db):
    """A later migration that makes SQLite remake ``inspections_departmentpart`` (adding a NOT
    NULL column) drops its triggers: they must be there after the last migration."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'inspections_partcount_%'")
        else:
            cur.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'inspections_partcount_%'")
        names = {r[0] for r in cur.fetchall()}
    expected = (
        {"inspections_partcount_insert", "inspections_partcount_delete", "inspections_partcount_update"}
        if connection.vendor == "sqlite"
        else {"inspections_partcount_keep"}
    )
    assert expected <= names
