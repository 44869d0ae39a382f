"""Who may see and do what with follow-ups (后续处置) and the credit loop.

Seeing (404 outside, through ``accounts.scope``): a follow-up is visible to the data scope of
its owner department (or owner unit), of the department a transfer of it went to (the
receiving side sees the chain), and of the department that transferred it (for a follow-up
received by transfer: the sending side sees the chain). Supervisors (督查) of the region see
the region's follow-ups read-only. Unrelated departments see nothing.

Doing (403 when visible but not allowed): the owner department's administrator and unit
operators handle it; the receiving department's decide a transfer; the platform
administrator edits the credit rules; the owner department's administrator decides
objections.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import scope_q, sees_everything, writable_organisation_ids

HANDLER_ROLES = (Role.PLATFORM_ADMIN, Role.DEPARTMENT_ADMIN, Role.UNIT_OPERATOR)
DECIDER_ROLES = (Role.PLATFORM_ADMIN, Role.DEPARTMENT_ADMIN)
NOT_FOUND = "未找到该后续处置，或不在您的数据范围内。"


def visible_q(user) -> Q:
    """The follow-ups ``user`` may read (a filter for ``FollowUp``)."""
    return (
        scope_q(user, "department")
        | scope_q(user, "owner_unit")
        | scope_q(user, "transfers__to_department")
        | scope_q(user, "origin_transfer__from_department")
    )


def visible_followups(user):
    from shuangsuiji.followups.models import FollowUp

    ids = FollowUp.objects.filter(visible_q(user)).values("pk")
    return FollowUp.objects.filter(pk__in=ids)


def get_visible_or_404(user, pk: int):
    fu = visible_followups(user).select_related("type", "target", "department", "owner_unit").filter(pk=pk).first()
    if fu is None:
        raise Http404(NOT_FOUND)
    return fu


def _writes(user, org_id: int | None) -> bool:
    if org_id is None:
        return False
    ids = writable_organisation_ids(user)
    return ids is None or org_id in ids


def may_handle(user, followup) -> bool:
    """Add steps, transfer, schedule and determine re-inspections, escalate, close."""
    if not (user.is_authenticated and user.is_active and user.has_role(*HANDLER_ROLES)):
        return False
    if sees_everything(user):
        return True
    return _writes(user, followup.department_id) or _writes(user, followup.owner_unit_id)


def require_handle(user, followup) -> None:
    if not may_handle(user, followup):
        raise PermissionDenied("您无权办理该后续处置（仅承办部门的管理员或业务股室操作员可以办理；督查只读）。")


def may_open(user, part) -> bool:
    """Open follow-ups of a determined part: its department's administrator or operators."""
    if not (user.is_authenticated and user.is_active and user.has_role(*HANDLER_ROLES)):
        return False
    return sees_everything(user) or _writes(user, part.department_id)


def require_open(user, part) -> None:
    if not may_open(user, part):
        raise PermissionDenied("您无权为该检查结果开启后续处置。")


def may_decide_transfer(user, transfer) -> bool:
    if not (user.is_authenticated and user.is_active and user.has_role(*HANDLER_ROLES)):
        return False
    return sees_everything(user) or _writes(user, transfer.to_department_id)


def require_decide_transfer(user, transfer) -> None:
    if not may_decide_transfer(user, transfer):
        raise PermissionDenied("仅接收部门可以接收或退回移送。")


def may_edit_rules(user) -> bool:
    return bool(user.is_authenticated and user.is_active and sees_everything(user))


def require_edit_rules(user) -> None:
    if not may_edit_rules(user):
        raise PermissionDenied("仅平台管理员可以修改信用规则。")


def may_decide_objection(user, objection) -> bool:
    if not (user.is_authenticated and user.is_active and user.has_role(*DECIDER_ROLES)):
        return False
    return sees_everything(user) or _writes(user, objection.department_id)


def require_decide_objection(user, objection) -> None:
    if not may_decide_objection(user, objection):
        raise PermissionDenied("仅受理部门的管理员可以对异议作出决定。")


def may_record_objection(user, department_id: int) -> bool:
    if not (user.is_authenticated and user.is_active and user.has_role(*HANDLER_ROLES)):
        return False
    return sees_everything(user) or _writes(user, department_id)
