"""The one rule for a determined result's publication state (20 working days, 一公开).

A determined ``inspections.DepartmentPart`` version is due for publication by its
``publication_due_on`` (20 working days after determination on the official calendar, stored
at determination). Its state, for every page that shows it (the record page, the part page,
the task page's progress, the to-do list, the inspections API, the publication queue):

- ``due`` 待公开: not published, the due date not passed (working days left ≥ 0);
- ``overdue`` 已逾期: not published, the due date passed;
- ``on_time`` 已公开: published (a ``Publication`` links this part version:
  ``part.publications``) and not marked late;
- ``late`` 逾期公开: published after the due date (``Publication.late``, marked for ever).

A part that is not determined (draft, submitted, returned, superseded) has no publication
state (``None``). "Published" is asked through the part's publications (the foreign key of
migration publicity 0003), never by subject id, so a correction (a new part version) is due
on its own determination's clock until it is published beside the original.

The inspections app imports this module inside its functions (no import cycle: this module
reads ``inspections.models`` only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from shuangsuiji.inspections.models import DepartmentPart, PartStatus
from shuangsuiji.publicity.models import Publication
from shuangsuiji.workdays.services import WorkdayCalendar


class State(models.TextChoices):
    DUE = "due", "待公开"
    OVERDUE = "overdue", "已逾期"
    ON_TIME = "on_time", "已公开"
    LATE = "late", "逾期公开"


PUBLISHED_STATES = (State.ON_TIME, State.LATE)


@dataclass(frozen=True)
class PartPublication:
    """The publication state of one determined part version."""

    state: State
    due_on: dt.date
    days_left: int | None  # working days from today to the due date (negative: late by); None once published
    publication: Publication | None = None

    @property
    def label(self) -> str:
        return self.state.label

    @property
    def published(self) -> bool:
        return self.state in PUBLISHED_STATES

    @property
    def overdue(self) -> bool:
        return self.state == State.OVERDUE

    @property
    def late(self) -> bool:
        return self.state == State.LATE


# --- Querysets (counts, filters) ------------------------------------------------------------------


def published_q(prefix: str = "") -> Q:
    """A part (``prefix``: the lookup path to it, e.g. ``"part__"``) has a publication."""
    return Q(Exists(Publication.objects.filter(part=OuterRef(f"{prefix}pk"))))


def unpublished_q(prefix: str = "") -> Q:
    return ~published_q(prefix)


def due_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": PartStatus.DETERMINED, f"{prefix}publication_due_on__gte": today}) & unpublished_q(
        prefix
    )


def overdue_q(today: dt.date, prefix: str = "") -> Q:
    """Determined, not published, past the due date: overdue everywhere."""
    return Q(**{f"{prefix}status": PartStatus.DETERMINED, f"{prefix}publication_due_on__lt": today}) & unpublished_q(
        prefix
    )


def late_q(prefix: str = "") -> Q:
    return Q(Exists(Publication.objects.filter(part=OuterRef(f"{prefix}pk"), late=True)))


def on_time_q(prefix: str = "") -> Q:
    return published_q(prefix) & ~late_q(prefix)


def counts(parts, today: dt.date | None = None) -> dict[str, int]:
    """How many determined parts of ``parts`` (a DepartmentPart queryset) are in each state."""
    today = today or timezone.localdate()
    determined = parts.filter(status=PartStatus.DETERMINED)
    return determined.aggregate(
        due=models.Count("pk", filter=due_q(today)),
        overdue=models.Count("pk", filter=overdue_q(today)),
        on_time=models.Count("pk", filter=on_time_q()),
        late=models.Count("pk", filter=late_q()),
    )


# --- One part, many parts ---------------------------------------------------------------------------


def _latest_publications(part_ids: Iterable[int]) -> dict[int, Publication]:
    out: dict[int, Publication] = {}
    ids = [i for i in part_ids if i is not None]
    if ids:
        for pub in Publication.objects.filter(part_id__in=ids).order_by("version", "pk"):
            out[pub.part_id] = pub  # the latest publication of the part version
    return out


def _state(part: DepartmentPart, today: dt.date, pub: Publication | None, cal: WorkdayCalendar):
    if part.status != PartStatus.DETERMINED or part.publication_due_on is None:
        return None
    due = part.publication_due_on
    if pub is not None:
        return PartPublication(State.LATE if pub.late else State.ON_TIME, due, None, pub)
    left = cal.workdays_between(today, due)
    # overdue exactly when the due date has passed (a due date on a rest day counts until it ends)
    return PartPublication(State.OVERDUE if today > due else State.DUE, due, left, None)


def states(parts: Iterable[DepartmentPart], today: dt.date | None = None) -> dict[int, PartPublication | None]:
    """The state of each part (by pk); one query for all their publications."""
    today = today or timezone.localdate()
    parts = list(parts)
    pubs = _latest_publications(p.pk for p in parts if p.status == PartStatus.DETERMINED)
    cal = WorkdayCalendar(provisional=True)
    return {p.pk: _state(p, today, pubs.get(p.pk), cal) for p in parts}


def state_of(part: DepartmentPart, today: dt.date | None = None) -> PartPublication | None:
    return states([part], today)[part.pk]
