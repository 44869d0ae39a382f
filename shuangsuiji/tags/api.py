from __future__ import annotations

from ninja import Router, Schema
from ninja.pagination import paginate

from shuangsuiji.apipages import Pages
from shuangsuiji.tags.models import Tag

router = Router(tags=["标签字库"])


class TagOut(Schema):
    id: int
    code: str
    name: str
    full_name: str
    parent_id: int | None
    scope: str
    is_active: bool


@router.get("/tags", response=list[TagOut], summary="标签字库")
@paginate(Pages, page_size=100)
def list_tags(request, scope: str = "", q: str = ""):
    qs = Tag.objects.select_related("parent")
    if scope:
        qs = qs.filter(scope__in=[scope, Tag.Scope.BOTH])
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("path")
