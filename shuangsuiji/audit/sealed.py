"""Who reads the sealed part of audit entries (issue 17).

An entry about a sealed list (保密名单) keeps its detail — seed, target codes and names,
reasons that name targets — in ``AuditEntry.sealed``, with ``sealed_task_id`` naming the task;
its public fields say who did what when, never what the list holds. Every page and API call
that shows entries goes through :func:`view`, which decides per entry, from the policy the
tasks app registers (:func:`register`, see ``tasks.sealed.AuditPolicy``):

- ``OPEN``: the task's list is published: everyone who sees the entry sees the detail;
- ``ON_REQUEST``: the user may read the detail before publication (participants with the
  whole list, the region's 督查), but only by asking for it (:func:`reveal`), which is itself
  a sealed read and is recorded (``tasks.sealed_audit``);
- ``None``: the redacted summary :data:`NOTICE` only (the platform administrator, anyone
  else). Without a registered policy every sealed part stays sealed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from shuangsuiji.audit.models import AuditEntry

NOTICE = "已封存：名单公开前仅参与人员可见"
OPEN = "open"
ON_REQUEST = "on_request"


class Policy(Protocol):
    def decide(self, user, task_ids: set[int]) -> dict[int, str | None]: ...

    def record_read(self, user, entry: AuditEntry) -> None: ...


_policy: Policy | None = None


def register(policy: Policy) -> None:
    global _policy
    _policy = policy


@dataclass
class EntryView:
    entry: AuditEntry
    decision: str | None = None
    detail: dict[str, Any] | None = None  # the sealed part, when shown
    notice: str = ""  # NOTICE when the entry has a sealed part that is not shown
    can_reveal: bool = False
    rows: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def reason(self) -> str:
        sealed_reason = (self.detail or {}).get("reason")
        return sealed_reason or self.entry.reason


class Decisions:
    """Per-request cache of the policy's answers, by task."""

    def __init__(self, user):
        self.user = user
        self._cache: dict[int, str | None] = {}

    def prime(self, entries) -> None:
        wanted = {e.sealed_task_id for e in entries if e.sealed_task_id is not None} - set(self._cache)
        if wanted:
            answers = _policy.decide(self.user, wanted) if _policy is not None else {}
            self._cache.update({pk: answers.get(pk) for pk in wanted})

    def __call__(self, entry: AuditEntry) -> str | None:
        if entry.sealed_task_id is None:
            return OPEN
        self.prime([entry])
        return self._cache.get(entry.sealed_task_id)


def _rows(before: dict | None, after: dict | None) -> list[tuple[str, Any, Any]]:
    before, after = before or {}, after or {}
    return [(k, before.get(k, ""), after.get(k, "")) for k in sorted(set(before) | set(after))]


def view(entry: AuditEntry, decisions: Decisions, revealed: bool = False) -> EntryView:
    """What ``decisions.user`` may see of ``entry``; ``revealed``: the user asked for the
    sealed detail (:func:`reveal` recorded it)."""
    decision = decisions(entry)
    out = EntryView(entry, decision, rows=_rows(entry.before, entry.after))
    if not entry.sealed:
        return out
    if decision == OPEN or (decision == ON_REQUEST and revealed):
        out.detail = entry.sealed
        out.rows = _rows(
            {**(entry.before or {}), **entry.sealed.get("before", {})},
            {**(entry.after or {}), **entry.sealed.get("after", {})},
        )
    else:
        out.notice = NOTICE
        out.can_reveal = decision == ON_REQUEST
    return out


def reveal(entry: AuditEntry, decisions: Decisions) -> bool:
    """The user asks for the sealed detail: True (and the read recorded) if they may."""
    if not entry.sealed or decisions(entry) != ON_REQUEST or _policy is None:
        return False
    _policy.record_read(decisions.user, entry)
    return True
