"""Follow-up workflow (后续处置): open, steps, transfer, re-inspection, escalation, closure.

Every state change is one transaction with one named audit action (``followups.open``,
``followups.step``, ``followups.transfer``, ``followups.accept``, ``followups.return``,
``followups.reinspection``, ``followups.reinspection_result``, ``followups.escalate``,
``followups.close``); the rows themselves are tracked (``apps.py``). Nothing is edited in
place: a step is appended, a correction is a new step naming the one it corrects.

Deadlines are working days on the official calendar (``workdays.services``).

Hook for the results app (issue 13): when a department part is determined, the determine
service calls :func:`on_part_determined` (in the same transaction).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record
from shuangsuiji.followups import credit
from shuangsuiji.followups import deadlines as fdeadlines
from shuangsuiji.followups.models import (
    TYPE_CODEBOOK_VERSION,
    FollowUp,
    FollowUpProblem,
    FollowUpStatus,
    FollowUpStep,
    FollowUpType,
    ReInspection,
    ReInspectionItem,
    ReInspectionMethod,
    ReInspectionRule,
    ReInspectionStatus,
    StepKind,
    Transfer,
    TransferKind,
    TransferStatus,
    TypeKind,
)
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.rules import RuleError
from shuangsuiji.workdays.models import deadline_status
from shuangsuiji.workdays.services import deadline

TRANSFER_RESPOND_WORKDAYS = fdeadlines.TRANSFER_RESPOND_WORKDAYS
NUMBER_PREFIX = "HZ"


class FollowUpRuleError(RuleError):
    """A refused follow-up step."""


def add_workdays(day: dt.date, n: int) -> dt.date:
    """``n`` working days after ``day``; a year the calendar lacks gives the platform's one
    provisional rule (``workdays.services.deadline``), so nothing is held up."""
    return deadline(day, n).day


def get_type(code: str, version: str = TYPE_CODEBOOK_VERSION) -> FollowUpType:
    t = FollowUpType.objects.filter(codebook_version=version, code=code, is_active=True).first()
    if t is None:
        raise FollowUpRuleError(f"处置类型“{code}”不存在或已停用。")
    return t


def current_types():
    return FollowUpType.objects.filter(codebook_version=TYPE_CODEBOOK_VERSION, is_active=True)


def parse_fine(value) -> Decimal | None:
    """罚款（万元）as an exact decimal: at most 4 decimal places, not negative."""
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise FollowUpRuleError(f"罚款（万元）“{value}”不是有效的数字。") from exc
    if not d.is_finite() or d < 0:
        raise FollowUpRuleError("罚款（万元）不能为负数。")
    if d.as_tuple().exponent < -4:
        raise FollowUpRuleError("罚款（万元）最多保留 4 位小数（即精确到元）。")
    if d >= Decimal("100000000"):
        raise FollowUpRuleError("罚款（万元）数额过大。")
    return d


def _sealed(fu: FollowUp, **texts) -> dict:
    """Texts of an audit entry about the follow-up: its sealed part (``audit.sealed``)."""
    return {"sealed_task_id": fu.audit_sealed_task_id(), "sealed": {"after": texts}}


def _step(fu: FollowUp, kind: str, text: str, user, on: dt.date, **extra) -> FollowUpStep:
    return FollowUpStep.objects.create(followup=fu, kind=kind, text=text, on=on, actor=user, **extra)


def _new_number(department_id: int, year: int) -> str:
    n = FollowUp.objects.filter(department_id=department_id, opened_on__year=year).count() + 1
    return f"{NUMBER_PREFIX}{year}{department_id:04d}{n:05d}"


def _create(fields: dict, problems, user) -> FollowUp:
    rectify_workdays = fields.pop("_rectify_workdays", None)
    for _attempt in range(5):
        number = _new_number(fields["department"].pk, fields["opened_on"].year)
        try:
            with transaction.atomic():
                fu = FollowUp.objects.create(number=number, created_by=user, **fields)
        except IntegrityError:
            continue
        for ir in problems:
            FollowUpProblem.objects.create(followup=fu, item_result=ir)
        fdeadlines.remember_followup(fu, rectify_workdays)
        return fu
    raise FollowUpRuleError("处置编号分配冲突，请重试。")


def _case_fields(ftype: FollowUpType, data: dict) -> dict:
    out = {
        "case_number": (data.get("case_number") or "").strip(),
        "decision": (data.get("decision") or "").strip(),
        "fine_wan": parse_fine(data.get("fine_wan")),
        "other_text": (data.get("other_text") or "").strip(),
    }
    if ftype.needs_case and not (out["case_number"] and out["decision"]):
        raise FollowUpRuleError(f"“{ftype.label}”须填写案号和处罚决定。")
    if ftype.needs_text and not out["other_text"]:
        raise FollowUpRuleError(f"“{ftype.label}”须填写说明。")
    if out["fine_wan"] is not None and not ftype.needs_case:
        raise FollowUpRuleError("只有“立案”可以填写罚款。")
    return out


def _deadlines(ftype: FollowUpType, today: dt.date, rectify_workdays: int | None, department_id=None) -> dict:
    """The new follow-up's deadlines (``followups.deadlines``); ``_rectify_workdays`` is for
    `_create`, which remembers the provisional ones once the follow-up has its id."""
    out = {"opened_on": today, "_rectify_workdays": None}
    rectify = None
    if ftype.needs_rectify_deadline:
        days = rectify_workdays if rectify_workdays is not None else ftype.rectify_workdays
        if not days or days < 1:
            raise FollowUpRuleError("“责令改正”须填写整改期限（工作日，至少 1 天）。")
        if days > 250:
            raise FollowUpRuleError("整改期限不能超过 250 个工作日。")
        rectify = deadline(today, days)
        out["rectify_by"], out["_rectify_workdays"] = rectify.day, days
    # the follow-up cannot be finished before the re-inspection after the deadline
    due = fdeadlines.due(today, ftype.due_workdays, rectify, department_id)
    out["due_on"], out["deadline_status"] = due.day, deadline_status(due)
    return out


def _rule(department_id: int | None) -> ReInspectionRule:
    if department_id is not None:
        rule = ReInspectionRule.objects.filter(department_id=department_id).first()
        if rule is not None:
            return rule
    return ReInspectionRule(original_group=False, workdays_after_deadline=fdeadlines.DEFAULT_WORKDAYS_AFTER_DEADLINE)


# --- Opening -------------------------------------------------------------------------------------


def problem_items(part):
    from shuangsuiji.inspections.models import ItemOutcome, ItemResult

    return ItemResult.objects.filter(part=part, outcome=ItemOutcome.PROBLEM).order_by("task_item_id")


def open_followups(
    part,
    user,
    *,
    type_code: str,
    groups: list[list[int]] | None = None,
    owner_unit: Organisation | None = None,
    owner_person=None,
    rectify_workdays: int | None = None,
    summary: str = "",
    today: dt.date | None = None,
    **case,
) -> list[FollowUp]:
    """Open follow-ups of a determined part: one per problem item (default) or one per group
    of item ids (the department chooses). ``无需后续处置`` is recorded and closed at once."""
    from shuangsuiji.inspections.models import PartStatus

    today = today or timezone.localdate()
    ftype = get_type(type_code)
    if part.status != PartStatus.DETERMINED:
        raise FollowUpRuleError("只有已认定的检查结果才能开启后续处置。")
    if owner_unit is not None and not owner_unit.path.startswith(part.department.path):
        raise FollowUpRuleError("承办股室须为本部门的股室。")
    problems = {ir.pk: ir for ir in problem_items(part)}
    if groups is None:
        groups = [[pk] for pk in problems] or [[]]
    # an item already followed up from an earlier version of this result (a correction) is taken
    taken_items = set(
        FollowUpProblem.objects.filter(
            versions_q(part, "item_result__part__"), followup__parent__isnull=True
        ).values_list("item_result__task_item_id", flat=True)
    )
    taken = {pk for pk, ir in problems.items() if ir.task_item_id in taken_items}
    seen: set[int] = set()
    for i, g in enumerate(groups, start=1):
        for pk in g:
            if pk not in problems:
                raise FollowUpRuleError(f"第 {i} 组：事项检查结果 {pk} 不是本检查结果中发现问题的事项。")
            if pk in seen or pk in taken:
                raise FollowUpRuleError(f"第 {i} 组：事项检查结果 {pk} 已有后续处置。")
            seen.add(pk)
    if not problems and ftype.kind != TypeKind.NONE and not part.codes.filter(code__found_problem=True).exists():
        raise FollowUpRuleError("该检查结果未发现问题，无需开启后续处置。")
    fields = _case_fields(ftype, case)
    out = []
    with transaction.atomic(), acting(actor=user, action="followups.open"):
        for g in groups:
            fu = _create(
                {
                    "part": part,
                    "target": part.record.target,
                    "department": part.department,
                    "owner_unit": owner_unit,
                    "owner_person": owner_person,
                    "type": ftype,
                    "summary": summary or "；".join(problems[pk].problem for pk in g),
                    **_deadlines(ftype, today, rectify_workdays, part.department_id),
                    **fields,
                },
                [problems[pk] for pk in g],
                user,
            )
            _step(fu, StepKind.OPEN, f"开启后续处置：{ftype.label}", user, today)
            if ftype.kind == TypeKind.NONE:
                _close(fu, "无需后续处置", user, today)
            out.append(fu)
            record(action="followups.open", obj=fu, after={"number": fu.number, "type": ftype.code})
        for fu in out:
            credit.apply_for_followup(fu, user, today)
    return out


def on_part_determined(part, user, today: dt.date | None = None, codes: set[str] | None = None) -> None:
    """HOOK for the results app: call from the determine service, in its transaction, after
    the part is determined. Applies the credit rules of its result codes (不配合检查、无法联系、
    未发现问题…); follow-ups of a "发现问题待后续处理" part are then opened by the department
    (they appear in its to-do as parts waiting for a follow-up). A corrected version (one that
    supersedes another) is also shown to the follow-ups of the earlier versions
    (:func:`on_result_corrected`)."""
    today = today or timezone.localdate()
    credit.apply_for_part(part, user, today, codes)
    if part.supersedes_id is not None:
        on_result_corrected(part, user, today)


# --- Corrections of the result a follow-up was opened from ----------------------------------------


def versions_q(part, prefix: str = "part__"):
    """Every version of the same department's result for the same record."""
    from django.db.models import Q

    return Q(**{f"{prefix}record_id": part.record_id, f"{prefix}department_id": part.department_id})


def current_part(fu: FollowUp):
    """The determined (current) version of the result the follow-up was opened from; the same
    part if it was never corrected. ``fu.part`` stays the version it was opened from."""
    from shuangsuiji.inspections.models import DepartmentPart, PartStatus

    current = (
        DepartmentPart.objects.filter(versions_q(fu.part, ""), status=PartStatus.DETERMINED)
        .order_by("-version")
        .first()
    )
    return current or fu.part


def _current_problems(part) -> dict[int, str]:
    """task item id → problem, of the part's items with a problem."""
    return dict(problem_items(part).values_list("task_item_id", "problem"))


def problems_side_by_side(fu: FollowUp, current=None) -> list[dict]:
    """The follow-up's problems as opened and in the current version of the result."""
    current = current or current_part(fu)
    now = {ir.task_item_id: ir for ir in current.item_results.all()}
    out = []
    for p in FollowUpProblem.objects.filter(followup=fu).select_related("item_result__task_item__item_version__item"):
        ir = p.item_result
        later = now.get(ir.task_item_id)
        out.append(
            {
                "item": ir.task_item,
                "opened": ir.problem,
                "current": later,
                "still_found": later is not None and later.outcome == ir.outcome,
            }
        )
    return out


def removed_findings(fu: FollowUp, new_part) -> list[str]:
    """The problems of the follow-up the new version no longer finds (empty: all still found).
    A follow-up of the part as a whole (no item) loses its finding when no result code of the
    new version says a problem was found."""
    still = _current_problems(new_part)
    items = list(FollowUpProblem.objects.filter(followup=fu).select_related("item_result"))
    if not items:
        return [] if new_part.codes.filter(code__found_problem=True).exists() else [fu.summary or "发现的问题"]
    return [
        p.item_result.problem or str(p.item_result.task_item_id)
        for p in items
        if p.item_result.task_item_id not in still
    ]


def needs_review(fu: FollowUp) -> bool:
    """Open, and a correction removed a finding since the owner last reviewed one."""
    if not fu.is_open:
        return False
    steps = list(
        FollowUpStep.objects.filter(followup=fu, kind__in=(StepKind.REVIEW, StepKind.REVIEWED))
        .order_by("-id")
        .values_list("kind", flat=True)[:1]
    )
    return steps == [StepKind.REVIEW]


def on_result_corrected(new_part, user, today: dt.date) -> list[FollowUp]:
    """The rule (docs/architecture.md "Follow-ups", corrections): every follow-up opened from an
    earlier version gets a step naming the new version (it keeps pointing at the version it was
    opened from; pages show both). When the new version no longer finds one of its problems, an
    open follow-up is flagged for review in the owner's to-do (a ``review`` step); nothing is
    closed or edited — the owner decides (a ``reviewed`` step, then close, escalate or go on)."""
    affected = list(
        FollowUp.objects.filter(versions_q(new_part)).exclude(part=new_part).select_related("part").order_by("id")
    )
    reason = f"（更正原因：{new_part.correction_reason}）" if new_part.correction_reason else ""
    flagged = []
    with acting(actor=user, action="followups.result_corrected"):
        for fu in affected:
            removed = removed_findings(fu, new_part)
            head = f"检查结果已由第 {fu.part.version} 版更正为第 {new_part.version} 版{reason}"
            if not removed:
                _step(fu, StepKind.CORRECTED, f"{head}；本处置涉及的问题在新版本中仍然存在。", user, today)
                continue
            gone = "；".join(removed)
            if fu.is_open:
                text = f"{head}；新版本中已无以下问题：{gone}。请承办部门复核本处置是否继续办理（未自动办结或修改）。"
                _step(fu, StepKind.REVIEW, text, user, today)
                flagged.append(fu)
            else:
                _step(
                    fu,
                    StepKind.CORRECTED,
                    f"{head}；新版本中已无以下问题：{gone}（本处置已{fu.get_status_display()}）。",
                    user,
                    today,
                )
            record(
                action="followups.result_corrected",
                obj=fu,
                after={"part_version": new_part.version, "review": fu.is_open},
                **_sealed(fu, removed=removed),
            )
    return flagged


# --- Steps and closure ---------------------------------------------------------------------------


def add_step(
    fu: FollowUp,
    user,
    *,
    kind: str = StepKind.NOTE,
    text: str,
    on: dt.date | None = None,
    upload=None,
    corrects: FollowUpStep | None = None,
    today: dt.date | None = None,
) -> FollowUpStep:
    today = today or timezone.localdate()
    on = on or today
    text = (text or "").strip()
    if kind not in (StepKind.NOTE, StepKind.EVIDENCE, StepKind.RECTIFIED, StepKind.CORRECTION, StepKind.REVIEWED):
        raise FollowUpRuleError("步骤类型无效。")
    if kind == StepKind.REVIEWED and not needs_review(fu):
        raise FollowUpRuleError("该后续处置没有待复核的结果更正。")
    if not text:
        raise FollowUpRuleError("请填写步骤内容。")
    if on > today:
        raise FollowUpRuleError("步骤日期不能晚于今天。")
    if on < fu.opened_on:
        raise FollowUpRuleError("步骤日期不能早于开启日期。")
    if corrects is not None:
        if corrects.followup_id != fu.pk:
            raise FollowUpRuleError("更正的步骤不属于该后续处置。")
        kind = StepKind.CORRECTION
    elif kind == StepKind.CORRECTION:
        raise FollowUpRuleError("更正说明须指明更正的步骤。")
    if not fu.is_open and kind != StepKind.CORRECTION:
        raise FollowUpRuleError("该后续处置已办结，只能追加更正说明。")
    extra = {}
    if upload is not None:
        data = upload.read()
        if not data:
            raise FollowUpRuleError("证据材料文件为空。")
        if len(data) > 20 * 1024 * 1024:
            raise FollowUpRuleError("证据材料不能超过 20 MB。")
        from django.core.files.base import ContentFile

        sha = hashlib.sha256(data).hexdigest()
        extra = {
            "original_name": (getattr(upload, "name", "") or "材料")[:200],
            "content_type": (getattr(upload, "content_type", "") or "application/octet-stream")[:100],
            "sha256": sha,
        }
        step = FollowUpStep(followup=fu, kind=kind, text=text, on=on, actor=user, corrects=corrects, **extra)
        step.file.save(sha, ContentFile(data), save=False)
    else:
        step = FollowUpStep(followup=fu, kind=kind, text=text, on=on, actor=user, corrects=corrects)
    with transaction.atomic(), acting(actor=user, action="followups.step"):
        step.save()
    return step


def _close(fu: FollowUp, outcome: str, user, today: dt.date) -> None:
    fu.status = FollowUpStatus.CLOSED
    fu.outcome = outcome
    fu.closed_on = today
    fu.closed_at = timezone.now()
    fu.closed_by = user
    fu.save()
    _step(fu, StepKind.CLOSE, f"办结：{outcome}", user, today)


def close(fu: FollowUp, outcome: str, user, today: dt.date | None = None) -> FollowUp:
    today = today or timezone.localdate()
    outcome = (outcome or "").strip()
    if not outcome:
        raise FollowUpRuleError("请填写办结结果。")
    with transaction.atomic():
        fu = FollowUp.objects.select_for_update().get(pk=fu.pk)
        if fu.status != FollowUpStatus.OPEN:
            raise FollowUpRuleError("只有办理中的后续处置可以办结。")
        if fu.type.kind == TypeKind.RECTIFY and not fu.reinspections.filter(status=ReInspectionStatus.PASSED).exists():
            raise FollowUpRuleError("责令改正须经复查合格后办结；复查仍不合格的，请升级处置。")
        with acting(actor=user, action="followups.close"):
            _close(fu, outcome, user, today)
            record(action="followups.close", obj=fu, **_sealed(fu, outcome=outcome))
    return fu


# --- Transfers -----------------------------------------------------------------------------------


def transfer(
    fu: FollowUp, to_department: Organisation, reason: str, user, *, kind: str = TransferKind.TRANSFER, today=None
) -> Transfer:
    """移送 (the receiver takes it over) or 抄告 (a copy: the sender keeps handling it)."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise FollowUpRuleError("请填写移送理由。")
    if kind not in TransferKind.values:
        raise FollowUpRuleError("移送方式无效。")
    if to_department.kind != Organisation.Kind.DEPARTMENT:
        raise FollowUpRuleError("接收单位须为部门。")
    if to_department.pk == fu.department_id:
        raise FollowUpRuleError("不能移送给本部门。")
    with transaction.atomic():
        fu = FollowUp.objects.select_for_update().get(pk=fu.pk)
        if fu.status != FollowUpStatus.OPEN:
            raise FollowUpRuleError("只有办理中的后续处置可以移送或抄告。")
        if fu.transfers.filter(to_department=to_department, status=TransferStatus.PENDING).exists():
            raise FollowUpRuleError("已向该部门移送，等待接收。")
        with acting(actor=user, action="followups.transfer"):
            respond = deadline(today, TRANSFER_RESPOND_WORKDAYS)
            tr = Transfer.objects.create(
                followup=fu,
                kind=kind,
                from_department_id=fu.department_id,
                to_department=to_department,
                reason=reason,
                sent_on=today,
                respond_by=respond.day,
                deadline_status=deadline_status(respond),
                sent_by=user,
            )
            fdeadlines.remember_transfer(tr)
            if kind == TransferKind.TRANSFER:
                fu.status = FollowUpStatus.TRANSFERRING
                fu.save()
            _step(fu, StepKind.TRANSFER, f"{tr.get_kind_display()}至{to_department.name}：{reason}", user, today)
            record(action="followups.transfer", obj=tr, after={"to": to_department.name, "kind": kind})
    return tr


def accept_transfer(tr: Transfer, user, *, type_code: str = "10", owner_unit=None, today=None, **case) -> FollowUp:
    """The receiving department accepts: it now owns its own follow-up (linked to the first)."""
    today = today or timezone.localdate()
    ftype = get_type(type_code)
    if ftype.kind == TypeKind.NONE:
        raise FollowUpRuleError("接收后请选择本部门的处置类型。")
    with transaction.atomic():
        tr = Transfer.objects.select_for_update().get(pk=tr.pk)
        if tr.status != TransferStatus.PENDING:
            raise FollowUpRuleError("该移送已处理。")
        source = FollowUp.objects.select_for_update().get(pk=tr.followup_id)
        to = tr.to_department
        if owner_unit is not None and not owner_unit.path.startswith(to.path):
            raise FollowUpRuleError("承办股室须为接收部门的股室。")
        fields = _case_fields(ftype, case)
        with acting(actor=user, action="followups.accept"):
            tr.status = TransferStatus.ACCEPTED
            tr.decided_by = user
            tr.decided_at = timezone.now()
            tr.save()
            fu = _create(
                {
                    "part": source.part,
                    "target": source.target,
                    "department": to,
                    "owner_unit": owner_unit,
                    "type": ftype,
                    "summary": source.summary,
                    "parent": source,
                    "origin_transfer": tr,
                    **_deadlines(ftype, today, None, to.pk),
                    **fields,
                },
                [p.item_result for p in FollowUpProblem.objects.filter(followup=source).select_related("item_result")],
                user,
            )
            _step(
                fu,
                StepKind.ACCEPTED,
                f"接收{tr.from_department.name}{tr.get_kind_display()}（{source.number}）",
                user,
                today,
            )
            _step(source, StepKind.ACCEPTED, f"{to.name}已接收，处置编号 {fu.number}", user, today)
            if tr.kind == TransferKind.TRANSFER and source.status == FollowUpStatus.TRANSFERRING:
                _close(source, f"已移送{to.name}并被接收（{fu.number}）", user, today)
            record(action="followups.accept", obj=tr, after={"followup": fu.number})
            credit.apply_for_followup(fu, user, today)
    return fu


def return_transfer(tr: Transfer, reason: str, user, today=None) -> Transfer:
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise FollowUpRuleError("退回移送须填写理由。")
    with transaction.atomic():
        tr = Transfer.objects.select_for_update().get(pk=tr.pk)
        if tr.status != TransferStatus.PENDING:
            raise FollowUpRuleError("该移送已处理。")
        source = FollowUp.objects.select_for_update().get(pk=tr.followup_id)
        with acting(actor=user, action="followups.return"):
            tr.status = TransferStatus.RETURNED
            tr.return_reason = reason
            tr.decided_by = user
            tr.decided_at = timezone.now()
            tr.save()
            if source.status == FollowUpStatus.TRANSFERRING:
                source.status = FollowUpStatus.OPEN
                source.save()
            _step(source, StepKind.RETURNED, f"{tr.to_department.name}退回：{reason}", user, today)
            record(action="followups.return", obj=tr, **_sealed(source, reason=reason))
    return tr


def transfer_overdue(tr: Transfer, today: dt.date) -> bool:
    return tr.status == TransferStatus.PENDING and today > tr.respond_by


# --- Re-inspection (复查) -------------------------------------------------------------------------


def schedule_reinspection(fu: FollowUp, user, *, public=(), today: dt.date | None = None) -> ReInspection:
    """复查 of the follow-up's failed items only, once the rectification deadline has come
    (or the business reported it rectified). Inspectors: a small inspector draw of the
    engine from the department's register, or the original group when the department's
    rule says so. ``public``: the public entropy of the draw (dice, witnesses)."""
    from shuangsuiji.inspections.models import RecordInspector

    today = today or timezone.localdate()
    with transaction.atomic():
        fu = FollowUp.objects.select_for_update().select_related("type", "target", "department").get(pk=fu.pk)
        if fu.status != FollowUpStatus.OPEN:
            raise FollowUpRuleError("只有办理中的后续处置可以安排复查。")
        if fu.type.kind != TypeKind.RECTIFY:
            raise FollowUpRuleError("只有“责令改正”需要复查。")
        if fu.reinspections.filter(status=ReInspectionStatus.SCHEDULED).exists():
            raise FollowUpRuleError("已安排复查，尚未录入结果。")
        if fu.reinspections.filter(status=ReInspectionStatus.FAILED).exists():
            raise FollowUpRuleError("复查已不合格，请升级处置。")
        rectified = fu.steps.filter(kind=StepKind.RECTIFIED).exists()
        if fu.rectify_by and today < fu.rectify_by and not rectified:
            raise FollowUpRuleError(f"整改期限（{fu.rectify_by:%Y-%m-%d}）届满或报告已整改后方可复查。")
        items = [p.item_result for p in FollowUpProblem.objects.filter(followup=fu).select_related("item_result")]
        if not items:
            raise FollowUpRuleError("该后续处置没有需要复查的事项。")
        rule = _rule(fu.department_id)
        fields: dict = {}
        if rule.original_group:
            certs = list(
                RecordInspector.objects.filter(record_id=fu.part.record_id, department_id=fu.department_id)
                .order_by("certificate_no")
                .values_list("certificate_no", flat=True)
            )
            if not certs:
                raise FollowUpRuleError("原检查组没有到场检查人员记录，无法由原检查组复查。")
            fields = {"method": ReInspectionMethod.ORIGINAL, "inspectors": certs}
        else:
            from shuangsuiji.tasks.drawday import DrawRuleError, require_minimum

            try:
                require_minimum(list(public))  # the ceremony's minimum holds for every draw
            except DrawRuleError as exc:
                raise FollowUpRuleError(str(exc)) from exc
            fields = _inspector_draw(fu, today, list(public))
        with acting(actor=user, action="followups.reinspection"):
            ri = ReInspection.objects.create(followup=fu, scheduled_on=today, created_by=user, **fields)
            for ir in items:
                ReInspectionItem.objects.create(reinspection=ri, item_result=ir)
            _step(
                fu,
                StepKind.REINSPECTION,
                f"安排复查（{ri.get_method_display()}）：{len(items)} 个事项；复查人员 {'、'.join(ri.inspectors)}",
                user,
                today,
            )
            record(
                action="followups.reinspection",
                obj=ri,
                after={"method": ri.method, "draw_id": ri.draw_id, "commitment_sha256": ri.commitment_sha256},
            )
    return ri


def _inspector_draw(fu: FollowUp, today: dt.date, public) -> dict:
    """A small inspector draw (spec v1): population = the target, one group of the task's
    group size from the department's register on the re-inspection day."""
    from shuangsuiji.draw import (
        AssignmentParams,
        DepartmentRequirement,
        DrawError,
        DrawParams,
        Entropy,
        Inspector,
        StratumRule,
        freeze,
        new_server_secret,
        server_secret_hash,
        write_bundle,
    )
    from shuangsuiji.draw.bundle import _read_files, compute
    from shuangsuiji.inspectors.services import draw_candidates

    if not public:
        raise FollowUpRuleError("随机抽取复查人员须录入至少一项公开随机数（如现场掷骰点数）。")
    task = fu.part.record.task
    group = max(2, getattr(task, "group_size", 2) or 2)
    window_to = add_workdays(today, 10)
    dept_key = str(fu.department_id)
    n = fu.reinspections.count() + 1
    params = DrawParams(
        draw_id=f"{fu.number}-R{n}",
        strata={"ALL": StratumRule("1")},
        assignment=AssignmentParams(
            departments={dept_key: DepartmentRequirement(g=group, experts=0, specialties=frozenset())},
            window_from=today.isoformat(),
            window_to=window_to.isoformat(),
            cap=None,
            rotation=False,
        ),
        meta={"kind": "reinspection", "followup": fu.number, "department": fu.department.name},
    )
    candidates = [Inspector(**d) for d in draw_candidates(fu.department, (today, window_to))]
    secret = new_server_secret()
    try:
        c = freeze([(fu.target.code, "ALL")], [], params, server_secret_hash(secret), inspectors=candidates)
        entropy = Entropy(server_secret=secret, public=public)
        seed, targets, assignment = compute(c, entropy, params, c.frame, candidates)
    except DrawError as exc:
        raise FollowUpRuleError(f"复查人员抽取失败：{exc}") from exc
    if assignment.shortfalls:
        raise FollowUpRuleError(f"{fu.department.name}符合条件的执法检查人员不足 {group} 人，无法抽取复查人员。")
    with tempfile.TemporaryDirectory(prefix="ssj-reinspect-") as d:
        path = os.path.join(d, "bundle")
        write_bundle(path, c, entropy, targets, assignment)
        files = _read_files(path)
    certs = [cert for g in assignment.groups for cert in g.inspectors]
    return {
        "method": ReInspectionMethod.DRAW,
        "draw_id": params.draw_id,
        "commitment_sha256": c.sha256,
        "seed": seed.hex(),
        "bundle": {name: data.hex() for name, data in sorted(files.items())},
        "inspectors": certs,
    }


def determine_reinspection(
    ri: ReInspection, results: dict[int, tuple[str, str]], user, *, note: str = "", today=None
) -> ReInspection:
    """Enter the re-inspection's result per item (``{item_result id: (outcome, problem)}``):
    all passed → the follow-up closes; any problem → failed (the follow-up must escalate)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ri = ReInspection.objects.select_for_update().get(pk=ri.pk)
        if ri.status != ReInspectionStatus.SCHEDULED:
            raise FollowUpRuleError("该复查已认定。")
        items = {it.item_result_id: it for it in ri.items.all()}
        for pk in results:
            if pk not in items:
                raise FollowUpRuleError(f"事项检查结果 {pk} 不在本次复查范围内（复查只查原不合格事项）。")
        failed = False
        for pk in items:
            if pk not in results:
                raise FollowUpRuleError(f"请填写事项检查结果 {pk} 的复查结果。")
            outcome, problem = results[pk]
            if outcome not in ("passed", "problem"):
                raise FollowUpRuleError(f"事项检查结果 {pk} 的复查结果无效。")
            if outcome == "problem" and not (problem or "").strip():
                raise FollowUpRuleError(f"事项检查结果 {pk} 仍发现问题的，须描述问题。")
            failed |= outcome == "problem"
        fu = FollowUp.objects.select_for_update().get(pk=ri.followup_id)
        with acting(actor=user, action="followups.reinspection_result"):
            for pk, it in items.items():
                it.outcome, it.problem = results[pk][0], (results[pk][1] or "").strip()
                it.save()
            ri.status = ReInspectionStatus.FAILED if failed else ReInspectionStatus.PASSED
            ri.inspected_on = today
            ri.note = note
            ri.determined_by = user
            ri.determined_at = timezone.now()
            ri.save()
            _step(
                fu,
                StepKind.REINSPECTION,
                f"复查结果：{ri.get_status_display()}" + (f"；{note}" if note else ""),
                user,
                today,
            )
            record(action="followups.reinspection_result", obj=ri, after={"status": ri.status})
            if not failed:
                _close(fu, "复查合格，整改到位", user, today)
    return ri


def escalate(fu: FollowUp, user, *, type_code: str = "04", reason: str, today=None, **case) -> FollowUp:
    """升级处置 (e.g. 立案 after a failed re-inspection): a new follow-up, linked; the first
    is marked escalated. The credit rules of the new one apply."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise FollowUpRuleError("升级处置须说明理由。")
    ftype = get_type(type_code)
    if ftype.kind in (TypeKind.NONE, TypeKind.TRANSFER):
        raise FollowUpRuleError("升级处置的类型须为立案、移送办案机构、列入名单等；移送其他部门请使用移送。")
    with transaction.atomic():
        fu = FollowUp.objects.select_for_update().get(pk=fu.pk)
        if fu.status != FollowUpStatus.OPEN:
            raise FollowUpRuleError("只有办理中的后续处置可以升级。")
        fields = _case_fields(ftype, case)
        with acting(actor=user, action="followups.escalate"):
            new = _create(
                {
                    "part": fu.part,
                    "target": fu.target,
                    "department": fu.department,
                    "owner_unit": fu.owner_unit,
                    "owner_person": fu.owner_person,
                    "type": ftype,
                    "summary": fu.summary,
                    "parent": fu,
                    **_deadlines(ftype, today, None, fu.department_id),
                    **fields,
                },
                [p.item_result for p in FollowUpProblem.objects.filter(followup=fu).select_related("item_result")],
                user,
            )
            fu.status = FollowUpStatus.ESCALATED
            fu.escalated_to = new
            fu.outcome = f"升级为{ftype.label}（{new.number}）：{reason}"
            fu.save()
            _step(fu, StepKind.ESCALATE, fu.outcome, user, today)
            _step(new, StepKind.OPEN, f"由 {fu.number} 升级：{reason}", user, today)
            record(
                action="followups.escalate",
                obj=fu,
                after={"to": new.number, "type": ftype.code},
                **_sealed(fu, reason=reason),
            )
            credit.apply_for_followup(new, user, today)
    return new


def chain(fu: FollowUp) -> list[FollowUp]:
    """The whole chain the follow-up belongs to (root first, then each later link by id)."""
    root = fu
    while root.parent_id is not None:
        root = root.parent
    out, frontier = [root], [root.pk]
    while frontier:
        kids = list(FollowUp.objects.filter(parent_id__in=frontier).select_related("department", "type").order_by("id"))
        out += kids
        frontier = [k.pk for k in kids]
    return out


def overdue_q(today: dt.date):
    from django.db.models import Q

    return Q(status=FollowUpStatus.OPEN, due_on__lt=today)
