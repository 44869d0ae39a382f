"""Annual plan API: the same visibility as the pages (``plans.access``); 404 otherwise."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate

from shuangsuiji.apipages import Pages
from shuangsuiji.plans import access, services
from shuangsuiji.plans.models import Plan, PlanLine, PlanStatus

router = Router(tags=["年度抽查计划"])


class PlanOut(Schema):
    id: int
    owner_id: int
    owner: str
    is_joint: bool
    year: int
    version: int
    previous_id: int | None
    status: str
    title: str
    due_date: date | None
    overdue: bool
    published_at: datetime | None

    @staticmethod
    def resolve_owner(obj: Plan) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_due_date(obj: Plan) -> date | None:
        return obj.due_date()

    @staticmethod
    def resolve_overdue(obj: Plan) -> bool:
        return obj.is_overdue(timezone.localdate())


class PlanLineOut(Schema):
    position: int
    item_id: int
    item_code: str
    item_version_id: int
    item_name: str
    department_id: int
    ratio: Decimal
    min_ratio: Decimal
    methods: list[str]
    start_month: int
    end_month: int
    target_note: str

    @staticmethod
    def resolve_item_id(obj: PlanLine) -> int:
        return obj.item_version.item_id

    @staticmethod
    def resolve_item_code(obj: PlanLine) -> str:
        return obj.item_version.item.code

    @staticmethod
    def resolve_item_name(obj: PlanLine) -> str:
        return obj.item_version.name

    @staticmethod
    def resolve_department_id(obj: PlanLine) -> int:
        return obj.item_version.item.department_id

    @staticmethod
    def resolve_min_ratio(obj: PlanLine) -> Decimal:
        return obj.item_version.min_ratio


class WaiverOut(Schema):
    item_id: int
    item_code: str
    reason: str

    @staticmethod
    def resolve_item_code(obj) -> str:
        return obj.item.code


class AdjustmentOut(Schema):
    id: int
    status: str
    reason: str
    requested_at: datetime
    decided_at: datetime | None
    new_plan_id: int | None


class PlanDetailOut(PlanOut):
    scope: str
    notes: str
    adjustment_reason: str
    adjustment_approved_on: date | None
    participant_ids: list[int]
    lines: list[PlanLineOut]
    waivers: list[WaiverOut]
    uncovered_item_ids: list[int]
    adjustments: list[AdjustmentOut]
    versions: list[PlanOut]

    @staticmethod
    def resolve_lines(obj: Plan):
        return list(obj.lines.select_related("item_version__item"))

    @staticmethod
    def resolve_waivers(obj: Plan):
        return list(obj.waivers.select_related("item"))

    @staticmethod
    def resolve_adjustments(obj: Plan):
        return list(obj.adjustments.all())


@router.get("/plans", response=list[PlanOut], summary="年度抽查计划（现行版本；可按年度、状态、机构筛选）")
@paginate(Pages, page_size=50)
def list_plans(request, q: str = "", year: int | None = None, status: str = "", owner: int | None = None):
    qs = access.visible_plans(request.user).select_related("owner")
    if q:
        qs = qs.filter(title__icontains=q)
    if year is not None:
        qs = qs.filter(year=year)
    qs = qs.filter(status=status) if status else qs.exclude(status=PlanStatus.SUPERSEDED)
    if owner is not None:
        qs = qs.filter(owner_id=owner)
    return qs.order_by("-year", "owner__path", "-version")


@router.get("/plans/{plan_id}", response=PlanDetailOut, summary="年度抽查计划详情（事项、不纳入说明、调整、版本）")
def get_plan(request, plan_id: int):
    plan = access.visible_plans(request.user).select_related("owner", "owner__region").filter(pk=plan_id).first()
    if plan is None:
        raise Http404("未找到该计划，或不在您的数据范围内。")
    visible = access.visible_plans(request.user)
    plan.participant_ids = [d.pk for d in services.participating_departments(plan)]
    plan.uncovered_item_ids = [] if plan.is_frozen else [v.item_id for v in services.uncovered_items(plan)]
    plan.versions = [v for v in services.series(plan) if visible.filter(pk=v.pk).exists()]
    return plan
