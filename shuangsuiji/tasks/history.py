"""What earlier draws say about a department's inspectors: rotation and current workload.

The draw engine reads two fields of each inspector that the register itself does not hold
(docs/draw-spec.md §12.2–12.3):

- ``last_inspected``: the targets for which the inspector was in the department's group the
  last time the department drew inspectors for that target (rotation, 轮换: the same
  person is not sent to the same target twice in a row). "Last time" is the most recent live
  (not voided) inspector draw of the department, in a task that is not cancelled, that holds
  the target; the group is the current one (substitutions applied).
- ``workload``: the number of groups the inspector currently belongs to in live inspector
  draws of other, not cancelled tasks whose inspection window overlaps this one; the engine
  adds it to the load it balances and compares with the task's cap.

Both are computed when the department's inspector draw is frozen and are frozen with the
register (``inspectors.json``), so a verifier re-computes the same assignment. Inspection
results (a later issue) will end a group's workload when its result is recorded.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, QuerySet

from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.tasks.models import Assignment, Draw, DrawKind, DrawStatus, Task, TaskStatus


def _live_draws(department: Organisation, exclude_task: Task | None, window: tuple[date, date] | None = None):
    """{draw id: drawn at} of the department's live inspector draws in tasks not cancelled (a
    few dozen in a year), optionally those whose task's window overlaps ``window``."""
    qs = Draw.objects.filter(kind=DrawKind.INSPECTORS, status=DrawStatus.DRAWN, department=department).exclude(
        task__status=TaskStatus.CANCELLED
    )
    if exclude_task is not None:
        qs = qs.exclude(task=exclude_task)
    if window is not None:
        start, end = window
        qs = qs.filter(task__window_from__lte=end, task__window_to__gte=start)
    return dict(qs.order_by().values_list("pk", "drawn_at"))


def _live_assignments(draws):
    # the group places of those draws by id (the planner then scans each draw's places on the
    # draw index instead of probing a million-row semi-join per place)
    return Assignment.objects.filter(draw_id__in=list(draws), ended_at__isnull=True).order_by()


def _certificates(inspector_ids) -> dict[int, str]:
    return dict(Inspector.objects.filter(pk__in=set(inspector_ids)).values_list("pk", "certificate_no"))


def last_inspected(department: Organisation, target_codes, *, exclude_task: Task | None = None):
    """{执法证号: set of target codes} — who was in the department's last group for each target.

    ``target_codes``: a list of codes, or a query of a target draw's ``DrawnTarget`` rows (a
    draw's 50,000 targets as a subquery rather than 50,000 parameters; their codes as drawn)."""
    draws = _live_draws(department, exclude_task)
    if not draws:
        return {}
    qs = _live_assignments(draws)
    if isinstance(target_codes, QuerySet):
        code_of = dict(target_codes.values_list("target_id", "code"))
        places = qs.filter(target_id__in=target_codes.values("target_id"))
        rows = [(code_of[t], d, i) for t, d, i in places.values_list("target_id", "draw_id", "inspector_id")]
    else:
        rows = list(qs.filter(target__code__in=target_codes).values_list("target__code", "draw_id", "inspector_id"))
    latest: dict[str, tuple] = {}
    members: dict[tuple[str, int], set[int]] = defaultdict(set)
    for code, draw_id, inspector_id in rows:
        members[(code, draw_id)].add(inspector_id)
        key = (draws[draw_id], draw_id)
        if code not in latest or key > latest[code]:
            latest[code] = key
    certificate = _certificates(i for _c, _d, i in rows)
    out: dict[str, set[str]] = defaultdict(set)
    for code, (_at, draw_id) in latest.items():
        for inspector_id in members[(code, draw_id)]:
            out[certificate[inspector_id]].add(code)
    return dict(out)


def workload(department: Organisation, window: tuple[date, date], *, exclude_task: Task | None = None):
    """{执法证号: number of current groups in other tasks whose window overlaps ``window``}."""
    draws = _live_draws(department, exclude_task, window)
    if not draws:
        return {}
    # counted by the database: a province's department holds millions of group places in a
    # year's overlapping tasks, an inspector a few hundred (20 tasks: 1.9 million rows in Python)
    counts = dict(
        _live_assignments(draws).values("inspector_id").annotate(n=Count("pk")).values_list("inspector_id", "n")
    )
    certificate = _certificates(counts)
    return {certificate[i]: n for i, n in counts.items()}


def with_history(candidates: list[dict], department: Organisation, task: Task, target_codes) -> list[dict]:
    """``candidates`` (from ``inspectors.services.draw_candidates``) with ``last_inspected`` and
    ``workload`` filled from the department's earlier draws (this task's own draws excluded)."""
    rotation = last_inspected(department, target_codes, exclude_task=task)
    load = workload(department, (task.window_from, task.window_to), exclude_task=task)
    for c in candidates:
        c["last_inspected"] = rotation.get(c["id"], set())
        c["workload"] = load.get(c["id"], 0)
    return candidates
