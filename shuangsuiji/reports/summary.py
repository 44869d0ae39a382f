"""The report summary: the counts behind the annual statistics table and the KPI dashboard,
kept current as the data changes, so that a province's table adds up a few thousand rows
instead of reading a million results per request.

One rule, one place:

- ``refresh_task(task_id)`` recomputes ONE task's rows from the live tables with the counting
  rules of ``figures.py`` (the same querysets, restricted to the task): ``TaskFigures`` per
  task × department, ``TaskDue`` (what falls due on a date: the figures that depend on today),
  and the kept tables that are not sums over tasks, for the task's year and departments
  (``InspectorLoad``: workload per inspector; ``TargetLead``: businesses per lead department;
  ``RepeatFigure``: the repeat-inspection figure of each kept reporting scope containing the
  lead) — the kept tables only when its draws or assignments changed.
- What changes a task's figures marks it (``touch``) in the same transaction: the saves and
  deletions of the models of ``watched()``, connected in ``apps.py``. A draw (its ``DrawResult``), a reserve or
  substitute (a new ``DrawResult``), a void (``VoidRequest``), an inspector draw and its
  assignments (``DrawResult``, ``Assignment``), a result and its determination
  (``DepartmentPart``), a publication and a withdrawal, a follow-up and each of its state
  changes. The mark (``DirtyTask``) is a row: it commits or rolls back with the change.
- ``flush()`` recomputes the marked tasks: in the job queue after the commit that marked them
  (``transaction.on_commit`` enqueues ``reports.tasks.flush_summary_task``, once per
  transaction) and first thing in every reader, so a reader never sees a stale
  summary even if a process died between the commit and its flush. A flush holds the marks it
  recomputes (FOR UPDATE, skipping locked ones); ``touch`` upserts its mark, which waits for
  such a flush, so a change made during a flush is never unmarked by it.
- A write that bypasses the models' ``save`` (``QuerySet.update``, ``bulk_create``) is covered
  by a save of the same service (a draw's ``DrawResult``, a void's ``VoidRequest``); a new
  service that writes figures only in bulk must call ``touch`` itself.
- ``rebuild()`` (``manage.py rebuild_report_summary``) recomputes everything from scratch.

The live computation in ``figures.py`` stays the reference: the tests and ``bench/reports.py``
check summary == live == a hand-written query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.signals import post_delete, post_save

from shuangsuiji.reports import figures as f
from shuangsuiji.reports.models import DirtyTask, InspectorLoad, RepeatFigure, TargetLead, TaskDue, TaskFigures

CHANNEL_FIELDS = {"gsxt": "gsxt", "professional": "professional", "department": "department_site"}


# --- marking -------------------------------------------------------------------------------------


def touch(task_id: int | None, *, draws: bool = False) -> None:
    """Mark ``task_id``'s summary as behind, in the current transaction, and recompute it after
    the commit; ``draws``: its draws or assignments changed (the kept tables are recomputed too)."""
    if not task_id:
        return
    # an upsert, not "do nothing": it locks the mark until this transaction ends, so a flush
    # running meanwhile (which holds the marks it recomputes, FOR UPDATE) cannot delete a mark
    # whose change it did not see; it skips the locked mark and the next flush recomputes it.
    DirtyTask.objects.bulk_create(
        [DirtyTask(task_id=task_id, draws=draws)],
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=["marked_at"],
    )
    if draws:
        DirtyTask.objects.filter(task_id=task_id, draws=False).update(draws=True)
    _flush_after_commit()


def _flush_after_commit() -> None:
    """Once per transaction: after its commit, the job queue recomputes the marked tasks
    (``reports.tasks``; at once where huey runs immediate, as in the tests). A failed flush
    leaves the marks: the next reader flushes."""
    conn = transaction.get_connection()
    if any(func is _enqueue_flush for _sids, func, _robust in conn.run_on_commit):
        return
    transaction.on_commit(_enqueue_flush, robust=True)


def _enqueue_flush() -> None:
    from shuangsuiji.reports.tasks import flush_summary_task

    flush_summary_task()


def _task_of(instance) -> int | None:
    from shuangsuiji.followups.models import FollowUp
    from shuangsuiji.inspections.models import DepartmentPart, InspectionRecord
    from shuangsuiji.publicity.models import Publication, Withdrawal
    from shuangsuiji.tasks.models import Assignment, Draw, DrawnTarget, DrawResult, Task, VoidRequest

    if isinstance(instance, Task):
        return instance.pk
    if isinstance(instance, (Draw, InspectionRecord, Publication)):
        return instance.task_id
    if isinstance(instance, (DrawResult, DrawnTarget, Assignment, VoidRequest)):
        return Draw.objects.filter(pk=instance.draw_id).values_list("task_id", flat=True).first()
    if isinstance(instance, DepartmentPart):
        # the record the part was saved with, when loaded with it (a record never changes task:
        # one round trip less for each save of a part in the entry)
        if DepartmentPart.record.is_cached(instance) and instance.record.pk == instance.record_id:
            return instance.record.task_id
        return InspectionRecord.objects.filter(pk=instance.record_id).values_list("task_id", flat=True).first()
    if isinstance(instance, FollowUp):
        return DepartmentPart.objects.filter(pk=instance.part_id).values_list("record__task_id", flat=True).first()
    if isinstance(instance, Withdrawal):
        return Publication.objects.filter(pk=instance.publication_id).values_list("task_id", flat=True).first()
    return None


def _draw_models():
    from shuangsuiji.tasks.models import Assignment, Draw, DrawnTarget, DrawResult, Task, VoidRequest

    return (Task, Draw, DrawResult, DrawnTarget, Assignment, VoidRequest)


def watched():
    """The models whose saves and deletions change a task's figures."""
    from shuangsuiji.followups.models import FollowUp
    from shuangsuiji.inspections.models import DepartmentPart, InspectionRecord
    from shuangsuiji.publicity.models import Publication, Withdrawal
    from shuangsuiji.tasks.models import Assignment, Draw, DrawnTarget, DrawResult, Task, VoidRequest

    return (Task, Draw, DrawResult, DrawnTarget, Assignment, VoidRequest, InspectionRecord, DepartmentPart,
            Publication, Withdrawal, FollowUp)  # fmt: skip


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata: nothing derived is written
        return
    if kwargs.get("signal") is post_delete and sender._meta.label == "tasks.Task":
        return  # its summary rows go with it (CASCADE); a mark would name a deleted task
    if kwargs.get("signal") is post_save and _open_part(instance):
        return  # no figure counts it (below)
    touch(_task_of(instance), draws=isinstance(instance, _draw_models()))


def _open_part(instance) -> bool:
    """A result version saved as a draft, submitted or returned: every figure of the summary (and
    of ``figures.py``) counts determined parts only, and a version that is open now was never
    determined (a determined one only becomes superseded, ``immutability``), so its save changes
    no figure — the entry's draft and submission steps mark nothing (a delete still marks)."""
    from shuangsuiji.inspections.models import OPEN_STATUSES, DepartmentPart

    return isinstance(instance, DepartmentPart) and instance.status in OPEN_STATUSES


def connect() -> None:
    for model in watched():
        post_save.connect(_changed, sender=model, dispatch_uid=f"reports-summary-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"reports-summary-delete-{model.__name__}")


def flush() -> int:
    """Recompute every marked task (each in its own transaction); the number recomputed."""
    n = 0
    while True:
        with transaction.atomic():
            marks = list(
                DirtyTask.objects.select_for_update(skip_locked=True)
                .order_by("task_id")
                .values_list("task_id", "draws")[:50]
            )
            if not marks:
                return n
            ids = [task_id for task_id, _d in marks]
            for task_id, draws in marks:
                refresh_task(task_id, kept=draws)
            DirtyTask.objects.filter(task_id__in=ids).delete()
            n += len(ids)


# --- recomputing ---------------------------------------------------------------------------------


def refresh_task(task_id: int, *, kept: bool = True) -> None:
    """Rewrite ONE task's summary rows from the live tables (``figures.py``'s rules restricted to
    the task); with ``kept`` also the kept tables of its year and departments."""
    from shuangsuiji.tasks.models import Task

    with transaction.atomic():
        TaskFigures.objects.filter(task_id=task_id).delete()
        TaskDue.objects.filter(task_id=task_id).delete()
        task = Task.objects.filter(pk=task_id).values("year", "lead_id").first()
        if task is None:
            return
        rows, due = _task_rows(task_id, task["lead_id"])
        TaskFigures.objects.bulk_create(
            [TaskFigures(task_id=task_id, department_id=d, **v) for d, v in sorted(rows.items())]
        )
        TaskDue.objects.bulk_create(
            [TaskDue(task_id=task_id, department_id=d, what=w, due_on=on, n=n) for (d, w, on), n in sorted(due.items())]
        )
        if kept:
            refresh_kept(task["year"], _departments_of(task_id, task["lead_id"]), [task["lead_id"]])


def _task_rows(task_id: int, lead_id: int):
    from shuangsuiji.followups.models import FollowUp
    from shuangsuiji.inspections.models import DepartmentPart, PartStatus
    from shuangsuiji.publicity.models import Decision
    from shuangsuiji.publicity.models import Kind as PublicationKind

    rows: dict[int, dict] = defaultdict(dict)

    def add(dept, **counts):
        row = rows[dept]
        for k, v in counts.items():
            row[k] = row.get(k, 0) + (v or 0)

    # batches: the counted draws with their current drawn targets (figures.batch_facts)
    draws = (
        f.drawn_draws(task_id=task_id)
        .values_list("pk", "population_count")
        .annotate(n=Count("drawn_targets", filter=Q(drawn_targets__replaced_by__isnull=True)))
        .order_by("pk")
    )
    best = None
    for _pk, population, n in draws:
        achieved = Decimal(n) / Decimal(population) if population else Decimal(0)
        if best is None or achieved > best[0]:
            best = (achieved, n, population)
        add(lead_id, draws=1, targets=n)
    if best is not None:
        rows[lead_id].update(best_targets=best[1], best_population=best[2])
        # the lead department's publications per channel (figures.publications_by_row)
        pubs = (
            f._result_publications()
            .filter(part__participant__role="lead", part__record__task_id=task_id)
            .aggregate(**f._channel_counts())
        )
        add(lead_id, **{CHANNEL_FIELDS[c]: n for c, n in pubs.items()})

    # determined results (figures.part_facts), grouped by their publication deadline as well:
    # "due" = published, or past the deadline on the day the dashboard is read
    in_force = Q(publications__kind=PublicationKind.RESULT) & (
        Q(publications__withdrawal__isnull=True)
        | Q(publications__withdrawal__status__in=[Decision.REQUESTED, Decision.REJECTED])
    )
    parts = DepartmentPart.objects.filter(status=PartStatus.DETERMINED, record__task_id=task_id)
    due: dict[tuple[int, str, dt.date], int] = defaultdict(int)
    grouped = (
        parts.values_list("department_id", "publication_due_on")
        .annotate(
            total=Count("pk"),
            on_time_entry=Count("pk", filter=Q(determined_on__lte=F("record__task__window_to"))),
            published_on_time=Count("pk", filter=in_force & Q(publications__late=False)),
            published=Count("pk", filter=in_force),
        )
        .order_by()
    )
    for dept, due_on, total, on_time_entry, on_time, published in grouped:
        add(dept, results=total, on_time_entry=on_time_entry, published_on_time=on_time, published=published)
        if due_on is not None and total > published:
            due[(dept, TaskDue.What.PUBLICATION, due_on)] += total - published
    problems = (
        f._parts_with_problems_q(parts, Q(part__record__task_id=task_id))
        .values_list("department_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for dept, n in problems:
        add(dept, problems=n)

    # follow-ups (figures.follow_up_facts; the cases and fines of figures.annual_table)
    follow = FollowUp.objects.filter(part__record__task_id=task_id)
    case = Q(type__code__in=f.CASE_TYPES)
    for dept, total, closed, cases, fines in (
        follow.values_list("part__department_id")
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(closed_at__isnull=False)),
            cases=Count("pk", filter=case),
            fines=Sum("fine_wan", filter=case),
        )
        .order_by()
    ):
        add(dept, follow_ups=total, closed=closed, cases=cases, fines=fines or Decimal(0))
    for dept, due_on, n in (
        follow.filter(closed_at__isnull=True, due_on__isnull=False)
        .values_list("part__department_id", "due_on")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        due[(dept, TaskDue.What.FOLLOW_UP, due_on)] += n
    return rows, due


def _departments_of(task_id: int, lead_id: int) -> list[int]:
    from shuangsuiji.tasks.models import Draw, TaskParticipant

    depts = set(TaskParticipant.objects.filter(task_id=task_id).values_list("department_id", flat=True))
    depts |= set(
        Draw.objects.filter(task_id=task_id, department_id__isnull=False).values_list("department_id", flat=True)
    )
    return sorted(depts | {lead_id})


def _insert_select(table: str, columns: str, qs) -> None:
    from django.core.exceptions import EmptyResultSet

    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # e.g. ``draw_id__in=[]``: nothing to insert
        return
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} ({columns}) {sql}", params)


def refresh_kept(year: int, departments: list[int] | None, leads: list[int] | None) -> None:
    """Rewrite the kept tables of ``year`` for ``departments`` (workload) and ``leads`` (businesses
    per lead department); ``None``: every department."""
    from django.db.models import Value

    from shuangsuiji.tasks.models import Assignment, Draw, DrawStatus

    loads = InspectorLoad.objects.filter(year=year)
    assigned = Assignment.objects.filter(draw__status=DrawStatus.DRAWN, draw__task__year=year, ended_at__isnull=True)
    if departments is not None:
        loads = loads.filter(department_id__in=departments)
        # the department's drawn inspector draws first (a few ids): then their assignments by index
        idraws = Draw.objects.filter(status=DrawStatus.DRAWN, task__year=year, department_id__in=departments)
        assigned = assigned.filter(draw_id__in=list(idraws.values_list("pk", flat=True)))
    loads.delete()
    _insert_select(
        InspectorLoad._meta.db_table,
        "year, department_id, inspector_id, targets",
        assigned.filter(draw__department__isnull=False)
        .values("draw__department_id", "inspector_id")
        .annotate(y=Value(year), n=Count("target_id", distinct=True))
        .values_list("y", "draw__department_id", "inspector_id", "n")
        .order_by(),
    )
    kept = TargetLead.objects.filter(year=year)
    drawn = f.current_targets(f.drawn_draws(task__year=year))
    pairs = drawn.values("draw__task__lead_id", "target_id")
    if leads is None:  # everything: one INSERT … SELECT
        kept.delete()
        _insert_select(
            TargetLead._meta.db_table,
            "year, lead_id, target_id",
            pairs.annotate(y=Value(year)).values_list("y", "draw__task__lead_id", "target_id").distinct().order_by(),
        )
    else:  # a lead's businesses: only what changed is written (a draw changes one task's few)
        ids = list(f.drawn_draws(task__year=year, task__lead_id__in=leads).values_list("pk", flat=True))
        now = set(drawn.filter(draw_id__in=ids).values_list("draw__task__lead_id", "target_id").order_by())
        kept = kept.filter(lead_id__in=leads)
        before = set(kept.values_list("lead_id", "target_id"))
        gone = before - now
        for lead in {lead for lead, _t in gone}:
            stale = sorted(t for ld, t in gone if ld == lead)
            for i in range(0, len(stale), 5000):
                kept.filter(lead_id=lead, target_id__in=stale[i : i + 5000]).delete()
        TargetLead.objects.bulk_create(
            [TargetLead(year=year, lead_id=lead, target_id=t) for lead, t in sorted(now - before)], batch_size=5000
        )
    repeats = RepeatFigure.objects.filter(year=year).select_related("org__region")
    for row in repeats:
        if leads is None or set(leads) & set(f.scope_ids(row.org)):
            row.repeated, row.drawn = _count_repeat(row.org, year)
            row.save(update_fields=["repeated", "drawn"])


def _scope_root(org):
    """The organisation whose scope ``org``'s reports cover (an office, or a department)."""
    from shuangsuiji.orgs.models import Organisation

    return org if org.kind == Organisation.Kind.OFFICE else (org.department or org)


def _count_repeat(root, year: int) -> tuple[int, int]:
    leads = (
        TargetLead.objects.filter(year=year, lead_id__in=f.scope_ids(root))
        .values("target_id")
        .annotate(first=Min("lead_id"), last=Max("lead_id"))
        .order_by()
    )
    out = leads.aggregate(drawn=Count("target_id"), repeated=Count("target_id", filter=~Q(first=F("last"))))
    return out["repeated"], out["drawn"]


def repeat_figure(org, year: int) -> tuple[int, int]:
    """(businesses drawn by two or more lead departments in ``org``'s scope, businesses drawn):
    the kept row, computed and kept on first read."""
    root = _scope_root(org)
    row = RepeatFigure.objects.filter(org=root, year=year).values_list("repeated", "drawn").first()
    if row is None:
        repeated, drawn = _count_repeat(root, year)
        RepeatFigure.objects.bulk_create(
            [RepeatFigure(org=root, year=year, repeated=repeated, drawn=drawn)], ignore_conflicts=True
        )
        row = (repeated, drawn)
    return row


def rebuild() -> dict[str, int]:
    """Recompute the whole summary from scratch (``manage.py rebuild_report_summary``)."""
    from shuangsuiji.tasks.models import Task

    with transaction.atomic():
        DirtyTask.objects.all().delete()
        TaskFigures.objects.all().delete()
        TaskDue.objects.all().delete()
        InspectorLoad.objects.all().delete()
        TargetLead.objects.all().delete()
        RepeatFigure.objects.all().delete()
        tasks = list(Task.objects.order_by("pk").values_list("pk", "year"))
        for pk, _year in tasks:
            refresh_task(pk, kept=False)
        from shuangsuiji.orgs.models import Organisation

        offices = list(Organisation.objects.filter(kind=Organisation.Kind.OFFICE).select_related("region"))
        for year in sorted({y for _pk, y in tasks}):
            refresh_kept(year, None, None)
            for office in offices:  # what an office's dashboard reads (departments: on first read)
                repeat_figure(office, year)
    return {
        "tasks": len(tasks),
        "task_figures": TaskFigures.objects.count(),
        "task_due": TaskDue.objects.count(),
        "inspector_load": InspectorLoad.objects.count(),
        "target_lead": TargetLead.objects.count(),
        "repeat_figure": RepeatFigure.objects.count(),
    }


# --- reading -------------------------------------------------------------------------------------


def _rows(org, year: int):
    return TaskFigures.objects.filter(task__year=year, department_id__in=f.scope_ids(org))


def annual_table(org, year: int) -> dict[tuple[bool, str], dict]:
    """``figures.annual_table`` from the summary (same rules, same result)."""
    flush()
    rows = {(joint, level): f._empty_row() for joint in (False, True) for level in f.LEVELS}
    tasks: dict[tuple[bool, str], set[int]] = {key: set() for key in rows}
    fields = ("draws", "targets", "gsxt", "professional", "department_site", "cases", "fines")
    for task_id, joint, level, draws, targets, gsxt, prof, site, cases, fines in (
        _rows(org, year).filter(task__lead__region__level__in=f.LEVELS)
        .values_list("task_id", "task__is_joint", "task__lead__region__level", *fields)
    ):  # fmt: skip
        row = rows[(joint, level)]
        if draws:
            tasks[(joint, level)].add(task_id)
            row["targets"] += targets
            row["gsxt"] += gsxt
            row["professional"] += prof
            row["department"] += site
        row["cases"] += cases
        row["fines"] += fines
    for key, ids in tasks.items():
        rows[key]["batches"] = len(ids)
    for row in rows.values():
        row["fines"] = Decimal(row["fines"]).quantize(Decimal("0.0001"))
    return rows


class Facts:
    """What the dashboard reads, from the summary: one query over the task × department rows,
    one over what falls due, and the two kept tables."""

    def __init__(self, org, year: int, today: dt.date):
        flush()
        self.org, self.year, self.today = org, year, today
        self.scope = f.scope_ids(org)
        cols = ("draws", "targets", "best_targets", "best_population", "results", "problems", "on_time_entry",
                "published_on_time", "published", "follow_ups", "closed")  # fmt: skip
        self.rows = [
            dict(zip(("task_id", "joint", "stratified", "level", *cols), r, strict=True))
            for r in TaskFigures.objects.filter(task__year=year, department_id__in=self.scope).values_list(
                "task_id", "task__is_joint", "task__stratify", "task__lead__region__level", *cols
            )
        ]
        due = dict(
            TaskDue.objects.filter(task__year=year, department_id__in=self.scope, due_on__lt=today)
            .values_list("what")
            .annotate(n=Sum("n"))
            .order_by()
        )
        self.publications_due = due.get(TaskDue.What.PUBLICATION, 0)
        self.follow_ups_overdue = due.get(TaskDue.What.FOLLOW_UP, 0)

    def sum(self, key: str, where=None) -> int:
        return sum(r[key] for r in self.rows if where is None or where(r))

    def batches(self) -> int:
        return len({r["task_id"] for r in self.rows if r["draws"] and r["level"] in f.LEVELS})

    def kpis(self) -> list[f.Kpi]:
        n = self.sum("draws")
        repeated, drawn = self.repeat()
        results = self.sum("results")
        return [
            f._kpi("joint_share", self.sum("draws", lambda r: r["joint"]), n),
            f._kpi("credit_risk_share", self.sum("draws", lambda r: r["stratified"]), n),
            f._kpi("problem_rate", self.sum("problems"), results),
            f._kpi("on_time_entry", self.sum("on_time_entry"), results),
            f._kpi("on_time_publication", self.sum("published_on_time"), self.sum("published") + self.publications_due),
            f._kpi("follow_up_closure", self.sum("closed"), self.sum("follow_ups")),
            f._kpi("follow_up_overdue", self.follow_ups_overdue, self.sum("follow_ups")),
            f._kpi("repeat_inspections", repeated, drawn),
        ]

    def repeat(self) -> tuple[int, int]:
        """(businesses drawn by two or more lead departments in scope, businesses drawn)."""
        return repeat_figure(self.org, self.year)

    def coverage(self) -> list[dict]:
        """``figures.item_coverage`` from the summary."""
        by_task: dict[int, Decimal] = {}
        for r in self.rows:
            if r["draws"]:
                pop = r["best_population"]
                by_task[r["task_id"]] = Decimal(r["best_targets"]) / Decimal(pop) if pop else Decimal(0)
        return f.coverage_rows(by_task)

    def workload(self) -> list[tuple[int, int]]:
        """``figures.inspector_workload`` from the kept table."""
        loads = (
            InspectorLoad.objects.filter(year=self.year, department_id__in=self.scope)
            .values("inspector_id")
            .annotate(n=Sum("targets"))
            .order_by()
        )
        hist: dict[int, int] = defaultdict(int)
        for n in loads.values_list("n", flat=True):
            hist[n] += 1
        return sorted(hist.items())
