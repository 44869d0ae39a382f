"""API of inspection records and results: the codebook, records, parts (draft, submit,
return, determine, corrections), evidence upload and download. The same rules as the pages:
404 outside the task's participants (and for another department's open part), 403 for the
wrong role, 422 with Chinese messages; every read of a sealed record is audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from shuangsuiji.inspections import access, services
from shuangsuiji.inspections.models import DepartmentPart, Evidence, InspectionRecord, PartStatus
from shuangsuiji.tasks import access as task_access
from shuangsuiji.tasks.sealed import no_store

router = Router(tags=["检查记录与结果认定"])


# --- Schemas ------------------------------------------------------------------------------------


class ResultCodeOut(Schema):
    id: int
    codebook_version: str
    code: str
    label: str
    kind: str
    needs_items: bool
    needs_note: bool
    found_problem: bool
    starts_follow_up: bool
    publishable: bool


class ItemResultOut(Schema):
    task_item_id: int
    method: str
    answers: dict
    outcome: str
    problem: str
    legal_basis: str


def _publication(part) -> tuple[str, int | None]:
    """The part's publication state by the one rule (``publicity.deadlines``)."""
    st = services.publication_state(part) if isinstance(part, DepartmentPart) else None
    return (st.state.value, st.days_left) if st is not None else ("", None)


class PartOut(Schema):
    id: int
    record_id: int
    department_id: int
    version: int
    supersedes_id: int | None
    correction_reason: str
    status: str
    codes: list[str]
    note: str
    items: list[ItemResultOut]
    submitted_at: dt.datetime | None
    return_reason: str
    determined_on: dt.date | None
    publication_due_on: dt.date | None
    publication_state: str = Field(
        "", description="公示状态：due 待公开、overdue 已逾期、on_time 已公开、late 逾期公开；未认定为空"
    )
    publication_days_left: int | None = Field(
        None, description="距公示期限的工作日数（负数为已逾期）；已公开或未认定为空"
    )

    @staticmethod
    def resolve_publication_state(obj):
        return _publication(obj)[0]

    @staticmethod
    def resolve_publication_days_left(obj):
        return _publication(obj)[1]

    @staticmethod
    def resolve_codes(obj):
        return [r.code.code for r in obj.codes.select_related("code")]

    @staticmethod
    def resolve_items(obj):
        return list(obj.item_results.all())


class PartBrief(Schema):
    id: int
    department_id: int
    version: int
    status: str
    publication_due_on: dt.date | None
    publication_state: str = Field("", description="公示状态：due / overdue / on_time / late；未认定为空")

    @staticmethod
    def resolve_publication_state(obj):
        return _publication(obj)[0]


class InspectorPresentOut(Schema):
    inspector_id: int
    department_id: int
    certificate_no: str
    is_expert: bool


class EvidenceOut(Schema):
    id: int
    department_id: int
    item_result_id: int | None
    kind: str
    original_name: str
    content_type: str
    size: int
    sha256: str


class RecordOut(Schema):
    id: int
    task_id: int
    target_id: int
    visit_date: dt.date | None
    place: str
    signature: str
    inspectors: list[InspectorPresentOut]
    parts: list[PartBrief]
    evidence: list[EvidenceOut]


class RecordIn(Schema):
    task_id: int
    target_id: int


class VisitIn(Schema):
    visit_date: dt.date
    place: str = ""
    inspector_ids: list[int] = []
    signature: str = ""
    signer: str = ""
    witnesses: str = ""
    refusal_note: str = ""


class ItemIn(Schema):
    task_item_id: int
    method: str = ""
    answers: dict = {}
    outcome: str = ""
    problem: str = ""
    legal_basis: str = ""


class DraftIn(Schema):
    codes: list[str] = []  # result codes of the current codebook ("01" …)
    note: str = ""
    items: list[ItemIn] = []
    client_request_id: str = ""


class SubmitIn(Schema):
    client_request_id: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ProgressOut(Schema):
    department_id: int
    total: int
    entered: int
    submitted: int
    determined: int
    overdue: int
    due: int = Field(0, description="已认定、未公开、未逾期")
    published: int = Field(0, description="已认定且已公开（含逾期公开）")
    published_late: int = Field(0, description="逾期公开")


# --- Lookups ------------------------------------------------------------------------------------


def _record(request, record_id: int) -> InspectionRecord:
    record = InspectionRecord.objects.select_related("task").filter(pk=record_id).first()
    if record is None or not task_access.visible_tasks(request.user).filter(pk=record.task_id).exists():
        raise Http404(access.NOT_FOUND)
    access.require_record(request.user, record, "api")
    return record


def _record_out(request, record: InspectionRecord) -> dict:
    user = request.user
    parts = [p for p in record.parts.all() if access.part_readable(user, p, record)]
    evidence = [e for e in record.evidence.select_related("item_result__part") if access.evidence_readable(user, e)]
    return {
        "id": record.pk,
        "task_id": record.task_id,
        "target_id": record.target_id,
        "visit_date": record.visit_date,
        "place": record.place,
        "signature": record.signature,
        "inspectors": list(record.inspectors_present.all()),
        "parts": parts,
        "evidence": evidence,
    }


def _part(request, part_id: int) -> DepartmentPart:
    part = DepartmentPart.objects.select_related("record__task", "participant").filter(pk=part_id).first()
    if part is None or not task_access.visible_tasks(request.user).filter(pk=part.record.task_id).exists():
        raise Http404(access.NOT_FOUND)
    record = part.record
    if access.record_mode(request.user, record.task, record.target_id) is None:
        raise Http404(access.NOT_FOUND)
    if not access.part_readable(request.user, part, record):
        raise Http404(access.NOT_FOUND)
    access.require_record(request.user, record, "api")
    return part


def _code_ids(codes: list[str]) -> list[int]:
    book = {c.code: c.pk for c in services.codebook()}
    bad = [c for c in codes if c not in book]
    if bad:
        raise services.ResultRuleError(f"检查结果：结果代码“{bad[0]}”不在现行代码表中。")
    return [book[c] for c in codes]


def _entries(items: list[ItemIn]) -> list[services.ItemEntry]:
    return [services.ItemEntry(**i.dict()) for i in items]


# --- Endpoints ----------------------------------------------------------------------------------


@router.get("/codebook", response=list[ResultCodeOut], summary="检查结果代码表（现行版本）")
def codebook(request):
    return list(services.codebook())


@router.post("/records", response={200: RecordOut}, summary="打开（或创建）抽中对象的检查记录")
@decorate_view(no_store)
def open_record(request, body: RecordIn):
    task = task_access.get_task_or_404(request.user, body.task_id)
    if (
        not services.is_drawn_target(task, body.target_id)
        or access.record_mode(request.user, task, body.target_id) is None
    ):
        raise Http404(access.NOT_FOUND)
    if not access.can_edit_visit(request.user, InspectionRecord(task=task, target_id=body.target_id)):
        raise PermissionDenied("只有本对象的抽中检查人员可以创建检查记录。")
    record = services.open_record(task, body.target_id, request.user)
    access.require_record(request.user, record, "api")
    return _record_out(request, record)


@router.get("/records/{record_id}", response=RecordOut, summary="检查记录（保密：仅参与人员；读取留痕）")
@decorate_view(no_store)
def get_record(request, record_id: int):
    return _record_out(request, _record(request, record_id))


@router.put(
    "/records/{record_id}/visit", response=RecordOut, summary="记录检查情况（日期、地点、到场人员、签字或拒签）"
)
def put_visit(request, record_id: int, body: VisitIn):
    record = _record(request, record_id)
    if not access.can_edit_visit(request.user, record):
        raise PermissionDenied("只有本对象的抽中检查人员可以记录检查情况。")
    services.record_visit(record, services.Visit(**body.dict()), request.user)
    return _record_out(request, record)


@router.get("/tasks/{task_id}/progress", response=list[ProgressOut], summary="任务的检查结果录入进度（各部门）")
def task_progress(request, task_id: int):
    task = task_access.get_task_or_404(request.user, task_id)
    return [
        {
            "department_id": r.participant.department_id,
            "total": r.total,
            "entered": r.entered,
            "submitted": r.submitted,
            "determined": r.determined,
            "overdue": r.overdue,
            "due": r.due,
            "published": r.published,
            "published_late": r.published_late,
        }
        for r in services.progress(task)
    ]


@router.put(
    "/records/{record_id}/parts/{department_id}",
    response=PartOut,
    summary="保存本部门检查结果草稿（谁检查、谁录入；同一 client_request_id 只保存一次）",
)
def save_part(request, record_id: int, department_id: int, body: DraftIn):
    record = _record(request, record_id)
    if not record.task.participants.filter(department_id=department_id).exists():
        raise Http404("该部门不是本任务的参与部门。")
    if not access.can_enter(request.user, record, department_id):
        raise PermissionDenied("只有本部门被抽中检查该对象的执法检查人员可以录入（谁检查、谁录入）。")
    return services.save_draft(
        record,
        department_id,
        request.user,
        code_ids=_code_ids(body.codes),
        note=body.note,
        items=_entries(body.items),
        client_request_id=body.client_request_id,
    )


@router.post("/records/{record_id}/parts/{department_id}/submit", response=PartOut, summary="提交本部门检查结果审核")
def submit_part(request, record_id: int, department_id: int, body: SubmitIn):
    record = _record(request, record_id)
    if not record.task.participants.filter(department_id=department_id).exists():
        raise Http404("该部门不是本任务的参与部门。")
    if not access.can_enter(request.user, record, department_id):
        raise PermissionDenied("只有本部门被抽中检查该对象的执法检查人员可以提交。")
    return services.submit(record, department_id, request.user, client_request_id=body.client_request_id)


@router.get("/parts/{part_id}", response=PartOut, summary="部门检查结果（未认定的仅本部门可见）")
@decorate_view(no_store)
def get_part(request, part_id: int):
    return _part(request, part_id)


def _require_reviewer(request, part: DepartmentPart) -> None:
    if not access.is_reviewer(request.user, part):
        raise PermissionDenied("只有本部门的审核人员（部门系统管理员或承办股室）可以审核。")


@router.post("/parts/{part_id}/return", response=PartOut, summary="退回修改（须填写原因；录入人本人不能审核）")
def return_part(request, part_id: int, body: ReasonIn):
    part = _part(request, part_id)
    _require_reviewer(request, part)
    return services.return_part(part, request.user, body.reason)


@router.post(
    "/parts/{part_id}/determine", response=PartOut, summary="认定（录入人本人不能认定；开始 20 个工作日公示期限）"
)
def determine_part(request, part_id: int, body: ReasonIn):
    part = _part(request, part_id)
    _require_reviewer(request, part)
    return services.determine(part, request.user, body.reason)


@router.post("/parts/{part_id}/corrections", response={201: PartOut}, summary="提出更正（新版本，须填写原因）")
def correct_part(request, part_id: int, body: ReasonIn):
    part = _part(request, part_id)
    if not access.can_correct(request.user, part):
        raise PermissionDenied("只有本部门的检查人员或审核人员可以提出更正。")
    return Status(201, services.start_correction(part, request.user, body.reason))


@router.post("/parts/{part_id}/submit", response=PartOut, summary="提交更正版本审核")
def submit_correction(request, part_id: int, body: SubmitIn):
    part = _part(request, part_id)
    if part.supersedes_id is None or part.status not in (PartStatus.DRAFT, PartStatus.RETURNED):
        raise services.ResultRuleError("这不是待提交的更正版本。")
    if not access.can_correct(request.user, part):
        raise PermissionDenied("只有本部门的检查人员或审核人员可以提交更正。")
    return services.submit_correction(part, request.user, body.client_request_id)


@router.post(
    "/records/{record_id}/evidence",
    response={201: EvidenceOut},
    summary="上传证据材料（图片、PDF、办公文档，单个不超过 20 MB）",
)
def upload_evidence(
    request,
    record_id: int,
    department_id: Form[int],
    file: File[UploadedFile],
    kind: Form[str] = "photo",
    description: Form[str] = "",
):
    record = _record(request, record_id)
    if not access.can_enter(request.user, record, department_id):
        raise PermissionDenied("只有本部门被抽中检查该对象的执法检查人员可以上传本部门的证据材料。")
    services.check_evidence_size(file.name or "未命名", file.size or 0)
    ev = services.add_evidence(
        record,
        request.user,
        name=file.name or "未命名",
        data=file.read(),
        department_id=department_id,
        kind=kind,
        description=description,
    )
    return Status(201, ev)


@router.get("/evidence/{evidence_id}", summary="下载证据材料（保密：仅参与人员；读取留痕）")
@decorate_view(no_store)
def download_evidence(request, evidence_id: int):
    ev = Evidence.objects.select_related("record__task", "item_result__part").filter(pk=evidence_id).first()
    if ev is None or not task_access.visible_tasks(request.user).filter(pk=ev.record.task_id).exists():
        raise Http404(access.NOT_FOUND)
    record = ev.record
    if access.record_mode(request.user, record.task, record.target_id) is None:
        raise Http404(access.NOT_FOUND)
    if not access.evidence_readable(request.user, ev):
        raise Http404(access.NOT_FOUND)
    access.require_record(request.user, record, "evidence")
    with ev.file.open("rb") as fh:
        response = HttpResponse(fh.read(), content_type=ev.content_type)
    response["Content-Disposition"] = f"attachment; filename=evidence-{ev.pk}"
    return response
