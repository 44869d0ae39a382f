from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from shuangsuiji.accounts.scope import get_in_scope_or_404, scope_q
from shuangsuiji.apipages import Pages
from shuangsuiji.imports.rows import RowError, RowsRefused, import_rows
from shuangsuiji.imports.schemas import ImportResultOut, Mode, result
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


# --- writes: the import path (imports/rows.py), for systems that keep the register in step ---


class InspectorFieldsIn(Schema):
    """An inspector as the import template's columns. Blank optional values keep what is stored
    (as in a file import)."""

    position: str | None = Field(None, description="职务")
    cert_valid_from: str | None = Field(None, description="证件有效期起（YYYY-MM-DD）")
    phone: str | None = Field(None, description="联系电话")
    specialties: list[str] | None = Field(None, description="专业特长（标签字库中的名称）；给出时替换原有")
    is_expert: bool | str | None = Field(None, description="是否专家")
    status: str | None = Field(None, description="状态：在岗/停用")
    training_on: str | None = Field(None, description="最近培训日期（增加一条培训记录）")
    training_course: str | None = Field(None, description="培训课程")


class InspectorRowIn(InspectorFieldsIn):
    name: str = Field(description="姓名")
    certificate_no: str = Field(description="执法证号（唯一；按它更新已有人员）")
    organisation: str = Field(description="所属机构全称（部门或内设股室，须在数据范围内）")
    cert_valid_to: str = Field(description="证件有效期止（YYYY-MM-DD）")


class InspectorUpdateIn(InspectorFieldsIn):
    """Only the fields given change; the 执法证号 identifies the inspector and stays."""

    name: str | None = Field(None, description="姓名")
    organisation: str | None = Field(None, description="所属机构全称")
    cert_valid_to: str | None = Field(None, description="证件有效期止")


class InspectorBulkIn(Schema):
    mode: Mode = Field("all", description="all：任一条有错则全部不写入；valid：只写入无错的条目")
    rows: list[InspectorRowIn]


def _load(request, pk: int) -> Inspector:
    qs = Inspector.objects.select_related("organisation").prefetch_related("specialties")
    return get_in_scope_or_404(request.user, qs, pk=pk)


@router.post(
    "/bulk",
    response=ImportResultOut,
    summary="批量新增或更新执法检查人员（与文件导入相同的校验、行错误与变更记录，一次请求一个事务）",
)
def bulk_upsert_inspectors(request, payload: InspectorBulkIn):
    rows = [r.dict() for r in payload.rows]
    job = import_rows(kind="inspectors", rows=rows, user=request.user, mode=payload.mode, label="执法检查人员")
    return result(job)


@router.post("/", response={201: InspectorDetailOut}, summary="新增执法检查人员（与文件导入相同的校验）")
def create_inspector(request, payload: InspectorRowIn):
    row = payload.dict()
    number = row["certificate_no"].strip().upper()
    if Inspector.objects.filter(scope_q(request.user), certificate_no=number).exists():
        error = RowError(1, "执法证号", number, "已登记，请使用更新接口")
        raise RowsRefused(None, "该执法证号已登记，请使用更新接口。", [error])
    job = import_rows(kind="inspectors", rows=[row], user=request.user, label="执法检查人员")
    inspector = Inspector.objects.filter(import_job=job).order_by("-pk").first()
    if job.created_count != 1 or inspector is None:
        raise RowsRefused(job, "该执法证号已登记，请使用更新接口。", [])
    return 201, _load(request, inspector.pk)


@router.put(
    "/{inspector_id}",
    response=InspectorDetailOut,
    summary="修改执法检查人员（只改所给字段；与文件导入相同的校验，变更记入人员历史）",
)
def update_inspector(request, inspector_id: int, payload: InspectorUpdateIn):
    inspector = _load(request, inspector_id)
    row = {
        "name": inspector.name,
        "certificate_no": inspector.certificate_no,
        "organisation": inspector.organisation.name,
        "cert_valid_to": inspector.cert_valid_to,
    } | {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    import_rows(kind="inspectors", rows=[row], user=request.user, label="执法检查人员")
    return _load(request, inspector_id)


# After the fixed paths (``bulk``): a path parameter would take them.
@router.get("/{inspector_id}", response=InspectorDetailOut, summary="执法检查人员详情")
def get_inspector(request, inspector_id: int):
    qs = Inspector.objects.select_related("organisation").prefetch_related("specialties")
    return get_in_scope_or_404(request.user, qs, pk=inspector_id)
