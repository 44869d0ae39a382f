from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate

from shuangsuiji.accounts.scope import get_in_scope_or_404
from shuangsuiji.apipages import Pages
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.inspectors.queries import inspectors_for

router = Router(tags=["执法检查人员名录库"])


class InspectorOut(Schema):
    id: int
    name: str
    certificate_no: str
    organisation_id: int
    organisation_name: str
    position: str
    cert_valid_from: date | None
    cert_valid_to: date
    certificate_status: str
    is_expert: bool
    is_active: bool
    specialties: list[str]

    @staticmethod
    def resolve_organisation_name(obj: Inspector) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_certificate_status(obj: Inspector) -> str:
        return obj.certificate_status(timezone.localdate())

    @staticmethod
    def resolve_specialties(obj: Inspector) -> list[str]:
        return [t.code for t in obj.specialties.all()]


def _name(user) -> str | None:
    return user.display_name if user is not None else None


class TrainingOut(Schema):
    id: int
    course: str
    completed_on: date
    hours: float | None
    issuer: str
    state: str  # in_force / voided（作废的记录不计为已培训）
    voided_at: datetime | None
    voided_by: str | None
    void_reason: str

    @staticmethod
    def resolve_voided_by(obj) -> str | None:
        return _name(obj.voided_by)


class LeaveOut(Schema):
    id: int
    start: date
    end: date  # the end in force (after an early end)
    reason: str
    state: str  # in_force / ended_early / cancelled（取消的期间不计）
    planned_end: date | None  # the original end when ended early
    end_reason: str
    cancelled_at: datetime | None
    cancelled_by: str | None
    cancel_reason: str

    @staticmethod
    def resolve_cancelled_by(obj) -> str | None:
        return _name(obj.cancelled_by)


class RelationshipOut(Schema):
    id: int
    target_code: str
    target_name: str
    kind: str
    note: str
    declared_on: date
    state: str  # in_force / withdrawn（撤销的申报不再回避）
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdraw_reason: str

    @staticmethod
    def resolve_target_code(obj) -> str:
        return obj.target.code

    @staticmethod
    def resolve_target_name(obj) -> str:
        return obj.target.name

    @staticmethod
    def resolve_withdrawn_by(obj) -> str | None:
        return _name(obj.withdrawn_by)


class InspectorDetailOut(InspectorOut):
    phone: str
    trainings: list[TrainingOut]
    leave_periods: list[LeaveOut]
    relationships: list[RelationshipOut]

    @staticmethod
    def resolve_trainings(obj: Inspector):
        return list(obj.trainings.select_related("voided_by"))

    @staticmethod
    def resolve_leave_periods(obj: Inspector):
        return list(obj.leave_periods.select_related("cancelled_by"))

    @staticmethod
    def resolve_relationships(obj: Inspector):
        return list(obj.relationships.select_related("target", "withdrawn_by"))


@router.get("/", response=list[InspectorOut], summary="执法检查人员列表（限数据范围，支持与页面相同的筛选）")
@paginate(Pages, page_size=50)
def list_inspectors(
    request,
    q: str = "",
    organisation: str = "",
    tag: str = "",
    expert: str = "",
    active: str = "",
    cert: str = "",
    on_leave: str = "",
):
    params = {
        "q": q,
        "organisation": organisation,
        "tag": tag,
        "expert": expert,
        "active": active,
        "cert": cert,
        "on_leave": on_leave,
    }
    return inspectors_for(request.user, params).prefetch_related("specialties")


@router.get("/{inspector_id}", response=InspectorDetailOut, summary="执法检查人员详情")
def get_inspector(request, inspector_id: int):
    qs = Inspector.objects.select_related("organisation").prefetch_related("specialties")
    return get_in_scope_or_404(request.user, qs, pk=inspector_id)
