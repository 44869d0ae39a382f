from __future__ import annotations

from datetime import date

from ninja import Router, Schema
from ninja.pagination import paginate

from shuangsuiji.accounts.scope import get_in_region_scope_or_404
from shuangsuiji.apipages import Pages
from shuangsuiji.targets.models import Target
from shuangsuiji.targets.queries import targets_for

router = Router(tags=["检查对象名录库"])


class TargetOut(Schema):
    id: int
    code: str
    uscc: str | None
    name: str
    target_type: str
    legal_representative: str
    address: str
    region_code: str
    industry_code: str | None
    registration_status: str
    established_on: date | None
    risk_class: str
    risk_source: str
    risk_effective_on: date | None
    abnormal_operation: bool
    serious_violation: bool
    complaint_count: int

    @staticmethod
    def resolve_region_code(obj: Target) -> str:
        return obj.region_id

    @staticmethod
    def resolve_industry_code(obj: Target) -> str | None:
        return obj.industry_id


class TargetDetailOut(TargetOut):
    business_scope: str
    tags: list[str]

    @staticmethod
    def resolve_tags(obj: Target) -> list[str]:
        return [t.full_name for t in obj.tags.all()]


@router.get("/targets", response=list[TargetOut], summary="检查对象列表（限数据范围，支持与页面相同的筛选）")
@paginate(Pages, page_size=50)
def list_targets(
    request,
    q: str = "",
    region: str = "",
    industry: str = "",
    target_type: str = "",
    risk_class: str = "",
    status: str = "",
    tag: str = "",
    flag: str = "",
):
    params = {
        "q": q,
        "region": region,
        "industry": industry,
        "target_type": target_type,
        "risk_class": risk_class,
        "status": status,
        "tag": tag,
        "flag": flag,
    }
    return targets_for(request.user, params)


@router.get("/targets/{target_id}", response=TargetDetailOut, summary="检查对象详情")
def get_target(request, target_id: int):
    return get_in_region_scope_or_404(request.user, Target.objects.prefetch_related("tags"), pk=target_id)
