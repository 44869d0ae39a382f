"""Stored deadlines and years without an official calendar: one mechanism for every app.

An app that stores a deadline computed in working days registers its kind once
(:func:`register`, from its ``AppConfig.ready``) and computes the deadline with
:func:`compute`, which never refuses: a year the calendar lacks gives a provisional (暂定)
deadline (``services.deadline``), remembered here. When the platform administrator enters the
year's schedule (年度放假安排 / 工作日历调整 in the admin), :func:`recompute` computes every
remembered deadline again: a deadline that moved is updated through its kind, an audit entry
is written and its owners get a :class:`~shuangsuiji.workdays.models.DeadlineNotice`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shuangsuiji.workdays.models import DeadlineNotice, ProvisionalDeadline
from shuangsuiji.workdays.services import Deadline, covers, deadline


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # e.g. "检查对象确认期限"
    # store the recomputed deadline on the object (called when it moved or became official)
    update: Callable[[int, Deadline], None]
    owners: Callable[[int], Iterable]  # users to notify when it moved
    describe: Callable[[int], tuple[str, str]]  # (what, url)
    # the deadline computed again from the object's own facts, for a deadline that is not
    # simply ``workdays`` after ``start`` (a chained one); None: ``deadline(start, workdays)``
    compute: Callable[[int], Deadline] | None = None


REGISTRY: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    REGISTRY[kind.key] = kind


def compute(kind: str, object_id: int, start: date, n: int) -> Deadline:
    """The deadline n working days after ``start`` for an object of a registered kind;
    remembered when provisional so that it is recomputed once the year is entered."""
    d = deadline(start, n)
    remember(kind, object_id, start, n, d)
    return d


def remember(kind: str, object_id: int, start: date, n: int, d: Deadline) -> None:
    """Keep a provisional deadline computed by ``services.deadline(start, n)`` for recomputation."""
    if d.provisional:
        ProvisionalDeadline.objects.update_or_create(
            kind=kind,
            object_id=object_id,
            defaults={"start": start, "workdays": n, "due_on": d.day, "first_due_on": d.day, "provisional": True},
        )


def provisional_ids(kind: str, ids: Iterable[int]) -> set[int]:
    """Which of these objects have a deadline that is still provisional (to mark 暂定)."""
    return set(
        ProvisionalDeadline.objects.filter(kind=kind, object_id__in=list(ids), provisional=True).values_list(
            "object_id", flat=True
        )
    )


def is_provisional(kind: str, object_id: int) -> bool:
    return bool(provisional_ids(kind, [object_id]))


@transaction.atomic
def recompute(year: int, user=None) -> list[ProvisionalDeadline]:
    """Compute again every remembered deadline that touches ``year``; returns those that moved."""
    from shuangsuiji.audit.context import acting
    from shuangsuiji.audit.services import record

    moved = []
    touching = Q(start__year__lte=year, due_on__year__gte=year) | Q(provisional=True, start__year__lte=year)
    for row in ProvisionalDeadline.objects.select_for_update().filter(touching).order_by("id"):
        kind = REGISTRY.get(row.kind)
        d = kind.compute(row.object_id) if kind is not None and kind.compute else deadline(row.start, row.workdays)
        old, was_provisional = row.due_on, row.provisional
        row.provisional = d.provisional
        if not d.provisional and row.final_on is None:
            row.final_on = timezone.now()
        finalised = was_provisional and not d.provisional
        if d.day != old:
            row.due_on = d.day
            moved.append(row)
        row.save()
        who = {"actor": user} if user is not None else {}
        if kind is not None and finalised and d.day == old:  # same day, now official (正式)
            with acting(**who, reason=f"{year}年放假安排已录入，暂定期限转为正式"):
                kind.update(row.object_id, d)
        if kind is None or d.day == old:
            continue
        what, url = kind.describe(row.object_id)
        text = f"{what}：{kind.label}由 {old:%Y-%m-%d} 调整为 {d}（{year}年放假安排已录入，按正式日历重算）。"
        with acting(**who, reason=f"{year}年放假安排已录入，重算暂定期限"):
            kind.update(row.object_id, d)
            record(
                action="workdays.deadline_recomputed",
                object_type=row.kind.split(":")[0],  # a kind is a model label, or label:field
                object_id=str(row.object_id),
                object_repr=f"{what}（{kind.label}）"[:200],
                before={"due_on": old.isoformat(), "provisional": True},
                after={"due_on": d.day.isoformat(), "provisional": d.provisional, "year": year},
            )
        owners = {o.pk: o for o in kind.owners(row.object_id)}.values()
        DeadlineNotice.objects.bulk_create([DeadlineNotice(user=o, text=text[:500], url=url) for o in owners])
    return moved


def reminder(user, today: date | None = None) -> str:
    """For the platform administrator from November: enter next year's schedule (and any
    year already reached without one)."""
    from shuangsuiji.accounts.models import Role

    if not (user.is_authenticated and (user.is_superuser or user.has_role(Role.PLATFORM_ADMIN))):
        return ""
    today = today or timezone.localdate()
    years = [y for y in (today.year, today.year + 1) if (y == today.year or today.month >= 11) and not covers(y)]
    if not years:
        return ""
    names = "、".join(f"{y}年" for y in years)
    return (
        f"请录入{names}的放假安排（国务院办公厅通知公布后）：在此之前相关期限按周一至周五并扣除固定日期的法定节假日"
        "暂定计算，录入后自动重算并通知相关人员。"
    )


def notices_for(user, limit: int = 10):
    if not user.is_authenticated:
        return DeadlineNotice.objects.none()
    return DeadlineNotice.objects.filter(user=user)[:limit]
