"""Role checks for views and API endpoints (403 when the role is missing)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from shuangsuiji.accounts.models import Role

AUDIT_READERS = (Role.PLATFORM_ADMIN, Role.COORDINATING_OFFICE, Role.SUPERVISOR)
ORG_ADMINS = (Role.PLATFORM_ADMIN, Role.COORDINATING_OFFICE, Role.DEPARTMENT_ADMIN)


def has_any_role(user, roles) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(*roles)))


def require_roles(user, roles) -> None:
    if not has_any_role(user, roles):
        raise PermissionDenied("您的角色无权访问此功能。")


def role_required(*roles):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require_roles(request.user, roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
