"""The supervision page (督查): everything overdue in the user's data scope, with owners and
working days late; voided draws with reasons and approvers; tasks voided more than once;
plans published after their deadline (a "late" mark that stays).

A void's reason may speak of the drawn list: the page shows it once the task's list is public.
Results are shown per task and department as counts, never per business: the drawn list and
unpublished results are sealed (``tasks.sealed``), and this page is not a sealed read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone

from shuangsuiji.accounts.scope import scope_q
from shuangsuiji.inspections.models import OPEN_STATUSES, DepartmentPart, PartStatus
from shuangsuiji.plans.models import FROZEN, Plan
from shuangsuiji.reports import figures
from shuangsuiji.reports.services import workdays_late
from shuangsuiji.tasks.models import Confirmation, Draw, DrawKind, DrawStatus, Task, VoidRequest


def _late(due: dt.date | None, today: dt.date) -> int:
    return workdays_late(due, None, today)


def overdue_plans(user, today: dt.date) -> list[dict]:
    out = []
    for p in Plan.objects.filter(scope_q(user, "owner")).exclude(status__in=FROZEN).select_related("owner"):
        due = p.due_date()
        if due is not None and today > due:
            out.append({"plan": p, "owner": p.owner, "due_on": due, "late": _late(due, today)})
    return out


def late_published_plans(user) -> list[dict]:
    """Plans published after their deadline keep this mark (the publication date never changes)."""
    out = []
    for p in Plan.objects.filter(scope_q(user, "owner"), status__in=FROZEN, published_at__isnull=False).select_related(
        "owner"
    ):
        due = p.due_date()
        published = timezone.localdate(p.published_at)
        if due is not None and published > due:
            out.append(
                {
                    "plan": p,
                    "owner": p.owner,
                    "due_on": due,
                    "published_on": published,
                    "late": workdays_late(due, published, published),
                }
            )
    return out


def overdue_confirmations(user, today: dt.date) -> list[dict]:
    rows = (
        Confirmation.objects.filter(scope_q(user, "department"), status=Confirmation.Status.PENDING, due_on__lt=today)
        .filter(draw__status=DrawStatus.DRAWN)
        .select_related("department", "draw__task")
        .order_by("due_on")
    )
    return [
        {
            "confirmation": c,
            "task": c.draw.task,
            "owner": c.department,
            "due_on": c.due_on,
            "late": _late(c.due_on, today),
        }
        for c in rows[:500]
    ]


def _grouped(parts) -> list[dict]:
    counter = Counter()
    firsts = {}
    for task_id, dept_id, due in parts:
        counter[(task_id, dept_id)] += 1
        if due is not None:
            firsts[(task_id, dept_id)] = min(due, firsts.get((task_id, dept_id), due))
    return counter, firsts


def undetermined_results(user, today: dt.date) -> list[dict]:
    """Open parts (录入中、待审核、退回) of tasks whose inspection window has ended."""
    parts = DepartmentPart.objects.filter(
        scope_q(user, "department"), status__in=OPEN_STATUSES, record__task__window_to__lt=today
    ).values_list("record__task_id", "department_id", "record__task__window_to")
    return _rows(parts, today)


def unpublished_results(user, today: dt.date) -> list[dict]:
    """Determined parts past their publication deadline (20 working days) and not published:
    publicity's one rule (``publicity.deadlines.overdue_q``), as on the task page and the queue."""
    from shuangsuiji.publicity.deadlines import overdue_q

    parts = DepartmentPart.objects.filter(scope_q(user, "department")).filter(overdue_q(today))
    return _rows(parts.values_list("record__task_id", "department_id", "publication_due_on"), today)


def _rows(values, today) -> list[dict]:
    from shuangsuiji.orgs.models import Organisation

    counter, firsts = _grouped(values)
    tasks = Task.objects.in_bulk({k[0] for k in counter})
    depts = Organisation.objects.in_bulk({k[1] for k in counter})
    out = []
    for (task_id, dept_id), n in sorted(counter.items()):
        due = firsts.get((task_id, dept_id))
        out.append(
            {"task": tasks[task_id], "owner": depts[dept_id], "count": n, "due_on": due, "late": _late(due, today)}
        )
    return out


def overdue_reports(user, today: dt.date) -> list[dict]:
    from shuangsuiji.reports.models import Report, ReportStatus

    rows = Report.objects.filter(scope_q(user, "organisation"), due_on__lt=today).exclude(status=ReportStatus.SUBMITTED)
    return [
        {"report": r, "owner": r.organisation, "due_on": r.due_on, "late": _late(r.due_on, today)}
        for r in rows.select_related("organisation")
    ]


def voided_draws(user) -> list[dict]:
    draws = Draw.objects.filter(scope_q(user, "task__lead"), status=DrawStatus.VOID).select_related(
        "task", "department"
    )
    requests = {
        v.draw_id: v
        for v in VoidRequest.objects.filter(draw__in=draws, status=VoidRequest.Status.APPROVED).select_related(
            "requested_by", "decided_by"
        )
    }
    return [{"draw": d, "task": d.task, "void": requests.get(d.pk)} for d in draws.order_by("-frozen_at")[:500]]


def tasks_voided_repeatedly(user) -> list[Task]:
    return list(
        Task.objects.filter(scope_q(user, "lead"))
        .annotate(voids=Count("draws", filter=Q(draws__kind=DrawKind.TARGETS, draws__status=DrawStatus.VOID)))
        .filter(voids__gt=1)
        .select_related("lead")
        .order_by("-voids", "code")
    )


def overview(user, today: dt.date) -> dict:
    follow_ups = figures.follow_ups_overdue(scope_q(user, "part__department"), today)
    return {
        "plans": overdue_plans(user, today),
        "late_plans": late_published_plans(user),
        "confirmations": overdue_confirmations(user, today),
        "undetermined": undetermined_results(user, today),
        "unpublished": unpublished_results(user, today),
        "reports": overdue_reports(user, today),
        "follow_ups": follow_ups,
        "voided": voided_draws(user),
        "repeat_voids": tasks_voided_repeatedly(user),
        "risk_rose": risk_rose_after_inspection(user),
        "late_entries": late_entries(user, today),
        "many_returns": many_returns(user),
    }


# --- warnings ------------------------------------------------------------------------------------

LATE_ENTRY_WORKDAYS = 20  # a result entered more than this many working days after the visit
MANY_RETURNS = 3  # results returned to the same person at least this many times


def risk_rose_after_inspection(user, limit: int = 500) -> list[dict]:
    """Businesses whose credit-risk class is higher now than on the day their result was
    determined (the class then: the classification in effect on that day, from the target's
    history). Names only for tasks whose list is public; else counted under the task."""
    from shuangsuiji.targets.models import RiskClassChange

    parts = (
        DepartmentPart.objects.filter(scope_q(user, "department"), status=PartStatus.DETERMINED)
        .select_related("record__target", "record__task", "department")
        .order_by("-determined_on")[:limit]
    )
    history: dict[int, list] = {}
    for ch in RiskClassChange.objects.filter(target_id__in={p.record.target_id for p in parts}).order_by(
        "effective_on"
    ):
        history.setdefault(ch.target_id, []).append(ch)
    out = []
    for p in parts:
        t = p.record.target
        if t.risk_effective_on is None or p.determined_on is None or t.risk_effective_on <= p.determined_on:
            continue
        then = None
        for ch in history.get(t.pk, []):
            if ch.effective_on <= p.determined_on:
                then = ch.risk_class
        if then is not None and t.risk_class > then:
            out.append(
                {
                    "part": p,
                    "task": p.record.task,
                    "owner": p.department,
                    "target": t,
                    "then": then,
                    "now": t.risk_class,
                }
            )
    return out


def late_entries(user, today: dt.date) -> list[dict]:
    """Results entered more than ``LATE_ENTRY_WORKDAYS`` working days after the visit, per task
    and department."""
    rows = DepartmentPart.objects.filter(
        scope_q(user, "department"), entered_at__isnull=False, record__visit_date__isnull=False
    ).values_list("record__task_id", "department_id", "record__visit_date", "entered_at")
    late = [
        (task_id, dept_id, visit)
        for task_id, dept_id, visit, entered in rows
        if workdays_late(visit, timezone.localdate(entered), today) > LATE_ENTRY_WORKDAYS
    ]
    return _rows(late, today)


def many_returns(user) -> list[dict]:
    """People whose results were returned for correction at least ``MANY_RETURNS`` times."""
    from shuangsuiji.accounts.models import User
    from shuangsuiji.inspections.models import PartEvent

    counts = (
        PartEvent.objects.filter(scope_q(user, "part__department"), action=PartEvent.Action.RETURN)
        .exclude(part__entered_by__isnull=True)
        .values("part__entered_by")
        .annotate(n=Count("pk"))
        .filter(n__gte=MANY_RETURNS)
        .order_by("-n")
    )
    users = User.objects.in_bulk([c["part__entered_by"] for c in counts])
    return [{"user": users[c["part__entered_by"]], "count": c["n"]} for c in counts]
