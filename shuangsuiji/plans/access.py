"""Who may see and who may change annual plans.

Reading (pages, exports, API):
- plans whose owner lies in the user's data scope (``accounts.scope``, field ``owner``);
- the plans of the department the user keeps (部门系统管理员, 业务股室操作员, 双随机办 in the
  department or one of its units), drafts included;
- joint plans the user's department takes part in;
- published (and superseded) plans of the user's own region: plans are public (公示).
Anything else answers 404.

Writing (draft, submit, waive, publish, request an adjustment): the keepers of the owning
department; for a joint plan the 双随机办 of the owning office; platform administrators.
Approving (approve, return, approve an adjustment): the owning department's 部门系统管理员;
a 双随机办 of a region office over the owner's region (joint plans and department plans);
platform administrators. 督查 never (403 on POST). Whoever submitted a version may not approve
it (four eyes: 403 with a message naming the rule), whatever their roles.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import can_write, scope_q, sees_everything
from shuangsuiji.items.access import kept_department, user_department
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.plans.models import FROZEN, Plan, PlanStatus


def visible_plans(user) -> QuerySet[Plan]:
    if not (user.is_authenticated and user.is_active):
        return Plan.objects.none()
    q = scope_q(user, "owner")
    dept = kept_department(user)
    if dept is not None:
        q |= Q(owner=dept)
    own = user_department(user)
    if own is not None:
        q |= Q(pk__in=Plan.objects.filter(participants=own).values("pk"))
    org = user.organisation
    if org is not None:
        q |= Q(status__in=FROZEN, owner__region_id=org.region_id)
    return Plan.objects.filter(q)


def get_plan_or_404(user, pk) -> Plan:
    from django.http import Http404

    plan = visible_plans(user).select_related("owner", "owner__region", "previous").filter(pk=pk).first()
    if plan is None:
        raise Http404("未找到该计划，或不在您的数据范围内。")
    return plan


def _region_office_over(user, org: Organisation) -> bool:
    own = user.organisation
    return bool(
        own is not None
        and own.kind == Organisation.Kind.OFFICE
        and user.has_role(Role.COORDINATING_OFFICE)
        and org.region.path.startswith(own.region.path)
    )


def can_edit(user, plan_owner: Organisation, is_joint: bool) -> bool:
    if not can_write(user):
        return False
    if sees_everything(user):
        return True
    if is_joint:
        return _region_office_over(user, plan_owner) and user.organisation_id == plan_owner.pk
    dept = kept_department(user)
    return dept is not None and dept.pk == plan_owner.pk


def can_approve(user, plan: Plan) -> bool:
    if not can_write(user):
        return False
    if sees_everything(user):
        return True
    if _region_office_over(user, plan.owner):
        return True
    if plan.is_joint:
        return False
    return bool(
        user.has_role(Role.DEPARTMENT_ADMIN)
        and user_department(user) is not None
        and user_department(user).pk == plan.owner_id
    )


def is_submitter(user, plan: Plan) -> bool:
    return plan.submitted_by_id is not None and plan.submitted_by_id == getattr(user, "pk", None)


SUBMITTER_MAY_NOT_APPROVE = "报审人不能审批自己报审的计划；请由本部门其他管理员或上级双随机办审批。"


def require_approver(user, plan: Plan) -> None:
    """The approver of a submitted version: may approve plans of its owner, and did not submit it."""
    require(can_approve(user, plan))
    if is_submitter(user, plan):
        raise PermissionDenied(SUBMITTER_MAY_NOT_APPROVE)


def can_publish(user, plan: Plan) -> bool:
    return can_edit(user, plan.owner, plan.is_joint) or can_approve(user, plan)


def allowed_actions(user, plan: Plan) -> dict[str, bool]:
    """Which actions the user may take on the plan now (the services enforce the same rules)."""
    editable = can_edit(user, plan.owner, plan.is_joint)
    approver = can_approve(user, plan)
    publisher = can_publish(user, plan)
    return {
        "can_edit": editable and plan.status == PlanStatus.DRAFT,
        "can_submit": editable and plan.status == PlanStatus.DRAFT,
        "can_approve": approver and plan.status == PlanStatus.SUBMITTED and not is_submitter(user, plan),
        "can_return": approver and plan.status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED),
        "can_publish": publisher and plan.status == PlanStatus.APPROVED,
        "can_waive": publisher and not plan.is_frozen,
        "can_request_adjustment": publisher
        and plan.status == PlanStatus.PUBLISHED
        and not plan.adjustments.filter(status__in=["requested", "approved"]).exists(),
        "can_decide_adjustment": approver,
    }


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("您的角色无权对该计划执行此操作（只读）。")


def plan_owners_for(user) -> QuerySet[Organisation]:
    """Organisations the user may draft plans for."""
    active = Organisation.objects.filter(is_active=True)
    if not can_write(user):
        return active.none()
    if sees_everything(user):
        return active.filter(Q(kind=Organisation.Kind.DEPARTMENT) | Q(is_coordinating_office=True)).order_by("path")
    out = []
    dept = kept_department(user)
    if dept is not None:
        out.append(dept.pk)
    org = user.organisation
    if org is not None and _region_office_over(user, org) and org.is_coordinating_office:
        out.append(org.pk)
    return active.filter(pk__in=out).order_by("path")
