"""Creating users and granting roles (one place for their state changes)."""

from __future__ import annotations

from django.db import transaction

from shuangsuiji.accounts.models import RoleGrant, User
from shuangsuiji.orgs.models import Organisation


@transaction.atomic
def ensure_user(
    *,
    username: str,
    full_name: str,
    organisation: Organisation | None,
    roles: list[str],
    password: str,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> tuple[User, bool]:
    """Get or create a user with exactly these roles. Idempotent; an existing password is kept."""
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
        user.set_password(password)
    wanted = {"full_name": full_name, "organisation": organisation, "is_staff": is_staff, "is_superuser": is_superuser}
    changed = [k for k, v in wanted.items() if getattr(user, k) != v]
    for k in changed:
        setattr(user, k, wanted[k])
    if created or changed:
        user.save()
    have = set(user.role_grants.values_list("role", flat=True))
    for role in sorted(set(roles) - have):
        RoleGrant.objects.create(user=user, role=role)
    for grant in user.role_grants.exclude(role__in=roles):
        grant.delete()
    user._role_cache = None
    return user, created
