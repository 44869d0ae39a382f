from __future__ import annotations

from datetime import date

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


class TrainingOut(Schema):
    course: str
    completed_on: date
    hours: float | None
    issuer: str


class LeaveOut(Schema):
    start: date
    end: date
    reason: str


class RelationshipOut(Schema):
    target_code: str
    target_name: str
    kind: str
    note: str
    declared_on: date

    @staticmethod
    def resolve_target_code(obj) -> str:
        return obj.target.code

    @staticmethod
    def resolve_target_name(obj) -> str:
        return obj.target.name


class InspectorDetailOut(InspectorOut):
    phone: str
    trainings: list[TrainingOut]
    leave_periods: list[LeaveOut]
    relationships: list[RelationshipOut]

    @staticmethod
    def resolve_trainings(obj: Inspector):
        return list(obj.trainings.all())

    @staticmethod
    def resolve_leave_periods(obj: Inspector):
        return list(obj.leave_periods.all())

    @staticmethod
    def resolve_relationships(obj: Inspector):
        return list(obj.relationships.select_related("target"))


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
