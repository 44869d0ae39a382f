"""Changes after the draw: leave or a declared interest entered for an inspector who is
already in a group of a live draw.

Nothing is changed by itself (a drawn group is a record of the draw): every affected group
is flagged on the task and in the department's to-do, with a proposed substitute draw
(:func:`drawday.substitute_everywhere`: one engine event replacing the person in all their
affected groups of that draw, with one reason). The flags are derived from the register and
the current assignments, so they disappear once the substitute draw is made, or the leave or
declaration is withdrawn.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from shuangsuiji.inspectors.models import Inspector, LeavePeriod, Relationship
from shuangsuiji.tasks.models import Assignment, Draw, DrawKind, DrawStatus, without_files


@dataclass
class Affected:
    """One inspector of one inspector draw, with the groups that must change and why."""

    draw: Draw
    inspector: Inspector
    assignments: list[Assignment] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)

    @property
    def groups(self) -> int:
        return len(self.assignments)

    @property
    def cause_text(self) -> str:
        return "；".join(dict.fromkeys(self.causes))


def _affected(assignments, window=None) -> list[Affected]:
    # Only the groups with a cause are read (a provincial inspector draw has 100,000 places,
    # of which a handful are affected): a live leave overlapping the task's window, or a
    # declared interest in the group's target. The causes are then worded below.
    if window is not None:
        # one task: first the few inspectors with a possible cause, then only their places
        # (testing both causes on each of a task's 200,000 places took 0.9 s)
        on_leave = LeavePeriod.objects.live().filter(start__lte=window[1], end__gte=window[0])
        candidates = set(on_leave.values_list("inspector_id", flat=True))
        candidates |= set(Relationship.objects.live().values_list("inspector_id", flat=True))
        if not candidates:
            return []
        assignments = assignments.filter(inspector_id__in=candidates)
    leave = LeavePeriod.objects.live().filter(
        inspector_id=OuterRef("inspector_id"),
        start__lte=OuterRef("draw__task__window_to"),
        end__gte=OuterRef("draw__task__window_from"),
    )
    interest = Relationship.objects.live().filter(
        inspector_id=OuterRef("inspector_id"), target_id=OuterRef("target_id")
    )
    assignments = assignments.filter(Exists(leave) | Exists(interest))
    rows = list(
        assignments.select_related("draw__task", "draw__department", "inspector", "target").defer(
            *without_files("draw")
        )
    )
    if not rows:
        return []
    inspector_ids = {a.inspector_id for a in rows}
    leaves = defaultdict(list)
    for lp in LeavePeriod.objects.live().filter(inspector_id__in=inspector_ids):
        leaves[lp.inspector_id].append(lp)
    interests = defaultdict(list)
    for r in Relationship.objects.live().filter(
        inspector_id__in=inspector_ids, target_id__in={a.target_id for a in rows}
    ):
        interests[(r.inspector_id, r.target_id)].append(r)
    out: dict[tuple[int, int], Affected] = {}
    for a in rows:
        task = a.draw.task
        causes = [
            f"请假/停用 {lp.start:%Y-%m-%d} 至 {lp.end:%Y-%m-%d}（{lp.reason}），与检查期间重叠"
            for lp in leaves[a.inspector_id]
            if lp.start <= task.window_to and lp.end >= task.window_from
        ]
        causes += [f"申报利害关系（{r.get_kind_display()}）" for r in interests[(a.inspector_id, a.target_id)]]
        if not causes:
            continue
        item = out.setdefault((a.draw_id, a.inspector_id), Affected(a.draw, a.inspector))
        item.assignments.append(a)
        item.causes += causes
    return list(out.values())


def _live_assignments():
    return Assignment.objects.filter(
        ended_at__isnull=True,
        draw__kind=DrawKind.INSPECTORS,
        draw__status=DrawStatus.DRAWN,
        draw__target_draw__status=DrawStatus.DRAWN,
    )


def affected_in_task(task) -> list[Affected]:
    return _affected(_live_assignments().filter(draw__task=task), (task.window_from, task.window_to))


def affected_for_inspector(inspector: Inspector) -> list[Affected]:
    return _affected(_live_assignments().filter(inspector=inspector))
