"""Follow-up API: the same scope and roles as the pages (``followups.access``); 404 outside."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from shuangsuiji.apipages import Pages
from shuangsuiji.followups import access, credit, services
from shuangsuiji.followups.models import CreditRule, FollowUp, FollowUpStatus, Transfer

router = Router(tags=["后续处置与信用闭环"])


class FollowUpOut(Schema):
    id: int
    number: str
    target_id: int
    target: str
    department_id: int
    department: str
    owner_unit_id: int | None
    type_code: str
    type: str
    status: str
    opened_on: date
    due_on: date
    overdue: bool
    rectify_by: date | None
    case_number: str
    decision: str
    fine_wan: Decimal | None
    other_text: str
    parent_id: int | None
    escalated_to_id: int | None
    closed_on: date | None
    outcome: str

    @staticmethod
    def resolve_target(obj: FollowUp) -> str:
        return obj.target.name

    @staticmethod
    def resolve_department(obj: FollowUp) -> str:
        return obj.department.name

    @staticmethod
    def resolve_type_code(obj: FollowUp) -> str:
        return obj.type.code

    @staticmethod
    def resolve_type(obj: FollowUp) -> str:
        return obj.type.label

    @staticmethod
    def resolve_overdue(obj: FollowUp) -> bool:
        return obj.is_overdue(timezone.localdate())


class StepOut(Schema):
    id: int
    kind: str
    on: date
    text: str
    corrects_id: int | None
    sha256: str
    actor_id: int | None
    at: datetime


class TransferOut(Schema):
    id: int
    followup_id: int
    kind: str
    from_department_id: int
    to_department_id: int
    reason: str
    sent_on: date
    respond_by: date
    status: str
    return_reason: str
    received_followup_id: int | None

    @staticmethod
    def resolve_received_followup_id(obj: Transfer) -> int | None:
        fu = FollowUp.objects.filter(origin_transfer=obj).values_list("pk", flat=True).first()
        return fu


class ReInspectionOut(Schema):
    id: int
    method: str
    draw_id: str
    commitment_sha256: str
    inspectors: list[str]
    scheduled_on: date
    status: str
    inspected_on: date | None


class FollowUpDetailOut(FollowUpOut):
    part_id: int
    part_version: int
    current_part_id: int
    current_part_version: int
    needs_review: bool
    steps: list[StepOut]
    transfers: list[TransferOut]
    reinspections: list[ReInspectionOut]
    chain_ids: list[int]

    @staticmethod
    def resolve_part_version(obj: FollowUp) -> int:
        return obj.part.version

    @staticmethod
    def resolve_current_part_id(obj: FollowUp) -> int:
        return services.current_part(obj).pk

    @staticmethod
    def resolve_current_part_version(obj: FollowUp) -> int:
        return services.current_part(obj).version

    @staticmethod
    def resolve_needs_review(obj: FollowUp) -> bool:
        return services.needs_review(obj)

    @staticmethod
    def resolve_steps(obj: FollowUp):
        return list(obj.steps.all())

    @staticmethod
    def resolve_transfers(obj: FollowUp):
        return list(obj.transfers.all())

    @staticmethod
    def resolve_reinspections(obj: FollowUp):
        return list(obj.reinspections.all())


class RuleOut(Schema):
    id: int
    key: str
    version: int
    title: str
    trigger: str
    trigger_code: str
    min_fine_wan: Decimal | None
    risk_floor: str
    months: int | None
    weight: int | None
    flag: str
    proposes_abnormal: bool
    counts_clean: bool
    reason: str
    is_active: bool
    superseded_at: datetime | None


class StepIn(Schema):
    kind: str = "note"
    text: str
    on: date | None = None


class CloseIn(Schema):
    outcome: str


class TransferIn(Schema):
    to_department_id: int
    reason: str
    kind: str = "transfer"


class AcceptIn(Schema):
    type_code: str = "10"


class ReturnIn(Schema):
    reason: str


def _get(request, followup_id: int) -> FollowUp:
    return access.get_visible_or_404(request.user, followup_id)


@router.get("/", response=list[FollowUpOut], summary="后续处置（数据范围内；可按状态、逾期、关键词筛选）")
@paginate(Pages, page_size=50)
def list_followups(request, q: str = "", status: str = "", overdue: bool = False):
    qs = access.visible_followups(request.user).select_related("target", "department", "type")
    if q:
        qs = qs.filter(number__icontains=q[:100]) | qs.filter(target__name__icontains=q[:100])
    if status in FollowUpStatus.values:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(services.overdue_q(timezone.localdate()))
    access.audit_reads(request.user, qs, "api")
    return qs.order_by("-id")


@router.get("/rules", response=list[RuleOut], summary="信用规则（全部版本）")
def list_rules(request):
    return list(CreditRule.objects.order_by("key", "-version"))


@router.get("/{followup_id}", response=FollowUpDetailOut, summary="后续处置详情（步骤、移送、复查、处置链）")
def get_followup(request, followup_id: int):
    fu = access.require_read(request.user, followup_id, "api")
    visible = access.visible_followups(request.user)
    fu.chain_ids = [f.pk for f in services.chain(fu) if visible.filter(pk=f.pk).exists()]
    return fu


@router.post("/{followup_id}/steps", response={201: StepOut}, summary="追加处置步骤")
def add_step(request, followup_id: int, body: StepIn):
    fu = _get(request, followup_id)
    access.require_handle(request.user, fu)
    return Status(201, services.add_step(fu, request.user, kind=body.kind, text=body.text, on=body.on))


@router.post("/{followup_id}/close", response=FollowUpOut, summary="办结")
def close(request, followup_id: int, body: CloseIn):
    fu = _get(request, followup_id)
    access.require_handle(request.user, fu)
    return services.close(fu, body.outcome, request.user)


@router.post("/{followup_id}/transfers", response={201: TransferOut}, summary="移送或抄告其他部门")
def transfer(request, followup_id: int, body: TransferIn):
    from shuangsuiji.orgs.models import Organisation

    fu = _get(request, followup_id)
    access.require_handle(request.user, fu)
    dept = Organisation.objects.filter(pk=body.to_department_id, kind=Organisation.Kind.DEPARTMENT).first()
    if dept is None:
        raise services.FollowUpRuleError("接收部门不存在。")
    return Status(201, services.transfer(fu, dept, body.reason, request.user, kind=body.kind))


def _transfer(request, transfer_id: int) -> Transfer:
    tr = Transfer.objects.filter(pk=transfer_id, followup__in=access.visible_followups(request.user)).first()
    if tr is None:
        raise Http404("未找到该移送，或不在您的数据范围内。")
    access.require_decide_transfer(request.user, tr)
    return tr


@router.post("/transfers/{transfer_id}/accept", response=FollowUpOut, summary="接收移送（生成本部门的后续处置）")
def accept(request, transfer_id: int, body: AcceptIn):
    return services.accept_transfer(_transfer(request, transfer_id), request.user, type_code=body.type_code)


@router.post("/transfers/{transfer_id}/return", response=TransferOut, summary="退回移送（须说明理由）")
def return_(request, transfer_id: int, body: ReturnIn):
    return services.return_transfer(_transfer(request, transfer_id), body.reason, request.user)


class LoopOut(Schema):
    since: datetime | None
    moved_stratum: int
    by_stratum: dict[str, int]
    moved_weight: int
    lines: list[str]


@router.get("/loop/{task_id}", response=LoopOut, summary="信用闭环：自上次抽取以来调整分类或权重的对象（新任务预览）")
def loop(request, task_id: int):
    from shuangsuiji.tasks import access as task_access

    task = task_access.get_task_or_404(request.user, task_id)
    r = credit.loop_report(task)
    return {
        "since": r.since,
        "moved_stratum": r.moved_stratum,
        "by_stratum": r.by_stratum,
        "moved_weight": r.moved_weight,
        "lines": r.lines(),
    }
