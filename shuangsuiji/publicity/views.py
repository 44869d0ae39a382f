"""The publication desk (/publicity/, signed in): the queue, previews, publishing, corrections,
withdrawals and redactions. Rules are in ``services.py`` and ``access.py``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.items.models import ItemList
from shuangsuiji.plans.models import Plan, PlanStatus
from shuangsuiji.publicity import access, results, services
from shuangsuiji.publicity.models import Channel, Decision, ExportBatch, Kind, Publication, Redaction, Withdrawal
from shuangsuiji.rules import RuleError
from shuangsuiji.tasks import access as task_access
from shuangsuiji.tasks.models import DrawKind, DrawStatus, Task
from shuangsuiji.web.pagination import paginate

NOT_FOUND = "未找到该记录，或不在您的数据范围内。"


def _department(user):
    org = user.organisation
    return org.department if org is not None else None


def _visible_entry(user, entry) -> bool:
    """A result of a task whose list is still sealed names a sealed target: only for those
    who see the whole list (``tasks.access``)."""
    task = entry.part.record.task
    return not task.is_sealed or task_access.sealed_access(user, task) == task_access.ALL_TARGETS


def _channels(request) -> list[str]:
    return request.POST.getlist("channels")


def _refused(request, exc) -> None:
    for m in exc.messages:
        messages.error(request, m)


@login_required
def desk(request):
    dept = _department(request.user)
    publisher = dept is not None and access.may_publish(request.user, dept)
    queue, tasks, plans, items_pub = [], [], [], None
    if publisher:
        queue = [e for e in results.queue(dept) if _visible_entry(request.user, e)]
        tasks = list(
            Task.objects.filter(
                lead=dept, draws__kind=DrawKind.TARGETS, draws__status__in=[DrawStatus.FROZEN, DrawStatus.DRAWN]
            )
            .distinct()
            .order_by("-created_at")[:50]
        )
        done = set(
            Publication.objects.filter(kind__in=[Kind.TASK, Kind.DRAWN_LIST], task__in=tasks).values_list(
                "task_id", "kind"
            )
        )
        tasks = [(t, (t.pk, Kind.TASK) in done, (t.pk, Kind.DRAWN_LIST) in done) for t in tasks]
        published_plans = set(Publication.objects.filter(kind=Kind.PLAN).values_list("subject_id", flat=True))
        plans = [
            (p, str(p.pk) in published_plans)
            for p in Plan.objects.filter(owner=dept, status__in=[PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED]).order_by(
                "-year", "-version"
            )[:20]
        ]
        items_pub = services.latest(Kind.ITEMS, dept.pk)
    pending_redactions = [
        r
        for r in Redaction.objects.filter(status=Decision.REQUESTED).select_related("department")
        if access.may_decide(request.user, r)
    ]
    pending_withdrawals = [
        w
        for w in Withdrawal.objects.filter(status=Decision.REQUESTED).select_related("publication__department")
        if w.requested_by_id != request.user.pk and access.level_above(request.user, w.publication.department)
    ]
    mine = Publication.objects.none()
    if dept is not None:
        mine = Publication.objects.filter(department=dept).select_related("department")
    return render(
        request,
        "publicity/manage/desk.html",
        {
            "title": "信息公开",
            "active_section": "publicity",
            "dept": dept,
            "publisher": publisher,
            "queue": queue,
            "tasks": tasks,
            "plans": plans,
            "items_pub": items_pub,
            "has_item_list": dept is not None and ItemList.objects.filter(department=dept).exists(),
            "channels": Channel.choices,
            "pending_redactions": pending_redactions,
            "pending_withdrawals": pending_withdrawals,
            "today": timezone.localdate(),
            "batches": ExportBatch.objects.filter(department=dept)[:20] if publisher else [],
            **paginate(request, mine),
        },
    )


def _part_or_404(user, pk):
    part = results.parts().filter(pk=pk).first()
    if part is None or not (access.may_publish(user, part.department) or access.level_above(user, part.department)):
        raise Http404(NOT_FOUND)
    entry = results.QueueEntry(part=part, due_on=results.due_on(part), days_left=0)
    if not _visible_entry(user, entry):
        raise Http404(NOT_FOUND)
    return part


@login_required
def result_detail(request, pk):
    part = _part_or_404(request.user, pk)
    subject = results.subject_of(part)
    try:
        preview, error = services.preview_result(part), ""
    except RuleError as exc:
        preview, error = None, "；".join(exc.messages)
    return render(
        request,
        "publicity/manage/result.html",
        {
            "title": "检查结果公开预览",
            "active_section": "publicity",
            "part": part,
            "preview": preview,
            "preview_error": error,
            "due_on": results.due_on(part),
            "publications": Publication.objects.filter(kind=Kind.RESULT, subject_id=subject).order_by("version"),
            "redactions": Redaction.objects.filter(subject_id=subject),
            "redaction_fields": Redaction.Field.choices,
            "channels": Channel.choices,
            "may_publish": access.may_publish(request.user, part.department),
        },
    )


@require_POST
@login_required
def result_publish(request, pk):
    part = _part_or_404(request.user, pk)
    try:
        pub = services.publish_result(part, _channels(request), request.user)
    except RuleError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已公开。" + ("（逾期公开，已标记）" if pub.late else ""))
    return redirect("publicity:result", part.pk)


@require_POST
@login_required
def result_redact(request, pk):
    part = _part_or_404(request.user, pk)
    try:
        services.request_redaction(
            results.subject_of(part),
            part.department,
            request.POST.get("field", ""),
            request.POST.get("reason", ""),
            request.user,
        )
    except RuleError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已提交不予公开申请，待上一级审批。")
    return redirect("publicity:result", part.pk)


@require_POST
@login_required
def redaction_decide(request, pk):
    r = Redaction.objects.filter(pk=pk).first()
    if r is None or not access.may_decide(request.user, r):
        raise Http404(NOT_FOUND)
    try:
        services.decide_redaction(
            r, request.POST.get("decision") == "approve", request.user, request.POST.get("note", "")
        )
    except RuleError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已审批。")
    return redirect("publicity:desk")


def _publication_or_404(user, pk) -> Publication:
    pub = Publication.objects.select_related("department").filter(pk=pk).first()
    if pub is None or not (access.may_publish(user, pub.department) or access.level_above(user, pub.department)):
        raise Http404(NOT_FOUND)
    return pub


@require_POST
@login_required
def publication_correct(request, pk):
    pub = _publication_or_404(request.user, pk)
    try:
        new = services.correct(pub, request.POST.get("reason", ""), request.user)
    except RuleError as exc:
        _refused(request, exc)
        return redirect("publicity:desk")
    messages.success(request, f"已发布更正版本（第 {new.version} 版），原记录保留。")
    return redirect("gongshi:publication", new.pk)


@require_POST
@login_required
def publication_withdraw(request, pk):
    pub = _publication_or_404(request.user, pk)
    try:
        services.request_withdrawal(pub, request.POST.get("reason", ""), request.user)
    except RuleError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已提交撤回申请，待上一级审批。")
    return redirect("publicity:desk")


@require_POST
@login_required
def withdrawal_decide(request, pk):
    w = Withdrawal.objects.select_related("publication__department").filter(pk=pk).first()
    if w is None or not access.level_above(request.user, w.publication.department):
        raise Http404(NOT_FOUND)
    try:
        services.decide_withdrawal(
            w, request.POST.get("decision") == "approve", request.user, request.POST.get("note", "")
        )
    except (RuleError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, "已审批。")
    return redirect("publicity:desk")


@require_POST
@login_required
def items_publish(request):
    dept = _department(request.user)
    if dept is None or not access.may_publish(request.user, dept):
        raise PermissionDenied("只有本部门的系统管理员或业务股室操作员可以公开本部门的信息。")
    try:
        services.publish_items(dept, _channels(request), request.user)
    except RuleError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已公开本部门随机抽查事项清单。")
    return redirect("publicity:desk")


@require_POST
@login_required
def plan_publish(request, pk):
    plan = Plan.objects.select_related("owner").filter(pk=pk).first()
    if plan is None or not access.may_publish(request.user, plan.owner):
        raise Http404(NOT_FOUND)
    try:
        services.publish_plan(plan, _channels(request), request.user)
    except RuleError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已公开年度抽查计划。")
    return redirect("publicity:desk")


@require_POST
@login_required
def task_publish(request, pk, what):
    task = Task.objects.select_related("lead").filter(pk=pk).first()
    if task is None or not access.may_publish(request.user, task.lead):
        raise Http404(NOT_FOUND)
    action = services.publish_drawn_list if what == "list" else services.publish_task
    try:
        action(task, _channels(request), request.user)
    except RuleError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已公开抽查名单（名单解除保密）。" if what == "list" else "已公开抽查任务。")
    return redirect("publicity:desk")


EXPORT_FILES = {
    "gsxt.json": ("gsxt_json", "application/json"),
    "gsxt.csv": ("gsxt_csv", "text/csv; charset=utf-8"),
    "hlw.json": ("hlw_json", "application/json"),
    "hlw.csv": ("hlw_csv", "text/csv; charset=utf-8"),
}


@require_POST
@login_required
def export_make(request):
    from shuangsuiji.publicity import exports

    dept = _department(request.user)
    if dept is None or not access.may_publish(request.user, dept):
        raise PermissionDenied("只有本部门的系统管理员或业务股室操作员可以生成报送批次。")
    try:
        batch = exports.make_batch(dept, request.user)
    except RuleError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"已生成报送批次 {batch.number}：{batch.record_count} 条记录。")
        for r in batch.refused:
            messages.warning(request, r["message"])
    return redirect("publicity:desk")


@login_required
def export_file(request, pk, name):
    from django.http import HttpResponse

    batch = ExportBatch.objects.select_related("department").filter(pk=pk).first()
    if batch is None or name not in EXPORT_FILES or not access.may_publish(request.user, batch.department):
        raise Http404(NOT_FOUND)
    field, content_type = EXPORT_FILES[name]
    response = HttpResponse(bytes(getattr(batch, field)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{batch.number}-{name}"'
    return response
