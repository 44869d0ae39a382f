"""Who may see, fill in, check, sign off and submit reports; who receives them.

- Reading: reports of organisations in the user's data scope (``accounts.scope``), of the
  department of the user's unit, and the
  reports submitted to the user's own office (the office above). Anything else answers 404.
- Filling in, checking, submitting: 双随机办, 部门系统管理员 and 业务股室操作员 of the reporting
  organisation (or of one of its units), and platform administrators.
- Signing off (签发): 双随机办 or 部门系统管理员 of the reporting organisation; platform administrators.
- 督查 reads only (403 on every action).
- Supervision page: 双随机办 and 督查 of an office, platform administrators.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import can_write, scope_q, sees_everything
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.reports.models import Report

EDITORS = (Role.COORDINATING_OFFICE, Role.DEPARTMENT_ADMIN, Role.UNIT_OPERATOR)
SIGNERS = (Role.COORDINATING_OFFICE, Role.DEPARTMENT_ADMIN)


def visible_reports(user) -> QuerySet[Report]:
    if not (user.is_authenticated and user.is_active):
        return Report.objects.none()
    q = scope_q(user, "organisation")
    own = reporting_organisation(user)
    if own is not None:  # a unit's people keep their department's reports
        q |= Q(organisation=own)
    if user.organisation_id is not None:
        q |= Q(recipient_id=user.organisation_id, status="submitted")
    return Report.objects.filter(q)


def get_report_or_404(user, pk) -> Report:
    report = (
        visible_reports(user).select_related("organisation", "organisation__region", "recipient").filter(pk=pk).first()
    )
    if report is None:
        raise Http404("未找到该报表，或不在您的数据范围内。")
    return report


def reporting_organisation(user) -> Organisation | None:
    """The organisation the user reports for: an office, or the department of a unit."""
    org = user.organisation
    if org is None:
        return None
    if org.kind == Organisation.Kind.UNIT:
        return org.parent
    return org


def _belongs(user, org: Organisation) -> bool:
    own = user.organisation
    return own is not None and (own.pk == org.pk or own.path.startswith(org.path))


def can_edit(user, org: Organisation) -> bool:
    if not can_write(user):
        return False
    if sees_everything(user):
        return True
    return user.has_role(*EDITORS) and _belongs(user, org)


def can_sign(user, org: Organisation) -> bool:
    if not can_write(user):
        return False
    if sees_everything(user):
        return True
    return user.has_role(*SIGNERS) and _belongs(user, org)


def can_supervise(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if sees_everything(user):
        return True
    org = user.organisation
    return bool(
        org is not None
        and org.kind == Organisation.Kind.OFFICE
        and user.has_role(Role.COORDINATING_OFFICE, Role.SUPERVISOR)
    )


def can_read_reports(user) -> bool:
    return bool((user.is_authenticated and user.is_active and user.organisation_id) or sees_everything(user))


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("您没有执行此操作的权限。")


def can_revisit(user, office: Organisation) -> bool:
    """回访: 督查 and 双随机办 of the office itself (recording a revisit is supervision, not a
    change of anybody's records), platform administrators."""
    if not (user.is_authenticated and user.is_active):
        return False
    if sees_everything(user):
        return True
    return bool(user.organisation_id == office.pk and user.has_role(Role.SUPERVISOR, Role.COORDINATING_OFFICE))
