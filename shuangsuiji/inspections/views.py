"""Pages of the inspection record: the inspector's work list, the record of one target, the
department part's entry form, evidence, the review page, the 检查小结 and the register
proposals. Views read through ``access.py`` (404 outside the task's participants, audited
sealed reads) and change state only through ``services.py``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shuangsuiji.inspections import access, services
from shuangsuiji.inspections.deadlines import provisional_parts
from shuangsuiji.inspections.forms import EvidenceForm, PartForm, ReasonForm, SummaryForm, VisitForm
from shuangsuiji.inspections.models import (
    DepartmentPart,
    Evidence,
    InspectionRecord,
    InspectionSummary,
    PartStatus,
    RegisterChangeProposal,
)
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks import access as task_access
from shuangsuiji.web.pagination import paginate

SECTION = {"active_section": "results"}


def _errors(request, exc: RuleError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _open(request, task_pk, target_pk, channel: str = "page"):
    """(task, target, record or None, mode): 404 unless the user may read this target's record."""
    task = task_access.get_task_or_404(request.user, task_pk)
    if (
        not services.is_drawn_target(task, int(target_pk))
        or access.record_mode(request.user, task, int(target_pk)) is None
    ):
        raise Http404(access.NOT_FOUND)
    target = Target.objects.get(pk=target_pk)
    record = InspectionRecord.objects.filter(task=task, target=target).first()
    mode = task_access.sealed_access(request.user, task)
    from shuangsuiji.tasks.sealed import require_sealed

    require_sealed(request.user, task, None, channel, detail=f"检查记录 {task.code} {target.code}")
    return task, target, record, mode


def record_url(task_id, target_id) -> str:
    return reverse("inspections:record", args=[task_id, target_id])


def _part_or_404(request, pk) -> DepartmentPart:
    part = (
        DepartmentPart.objects.select_related("record__task", "record__target", "participant", "department")
        .filter(pk=pk)
        .first()
    )
    if part is None:
        raise Http404(access.NOT_FOUND)
    record = part.record
    task = task_access.visible_tasks(request.user).filter(pk=record.task_id).first()
    if task is None or access.record_mode(request.user, record.task, record.target_id) is None:
        raise Http404(access.NOT_FOUND)
    if not access.part_readable(request.user, part, record):
        raise Http404(access.NOT_FOUND)
    access.require_record(request.user, record, "page")
    return part


# --- Work list ----------------------------------------------------------------------------------


@login_required
@never_cache
def work_list(request):
    rows = services.work_list(request.user)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        rows = [r for r in rows if q in r["target"].name or q in r["target"].code or q in r["task"].title]
    context = {**SECTION, "q": q, "reviews": services.review_queue(request.user)}
    context.update(paginate(request, rows))
    return render(request, "inspections/work_list.html", context)


# --- The record ---------------------------------------------------------------------------------


def _assigned(task, target):
    return (
        access.assignments(task.pk, target.pk)
        .select_related("inspector", "draw__department")
        .order_by("draw__department_id", "id")
    )


@login_required
@never_cache
def record_page(request, task_pk, target_pk):
    task, target, record, _mode = _open(request, task_pk, target_pk)
    user = request.user
    stub = record or InspectionRecord(task=task, target=target)
    participants = list(task.participants.select_related("department").order_by("-role", "id"))
    parts = []
    for p in participants:
        versions = list(record.parts.filter(department=p.department).order_by("-version")) if record else []
        current = services.current_part(record, p.department_id) if record else None
        readable = [v for v in versions if access.part_readable(user, v, record)]
        parts.append(
            {
                "participant": p,
                "current": current if current is not None and current in readable else None,
                "hidden": current is not None and current not in readable,
                "versions": readable,
                "can_enter": access.can_enter(user, stub, p.department_id),
                "publication": services.publication_state(current),
            }
        )
    for row in parts:
        row["overdue"] = row["publication"] is not None and row["publication"].overdue
    assigned = list(_assigned(task, target))
    can_visit = access.can_edit_visit(user, stub)
    visit_form = None
    if can_visit:
        initial = {}
        if record is not None:
            initial = {
                "visit_date": record.visit_date or timezone.localdate(),
                "place": record.place or target.address,
                "inspectors": [str(i) for i in record.inspectors_present.values_list("inspector_id", flat=True)],
                "signature": record.signature,
                "signer": record.signer,
                "witnesses": record.witnesses,
                "refusal_note": record.refusal_note,
            }
        else:
            initial = {"visit_date": timezone.localdate(), "place": target.address}
        visit_form = VisitForm(initial=initial, assigned=assigned)
    evidence = []
    if record is not None:
        evidence = [e for e in record.evidence.select_related("item_result__part") if access.evidence_readable(user, e)]
    return render(
        request,
        "inspections/record.html",
        {
            **SECTION,
            "task": task,
            "target": target,
            "record": record,
            "parts": parts,
            "assigned": assigned,
            "visit_form": visit_form,
            "present": list(record.inspectors_present.select_related("inspector", "department")) if record else [],
            "evidence": evidence,
            "summary": InspectionSummary.objects.filter(record=record).first() if record else None,
        },
    )


@login_required
@require_POST
def record_visit(request, task_pk, target_pk):
    task, target, record, _mode = _open(request, task_pk, target_pk, "page")
    if not access.can_edit_visit(request.user, record or InspectionRecord(task=task, target=target)):
        raise PermissionDenied("只有本对象的抽中检查人员可以记录检查情况。")
    form = VisitForm(request.POST, assigned=list(_assigned(task, target)))
    if not form.is_valid():
        for name, errs in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for e in errs:
                messages.error(request, f"{label}：{e}" if label else e)
        return redirect(record_url(task.pk, target.pk))
    try:
        record = record or services.open_record(task, target.pk, request.user)
        services.record_visit(record, form.visit(), request.user)
        messages.success(request, "检查情况已保存。")
    except RuleError as exc:
        _errors(request, exc)
    return redirect(record_url(task.pk, target.pk))


# --- A department's part ------------------------------------------------------------------------


@login_required
@never_cache
def part_entry(request, task_pk, target_pk, dept_pk):
    task, target, record, _mode = _open(request, task_pk, target_pk, "page")
    participant = task.participants.filter(department_id=dept_pk).select_related("department").first()
    if participant is None:
        raise Http404("该部门不是本任务的参与部门。")
    user = request.user
    if dept_pk not in access.assigned_departments(user, task.pk, target.pk):
        # not this department's assigned inspector: no entry form; whoever may not even read the
        # department's draft gets 404, its own reviewers a 403
        if record is None or not _part_visible(user, record, dept_pk):
            raise Http404(access.NOT_FOUND)
        raise PermissionDenied("只有本部门被抽中检查该对象的执法检查人员可以录入（谁检查、谁录入）。")
    part = services.current_part(record, dept_pk) if record else None
    evidence = list(record.evidence.filter(department_id=dept_pk)) if record else []
    items = services.task_items(participant)
    editable = part is None or part.status in (PartStatus.DRAFT, PartStatus.RETURNED)
    if request.method == "POST":
        form = PartForm(request.POST, task_items=items, evidence=evidence)
        action = request.POST.get("action", "save")
        if not editable and action != "submit":
            messages.error(request, "检查结果已提交或已认定，不能修改。")
            return redirect(record_url(task.pk, target.pk))
        if form.is_valid():
            crid = form.cleaned_data.get("client_request_id") or ""
            try:
                record = record or services.open_record(task, target.pk, user)
                part = (
                    services.save_draft(
                        record,
                        dept_pk,
                        user,
                        code_ids=form.cleaned_data["codes"],
                        note=form.cleaned_data["note"],
                        items=form.entries(),
                        client_request_id=crid,
                    )
                    if editable
                    else part
                )
                if action == "submit":
                    services.submit(record, dept_pk, user, client_request_id=crid)
                    messages.success(request, "检查结果已提交审核。")
                    return redirect(record_url(task.pk, target.pk))
                messages.success(request, "草稿已保存。")
                return redirect("inspections:entry", task_pk=task.pk, target_pk=target.pk, dept_pk=dept_pk)
            except RuleError as exc:
                for m in exc.messages:
                    form.add_error(None, m)
    else:
        form = PartForm(initial=PartForm.initial_for(part), task_items=items, evidence=evidence)
    return render(
        request,
        "inspections/part_entry.html",
        {
            **SECTION,
            "task": task,
            "target": target,
            "record": record,
            "participant": participant,
            "part": part,
            "form": form,
            "editable": editable,
            "evidence": evidence,
            "evidence_form": EvidenceForm(),
            "draft_key": f"inspection-{task.pk}-{target.pk}-{dept_pk}-v{part.version if part else 1}",
        },
    )


def _part_visible(user, record, dept_pk) -> bool:
    part = services.current_part(record, dept_pk)
    return part is not None and access.part_readable(user, part, record)


@login_required
@require_POST
def evidence_upload(request, task_pk, target_pk, dept_pk):
    task, target, record, _mode = _open(request, task_pk, target_pk, "page")
    back = request.POST.get("next") or "entry"
    url = (
        reverse("inspections:entry", args=[task.pk, target.pk, dept_pk])
        if back == "entry"
        else record_url(task.pk, target.pk)
    )
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        for name, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[name].label}：{e}" if name in form.fields else e)
        return redirect(url)
    f = form.cleaned_data["file"]
    try:
        services.check_evidence_size(f.name, f.size)
        record = record or services.open_record(task, target.pk, request.user)
        services.add_evidence(
            record,
            request.user,
            name=f.name,
            data=f.read(),
            department_id=dept_pk,
            kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"],
        )
        messages.success(request, f"已上传：{f.name}")
    except RuleError as exc:
        _errors(request, exc)
    return redirect(url)


def _evidence_or_404(request, pk) -> Evidence:
    ev = Evidence.objects.select_related("record__task", "item_result__part").filter(pk=pk).first()
    if ev is None:
        raise Http404(access.NOT_FOUND)
    record = ev.record
    if not task_access.visible_tasks(request.user).filter(pk=record.task_id).exists():
        raise Http404(access.NOT_FOUND)
    if access.record_mode(request.user, record.task, record.target_id) is None or not access.evidence_readable(
        request.user, ev
    ):
        raise Http404(access.NOT_FOUND)
    access.require_record(request.user, record, "evidence")
    return ev


@login_required
@never_cache
def evidence_file(request, pk):
    ev = _evidence_or_404(request, pk)
    with ev.file.open("rb") as fh:
        data = fh.read()
    response = HttpResponse(data, content_type=ev.content_type)
    disposition = (
        "inline" if ev.content_type.startswith("image/") or ev.content_type == "application/pdf" else "attachment"
    )
    response["Content-Disposition"] = f"{disposition}; filename=evidence-{ev.pk}.{ev.original_name.rsplit('.', 1)[-1]}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@never_cache
def evidence_thumb(request, pk):
    ev = _evidence_or_404(request, pk)
    if ev.thumbnail:
        return HttpResponse(bytes(ev.thumbnail), content_type="image/jpeg")
    return evidence_file(request, pk)


# --- Review, determination, correction ----------------------------------------------------------


@login_required
@never_cache
def part_detail(request, pk):
    part = _part_or_404(request, pk)
    user = request.user
    record = part.record
    publication = services.publication_state(part)
    versions = [
        v
        for v in record.parts.filter(department_id=part.department_id).order_by("-version")
        if access.part_readable(user, v, record)
    ]
    return render(
        request,
        "inspections/part_detail.html",
        {
            **SECTION,
            "part": part,
            "publication_provisional": bool(provisional_parts([part])),
            "record": record,
            "task": record.task,
            "target": record.target,
            "items": list(part.item_results.select_related("task_item__item_version", "form_version")),
            "codes": [r.code for r in part.codes.select_related("code")],
            "events": list(part.events.select_related("actor")),
            "evidence": [
                e
                for e in record.evidence.filter(department_id=part.department_id).select_related("item_result__part")
                if access.evidence_readable(user, e)
            ],
            "versions": versions,
            "can_review": part.status == PartStatus.SUBMITTED and access.can_review(user, part),
            "reviewer_but_enterer": part.status == PartStatus.SUBMITTED
            and access.is_reviewer(user, part)
            and not access.can_review(user, part),
            "can_correct": part.status == PartStatus.DETERMINED
            and access.can_correct(user, part)
            and not record.parts.filter(
                department_id=part.department_id, status__in=["draft", "submitted", "returned"]
            ).exists(),
            "can_submit_correction": part.supersedes_id is not None
            and part.status in (PartStatus.DRAFT, PartStatus.RETURNED)
            and access.can_correct(user, part),
            "overdue": publication is not None and publication.overdue,
            "publication": publication,
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def part_action(request, pk, action):
    part = _part_or_404(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    user = request.user
    try:
        if action == "return":
            services.return_part(part, user, reason)
            messages.success(request, "已退回修改。")
        elif action == "determine":
            part = services.determine(part, user, reason)
            messages.success(request, f"已认定。公示期限：{part.publication_due_on:%Y年%-m月%-d日}。")
        elif action == "correct":
            new = services.start_correction(part, user, reason)
            messages.success(request, f"已创建更正版本（第 {new.version} 版），请修改后提交审核。")
            return redirect("inspections:part", pk=new.pk)
        elif action == "submit_correction":
            services.submit_correction(part, user)
            messages.success(request, "更正版本已提交审核。")
        else:
            raise Http404("没有这个操作。")
    except RuleError as exc:
        _errors(request, exc)
    return redirect("inspections:part", pk=part.pk)


# --- 检查小结 -----------------------------------------------------------------------------------


@login_required
@never_cache
def summary(request, task_pk, target_pk):
    task, target, record, _mode = _open(request, task_pk, target_pk, "page")
    existing = InspectionSummary.objects.filter(record=record).first() if record else None
    can_edit = bool(access.assigned_departments(request.user, task.pk, target.pk))
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有本对象的抽中检查人员可以填写检查小结。")
        form = SummaryForm(request.POST)
        if form.is_valid():
            try:
                record = record or services.open_record(task, target.pk, request.user)
                services.save_summary(record, request.user, **form.cleaned_data)
                messages.success(request, "检查小结已保存。")
                return redirect("inspections:summary", task_pk=task.pk, target_pk=target.pk)
            except RuleError as exc:
                for m in exc.messages:
                    form.add_error(None, m)
    else:
        initial = (
            {
                "inspected_at": timezone.localtime(existing.inspected_at).strftime("%Y-%m-%dT%H:%M"),
                "content": existing.content,
                "findings": existing.findings,
                "handling_opinion": existing.handling_opinion,
                "suggestions": existing.suggestions,
            }
            if existing
            else {"inspected_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        )
        form = SummaryForm(initial=initial)
    template = "inspections/summary_print.html" if request.GET.get("print") else "inspections/summary.html"
    return render(
        request,
        template,
        {
            **SECTION,
            "task": task,
            "target": target,
            "record": record,
            "summary": existing,
            "form": form,
            "can_edit": can_edit,
            "hide_nav": bool(request.GET.get("print")),
        },
    )


# --- Register proposals -------------------------------------------------------------------------


@login_required
@never_cache
def proposals(request):
    from shuangsuiji.accounts.scope import region_scope_q

    qs = (
        RegisterChangeProposal.objects.filter(region_scope_q(request.user, "target__region"))
        .filter(status=request.GET.get("status", RegisterChangeProposal.Status.PROPOSED)[:12])
        .select_related("target", "part__department", "part__record__task")
    )
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(target__name__icontains=q) | qs.filter(target__code__icontains=q)
    context = {**SECTION, "q": q, "status": request.GET.get("status", "proposed")[:12]}
    context.update(paginate(request, qs.order_by("-id")))
    context["rows"] = [(p, access.can_decide_register(request.user, p)) for p in context["object_list"]]
    return render(request, "inspections/proposals.html", context)


@login_required
@require_POST
def proposal_decide(request, pk):
    from shuangsuiji.accounts.scope import region_scope_q

    proposal = (
        RegisterChangeProposal.objects.filter(region_scope_q(request.user, "target__region")).filter(pk=pk).first()
    )
    if proposal is None:
        raise Http404("未找到该变更建议，或不在您的数据范围内。")
    try:
        services.decide_proposal(
            proposal, request.user, request.POST.get("decision") == "apply", request.POST.get("note", "")[:500]
        )
        messages.success(request, "已处理。")
    except RuleError as exc:
        _errors(request, exc)
    return redirect("inspections:proposals")
