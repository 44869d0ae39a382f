"""Who may see and do what with follow-ups (后续处置) and the credit loop.

Seeing (404 outside, through ``accounts.scope``): a follow-up is visible to the data scope of
its owner department (or owner unit), of the department a transfer of it went to (the
receiving side sees the chain), and of the department that transferred it (for a follow-up
received by transfer: the sending side sees the chain). Supervisors (督查) of the region see
the region's follow-ups read-only. Unrelated departments see nothing.

Sealed (保密): a follow-up names a drawn target and a finding of its task. Until the task is
published (``Task.published_at``) it reaches only those entitled: the administrators and
operators of the owner department/unit, of a receiving (or, for a received one, the sending)
department, and the 双随机办 and 督查 whose region holds the task, never the platform
administrator or an inspector (the tasks app's sealed rule: the list is not theirs to read).
Every read while sealed (page, export, API) is one ``tasks.sealed_<channel>`` audit entry per
task (:func:`audit_reads`; ``tasks.sealed.require_sealed`` itself where the reader is a
participant of the task). After publication the scope rule alone applies.

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
from shuangsuiji.orgs.models import Organisation

HANDLER_ROLES = (Role.PLATFORM_ADMIN, Role.DEPARTMENT_ADMIN, Role.UNIT_OPERATOR)
DECIDER_ROLES = (Role.PLATFORM_ADMIN, Role.DEPARTMENT_ADMIN)
NOT_FOUND = "未找到该后续处置，或不在您的数据范围内。"


TASK = "part__record__task"  # the task whose sealed list the follow-up's finding belongs to
NOTHING = Q(pk__in=[])


def scope_visible_q(user) -> Q:
    """The data-scope rule alone (what applies once the task is published)."""
    return (
        scope_q(user, "department")
        | scope_q(user, "owner_unit")
        | scope_q(user, "transfers__to_department")
        | scope_q(user, "origin_transfer__from_department")
    )


def sealed_entitled_q(user) -> Q:
    """Of the follow-ups of sealed tasks in the user's scope, those the user may read."""
    if not (user.is_authenticated and user.is_active):
        return NOTHING
    org = user.organisation
    q = NOTHING
    if org is not None and org.kind == Organisation.Kind.OFFICE:
        if user.has_role(Role.COORDINATING_OFFICE, Role.SUPERVISOR):
            q |= Q(**{f"{TASK}__region__path__startswith": org.region.path})
    elif org is not None and not sees_everything(user) and user.has_role(Role.DEPARTMENT_ADMIN, Role.UNIT_OPERATOR):
        q |= scope_visible_q(user)
    return q


def visible_q(user) -> Q:
    """The follow-ups ``user`` may read (a filter for ``FollowUp``): the scope, and while the
    task is sealed only the entitled (module docstring)."""
    return scope_visible_q(user) & (Q(**{f"{TASK}__published_at__isnull": False}) | sealed_entitled_q(user))


def visible_followups(user):
    from shuangsuiji.followups.models import FollowUp

    ids = FollowUp.objects.filter(visible_q(user)).values("pk")
    return FollowUp.objects.filter(pk__in=ids)


def get_visible_or_404(user, pk: int):
    """The follow-up to act on (a write is audited by its own action; no read entry)."""
    fu = visible_followups(user).select_related("type", "target", "department", "owner_unit").filter(pk=pk).first()
    if fu is None:
        raise Http404(NOT_FOUND)
    return fu


def require_read(user, pk: int, channel: str = "page"):
    """The follow-up to show: 404 unless visible; the read is audited while its task is sealed."""
    fu = get_visible_or_404(user, pk)
    audit_reads(user, [fu], channel)
    return fu


def audit_reads(user, followups, channel: str) -> None:
    """One ``tasks.sealed_<channel>`` entry per sealed task among the follow-ups read (a list
    of follow-ups or a queryset), naming them in its sealed part. A participant of the task
    goes through ``tasks.sealed.require_sealed``; the other entitled readers (a receiving
    department, the region's 督查) get the same entry with mode ``followup``."""
    from shuangsuiji.audit.context import acting
    from shuangsuiji.audit.services import record
    from shuangsuiji.followups.models import FollowUp
    from shuangsuiji.tasks.access import sealed_access
    from shuangsuiji.tasks.models import Task
    from shuangsuiji.tasks.sealed import CHANNELS, require_sealed

    ids = [f.pk for f in followups] if isinstance(followups, (list, tuple)) else followups.values("pk")
    rows = (
        FollowUp.objects.filter(pk__in=ids, **{f"{TASK}__published_at__isnull": True})
        .order_by("id")
        .values_list(f"{TASK}_id", "number")
    )
    numbers: dict[int, list[str]] = {}
    for task_id, number in rows:
        numbers.setdefault(task_id, []).append(number)
    for task in Task.objects.filter(pk__in=numbers).select_related("region"):
        detail = f"后续处置 {'、'.join(numbers[task.pk][:50])}" + (
            f" 等 {len(numbers[task.pk])} 件" if len(numbers[task.pk]) > 50 else ""
        )
        if sealed_access(user, task) is not None:
            require_sealed(user, task, None, channel, detail=detail)
            continue
        with acting(actor=user):
            record(
                action=f"tasks.sealed_{channel}",
                obj=task,
                organisation_id=task.lead_id,
                after={"task": task.code, "draw_id": "", "channel": CHANNELS.get(channel, channel), "mode": "followup"},
                sealed_task_id=task.pk,
                sealed={"after": {"detail": detail}},
            )


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
