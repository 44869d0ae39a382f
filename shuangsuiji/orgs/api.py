from __future__ import annotations

from django.db.models import Q
from ninja import Router, Schema
from ninja.pagination import paginate

from shuangsuiji.accounts.scope import get_in_scope_or_404, visible_organisations
from shuangsuiji.apipages import Pages
from shuangsuiji.orgs.models import Organisation, Region

router = Router(tags=["机构"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str
    department_kind: str | None
    parent_id: int | None
    is_coordinating_office: bool

    @staticmethod
    def resolve_region_code(obj: Organisation) -> str:
        return obj.region_id

    @staticmethod
    def resolve_department_kind(obj: Organisation) -> str | None:
        return obj.department_kind.code if obj.department_kind_id else None


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_id: str | None


@router.get("/organisations", response=list[OrganisationOut], summary="机构列表（限数据范围）")
@paginate(Pages, page_size=50)
def list_organisations(request, q: str = "", kind: str = ""):
    qs = visible_organisations(request.user).select_related("department_kind")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


@router.get("/organisations/{org_id}", response=OrganisationOut, summary="机构详情")
def get_organisation(request, org_id: int):
    return get_in_scope_or_404(request.user, Organisation.objects.select_related("department_kind"), "", pk=org_id)


@router.get("/regions", response=list[RegionOut], summary="行政区划（GB/T 2260）")
@paginate(Pages, page_size=100)
def list_regions(request, parent: str = "", q: str = ""):
    qs = Region.objects.all()
    if parent:
        qs = qs.filter(parent_id=parent)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs.order_by("code")
