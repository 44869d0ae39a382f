"""The inspection workflow: record, entry ("谁检查、谁录入"), review, determination, correction.

Every state change runs in a transaction and is audited (the models are tracked; each step
names itself with ``acting(action="inspections.…")``). Who may do a step is decided in
``access.py``; this module refuses with :class:`ResultRuleError` (Chinese sentences naming the
field, item or file).

States of a department's part: draft → submitted → (returned → submitted …) → determined. The
determination date starts the 20-working-day publication clock (official calendar). A
determined part is frozen; a correction is a new version (``supersedes``) with a reason,
determined again by a reviewer (= the approval); the old version becomes ``superseded``.

Idempotency: each save / submit may carry the client's ``client_request_id`` (offline queue);
the same id for the same record, department and action is stored once and answers the first
outcome.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.inspections import access
from shuangsuiji.inspections.deadlines import PUBLICATION
from shuangsuiji.inspections.models import (
    CODEBOOK_VERSION,
    FLAG_FIELDS,
    OPEN_STATUSES,
    DepartmentPart,
    Evidence,
    InspectionRecord,
    InspectionSummary,
    ItemOutcome,
    ItemResult,
    PartCount,
    PartEvent,
    PartResultCode,
    PartStatus,
    RecordInspector,
    RegisterChangeProposal,
    ResultCode,
    ResultKind,
    SignatureStatus,
)
from shuangsuiji.items.services import validate_answers
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.choices import InspectionMethod
from shuangsuiji.targets.models import LastInspection
from shuangsuiji.tasks import drawday, indexes
from shuangsuiji.tasks.models import DrawStatus, Task, TaskItem, TaskParticipant, without_files
from shuangsuiji.workdays.deadlines import remember
from shuangsuiji.workdays.models import deadline_status
from shuangsuiji.workdays.services import deadline

PUBLICATION_WORKDAYS = 20  # 结果认定之日起 20 个工作日内公示（seeds 000, 001, 002, 004 §11）
MIN_ENFORCEMENT_INSPECTORS = 2  # 不少于 2 名执法检查人员（专家不计入）

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# extension → (content type, how the file starts)
EVIDENCE_TYPES = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "heic": ("image/heic", (b"ftyp",)),  # at offset 4
    "pdf": ("application/pdf", (b"%PDF-",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    "ppt": ("application/vnd.ms-powerpoint", (b"\xd0\xcf\x11\xe0",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
}
EVIDENCE_ACCEPT = ",".join(f".{e}" for e in EVIDENCE_TYPES)


class ResultRuleError(RuleError):
    """A refused step of result entry or review."""


# --- Lookups ------------------------------------------------------------------------------------


def codebook(version: str = CODEBOOK_VERSION):
    return ResultCode.objects.filter(codebook_version=version, is_active=True).order_by("position")


def drawn_target_draw(task: Task):
    draw = drawday.live_target_draw(task)
    return draw if draw is not None and draw.status == DrawStatus.DRAWN else None


def drawn_target_ids(task: Task) -> list[str]:
    draw = drawn_target_draw(task)
    if draw is None:
        return []
    return list(draw.drawn_targets.filter(replaced_by__isnull=True).values_list("target_id", flat=True))


def is_drawn_target(task: Task, target_id) -> bool:
    """Whether the target is among the task's drawn targets (not replaced): one index look-up
    rather than the whole list of ``drawn_target_ids``."""
    draw = drawn_target_draw(task)
    if draw is None:
        return False
    # the drawn targets and the groups (who may enter, 谁检查、谁录入) are index rows the job queue
    # writes after the draw: until then the entry waits (tasks/indexes.py)
    pending = indexes.index_pending(draw)
    if pending is not None:
        raise indexes.IndexPending(pending)
    return draw.drawn_targets.filter(replaced_by__isnull=True, target_id=target_id).exists()


def task_items(participant: TaskParticipant | int) -> list[TaskItem]:
    """The participant's task items (``participant``: the row or its id)."""
    pk = participant if isinstance(participant, int) else participant.pk
    return list(TaskItem.objects.filter(participant_id=pk).select_related("item_version__item").order_by("id"))


def form_version_of(task_item: TaskItem):
    """The check form (published version) of the item, if the item has one."""
    for form in task_item.item_version.forms.select_related("published_version").order_by("code"):
        if form.published_version is not None:
            return form.published_version
    return None


def current_part(record: InspectionRecord, department_id: int) -> DepartmentPart | None:
    """The open version if any, else the determined one, else None."""
    parts = [p for p in record.parts.all() if p.department_id == department_id]
    for status in (*OPEN_STATUSES, PartStatus.DETERMINED):
        for p in parts:
            if p.status == status:
                return p
    return None


def publication_due(determined_on: dt.date) -> dt.date:
    """The publication deadline: 20 working days after determination (provisional, never
    refused, in a year the official calendar lacks; see ``workdays.services.deadline``)."""
    return deadline(determined_on, PUBLICATION_WORKDAYS).day


def is_overdue(part: DepartmentPart, today: dt.date | None = None) -> bool:
    """A determined part past its publication deadline and not published (``publicity.deadlines``)."""
    st = publication_state(part, today)
    return st is not None and st.overdue


def publication_state(part: DepartmentPart | None, today: dt.date | None = None):
    """The part's publication state (``publicity.deadlines.PartPublication``; None unless determined)."""
    from shuangsuiji.publicity import deadlines

    return deadlines.state_of(part, today) if part is not None else None


def publication_states(parts, today: dt.date | None = None) -> dict:
    """{part pk: its publication state} for many parts, with one query for their publications."""
    from shuangsuiji.publicity import deadlines

    return deadlines.states(parts, today)


# --- The record ---------------------------------------------------------------------------------


@transaction.atomic
def open_record(task: Task, target_id: str, user) -> InspectionRecord:
    """The record of a drawn target (created on first use)."""
    if not is_drawn_target(task, target_id):
        raise ResultRuleError("该对象不是本任务的抽中对象（或尚未完成抽取）。")
    record = InspectionRecord.objects.filter(task=task, target_id=target_id).first()
    if record is not None:
        return record
    with acting(actor=user, action="inspections.open_record"):
        try:
            with transaction.atomic():
                return InspectionRecord.objects.create(task=task, target_id=target_id, created_by=user)
        except IntegrityError:  # opened by a team mate at the same moment
            return InspectionRecord.objects.get(task=task, target_id=target_id)


@dataclass
class Visit:
    visit_date: dt.date | None
    place: str = ""
    inspector_ids: list[int] = field(default_factory=list)
    signature: str = ""
    signer: str = ""
    witnesses: str = ""
    refusal_note: str = ""


def _assigned(record: InspectionRecord) -> dict:
    """{inspector id: active assignment} of the record's target, with the inspector and the
    draw's department (not the draw's files)."""
    return {
        a.inspector_id: a
        for a in access.assignments(record.task_id, record.target_id)
        .select_related("inspector", "draw")
        .defer(*without_files("draw"))
    }


def visit_errors(record: InspectionRecord, visit: Visit, assigned: dict | None = None) -> list[str]:
    errors = []
    today = timezone.localdate()
    if visit.visit_date is not None and visit.visit_date > today:
        errors.append(f"检查日期 {visit.visit_date:%Y-%m-%d} 晚于今天。")
    if assigned is None:
        assigned = _assigned(record)
    for pk in visit.inspector_ids:
        if pk not in assigned:
            errors.append(f"检查人员（编号 {pk}）不是本对象的抽中检查人员。")
    if visit.signature == SignatureStatus.REFUSED and not visit.witnesses.strip():
        errors.append("见证人：法定代表人（负责人）拒绝签字时，须记录见证人。")
    if visit.signature == SignatureStatus.SIGNED and not visit.signer.strip():
        errors.append("签字人：已签字盖章时须填写签字人姓名。")
    if visit.visit_date is not None:
        for pk in visit.inspector_ids:
            a = assigned.get(pk)
            if a is None:
                continue
            ins = a.inspector
            valid = (ins.cert_valid_from is None or ins.cert_valid_from <= visit.visit_date) and (
                ins.cert_valid_to >= visit.visit_date
            )
            if not valid:
                errors.append(
                    f"检查人员 {ins.name}（{ins.certificate_no}）的证件在 {visit.visit_date:%Y-%m-%d} 不在有效期内。"
                )
    return errors


@transaction.atomic
def record_visit(record: InspectionRecord, visit: Visit, user) -> InspectionRecord:
    """Record the visit: date, place, the inspectors present (certificates valid that day) and the
    signature or the refusal with witnesses."""
    record = InspectionRecord.objects.select_for_update().get(pk=record.pk)
    if _all_determined(record):
        raise ResultRuleError("本记录各部门的检查结果均已认定，检查情况不可再修改。")
    assigned = _assigned(record)  # (in the record's lock: the same rows for the check and the write)
    errors = visit_errors(record, visit, assigned)
    if errors:
        raise ResultRuleError(errors)
    with acting(actor=user, action="inspections.record_visit"):
        record.visit_date = visit.visit_date
        record.place = visit.place.strip()
        record.signature = visit.signature
        record.signer = visit.signer.strip()
        record.witnesses = visit.witnesses.strip()
        record.refusal_note = visit.refusal_note.strip()
        record.save()
        wanted = set(visit.inspector_ids)
        present = {ri.inspector_id: ri for ri in record.inspectors_present.all()}
        for pk, ri in present.items():
            if pk not in wanted:
                ri.delete()
        for pk in visit.inspector_ids:
            if pk in present:
                continue
            a = assigned[pk]
            RecordInspector.objects.create(
                record=record,
                inspector=a.inspector,
                department_id=a.draw.department_id,
                certificate_no=a.inspector.certificate_no,
                cert_valid_to=a.inspector.cert_valid_to,
                is_expert=a.is_expert or a.inspector.is_expert,
            )
    return record


def _all_determined(record: InspectionRecord) -> bool:
    """Every participating department's part of the record is determined (one query: no
    participant without a determined part)."""
    determined = DepartmentPart.objects.filter(
        record_id=record.pk, status=PartStatus.DETERMINED, department_id=OuterRef("department_id")
    )
    return not TaskParticipant.objects.filter(task_id=record.task_id).filter(~Exists(determined)).exists()


def visit_complete_errors(record: InspectionRecord, on_site: bool) -> list[str]:
    errors = []
    if record.visit_date is None:
        errors.append("检查日期：请先记录检查日期。")
    enforcement = [ri for ri in record.inspectors_present.all() if not ri.is_expert]
    if len(enforcement) < MIN_ENFORCEMENT_INSPECTORS:
        errors.append(
            f"到场检查人员：至少 {MIN_ENFORCEMENT_INSPECTORS} 名执法检查人员（专家不计入），"
            f"当前 {len(enforcement)} 名。"
        )
    if on_site and record.signature in ("", SignatureStatus.NOT_APPLICABLE):
        errors.append("签字确认：实地检查须记录法定代表人（负责人）签字盖章或拒签情况。")
    return errors


# --- Entry --------------------------------------------------------------------------------------


@dataclass
class ItemEntry:
    task_item_id: int
    method: str = ""
    answers: dict = field(default_factory=dict)
    outcome: str = ""
    problem: str = ""
    legal_basis: str = ""


def _participant(record: InspectionRecord, department_id: int) -> TaskParticipant:
    p = record.task.participants.filter(department_id=department_id).first()
    if p is None:
        raise ResultRuleError("该部门不是本任务的参与部门。")
    return p


def _replayed(record: InspectionRecord, department_id: int, action: str, client_request_id: str):
    if not client_request_id:
        return None
    ev = (
        PartEvent.objects.filter(
            part__record=record, part__department_id=department_id, action=action, client_request_id=client_request_id
        )
        .select_related("part")
        .first()
    )
    return ev.part if ev is not None else None


def _clean_request_id(value: str) -> str:
    value = (value or "").strip()
    if len(value) > 64:
        raise ResultRuleError("客户端提交编号过长（最多 64 个字符）。")
    return value


def _codes(code_ids) -> list[ResultCode]:
    ids = []
    for v in code_ids or []:
        try:
            ids.append(int(v))
        except (TypeError, ValueError):
            raise ResultRuleError(f"检查结果：无效的结果代码“{v}”。") from None
    found = {c.pk: c for c in ResultCode.objects.filter(pk__in=[i for i in ids if 0 < i < 2**63])}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ResultRuleError(f"检查结果：结果代码 {missing[0]} 不存在。")
    out = [found[i] for i in dict.fromkeys(ids)]
    for c in out:
        if not c.is_active:
            raise ResultRuleError(f"检查结果：结果代码“{c.label}”已停用。")
    return out


def _item_errors_for_draft(items: dict[int, TaskItem], entries: list[ItemEntry]) -> list[str]:
    errors = []
    seen = set()
    for e in entries:
        ti = items.get(e.task_item_id)
        if ti is None:
            errors.append(f"检查事项（编号 {e.task_item_id}）不是本部门在本任务中的检查事项。")
            continue
        if e.task_item_id in seen:
            errors.append(f"事项「{ti.item_version.name}」重复填写。")
        seen.add(e.task_item_id)
        name = f"事项「{ti.item_version.name}」"
        if e.method and e.method not in (ti.methods or []):
            labels = dict(InspectionMethod.choices)
            allowed = "、".join(labels.get(m, m) for m in ti.methods) or "（无）"
            errors.append(f"{name}的检查方式“{labels.get(e.method, e.method)}”不是本任务规定的方式（{allowed}）。")
        if e.outcome and e.outcome not in ItemOutcome.values:
            errors.append(f"{name}的检查结果无效。")
        if not isinstance(e.answers, dict):
            errors.append(f"{name}：检查表格填写内容格式无效。")
        if len(e.problem) > 5000 or len(e.legal_basis) > 500:
            errors.append(f"{name}：问题描述最多 5000 字，法律依据最多 500 字。")
    return errors


@transaction.atomic
def save_draft(
    record: InspectionRecord,
    department_id: int,
    user,
    *,
    code_ids=(),
    note: str = "",
    items: list[ItemEntry] = (),
    client_request_id: str = "",
) -> DepartmentPart:
    """Save the department's draft (creating it on first save). Only the department's own
    assigned inspectors ("谁检查、谁录入")."""
    client_request_id = _clean_request_id(client_request_id)
    record = InspectionRecord.objects.select_for_update(of=("self",)).select_related("task").get(pk=record.pk)
    if not access.can_enter(user, record, department_id):
        raise ResultRuleError("只有本部门被抽中检查该对象的执法检查人员可以录入本部门的检查结果（谁检查、谁录入）。")
    replay = _replayed(record, department_id, PartEvent.Action.SAVE, client_request_id)
    if replay is not None:
        return replay
    participant = _participant(record, department_id)
    part = current_part(record, department_id)
    if part is not None and part.status == PartStatus.SUBMITTED:
        raise ResultRuleError("检查结果已提交待审核，不能修改；如需修改请联系审核人退回。")
    if part is not None and part.status == PartStatus.DETERMINED:
        raise ResultRuleError("检查结果已认定，不能修改；如有错误请提出更正。")
    codes = _codes(code_ids)
    tis = {ti.pk: ti for ti in task_items(participant)}
    errors = _item_errors_for_draft(tis, list(items))
    if len(note) > 5000:
        errors.append("情况说明最多 5000 字。")
    if errors:
        raise ResultRuleError(errors)
    now = timezone.now()
    with acting(actor=user, action="inspections.save_draft"):
        created = part is None
        if created:  # one insert (and one audit entry) with the whole draft, not insert + update
            part = DepartmentPart.objects.create(
                record=record,
                participant=participant,
                department_id=department_id,
                status=PartStatus.DRAFT,
                note=note.strip(),
                entered_by=user,
                entered_at=now,
            )
        else:
            part.note = note.strip()
            part.entered_by = user
            part.entered_at = now
            if part.status == PartStatus.RETURNED:
                part.status = PartStatus.DRAFT
            part.save()
        _set_codes(part, codes, created)
        existing = {} if created else {r.task_item_id: r for r in part.item_results.all()}
        for e in items:
            ti = tis[e.task_item_id]
            row = existing.get(e.task_item_id) or ItemResult(part=part, task_item=ti)
            row.method = e.method
            row.answers = e.answers or {}
            row.outcome = e.outcome
            row.problem = e.problem.strip() if e.outcome == ItemOutcome.PROBLEM else ""
            row.legal_basis = e.legal_basis.strip() if e.outcome == ItemOutcome.PROBLEM else ""
            row.form_version = form_version_of(ti)
            row.save()
        _event(part, PartEvent.Action.SAVE, user, client_request_id=client_request_id)
    return part


def _set_codes(part: DepartmentPart, codes: list[ResultCode], created: bool = False) -> None:
    wanted = {c.pk for c in codes}
    have: set[int] = set()
    if not created:  # (a part just created has no codes yet)
        for row in part.codes.all():
            if row.code_id not in wanted:
                row.delete()
            else:
                have.add(row.code_id)
    for c in codes:
        if c.pk not in have:
            PartResultCode.objects.create(part=part, code=c)


def _event(part, action, user, reason: str = "", client_request_id: str = "") -> PartEvent:
    return PartEvent.objects.create(
        part=part, action=action, actor=user, reason=reason, client_request_id=client_request_id
    )


def _part_codes(part: DepartmentPart) -> list[ResultCode]:
    return [r.code for r in part.codes.select_related("code")]


def consistency_errors(part: DepartmentPart, codes: list[ResultCode] | None = None) -> list[str]:
    """Everything a submission must satisfy, as Chinese sentences naming the item or field.
    ``codes``: the part's result codes if the caller has just read them (same transaction)."""
    errors: list[str] = []
    codes = _part_codes(part) if codes is None else codes
    if not codes:
        return ["检查结果：请选择至少一项检查结果。"]
    kinds = {c.kind for c in codes}
    if len(kinds) > 1:
        errors.append("检查结果：“已实施检查”的结果与“未能实施检查”的结果（如无法联系、注销）不能同时选择。")
    labels = [c.label for c in codes]
    clean = next((c for c in codes if c.kind == ResultKind.INSPECTED and not c.found_problem), None)
    if clean is not None and any(c.found_problem for c in codes):
        errors.append(f"检查结果：“{clean.label}”不能与发现问题的结果同时选择。")
    # the forms' fields once for both checks (validate_answers, _reference_errors)
    results = {
        r.task_item_id: r
        for r in part.item_results.select_related("task_item__item_version", "form_version").prefetch_related(
            "form_version__fields"
        )
    }
    record = part.record
    if kinds == {ResultKind.NON_INSPECTION}:
        if not part.note.strip():
            errors.append(f"情况说明：检查结果为“{'、'.join(labels)}”时须填写情况说明。")
        if results:
            errors.append("事项检查结果：未能实施检查时不填写各事项的检查结果，请清空后再提交。")
        return errors
    on_site = False
    failed = []
    for ti in task_items(part.participant_id):  # (by id: the participant row is not needed)
        name = f"事项「{ti.item_version.name}」"
        r = results.get(ti.pk)
        if r is None or not r.method or not r.outcome:
            errors.append(f"{name}：请填写检查方式和检查结果。")
            continue
        on_site = on_site or r.method == InspectionMethod.ON_SITE
        if r.outcome == ItemOutcome.PROBLEM:
            failed.append(ti.item_version.name)
            if not r.problem.strip():
                errors.append(f"{name}：发现问题时须描述问题。")
            if not r.legal_basis.strip():
                errors.append(f"{name}：发现问题时须填写问题的法律依据。")
        if r.form_version is not None:
            errors.extend(f"{name}：{m}" for m in validate_answers(r.form_version, r.answers))
            errors.extend(f"{name}：{m}" for m in _reference_errors(part, r))
    if clean is not None and failed:
        errors.append(f"检查结果为“{clean.label}”，但事项「{failed[0]}」发现问题。")
    if any(c.found_problem for c in codes) and not failed and not errors:
        errors.append("检查结果为发现问题，但没有事项记录为“发现问题”。")
    errors.extend(visit_complete_errors(record, on_site))
    return errors


@transaction.atomic
def submit(record: InspectionRecord, department_id: int, user, client_request_id: str = "") -> DepartmentPart:
    client_request_id = _clean_request_id(client_request_id)
    record = InspectionRecord.objects.select_for_update(of=("self",)).select_related("task").get(pk=record.pk)
    if not access.can_enter(user, record, department_id):
        raise ResultRuleError("只有本部门被抽中检查该对象的执法检查人员可以提交本部门的检查结果。")
    replay = _replayed(record, department_id, PartEvent.Action.SUBMIT, client_request_id)
    if replay is not None:
        return replay
    part = current_part(record, department_id)
    if part is None or part.status not in (PartStatus.DRAFT, PartStatus.RETURNED):
        raise ResultRuleError("没有可提交的检查结果草稿。")
    errors = consistency_errors(part)
    if errors:
        raise ResultRuleError(errors)
    with acting(actor=user, action="inspections.submit"):
        part.status = PartStatus.SUBMITTED
        part.submitted_by = user
        part.submitted_at = timezone.now()
        part.save()
        _event(part, PartEvent.Action.SUBMIT, user, client_request_id=client_request_id)
    return part


def _locked(part: DepartmentPart) -> DepartmentPart:
    # the part and its record only: a FOR UPDATE over the joined task and participant rows would
    # serialise every entry of the task (and deadlocked concurrent entries with the audit head)
    return (
        DepartmentPart.objects.select_for_update(of=("self", "record"))
        .select_related("record__task", "participant")
        .get(pk=part.pk)
    )


@transaction.atomic
def return_part(part: DepartmentPart, user, reason: str) -> DepartmentPart:
    part = _locked(part)
    reason = (reason or "").strip()
    if not access.can_review(user, part):
        raise ResultRuleError("只有本部门的审核人员（部门系统管理员或承办股室）可以退回，且不能是录入人本人。")
    if part.status != PartStatus.SUBMITTED:
        raise ResultRuleError("只有已提交待审核的检查结果可以退回。")
    if not reason:
        raise ResultRuleError("退回原因：请填写退回原因。")
    if len(reason) > 500:
        raise ResultRuleError("退回原因最多 500 字。")
    with acting(actor=user, action="inspections.return", reason=reason):
        part.status = PartStatus.RETURNED
        part.returned_by = user
        part.returned_at = timezone.now()
        part.return_reason = reason
        part.save()
        _event(part, PartEvent.Action.RETURN, user, reason=reason)
    return part


@transaction.atomic
def determine(part: DepartmentPart, user, opinion: str = "", today: dt.date | None = None) -> DepartmentPart:
    """认定: the reviewer (never who entered it) determines the part; the publication clock starts."""
    part = _locked(part)
    if not access.can_review(user, part):
        raise ResultRuleError("只有本部门的审核人员（部门系统管理员或承办股室）可以认定，且不能是录入人本人。")
    if part.status != PartStatus.SUBMITTED:
        raise ResultRuleError("只有已提交待审核的检查结果可以认定。")
    codes = _part_codes(part)  # the part is locked: the same codes for the check and the register
    errors = consistency_errors(part, codes)
    if errors:
        raise ResultRuleError(errors)
    opinion = (opinion or "").strip()[:500]
    today = today or timezone.localdate()
    now = timezone.now()
    with acting(actor=user, action="inspections.determine" if part.supersedes_id is None else "inspections.correct"):
        if part.supersedes_id is not None:
            old = DepartmentPart.objects.select_for_update().get(pk=part.supersedes_id)
            old.status = PartStatus.SUPERSEDED
            old.superseded_at = now
            old.save()
        part.status = PartStatus.DETERMINED
        part.determined_by = user
        part.determined_at = now
        part.determined_on = today
        due = deadline(today, PUBLICATION_WORKDAYS)
        part.publication_due_on, part.deadline_status = due.day, deadline_status(due)
        part.save()
        # provisional in a year without its calendar: recomputed when the year is entered
        remember(PUBLICATION, part.pk, today, PUBLICATION_WORKDAYS, due)
        _event(part, PartEvent.Action.DETERMINE, user, reason=opinion)
        _feed_register(part, user, codes)
        # The credit loop (issue 14): the result codes' rules, in the same transaction.
        from shuangsuiji.followups.services import on_part_determined

        on_part_determined(part, user, today, codes={c.code for c in codes})
    return part


def _feed_register(part: DepartmentPart, user, codes: list[ResultCode] | None = None) -> None:
    """Determined results feed LastInspection (inspected outcomes) and propose register changes
    (non-inspection outcomes that say something about the target)."""
    record = part.record
    codes = _part_codes(part) if codes is None else codes
    if any(c.kind == ResultKind.INSPECTED for c in codes) and record.visit_date is not None:
        last = LastInspection.objects.filter(target_id=record.target_id, department_id=part.department_id).first()
        if last is None:
            LastInspection.objects.create(
                target_id=record.target_id, department_id=part.department_id, inspected_on=record.visit_date
            )
        elif last.inspected_on < record.visit_date:
            last.inspected_on = record.visit_date
            last.save()
    for c in codes:
        for name, value in c.register_changes:
            if not RegisterChangeProposal.objects.filter(
                target_id=record.target_id, field=name, value=value, status=RegisterChangeProposal.Status.PROPOSED
            ).exists():
                RegisterChangeProposal.objects.create(part=part, target_id=record.target_id, field=name, value=value)


@transaction.atomic
def start_correction(part: DepartmentPart, user, reason: str) -> DepartmentPart:
    """A correction of a determined part: a new draft version (copy of the determined one) with a
    reason; it is determined again by a reviewer (the approval), and both versions stay."""
    part = _locked(part)
    reason = (reason or "").strip()
    if part.status != PartStatus.DETERMINED:
        raise ResultRuleError("只有已认定的检查结果可以更正。")
    if not access.can_correct(user, part):
        raise ResultRuleError("只有本部门的检查人员或审核人员可以提出更正。")
    if not reason:
        raise ResultRuleError("更正原因：请填写更正原因。")
    if len(reason) > 500:
        raise ResultRuleError("更正原因最多 500 字。")
    if part.record.parts.filter(department_id=part.department_id, status__in=OPEN_STATUSES).exists():
        raise ResultRuleError("已有一个正在办理的更正版本。")
    with acting(actor=user, action="inspections.start_correction", reason=reason):
        new = DepartmentPart.objects.create(
            record=part.record,
            participant=part.participant,
            department_id=part.department_id,
            version=part.version + 1,
            supersedes=part,
            correction_reason=reason,
            status=PartStatus.DRAFT,
            note=part.note,
            entered_by=user,
            entered_at=timezone.now(),
        )
        for r in part.codes.all():
            PartResultCode.objects.create(part=new, code_id=r.code_id)
        for r in part.item_results.all():
            ItemResult.objects.create(
                part=new,
                task_item_id=r.task_item_id,
                method=r.method,
                form_version_id=r.form_version_id,
                answers=r.answers,
                outcome=r.outcome,
                problem=r.problem,
                legal_basis=r.legal_basis,
            )
        _event(new, PartEvent.Action.CORRECT, user, reason=reason)
    return new


@transaction.atomic
def submit_correction(part: DepartmentPart, user, client_request_id: str = "") -> DepartmentPart:
    """A correction version is submitted by whoever asked for it (an inspector or a reviewer);
    the determination (approval) is by another reviewer."""
    part = _locked(part)
    if part.supersedes_id is None:
        return submit(part.record, part.department_id, user, client_request_id)
    if not access.can_correct(user, part):
        raise ResultRuleError("只有本部门的检查人员或审核人员可以提交更正。")
    if part.status not in (PartStatus.DRAFT, PartStatus.RETURNED):
        raise ResultRuleError("没有可提交的更正版本。")
    errors = consistency_errors(part)
    if errors:
        raise ResultRuleError(errors)
    with acting(actor=user, action="inspections.submit_correction"):
        part.status = PartStatus.SUBMITTED
        part.submitted_by = user
        part.submitted_at = timezone.now()
        part.save()
        _event(part, PartEvent.Action.SUBMIT, user, client_request_id=_clean_request_id(client_request_id))
    return part


def evidence_ref(ev: Evidence) -> str:
    """How an answer to a photo/attachment field of a check form names an uploaded file."""
    return f"evidence:{ev.pk}"


def _reference_errors(part: DepartmentPart, r: ItemResult) -> list[str]:
    """Photo/attachment answers must name files uploaded to this record by this department."""
    from shuangsuiji.items.models import FieldType

    errors = []
    for f in r.form_version.fields.all():
        if f.field_type != FieldType.ATTACHMENT or f.key not in r.answers:
            continue
        value = r.answers[f.key]
        refs = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        ids = []
        for ref in refs:
            head, _, tail = str(ref).partition(":")
            if head != "evidence" or not tail.isdigit() or len(tail) > 18:
                errors.append(f"「{f.label}」的文件引用“{ref}”无效，请上传后选择。")
            else:
                ids.append(int(tail))
        found = set(
            Evidence.objects.filter(pk__in=ids, record_id=part.record_id, department_id=part.department_id).values_list(
                "pk", flat=True
            )
        )
        errors.extend(f"「{f.label}」引用的材料 {i} 不是本部门为本记录上传的材料。" for i in ids if i not in found)
    return errors


# --- Evidence -----------------------------------------------------------------------------------


def check_evidence_size(name: str, size: int) -> None:
    if size == 0:
        raise ResultRuleError(f"文件「{name}」为空。")
    if size > MAX_EVIDENCE_BYTES:
        raise ResultRuleError(
            f"文件「{name}」过大（{size / 1024 / 1024:.1f} MB）："
            f"单个文件不超过 {MAX_EVIDENCE_BYTES // 1024 // 1024} MB。"
        )


def check_evidence_file(name: str, data: bytes) -> str:
    """The content type of an acceptable file; a Chinese error naming the file and the limit."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise ResultRuleError(
            f"文件「{name}」的类型不允许：只能上传图片（jpg、png、gif、webp、heic）、PDF "
            "或办公文档（doc、docx、xls、xlsx、ppt、pptx）。"
        )
    check_evidence_size(name, len(data))
    content_type, magics = EVIDENCE_TYPES[ext]
    head = data[4:8] if ext == "heic" else data[:8]
    if not any(head.startswith(m) for m in magics):
        raise ResultRuleError(f"文件「{name}」的内容与扩展名 .{ext} 不符。")
    return content_type


THUMBNAIL_PX = 320


def thumbnail_of(data: bytes, content_type: str) -> bytes | None:
    """A JPEG of a photo at most ``THUMBNAIL_PX`` on its longer side, turned upright by its
    EXIF orientation (a phone's portrait photo); None for anything Pillow cannot read (a
    damaged or unsupported image keeps no thumbnail and the upload still succeeds)."""
    if not content_type.startswith("image/"):
        return None
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img)
            img.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            if img.mode not in ("RGB", "L"):
                img = img.convert("RGBA")
                flat = Image.new("RGB", img.size, (255, 255, 255))
                flat.paste(img, mask=img.getchannel("A"))
                img = flat
            out = io.BytesIO()
            img.save(out, "JPEG", quality=75)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):  # unreadable
        return None


@transaction.atomic
def add_evidence(
    record: InspectionRecord,
    user,
    *,
    name: str,
    data: bytes,
    department_id: int,
    kind: str = Evidence.Kind.PHOTO,
    description: str = "",
    item_result: ItemResult | None = None,
) -> Evidence:
    name = (name or "未命名").replace("/", "_").replace("\\", "_")[:200]
    if not access.can_enter(user, record, department_id):
        raise ResultRuleError("只有本部门被抽中检查该对象的执法检查人员可以上传本部门的证据材料。")
    if kind not in Evidence.Kind.values:
        raise ResultRuleError("材料类别无效。")
    if item_result is not None:
        if item_result.part.record_id != record.pk or item_result.part.department_id != department_id:
            raise ResultRuleError("该事项检查结果不属于本部门的本条记录。")
        if not item_result.part.is_open or item_result.part.status == PartStatus.SUBMITTED:
            raise ResultRuleError("检查结果已提交或已认定，不能再为其事项上传材料。")
    content_type = check_evidence_file(name, data)
    sha = hashlib.sha256(data).hexdigest()
    with acting(actor=user, action="inspections.add_evidence"):
        ev = Evidence(
            record=record,
            item_result=item_result,
            department_id=department_id,
            kind=kind,
            description=(description or "").strip()[:200],
            original_name=name,
            content_type=content_type,
            size=len(data),
            sha256=sha,
            thumbnail=thumbnail_of(data, content_type),
            uploaded_by=user,
        )
        ev.file.save(sha, ContentFile(data), save=False)
        ev.save()
    return ev


# --- Summary ------------------------------------------------------------------------------------


@transaction.atomic
def save_summary(
    record: InspectionRecord, user, *, inspected_at, content, findings="", handling_opinion="", suggestions=""
):
    if not access.can_edit_visit(user, record):
        raise ResultRuleError("只有本对象的抽中检查人员可以填写检查小结。")
    if not (content or "").strip():
        raise ResultRuleError("检查内容：请填写检查内容。")
    if inspected_at is None:
        raise ResultRuleError("检查时间：请填写检查时间。")
    with acting(actor=user, action="inspections.save_summary"):
        summary, _ = InspectionSummary.objects.update_or_create(
            record=record,
            defaults={
                "inspected_at": inspected_at,
                "content": content.strip(),
                "findings": (findings or "").strip(),
                "handling_opinion": (handling_opinion or "").strip(),
                "suggestions": (suggestions or "").strip(),
                "written_by": user,
            },
        )
    return summary


# --- Register proposals -------------------------------------------------------------------------


@transaction.atomic
def decide_proposal(proposal: RegisterChangeProposal, user, apply: bool, note: str = "") -> RegisterChangeProposal:
    from shuangsuiji.targets.services import update_target

    proposal = RegisterChangeProposal.objects.select_for_update().select_related("target").get(pk=proposal.pk)
    if not access.can_decide_register(user, proposal):
        raise ResultRuleError("只有该对象所在区域的名录库维护人员可以处理变更建议。")
    if proposal.status != RegisterChangeProposal.Status.PROPOSED:
        raise ResultRuleError("该变更建议已处理。")
    note = (note or "").strip()[:500]
    if not apply and not note:
        raise ResultRuleError("处理意见：不予变更时请填写理由。")
    with acting(actor=user, action="inspections.decide_register_change", reason=note):
        if apply:
            value = proposal.value == "true" if proposal.field in FLAG_FIELDS else proposal.value
            reason = f"检查结果认定（{proposal.part.record.task.code}）：{note}".rstrip("：")
            update_target(proposal.target, {proposal.field: value}, user=user, reason=reason)
            proposal.target_change = proposal.target.changes.order_by("-id").first()
        proposal.status = RegisterChangeProposal.Status.APPLIED if apply else RegisterChangeProposal.Status.DECLINED
        proposal.decided_by = user
        proposal.decided_at = timezone.now()
        proposal.decision_note = note
        proposal.save()
    return proposal


# --- Progress and work lists --------------------------------------------------------------------


@dataclass
class DepartmentProgress:
    participant: TaskParticipant
    total: int
    entered: int
    submitted: int
    determined: int
    overdue: int  # determined, unpublished, past the due date (publicity.deadlines)
    next_due: dt.date | None  # the nearest due date of the unpublished determined parts not yet overdue
    due: int = 0  # determined, unpublished, not yet past the due date
    published: int = 0  # determined and published (on time or late)
    published_late: int = 0

    @property
    def percent_entered(self) -> int:
        return round(100 * self.entered / self.total) if self.total else 0

    @property
    def percent_determined(self) -> int:
        return round(100 * self.determined / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.determined == self.total


def _count(by_dep: dict, dep: int, status: str, n: int) -> None:
    """``n`` parts of ``dep`` in ``status``: entered (any current version), submitted
    (submitted or determined), determined; a superseded version counts for nothing."""
    r = by_dep.setdefault(dep, {"entered": 0, "submitted": 0, "determined": 0})
    if status == PartStatus.SUPERSEDED:
        return
    r["entered"] += n
    if status in (PartStatus.SUBMITTED, PartStatus.DETERMINED):
        r["submitted"] += n
    if status == PartStatus.DETERMINED:
        r["determined"] += n


def _without_open_corrections(parts, by_dep: dict) -> None:
    """An open correction (draft or submitted) beside its determined version: the record counts
    once, as determined, not also as entered / submitted (progress and recount alike)."""
    beside = DepartmentPart.objects.filter(
        record_id=OuterRef("record_id"), department_id=OuterRef("department_id"), status=PartStatus.DETERMINED
    )
    for dep, status, n in (
        parts.filter(status__in=OPEN_STATUSES)
        .filter(Exists(beside))
        .values("department_id", "status")
        .annotate(n=Count("id"))
        .values_list("department_id", "status", "n")
    ):
        by_dep[dep]["entered"] -= n
        if status == PartStatus.SUBMITTED:
            by_dep[dep]["submitted"] -= n


def progress(task: Task, today: dt.date | None = None, draw=None) -> list[DepartmentProgress]:
    """Per participating department: drawn targets N, and how many have a part entered (any
    current version), submitted (submitted or determined) and determined; of the determined,
    their publication state by the one rule (``publicity.deadlines``: due, overdue, published,
    published late).

    The counts per state (and due date) are read from ``PartCount`` (kept by database triggers
    on every part; a few rows per participant) instead of counting the parts; what the counts
    do not know is asked of the few rows concerned: the parts of records whose target is no
    longer drawn (subtracted), an open correction beside its determined version (a record
    counts once), the published parts (by the publications). Equal to ``recount`` (tests)."""
    from shuangsuiji.publicity import deadlines

    today = today or timezone.localdate()
    draw = draw or drawn_target_draw(task)  # ``draw``: the task's drawn target draw, when the caller has it
    participants = list(task.participants.select_related("department").order_by("-role", "id"))
    dep_of = {p.pk: p.department_id for p in participants}
    by_dep: dict = {}
    due: dict = {}
    total = 0
    if draw is not None:
        active = draw.drawn_targets.filter(replaced_by__isnull=True)
        total = _drawn_total(draw, active)
        # (department, status, due date) → parts
        tally: dict[tuple, int] = {}
        for participant_id, status, due_on, n in PartCount.objects.filter(
            participant_id__in=list(dep_of), n__gt=0
        ).values_list("participant_id", "status", "due_on", "n"):
            key = (dep_of[participant_id], status, due_on)
            tally[key] = tally.get(key, 0) + n
        parts = DepartmentPart.objects.filter(participant_id__in=list(dep_of))
        stale = _stale_records(task, draw, active)
        if stale:
            for dep, status, due_on, n in (
                parts.filter(record_id__in=stale)
                .values("department_id", "status", "publication_due_on")
                .annotate(n=Count("id"))
                .values_list("department_id", "status", "publication_due_on", "n")
            ):
                tally[(dep, status, due_on)] -= n
            parts = parts.exclude(record_id__in=stale)
        for (dep, status, _due_on), n in tally.items():
            _count(by_dep, dep, status, n)
        _without_open_corrections(parts, by_dep)
        # the publication states by the one rule: the determined parts per due date, less the
        # published ones (a semi-join with the publications, whose count it costs)
        determined = parts.filter(status=PartStatus.DETERMINED)
        unpublished = {k: n for k, n in tally.items() if k[1] == PartStatus.DETERMINED}
        for dep, due_on, n in (
            determined.filter(deadlines.published_q())
            .values("department_id", "publication_due_on")
            .annotate(n=Count("id"))
            .values_list("department_id", "publication_due_on", "n")
        ):
            key = (dep, PartStatus.DETERMINED, due_on)
            unpublished[key] = unpublished.get(key, 0) - n
            r = by_dep.setdefault(dep, {})
            r["published"] = r.get("published", 0) + n
        for dep, n in (
            determined.filter(deadlines.late_q())
            .values("department_id")
            .annotate(n=Count("id"))
            .values_list("department_id", "n")
        ):
            by_dep.setdefault(dep, {})["published_late"] = n
        # the rule of ``deadlines.due_q`` / ``overdue_q``: unpublished, due date today or later / past
        for (dep, _status, due_on), n in unpublished.items():
            if n <= 0:
                continue
            r = by_dep.setdefault(dep, {})
            key = "due" if due_on >= today else "overdue"
            r[key] = r.get(key, 0) + n
            if key == "due" and (dep not in due or due_on < due[dep]):
                due[dep] = due_on
    return _rows(participants, total, by_dep, due)


def _drawn_total(draw, active) -> int:
    """How many targets the draw has drawn (not replaced). The drawn rows change only with a new
    result version of the draw (the draw itself, a replacement from the reserve, written in the
    transaction that stores the version), so the count is kept in the cache per version: the
    page does not count 50,001 rows (15–45 ms at load 5) on every load. The key holds the
    version's SHA-256 beside the ids: a database restored or made anew reuses ids, and a shared
    cache (Redis) outlives it. While the job queue writes the draw's first index rows
    (``tasks.indexes``) the count is not final: not kept."""
    from django.core.cache import cache

    version = draw.results.order_by("-version").values_list("pk", "result_sha256").first()
    if version is None or not draw.index_complete:
        return active.count()
    key = "inspections:drawn-total:{}:{}:{}".format(draw.pk, *version)
    total = cache.get(key)
    if total is None:
        total = active.count()
        cache.set(key, total, timeout=None)
    return total


def _stale_records(task: Task, draw, active) -> list[int]:
    """The records of the task whose target is no longer drawn (replaced; normally none).

    A record is opened only for a target drawn at that moment (``open_record``), so while the
    task has had this one target draw, only the replaced targets' records can be stale: looked
    for among the replaced rows (a partial index); otherwise by an anti-join of all the task's
    records against the drawn targets."""
    from shuangsuiji.tasks.models import DrawKind

    records = InspectionRecord.objects.filter(task=task)
    if not task.draws.filter(kind=DrawKind.TARGETS).exclude(pk=draw.pk).exists():
        records = records.filter(target_id__in=draw.drawn_targets.filter(replaced_by__isnull=False).values("target_id"))
    return list(records.exclude(target_id__in=active.values("target_id")).values_list("pk", flat=True))


def _rows(participants, total: int, by_dep: dict, due: dict) -> list[DepartmentProgress]:
    out = []
    for p in participants:
        r = by_dep.get(p.department_id, {})
        out.append(
            DepartmentProgress(
                participant=p,
                total=total,
                entered=r.get("entered", 0),
                submitted=r.get("submitted", 0),
                determined=r.get("determined", 0),
                overdue=r.get("overdue", 0),
                next_due=due.get(p.department_id),
                due=r.get("due", 0),
                published=r.get("published", 0),
                published_late=r.get("published_late", 0),
            )
        )
    return out


def recount(task: Task, today: dt.date | None = None) -> list[DepartmentProgress]:
    """The progress counted from the parts themselves (the reference for ``progress``, which
    reads the counts the triggers keep; the tests compare both after every transition).

    Per participating department: drawn targets N, and how many have a part entered (any
    current version), submitted (submitted or determined) and determined; of the determined,
    their publication state by the one rule (``publicity.deadlines``: due, overdue, published,
    published late)."""
    from shuangsuiji.publicity import deadlines

    today = today or timezone.localdate()
    draw = drawn_target_draw(task)
    participants = list(task.participants.select_related("department").order_by("-role", "id"))
    by_dep: dict = {}
    due: dict = {}
    total = 0
    if draw is not None:
        active = draw.drawn_targets.filter(replaced_by__isnull=True)
        total = active.count()
        # The parts of the task by their participant (no join to the records), without those of
        # records whose target is no longer drawn (replaced; normally none): one index-only
        # anti-join instead of a join to the records and a semi-join to every drawn target in
        # each of the counts below.
        stale = list(
            InspectionRecord.objects.filter(task=task)
            .exclude(target_id__in=active.values("target_id"))
            .values_list("pk", flat=True)
        )
        parts = DepartmentPart.objects.filter(participant_id__in=[p.pk for p in participants])
        if stale:
            parts = parts.exclude(record_id__in=stale)
        # At most one open and one determined version per record and department (the
        # constraints), so "records with a part" = open + determined − records with both (an
        # open correction beside its determined version; normally few): plain counts instead of
        # COUNT(DISTINCT record) over every part of the task.
        for dep, status, n in (
            parts.exclude(status=PartStatus.SUPERSEDED)
            .values("department_id", "status")
            .annotate(n=Count("id"))
            .values_list("department_id", "status", "n")
        ):
            _count(by_dep, dep, status, n)
        _without_open_corrections(parts, by_dep)
        # the publication states by the one rule, each as a filter (the planner's semi- or
        # anti-join with the publications) rather than a sub-query per part
        determined = parts.filter(status=PartStatus.DETERMINED)
        counts = (
            ("overdue", determined.filter(deadlines.overdue_q(today))),
            ("published", determined.filter(deadlines.published_q())),
            ("published_late", determined.filter(deadlines.late_q())),
        )
        for key, qs in counts:
            for dep, n in qs.values("department_id").annotate(n=Count("id")).values_list("department_id", "n"):
                by_dep.setdefault(dep, {})[key] = n
        for dep, n, first in (
            determined.filter(deadlines.due_q(today))
            .values("department_id")
            .annotate(n=Count("id"), m=Min("publication_due_on"))
            .values_list("department_id", "n", "m")
        ):
            by_dep.setdefault(dep, {})["due"] = n
            due[dep] = first
    return _rows(participants, total, by_dep, due)


def is_complete(task: Task) -> bool:
    """Every drawn target has a determined part from every participating department."""
    rows = progress(task)
    return bool(rows) and all(r.complete for r in rows)


def work_list(user, today: dt.date | None = None, limit: int = 200) -> list[dict]:
    """The inspector's assigned targets with what is left to do (home page, to-do)."""
    from shuangsuiji.tasks.models import Assignment, DrawKind, without_files

    today = today or timezone.localdate()
    inspector = access._inspector(user)
    if inspector is None:
        return []
    rows = list(
        Assignment.objects.filter(
            inspector=inspector,
            ended_at__isnull=True,
            draw__status=DrawStatus.DRAWN,
            draw__kind=DrawKind.INSPECTORS,
        )
        .select_related("target", "draw__task", "draw__department")
        .defer(*without_files("draw"))
        .order_by("-draw__task__window_to", "target__name")[:limit]
    )
    if not rows:
        return []
    records = {
        (r.task_id, r.target_id): r
        for r in InspectionRecord.objects.filter(
            task_id__in={a.draw.task_id for a in rows}, target_id__in={a.target_id for a in rows}
        )
    }
    parts: dict[tuple[int, int], DepartmentPart] = {}
    for p in DepartmentPart.objects.filter(record__in=list(records.values())).exclude(status=PartStatus.SUPERSEDED):
        key = (p.record_id, p.department_id)
        if key not in parts or p.status in OPEN_STATUSES:
            parts[key] = p
    from shuangsuiji.publicity import deadlines

    publication = deadlines.states(parts.values(), today)
    out = []
    for a in rows:
        task = a.draw.task
        rec = records.get((task.pk, a.target_id))
        part = parts.get((rec.pk, a.draw.department_id)) if rec is not None else None
        status = part.status if part is not None else ""
        st = publication.get(part.pk) if part is not None else None
        left = {
            "": "待检查录入",
            PartStatus.DRAFT: "录入中，待提交",
            PartStatus.RETURNED: "已退回，待修改后重新提交",
            PartStatus.SUBMITTED: "已提交，待审核",
            PartStatus.DETERMINED: "已认定" + (f"，{st.label}" if st is not None else ""),
        }[status]
        out.append(
            {
                "task": task,
                "target": a.target,
                "department": a.draw.department,
                "record": rec,
                "part": part,
                "status": status,
                "left": left,
                "done": status == PartStatus.DETERMINED,
                "due": part.publication_due_on if part is not None and part.publication_due_on else task.window_to,
                "publication": st,
                "overdue": (
                    st is not None and st.overdue
                    if status == PartStatus.DETERMINED
                    else (status in ("", PartStatus.DRAFT, PartStatus.RETURNED) and today > task.window_to)
                ),
            }
        )
    out.sort(key=lambda r: (r["done"], r["due"] or dt.date.max))
    return out


def review_queue(user, limit: int = 100):
    """Parts waiting for this user's review (submitted, in a department they review)."""
    from shuangsuiji.accounts.models import Role

    if not (user.is_authenticated and user.has_role(Role.DEPARTMENT_ADMIN, Role.UNIT_OPERATOR)):
        return []
    org = user.organisation_id
    qs = (
        DepartmentPart.objects.filter(status=PartStatus.SUBMITTED)
        .filter(Q(department_id=org) | Q(participant__unit_id=org))
        .select_related("record__task", "record__target", "participant", "department")
        .order_by("submitted_at")[:limit]
    )
    return [p for p in qs if access.is_reviewer(user, p)]


def publication_waiting(user, limit: int = 10):
    """Determined parts of the reviewer's department not yet published, by publication
    deadline (the home page's to-do shows the deadline and flags overdue ones; the state is
    ``publicity.deadlines``'s)."""
    from shuangsuiji.accounts.models import Role
    from shuangsuiji.publicity import deadlines

    if not (user.is_authenticated and user.has_role(Role.DEPARTMENT_ADMIN, Role.UNIT_OPERATOR)):
        return []
    org = user.organisation_id
    qs = (
        DepartmentPart.objects.filter(status=PartStatus.DETERMINED)
        .filter(deadlines.unpublished_q())
        .filter(Q(department_id=org) | Q(participant__unit_id=org))
        .select_related("record__task", "record__target", "participant", "department")
        .order_by("publication_due_on", "id")[:limit]
    )
    return [p for p in qs if access.is_reviewer(user, p)]
