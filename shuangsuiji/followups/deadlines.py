"""The follow-ups' deadlines (整改期限, 办结期限, 移送的接收期限) as kinds of
``workdays.deadlines``: computed here, in one place, provisional (暂定) in a year without its
official calendar and computed again when the platform administrator enters that year.

The 办结期限 is chained: at least ``due_workdays`` after opening and, for 责令改正, the
re-inspection window (``ReInspectionRule.workdays_after_deadline``) after the 整改期限. Its
recomputation starts from the recomputed 整改期限 (the stored inputs of its own row) and the
department's current rule. A closed follow-up or a decided transfer keeps its deadline (no
notice for a case already finished)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.workdays import deadlines as registry
from shuangsuiji.workdays.models import ProvisionalDeadline, deadline_status
from shuangsuiji.workdays.services import Deadline, deadline

RECTIFY = "followups.followup:rectify_by"  # kinds: the model label and the deadline field
DUE = "followups.followup:due_on"
RESPOND = "followups.transfer:respond_by"

TRANSFER_RESPOND_WORKDAYS = 5  # 接收部门 5 个工作日内接收或退回
DEFAULT_WORKDAYS_AFTER_DEADLINE = 5


def workdays_after_deadline(department_id: int | None) -> int:
    from shuangsuiji.followups.models import ReInspectionRule

    if department_id is not None:
        rule = ReInspectionRule.objects.filter(department_id=department_id).first()
        if rule is not None:
            return rule.workdays_after_deadline
    return DEFAULT_WORKDAYS_AFTER_DEADLINE


def due(opened_on: dt.date, due_workdays: int, rectify: Deadline | None, department_id: int | None) -> Deadline:
    """The 办结期限: the later of ``due_workdays`` after opening and the re-inspection window
    after the 整改期限; provisional when either is."""
    d = deadline(opened_on, due_workdays)
    if rectify is None:
        return d
    after = deadline(rectify.day, workdays_after_deadline(department_id))
    later = after if after.day > d.day else d
    return Deadline(
        later.day, tuple(sorted(set(d.missing_years) | set(after.missing_years) | set(rectify.missing_years)))
    )


def remember_followup(fu, rectify_workdays: int | None) -> None:
    """Keep the follow-up's provisional deadlines for recomputation (after it is created)."""
    if fu.rectify_by is not None and rectify_workdays:
        registry.remember(RECTIFY, fu.pk, fu.opened_on, rectify_workdays, deadline(fu.opened_on, rectify_workdays))
    rectify = deadline(fu.opened_on, rectify_workdays) if fu.rectify_by is not None and rectify_workdays else None
    registry.remember(
        DUE,
        fu.pk,
        fu.opened_on,
        fu.type.due_workdays,
        due(fu.opened_on, fu.type.due_workdays, rectify, fu.department_id),
    )


def remember_transfer(tr) -> None:
    registry.remember(
        RESPOND, tr.pk, tr.sent_on, TRANSFER_RESPOND_WORKDAYS, deadline(tr.sent_on, TRANSFER_RESPOND_WORKDAYS)
    )


# --- the kinds ---------------------------------------------------------------------------


def _followup(pk: int):
    from shuangsuiji.followups.models import FollowUp

    return FollowUp.objects.select_related("type").get(pk=pk)


def _finished(fu) -> bool:
    return not fu.is_open


def _compute_rectify(pk: int) -> Deadline:
    fu = _followup(pk)
    row = ProvisionalDeadline.objects.get(kind=RECTIFY, object_id=pk)
    return Deadline(fu.rectify_by) if _finished(fu) else deadline(row.start, row.workdays)


def _compute_due(pk: int) -> Deadline:
    fu = _followup(pk)
    if _finished(fu):
        return Deadline(fu.due_on)
    row = ProvisionalDeadline.objects.filter(kind=RECTIFY, object_id=pk).first()
    if row is not None:
        rectify = deadline(row.start, row.workdays)
    else:
        rectify = None if fu.rectify_by is None else Deadline(fu.rectify_by)
    return due(fu.opened_on, fu.type.due_workdays, rectify, fu.department_id)


def _compute_respond(pk: int) -> Deadline:
    from shuangsuiji.followups.models import Transfer, TransferStatus

    tr = Transfer.objects.get(pk=pk)
    if tr.status != TransferStatus.PENDING:
        return Deadline(tr.respond_by)
    return deadline(tr.sent_on, TRANSFER_RESPOND_WORKDAYS)


def _update_rectify(pk: int, d: Deadline) -> None:
    """The 整改期限 only: the row's ``deadline_status`` follows its 办结期限 (recomputed after it,
    from it)."""
    fu = _followup(pk)
    if fu.rectify_by != d.day:
        fu.rectify_by = d.day
        fu.save(update_fields=["rectify_by"])


def _update_due(pk: int, d: Deadline) -> None:
    fu = _followup(pk)
    fu.due_on, fu.deadline_status = d.day, deadline_status(d)
    fu.save(update_fields=["due_on", "deadline_status"])


def _update_respond(pk: int, d: Deadline) -> None:
    from shuangsuiji.followups.models import Transfer

    tr = Transfer.objects.get(pk=pk)
    tr.respond_by, tr.deadline_status = d.day, deadline_status(d)
    tr.save(update_fields=["respond_by", "deadline_status"])


def _followup_owners(pk: int):
    fu = _followup(pk)
    admins = User.objects.filter(
        is_active=True, organisation_id=fu.department_id, role_grants__role=Role.DEPARTMENT_ADMIN
    )
    return list(admins.distinct()) + ([fu.owner_person] if fu.owner_person_id else [])


def _transfer_owners(pk: int):
    from shuangsuiji.followups.models import Transfer

    tr = Transfer.objects.get(pk=pk)
    return User.objects.filter(
        is_active=True, organisation_id=tr.to_department_id, role_grants__role=Role.DEPARTMENT_ADMIN
    ).distinct()


def _describe_followup(pk: int) -> tuple[str, str]:
    fu = _followup(pk)
    return f"后续处置 {fu.number}", reverse("followups:detail", args=[pk])


def _describe_transfer(pk: int) -> tuple[str, str]:
    from shuangsuiji.followups.models import Transfer

    tr = Transfer.objects.select_related("followup", "to_department").get(pk=pk)
    return (
        f"后续处置 {tr.followup.number} {tr.get_kind_display()}至{tr.to_department.name}",
        reverse("followups:detail", args=[tr.followup_id]),
    )


KINDS = (
    registry.Kind(RECTIFY, "整改期限", _update_rectify, _followup_owners, _describe_followup, _compute_rectify),
    registry.Kind(DUE, "办结期限", _update_due, _followup_owners, _describe_followup, _compute_due),
    registry.Kind(RESPOND, "接收期限", _update_respond, _transfer_owners, _describe_transfer, _compute_respond),
)
