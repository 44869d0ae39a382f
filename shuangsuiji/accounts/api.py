from __future__ import annotations

from ninja import Router, Schema

router = Router(tags=["用户"])


class MeOut(Schema):
    username: str
    full_name: str
    organisation_id: int | None
    organisation_name: str | None
    roles: list[str]


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "organisation_id": user.organisation_id,
        "organisation_name": user.organisation.name if user.organisation else None,
        "roles": sorted(user.role_set),
    }
