"""Who may see and who may change item lists and check forms.

Reading (pages, exports, API):
- everything of the departments in the user's data scope (``accounts.scope``, field
  ``department``), drafts included;
- for the people who keep a department's list (its 部门系统管理员, 业务股室操作员 and 双随机办
  working in the department or one of its units): that department's list, drafts included;
- the *published* items and forms of the departments above the user's department in the
  same line (``Organisation.parent``), which is what they claim from.
Anything else answers 404, drafts of the level above included.

Writing: the list's keepers (above) and platform administrators; 督查 and inspectors never
(403 on POST).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import can_write, scope_q, sees_everything
from shuangsuiji.items.models import CheckForm, FormVersion, Item, ItemVersion, VersionStatus
from shuangsuiji.orgs.models import Organisation

KEEPER_ROLES = (Role.DEPARTMENT_ADMIN, Role.UNIT_OPERATOR, Role.COORDINATING_OFFICE)


def user_department(user) -> Organisation | None:
    org = getattr(user, "organisation", None)
    return org.department if org is not None else None


def ancestor_departments(department: Organisation | None) -> list[Organisation]:
    """The departments above ``department`` in its line, nearest first."""
    out = []
    node = department.parent if department is not None else None
    while node is not None and node.kind == Organisation.Kind.DEPARTMENT:
        out.append(node)
        node = node.parent
    return out


def kept_department(user) -> Organisation | None:
    """The department whose list the user keeps (not platform-wide admins)."""
    if not (user.is_authenticated and user.is_active and can_write(user) and user.has_role(*KEEPER_ROLES)):
        return None
    return user_department(user)


def editable_departments(user) -> QuerySet[Organisation]:
    departments = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, is_active=True)
    if sees_everything(user):
        return departments
    dept = kept_department(user)
    return departments.filter(pk=dept.pk) if dept is not None else departments.none()


def can_edit(user, department: Organisation) -> bool:
    if not can_write(user):
        return False
    if sees_everything(user):
        return True
    dept = kept_department(user)
    return dept is not None and dept.pk == department.pk


def require_edit(user, department: Organisation) -> None:
    if not can_edit(user, department):
        raise PermissionDenied("您无权修改该部门的事项清单或表格（只读）。")


def _pk_key(department_field: str) -> str:
    return f"{department_field}__pk" if department_field else "pk"


def _full_q(user, department_field: str) -> Q:
    q = scope_q(user, department_field)
    dept = kept_department(user)
    if dept is not None:
        q |= Q(**{_pk_key(department_field): dept.pk})
    return q


def _upper_q(user, department_field: str) -> Q:
    """Published-only reading: the line above, and the user's own department (so that an
    inspector in a unit reads the list his department published)."""
    own = user_department(user)
    if own is None:
        return Q(pk__in=[])
    pks = [own.pk] + [d.pk for d in ancestor_departments(own)]
    return Q(**{f"{_pk_key(department_field)}__in": pks})


def _full_scope_contains(user, department: Organisation) -> bool:
    return Organisation.objects.filter(_full_q(user, ""), pk=department.pk).exists()


def scope_or_kept_q(user) -> Q:
    """Filter on Organisation: the departments whose drafts the user may read."""
    return _full_q(user, "")


def visible_items(user) -> QuerySet[Item]:
    full = _full_q(user, "department")
    upper = _upper_q(user, "department") & Q(published_version__isnull=False)
    return Item.objects.filter(full | upper)


def visible_versions(user) -> QuerySet[ItemVersion]:
    full = _full_q(user, "item__department")
    upper = _upper_q(user, "item__department") & ~Q(status=VersionStatus.DRAFT)
    return ItemVersion.objects.filter(full | upper)


def head_versions(user) -> QuerySet[ItemVersion]:
    """One row per visible item: its latest version, or its latest published one for readers
    who may not see drafts (the level above)."""
    full_scope = _full_q(user, "item__department")
    full = full_scope & Q(item__latest_version=F("pk"))
    upper = _upper_q(user, "item__department") & ~full_scope & Q(item__published_version=F("pk"))
    return ItemVersion.objects.filter(full | upper)


def may_see_drafts(user, department: Organisation) -> bool:
    return _full_scope_contains(user, department)


def visible_forms(user) -> QuerySet[CheckForm]:
    full = _full_q(user, "department")
    upper = _upper_q(user, "department") & Q(published_version__isnull=False)
    return CheckForm.objects.filter(full | upper)


def visible_form_versions(user) -> QuerySet[FormVersion]:
    full = _full_q(user, "form__department")
    upper = _upper_q(user, "form__department") & ~Q(status=VersionStatus.DRAFT)
    return FormVersion.objects.filter(full | upper)


def head_form_versions(user) -> QuerySet[FormVersion]:
    full_scope = _full_q(user, "form__department")
    full = full_scope & Q(form__latest_version=F("pk"))
    upper = _upper_q(user, "form__department") & ~full_scope & Q(form__published_version=F("pk"))
    return FormVersion.objects.filter(full | upper)
