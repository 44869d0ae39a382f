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

from collections import Counter, defaultdict
from datetime import date

from django.db.models import QuerySet

from shuangsuiji.orgs.models import Organisation
from shuangsuiji.tasks.models import Assignment, DrawKind, DrawStatus, Task, TaskStatus


def _live_assignments(department: Organisation, exclude_task: Task | None):
    qs = Assignment.objects.filter(
        ended_at__isnull=True,
        draw__kind=DrawKind.INSPECTORS,
        draw__status=DrawStatus.DRAWN,
        draw__department=department,
    ).exclude(draw__task__status=TaskStatus.CANCELLED)
    if exclude_task is not None:
        qs = qs.exclude(draw__task=exclude_task)
    return qs.order_by()  # read whole, never sorted by the model's ordering


def last_inspected(department: Organisation, target_codes, *, exclude_task: Task | None = None):
    """{执法证号: set of target codes} — who was in the department's last group for each target.

    ``target_codes``: a list of codes, or a query of target ids (a draw's 50,000 targets as a
    subquery rather than 50,000 parameters)."""
    qs = _live_assignments(department, exclude_task)
    if isinstance(target_codes, QuerySet):
        qs = qs.filter(target_id__in=target_codes)
    else:
        qs = qs.filter(target__code__in=target_codes)
    rows = qs.values_list("target__code", "draw__drawn_at", "draw_id", "inspector__certificate_no")
    latest: dict[str, tuple] = {}
    members: dict[tuple[str, int], set[str]] = defaultdict(set)
    for code, drawn_at, draw_id, certificate_no in rows:
        members[(code, draw_id)].add(certificate_no)
        key = (drawn_at, draw_id)
        if code not in latest or key > latest[code]:
            latest[code] = key
    out: dict[str, set[str]] = defaultdict(set)
    for code, (_at, draw_id) in latest.items():
        for certificate_no in members[(code, draw_id)]:
            out[certificate_no].add(code)
    return dict(out)


def workload(department: Organisation, window: tuple[date, date], *, exclude_task: Task | None = None):
    """{执法证号: number of current groups in other tasks whose window overlaps ``window``}."""
    start, end = window
    rows = (
        _live_assignments(department, exclude_task)
        .filter(draw__task__window_from__lte=end, draw__task__window_to__gte=start)
        .values_list("inspector__certificate_no", flat=True)
    )
    return dict(Counter(rows))


def with_history(candidates: list[dict], department: Organisation, task: Task, target_codes) -> list[dict]:
    """``candidates`` (from ``inspectors.services.draw_candidates``) with ``last_inspected`` and
    ``workload`` filled from the department's earlier draws (this task's own draws excluded)."""
    rotation = last_inspected(department, target_codes, exclude_task=task)
    load = workload(department, (task.window_from, task.window_to), exclude_task=task)
    for c in candidates:
        c["last_inspected"] = rotation.get(c["id"], set())
        c["workload"] = load.get(c["id"], 0)
    return candidates
