"""API for inspection tasks, their draws, confirmations, inspector draws and voids.

The same rules as the pages: visibility and permissions from ``tasks.access`` (invisible → 404,
visible but not allowed → 403), every business rule in ``tasks.services`` / ``tasks.drawday``
(a refused change → 422 with the Chinese messages, ``{"detail": [...]}``). Endpoints that show
drawn targets or assignments call ``sealed.require_sealed`` first (404 without access, one
audit entry per read while the lists are sealed). Task and draw details show parameters,
commitments, seeds and counts, never the drawn lists.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from shuangsuiji.apipages import Pages
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.items.services import published_items
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.plans.access import visible_plans
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks import access, drawday, sealed, services
from shuangsuiji.tasks import deadlines as task_deadlines
from shuangsuiji.tasks.models import (
    LIVE,
    Assignment,
    Confirmation,
    Draw,
    DrawKind,
    DrawnTarget,
    DrawResult,
    Task,
    TaskItem,
    TaskParticipant,
    TaskSource,
    VoidRequest,
    without_files,
)
from shuangsuiji.tasks.population import describe
from shuangsuiji.tasks.sealed import require_sealed

router = Router(tags=["抽查任务与抽取"])


def _readable(context, task: Task) -> bool:
    """``sealed.readable`` for the request's user, once per task and request."""
    request = (context or {}).get("request")
    if request is None:
        return False
    cache = request.__dict__.setdefault("_sealed_readable", {})
    if task.pk not in cache:
        cache[task.pk] = sealed.readable(request.user, task)
    return cache[task.pk]


# --- Refusals ---------------------------------------------------------------------------------


class Refused(RuleError):
    """Input the API cannot turn into a service call (unknown id in the body, wrong draw kind)."""


def _forbid(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- Schemas: input ---------------------------------------------------------------------------


class ItemChoiceIn(Schema):
    item_version_id: int = Field(..., description="部门已发布的现行事项版本 id")
    methods: list[str] = Field(..., description="检查方式（on_site 现场检查 等）")


class ParticipantIn(Schema):
    department_id: int = Field(..., description="配合部门 id")
    unit_id: int | None = Field(None, description="承办股室 id")
    experts: int = Field(0, le=50, description="每组专家人数")
    items: list[ItemChoiceIn]


class StratumRuleIn(Schema):
    ratio: Decimal | str = Field(..., description="抽查比例，如 0.1 表示 10%")
    min: int | None = Field(None, le=1_000_000, description="最少抽取数")
    max: int | None = Field(None, le=1_000_000, description="最多抽取数")
    reserves: int | None = Field(None, le=1_000, description="备选对象数")


class PopulationSchema(Schema):
    target_types: list[str] = Field([], description="检查对象类型")
    region_codes: list[str] = Field([], description="行政区划代码（含下级）；空为任务所在区域")
    industry_codes: list[str] = Field([], description="行业代码（前缀）")
    tags: list[str] = Field([], description="标签代码（任一）")
    flags: list[str] = Field([], description="abnormal_operation / serious_violation / complaints（任一）")
    registration_statuses: list[str] = Field([], description="登记状态；空为存续")
    exclude_inspected_months: int = Field(0, description="排除近 N 个月内已被检查的对象（0–120）")
    unclassified_as: str = Field("B", max_length=1, description="分层抽取时，未分类的检查对象归入的层（A、B、C、D）")


class TaskIn(Schema):
    title: str = Field(..., max_length=200)
    lead_department_id: int = Field(..., description="牵头部门 id")
    lead_unit_id: int | None = Field(None, description="牵头部门承办股室 id")
    lead_experts: int = Field(0, le=50, description="牵头部门每组专家人数")
    items: list[ItemChoiceIn] = Field(..., description="牵头部门的检查事项")
    cooperating: list[ParticipantIn] = Field([], description="配合部门（部门联合抽查）")
    window_from: date
    window_to: date
    stratify: bool = Field(True, description="按信用风险分类 A–D 分层；否则一层 ALL")
    strata: dict[str, StratumRuleIn] = Field(..., description='分层抽取比例：{"A": {"ratio": "0.1", …}, …}')
    population: PopulationSchema = Field(default_factory=PopulationSchema)
    group_size: int = Field(2, le=100, description="每组检查人员数（至少 2）")
    inspector_cap: int | None = Field(None, le=10_000, description="每名检查人员最多检查对象数")
    source: str = Field(TaskSource.PLAN, description="plan 年度计划 / temporary 临时任务")
    plan_id: int | None = Field(None, description="来源为年度计划时的计划 id")
    justification: str = Field("", description="临时任务依据")
    notes: str = ""
    year: int | None = Field(None, ge=2000, le=2100)


class EntropyIn(Schema):
    kind: str = Field("other", max_length=32, description="dice 骰子 / lottery 彩票 / other")
    value: str = Field(..., max_length=500)
    source: str = Field(..., max_length=200, description="见证人或来源")


class DrawIn(Schema):
    entropy: list[EntropyIn] = Field(..., description="现场录入的公开随机数")
    witnesses: str = Field("", max_length=300, description="见证人")


class ConfirmIn(Schema):
    note: str = Field("", max_length=500)


class ReportIn(Schema):
    target_code: str = Field(..., max_length=64)
    reason: str = Field(..., max_length=500)


class InspectorDrawIn(Schema):
    entropy: list[EntropyIn] = Field([], description="另外录入的公开随机数（可选）")


class SubstituteIn(Schema):
    target_code: str = Field(..., max_length=64)
    certificate_no: str = Field(..., max_length=64, description="被递补人员的执法证号")
    reason: str = Field(..., max_length=500)


class VoidIn(Schema):
    reason: str = Field(..., max_length=500)


class DecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


# --- Schemas: output --------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    code: str
    title: str
    year: int
    region_id: str
    lead_id: int
    lead: str
    is_joint: bool
    source: str
    plan_id: int | None
    status: str
    window_from: date
    window_to: date
    sealed: bool
    published_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_lead(obj: Task) -> str:
        return obj.lead.name

    @staticmethod
    def resolve_sealed(obj: Task) -> bool:
        return obj.is_sealed


class StratumRuleOut(Schema):
    ratio: str
    min: int | None = 0
    max: int | None = None
    reserves: int | None = 0


class TaskItemOut(Schema):
    item_version_id: int
    item_id: int
    item_code: str
    item_name: str
    version: int
    min_ratio: Decimal
    methods: list[str]
    method_labels: list[str]

    @staticmethod
    def resolve_item_id(obj: TaskItem) -> int:
        return obj.item_version.item_id

    @staticmethod
    def resolve_item_code(obj: TaskItem) -> str:
        return obj.item_version.item.code

    @staticmethod
    def resolve_item_name(obj: TaskItem) -> str:
        return obj.item_version.name

    @staticmethod
    def resolve_version(obj: TaskItem) -> int:
        return obj.item_version.version

    @staticmethod
    def resolve_min_ratio(obj: TaskItem) -> Decimal:
        return obj.item_version.min_ratio


class ParticipantOut(Schema):
    department_id: int
    department: str
    unit_id: int | None
    unit: str | None
    role: str
    experts: int
    items: list[TaskItemOut]

    @staticmethod
    def resolve_department(obj: TaskParticipant) -> str:
        return obj.department.name

    @staticmethod
    def resolve_unit(obj: TaskParticipant) -> str | None:
        return obj.unit.name if obj.unit else None

    @staticmethod
    def resolve_items(obj: TaskParticipant):
        return list(obj.items.all())


class DrawOut(Schema):
    id: int
    draw_id: str
    task_id: int
    kind: str
    department_id: int | None
    target_draw_id: int | None
    attempt: int
    status: str
    commitment_sha256: str
    seed: str
    population_count: int
    excluded_count: int
    frozen_at: datetime
    drawn_at: datetime | None
    witnesses: str
    targets_count: int = Field(..., description="当前抽中对象数（检查对象抽取）")
    assignments_count: int = Field(..., description="当前在组检查人员人次（检查人员抽取）")
    shortfalls_count: int = Field(..., description="未能配齐的检查组数")

    @staticmethod
    def resolve_seed(obj: Draw, context) -> str:
        return obj.seed if _readable(context, obj.task) else ""

    @staticmethod
    def resolve_targets_count(obj: Draw) -> int:
        return obj.drawn_targets.filter(replaced_by__isnull=True).count() if obj.kind == DrawKind.TARGETS else 0

    @staticmethod
    def resolve_assignments_count(obj: Draw) -> int:
        return obj.assignments.filter(ended_at__isnull=True).count()

    @staticmethod
    def resolve_shortfalls_count(obj: Draw) -> int:
        return len(drawday.shortfalls(obj)) if obj.kind == DrawKind.INSPECTORS else 0


class TaskDetailOut(TaskOut):
    justification: str
    population: PopulationSchema
    conditions: list[str]
    stratify: bool
    strata: dict[str, StratumRuleOut]
    group_size: int
    inspector_cap: int | None
    notes: str
    participants: list[ParticipantOut]
    draws: list[DrawOut]
    sealed_access: str | None = Field(..., description="all 全部名单 / own 仅本人的检查对象 / null 无权查看")

    @staticmethod
    def resolve_population(obj: Task) -> dict:
        return obj.population or {}

    @staticmethod
    def resolve_conditions(obj: Task) -> list[str]:
        return describe(obj)

    @staticmethod
    def resolve_participants(obj: Task):
        return services.participants_lead_first(obj)

    @staticmethod
    def resolve_draws(obj: Task):
        return list(obj.draws.order_by("kind", "department_id", "attempt"))

    @staticmethod
    def resolve_sealed_access(obj: Task, context) -> str | None:
        return access.sealed_access(context["request"].user, obj)


class EntropyOut(Schema):
    kind: str
    value: str
    source: str


class ResultVersionOut(Schema):
    version: int
    event: str
    reason: str
    sha256: str
    created_at: datetime

    @staticmethod
    def resolve_sha256(obj: DrawResult) -> str:
        return obj.result_sha256

    @staticmethod
    def resolve_reason(obj: DrawResult, context) -> str:
        return sealed.result_reason(obj, _readable(context, obj.draw.task))


class VoidOut(Schema):
    id: int
    draw_id: int
    status: str
    reason: str
    requested_at: datetime
    requested_by: str | None
    decided_at: datetime | None
    decided_by: str | None
    decision_note: str

    @staticmethod
    def resolve_requested_by(obj: VoidRequest) -> str | None:
        return obj.requested_by.display_name if obj.requested_by else None

    @staticmethod
    def resolve_decided_by(obj: VoidRequest) -> str | None:
        return obj.decided_by.display_name if obj.decided_by else None

    @staticmethod
    def resolve_reason(obj: VoidRequest, context) -> str:
        return sealed.sealed_text(obj.reason, _readable(context, obj.draw.task))

    @staticmethod
    def resolve_decision_note(obj: VoidRequest, context) -> str:
        return sealed.sealed_text(obj.decision_note, _readable(context, obj.draw.task))


class DrawDetailOut(DrawOut):
    task_code: str
    public_entropy: list[EntropyOut]
    results: list[ResultVersionOut]
    void_requests: list[VoidOut]

    @staticmethod
    def resolve_task_code(obj: Draw) -> str:
        return obj.task.code

    @staticmethod
    def resolve_public_entropy(obj: Draw, context) -> list[dict]:
        return sealed.public_entropy(obj, _readable(context, obj.task))

    @staticmethod
    def resolve_results(obj: Draw):
        results = list(obj.results.order_by("version"))
        for r in results:
            r.draw = obj  # the draw carries the task as the user sees it
        return results

    @staticmethod
    def resolve_void_requests(obj: Draw):
        return list(obj.void_requests.select_related("requested_by", "decided_by"))


class ConfirmationOut(Schema):
    department_id: int
    department: str
    due_on: date
    due_provisional: bool = Field(
        ..., description="期限为暂定（该年度放假安排尚未录入，按周一至周五扣除固定节日计算，录入后重算）"
    )
    status: str
    note: str
    confirmed_at: datetime | None
    confirmed_by: str | None
    overdue: bool

    @staticmethod
    def resolve_department(obj: Confirmation) -> str:
        return obj.department.name

    @staticmethod
    def resolve_confirmed_by(obj: Confirmation) -> str | None:
        return obj.confirmed_by.display_name if obj.confirmed_by else None

    @staticmethod
    def resolve_overdue(obj: Confirmation) -> bool:
        return drawday.confirmation_overdue(obj)

    @staticmethod
    def resolve_due_provisional(obj: Confirmation) -> bool:
        return getattr(obj, "due_provisional", None) or bool(task_deadlines.provisional_confirmations([obj]))

    @staticmethod
    def resolve_note(obj: Confirmation, context) -> str:
        return sealed.confirmation_note(obj, _readable(context, obj.draw.task))


class DrawnTargetOut(Schema):
    position: int
    target_id: int
    code: str
    name: str
    address: str
    legal_representative: str
    region_id: str
    stratum: str
    ticket: str
    from_reserve: bool
    active: bool
    replaced_by_code: str | None
    replaced_reason: str

    @staticmethod
    def resolve_code(obj: DrawnTarget) -> str:
        return obj.target.code

    @staticmethod
    def resolve_name(obj: DrawnTarget) -> str:
        return obj.target.name

    @staticmethod
    def resolve_address(obj: DrawnTarget) -> str:
        return obj.target.address

    @staticmethod
    def resolve_legal_representative(obj: DrawnTarget) -> str:
        return obj.target.legal_representative

    @staticmethod
    def resolve_region_id(obj: DrawnTarget) -> str:
        return obj.target.region_id

    @staticmethod
    def resolve_active(obj: DrawnTarget) -> bool:
        return obj.is_active

    @staticmethod
    def resolve_replaced_by_code(obj: DrawnTarget) -> str | None:
        return obj.replaced_by.target.code if obj.replaced_by else None


class AssignmentOut(Schema):
    draw_id: int
    department_id: int | None
    target_id: int
    target_code: str
    target_name: str
    inspector_id: int
    inspector_name: str
    certificate_no: str
    is_expert: bool
    from_substitution: bool
    active: bool
    ended_reason: str
    ended_at: datetime | None

    @staticmethod
    def resolve_department_id(obj: Assignment) -> int | None:
        return obj.draw.department_id

    @staticmethod
    def resolve_target_code(obj: Assignment) -> str:
        return obj.target.code

    @staticmethod
    def resolve_target_name(obj: Assignment) -> str:
        return obj.target.name

    @staticmethod
    def resolve_inspector_name(obj: Assignment) -> str:
        return obj.inspector.name

    @staticmethod
    def resolve_certificate_no(obj: Assignment) -> str:
        return obj.inspector.certificate_no

    @staticmethod
    def resolve_active(obj: Assignment) -> bool:
        return obj.is_active


class StratumPreviewOut(Schema):
    key: str
    label: str
    population: int
    excluded: int
    ratio: str
    sample: int
    reserves: int


class StageOut(Schema):
    label: str
    count: int


class DepartmentPreviewOut(Schema):
    department_id: int
    department: str
    specialties: list[str]
    stages: list[StageOut]
    eligible: int
    needed: int
    experts_eligible: int | None


class PreviewOut(Schema):
    ok: bool
    population: int
    excluded: int
    sample: int
    strata: list[StratumPreviewOut]
    departments: list[DepartmentPreviewOut]
    errors: list[str]
    warnings: list[str]
    conditions: list[str]


# --- Lookups ----------------------------------------------------------------------------------


def _task(request, task_id: int) -> Task:
    return access.get_task_or_404(request.user, task_id)


def _draw(request, draw_id: int) -> Draw:
    """The draw with its (visible) task; 404 when either is out of the user's reach."""
    draw = Draw.objects.select_related("department").filter(pk=draw_id).first()
    task = None
    if draw is not None:
        task = access.visible_tasks(request.user).select_related("lead", "region", "plan").filter(pk=draw.task_id)
        task = task.first()
    if task is None:
        raise Http404("未找到该抽取，或不在您的数据范围内。")
    draw.task = task
    return draw


def _items(department: Organisation, choices: list[ItemChoiceIn], errors: list[str]) -> list[services.ItemChoice]:
    versions = published_items(department).in_bulk([c.item_version_id for c in choices])
    out = []
    for c in choices:
        iv = versions.get(c.item_version_id)
        if iv is None:
            errors.append(f"{department.name}：事项版本 {c.item_version_id} 不是本部门已发布的现行事项。")
            continue
        out.append(services.ItemChoice(iv, list(c.methods)))
    return out


def _organisation(pk: int | None, label: str, errors: list[str]) -> Organisation | None:
    if pk is None:
        return None
    org = Organisation.objects.select_related("region").filter(pk=pk).first()
    if org is None:
        errors.append(f"{label}（id {pk}）不存在。")
    return org


def _spec(request, body: TaskIn) -> services.TaskSpec:
    """The body as a TaskSpec: ids resolved; unknown ones refused with 422."""
    errors: list[str] = []
    lead = _organisation(body.lead_department_id, "牵头部门", errors)
    if lead is not None:
        _forbid(access.can_create_for(request.user, lead), f"您无权以“{lead.name}”为牵头部门创建或修改抽查任务。")
    rows = [(lead, body.lead_unit_id, body.lead_experts, body.items)] + [
        (_organisation(c.department_id, "配合部门", errors), c.unit_id, c.experts, c.items) for c in body.cooperating
    ]
    parts = []
    for dept, unit_id, experts, items in rows:
        unit = _organisation(unit_id, "承办股室", errors)
        if dept is not None:
            parts.append(services.ParticipantSpec(dept, _items(dept, items, errors), unit=unit, experts=experts))
    plan = None
    if body.plan_id is not None:
        plan = visible_plans(request.user).filter(pk=body.plan_id).first()
        if plan is None:
            errors.append(f"年度计划（id {body.plan_id}）不存在或不在您的数据范围内。")
    if errors:
        raise Refused(errors)
    return services.TaskSpec(
        title=body.title,
        lead=parts[0],
        cooperating=parts[1:],
        window_from=body.window_from,
        window_to=body.window_to,
        strata={k: v.dict() for k, v in body.strata.items()},
        stratify=body.stratify,
        population={k: v for k, v in body.population.dict().items() if v},
        source=body.source,
        plan=plan,
        justification=body.justification,
        group_size=body.group_size,
        inspector_cap=body.inspector_cap,
        notes=body.notes,
        year=body.year,
    )


def _own_target_ids(request, task: Task):
    """Targets the signed-in inspector is assigned to in the task's live inspector draws."""
    inspector = getattr(request.user, "inspector", None)
    return Assignment.objects.filter(
        draw__task=task, draw__status__in=LIVE, inspector=inspector, ended_at__isnull=True
    ).values("target_id")


# --- Tasks ------------------------------------------------------------------------------------


@router.get("/", response=list[TaskOut], summary="抽查任务列表（限数据范围；可按编号/名称搜索，按状态、年度筛选）")
@paginate(Pages, page_size=50)
def list_tasks(
    request,
    q: str = "",
    status: str = "",
    year: int | None = Query(None, ge=1900, le=9999),
):
    qs = access.visible_tasks(request.user).select_related("lead")
    if q.strip():
        qs = qs.filter(Q(code__icontains=q.strip()) | Q(title__icontains=q.strip()))
    if status:
        qs = qs.filter(status=status)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-created_at", "-id")


@router.post("/", response={201: TaskDetailOut}, summary="新建抽查任务（草稿）")
def create_task(request, body: TaskIn):
    task = services.create_task(_spec(request, body), request.user)
    return Status(201, _task(request, task.pk))


@router.get(
    "/{task_id}", response=TaskDetailOut, summary="抽查任务详情（参数、参与部门与事项、抽取及承诺值；不含抽中名单）"
)
def get_task(request, task_id: int):
    return _task(request, task_id)


@router.put("/{task_id}", response=TaskDetailOut, summary="修改抽查任务（仅草稿）")
def update_task(request, task_id: int, body: TaskIn):
    task = _task(request, task_id)
    _forbid(access.can_manage(request.user, task), "只有牵头部门或双随机办可以修改该任务。")
    services.update_task(task, _spec(request, body), request.user)
    return _task(request, task_id)


@router.get(
    "/{task_id}/preview", response=PreviewOut, summary="抽取预览（总体、各层抽取数、符合条件的检查人员；不冻结）"
)
def preview_task(request, task_id: int):
    task = _task(request, task_id)
    _forbid(access.can_manage(request.user, task), "只有牵头部门或双随机办可以预览该任务的抽取。")
    p = services.preview(task, timezone.localdate())
    return {
        "ok": p.ok,
        "population": p.population,
        "excluded": p.excluded,
        "sample": p.sample,
        "strata": [s.__dict__ for s in p.strata],
        "departments": [
            {
                "department_id": d.participant.department_id,
                "department": d.participant.department.name,
                "specialties": d.specialties,
                "stages": [{"label": label, "count": count} for label, count in d.stages],
                "eligible": d.eligible,
                "needed": d.needed,
                "experts_eligible": d.experts_eligible,
            }
            for d in p.departments
        ],
        "errors": p.errors,
        "warnings": p.warnings,
        "conditions": p.conditions,
    }


@router.post("/{task_id}/freeze", response={201: DrawDetailOut}, summary="冻结检查对象总体与参数，生成承诺值")
def freeze_task(request, task_id: int):
    task = _task(request, task_id)
    _forbid(access.can_manage(request.user, task), "只有牵头部门或双随机办可以冻结抽取。")
    draw = drawday.freeze_targets(task, request.user)
    return Status(201, _draw(request, draw.pk))


# --- Draws ------------------------------------------------------------------------------------


@router.get(
    "/draws/{draw_id}", response=DrawDetailOut, summary="抽取详情（状态、承诺值、随机种子、结果版本；不含名单）"
)
def get_draw(request, draw_id: int):
    return _draw(request, draw_id)


@router.post("/draws/{draw_id}/draw", response=DrawDetailOut, summary="录入公开随机数并抽取检查对象")
def run_draw(request, draw_id: int, body: DrawIn):
    draw = _draw(request, draw_id)
    _forbid(access.can_manage(request.user, draw.task), "只有牵头部门或双随机办可以抽取。")
    public = drawday.parse_entropy([e.dict() for e in body.entropy])
    drawday.draw_targets(draw, public, request.user, witnesses=body.witnesses)
    return _draw(request, draw_id)


@router.get(
    "/draws/{draw_id}/targets",
    response=list[DrawnTargetOut],
    summary="抽中的检查对象（保密名单：仅参与部门等有权人员；每次读取记入审计日志）",
)
@decorate_view(sealed.no_store)
def drawn_targets(request, draw_id: int):
    draw = _draw(request, draw_id)
    if draw.kind != DrawKind.TARGETS:
        raise Http404("这不是检查对象抽取。")
    mode = require_sealed(request.user, draw.task, draw, "api")
    qs = draw.drawn_targets.select_related("target", "replaced_by__target").order_by("position")
    if mode == access.OWN_TARGETS:
        qs = qs.filter(replaced_by__isnull=True, target_id__in=_own_target_ids(request, draw.task))
    return list(qs)


@router.get(
    "/draws/{draw_id}/bundle",
    response={200: None},
    summary="下载抽取数据包（zip，可用 ssj-verify 独立验证；仅有权查看完整名单的人员；记入审计日志）",
    openapi_extra={
        "responses": {
            200: {
                "description": "抽取数据包（可独立验证）",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@decorate_view(sealed.no_store)
def draw_bundle(request, draw_id: int):
    draw = _draw(request, draw_id)
    if access.sealed_access(request.user, draw.task) != access.ALL_TARGETS:
        raise Http404("未找到该名单，或您无权查看（抽取结果在公开前保密）。")
    require_sealed(request.user, draw.task, draw, "bundle")
    response = HttpResponse(drawday.bundle_zip(draw), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{draw.draw_id}.zip"'
    return response


@router.get("/draws/{draw_id}/confirmations", response=list[ConfirmationOut], summary="各参与部门的派发确认情况")
def confirmations(request, draw_id: int):
    draw = _draw(request, draw_id)
    rows = list(draw.confirmations.select_related("department", "confirmed_by"))
    provisional = task_deadlines.provisional_confirmations(rows)
    for c in rows:
        c.draw = draw
        c.due_provisional = c.pk in provisional
    return rows


def _own_department(request, draw: Draw) -> int:
    """The department the signed-in 部门系统管理员 confirms for (403 if none)."""
    dept_id = request.user.organisation_id
    _forbid(
        dept_id is not None
        and access.can_confirm(request.user, dept_id)
        and draw.task.participants.filter(department_id=dept_id).exists(),
        "只有参与部门的部门系统管理员可以确认或报告问题。",
    )
    return dept_id


@router.post("/draws/{draw_id}/confirm", response=ConfirmationOut, summary="确认本部门的检查对象（派发确认）")
def confirm(request, draw_id: int, body: ConfirmIn):
    draw = _draw(request, draw_id)
    dept_id = _own_department(request, draw)
    conf = drawday.confirm(draw, dept_id, request.user, note=body.note)
    return Confirmation.objects.select_related("department", "confirmed_by").get(pk=conf.pk)


@router.post(
    "/draws/{draw_id}/report",
    response=DrawDetailOut,
    summary="报告抽中对象不属本部门职责等问题（由同层备选对象递补，记为新的结果版本）",
)
def report(request, draw_id: int, body: ReportIn):
    draw = _draw(request, draw_id)
    dept_id = _own_department(request, draw)
    row = draw.drawn_targets.select_related("target").filter(target__code=body.target_code.strip()).first()
    if row is None:
        raise Refused(f"“{body.target_code}”不在本次抽中的对象中。")
    drawday.report_out_of_scope(draw, dept_id, row.target, body.reason, request.user)
    return _draw(request, draw_id)


@router.post(
    "/draws/{draw_id}/inspectors",
    response={201: DrawDetailOut},
    summary="为本部门抽取检查人员（各部门确认检查对象后）",
)
def draw_inspectors(request, draw_id: int, body: InspectorDrawIn):
    draw = _draw(request, draw_id)
    participant = access.participant_of(request.user, draw.task)
    _forbid(
        participant is not None and access.can_draw_inspectors(request.user, participant),
        "只有参与部门的部门系统管理员或承办股室操作员可以抽取本部门的检查人员。",
    )
    extra = drawday.parse_entropy([e.dict() for e in body.entropy]) if body.entropy else []
    new = drawday.draw_inspectors(draw, participant, request.user, extra)
    return Status(201, _draw(request, new.pk))


@router.get(
    "/draws/{draw_id}/assignments",
    response=list[AssignmentOut],
    summary="检查人员分配（保密名单；检查对象抽取列出各部门的分配；每次读取记入审计日志）",
)
@decorate_view(sealed.no_store)
def assignments(request, draw_id: int):
    draw = _draw(request, draw_id)
    mode = require_sealed(request.user, draw.task, draw, "api", detail="assignments")
    qs = Assignment.objects.filter(draw__target_draw=draw) if draw.kind == DrawKind.TARGETS else draw.assignments.all()
    if mode == access.OWN_TARGETS:
        qs = qs.filter(target_id__in=_own_target_ids(request, draw.task))
    return list(
        qs.select_related("draw", "target", "inspector")
        .defer(*without_files("draw"))
        .order_by("draw__department_id", "target_id", "is_expert", "id")
    )


@router.post(
    "/draws/{draw_id}/substitute",
    response=DrawDetailOut,
    summary="递补抽取检查人员（因病、回避等；记为新的结果版本）",
)
def substitute(request, draw_id: int, body: SubstituteIn):
    draw = _draw(request, draw_id)
    if draw.kind != DrawKind.INSPECTORS:
        raise Refused("这不是检查人员抽取，不能递补；请指定本部门的检查人员抽取。")
    participant = draw.task.participants.filter(department_id=draw.department_id).first()
    _forbid(
        participant is not None and access.can_draw_inspectors(request.user, participant),
        "只有该部门的部门系统管理员或承办股室操作员可以递补抽取。",
    )
    target = Target.objects.filter(code=body.target_code.strip(), pk__in=draw.assignments.values("target_id")).first()
    if target is None:
        raise Refused(f"“{body.target_code}”不是本次抽取的检查对象。")
    inspector = Inspector.objects.filter(
        certificate_no=body.certificate_no.strip(), pk__in=draw.assignments.values("inspector_id")
    ).first()
    if inspector is None:
        raise Refused(f"执法证号“{body.certificate_no}”不在本次抽取的检查组中。")
    drawday.substitute_inspector(draw, target, inspector, body.reason, request.user)
    return _draw(request, draw_id)


# --- Voids ------------------------------------------------------------------------------------


@router.post("/draws/{draw_id}/void", response={201: VoidOut}, summary="申请作废抽取（须说明原因，由上级角色审批）")
def request_void(request, draw_id: int, body: VoidIn):
    draw = _draw(request, draw_id)
    _forbid(
        access.can_request_void(request.user, draw),
        "只有牵头部门、双随机办或抽取该批检查人员的部门可以申请作废抽取。",
    )
    vr = drawday.request_void(draw, body.reason, request.user)
    return Status(201, VoidRequest.objects.select_related("requested_by", "decided_by").get(pk=vr.pk))


@router.post("/voids/{void_id}/decide", response=VoidOut, summary="审批作废申请（批准或驳回；不能审批本人的申请）")
def decide_void(request, void_id: int, body: DecideIn):
    vr = VoidRequest.objects.filter(pk=void_id).first()
    if vr is None:
        raise Http404("未找到该作废申请，或不在您的数据范围内。")
    task = _draw(request, vr.draw_id).task
    _forbid(
        access.can_approve_void(request.user, task, vr.requested_by_id),
        "不能审批本人提出的作废申请。"
        if request.user.pk == vr.requested_by_id
        else "只有牵头部门的部门系统管理员或双随机办可以审批作废申请。",
    )
    drawday.decide_void(vr, body.approve, request.user, note=body.note)
    return VoidRequest.objects.select_related("requested_by", "decided_by").get(pk=void_id)
