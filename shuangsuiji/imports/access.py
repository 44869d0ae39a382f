"""Who may import into a register: the same rule for an uploaded file and for the API's writes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import can_write

IMPORT_ROLES = (Role.PLATFORM_ADMIN, Role.COORDINATING_OFFICE, Role.DEPARTMENT_ADMIN, Role.UNIT_OPERATOR)


def may_import(user, importer) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and can_write(user)
        and (user.is_superuser or user.has_role(*IMPORT_ROLES))
        and importer.may_import(user)
    )


def require_import(user, importer) -> None:
    if not may_import(user, importer):
        raise PermissionDenied(f"您无权写入{importer.title}名录。")
