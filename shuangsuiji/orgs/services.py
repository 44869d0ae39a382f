"""Creating and changing organisations (one place for their state changes)."""

from __future__ import annotations

from django.db import transaction

from shuangsuiji.orgs.models import DepartmentKind, Organisation, Region


@transaction.atomic
def ensure_organisation(
    *,
    name: str,
    kind: str,
    region: Region,
    parent: Organisation | None = None,
    department_kind: DepartmentKind | None = None,
    is_coordinating_office: bool = False,
    short_name: str = "",
) -> tuple[Organisation, bool]:
    """Get or create the organisation called ``name`` in ``region``; update what differs.

    Idempotent: called twice with the same arguments, the second call changes nothing (and so
    records nothing in the audit trail).
    """
    wanted = {
        "kind": kind,
        "parent": parent,
        "department_kind": department_kind,
        "is_coordinating_office": is_coordinating_office,
        "short_name": short_name,
    }
    org = Organisation.objects.filter(region=region, name=name).first()
    if org is None:
        org = Organisation(name=name, region=region, **wanted)
        org.full_clean()
        org.save()
        return org, True
    changed = [k for k, v in wanted.items() if getattr(org, k) != v]
    if changed:
        for k in changed:
            setattr(org, k, wanted[k])
        org.full_clean()
        org.save()
    return org, False
