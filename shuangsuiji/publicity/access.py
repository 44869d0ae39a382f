"""Who may publish, correct, withdraw and redact (谁检查、谁录入、谁公开).

- Publishing, correcting, asking to withdraw and asking to redact: the owning department's
  部门系统管理员, and 业务股室操作员 of that department or of one of its units; for what a
  双随机办 office owns (a joint plan), that office's 双随机办.
- Approving a withdrawal or a redaction: "the level above" — a 部门系统管理员 of a department
  above the owner in its line (an ancestor organisation), or the 双随机办 of a region office
  over the owner's region; never the person who asked.
- The public reads only what ``published.py`` returns; no rule here is needed for that.
"""

from __future__ import annotations

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import can_write
from shuangsuiji.orgs.models import Organisation


def may_publish(user, department: Organisation) -> bool:
    if not (user.is_authenticated and user.is_active and can_write(user)):
        return False
    org = user.organisation
    if org is None:
        return False
    if user.has_role(Role.DEPARTMENT_ADMIN) and org.pk == department.pk:
        return True
    if user.has_role(Role.COORDINATING_OFFICE) and org.pk == department.pk:  # a 双随机办's joint plan
        return True
    return bool(user.has_role(Role.UNIT_OPERATOR) and (org.pk == department.pk or org.parent_id == department.pk))


def level_above(user, department: Organisation) -> bool:
    """Is ``user`` the level above ``department`` (for approvals)?"""
    if not (user.is_authenticated and user.is_active and can_write(user)):
        return False
    org = user.organisation
    if org is None or org.pk == department.pk:
        return False
    if (
        user.has_role(Role.DEPARTMENT_ADMIN)
        and org.kind == Organisation.Kind.DEPARTMENT
        and department.path.startswith(org.path)
    ):
        return True
    return bool(
        org.kind == Organisation.Kind.OFFICE
        and user.has_role(Role.COORDINATING_OFFICE)
        and department.region.path.startswith(org.region.path)
    )


def may_decide(user, request) -> bool:
    return request.requested_by_id != user.pk and level_above(user, request.department)
