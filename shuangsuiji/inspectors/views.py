from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.accounts.scope import can_write, get_in_scope_or_404, visible_organisations
from shuangsuiji.imports.exports import export_name, export_response
from shuangsuiji.inspectors import services
from shuangsuiji.inspectors.choices import CertificateStatus
from shuangsuiji.inspectors.forms import (
    CorrectionForm,
    EndLeaveForm,
    InspectorForm,
    LeaveForm,
    RelationshipForm,
    TrainingForm,
    inspector_tags,
)
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.inspectors.queries import InspectorFilter, inspectors_for
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.web.changes import describe
from shuangsuiji.web.pagination import paginate

SECTION = "inspectors"
EXPORT_HEADERS = [
    "姓名",
    "执法证号",
    "所属机构",
    "职务",
    "证件有效期起",
    "证件有效期止",
    "证件状态",
    "联系电话",
    "专业特长",
    "是否专家",
    "状态",
]


def _export_rows(qs):
    today = timezone.localdate()
    labels = dict(CertificateStatus.choices)
    for i in qs.prefetch_related("specialties").iterator(chunk_size=2000):
        yield [
            i.name,
            i.certificate_no,
            i.organisation.name,
            i.position,
            i.cert_valid_from.isoformat() if i.cert_valid_from else "",
            i.cert_valid_to.isoformat(),
            labels[i.certificate_status(today)],
            i.phone,
            "、".join(t.name for t in i.specialties.all()),
            "是" if i.is_expert else "否",
            "在岗" if i.is_active else "停用",
        ]


def _require_write(user):
    if not can_write(user):
        raise PermissionDenied("督查角色为只读。")


def _require_correct(user):
    _require_write(user)
    if not services.can_correct(user):
        raise PermissionDenied("作废、取消、撤销申报由部门管理员或业务股室办理，执法检查人员不能更正名录记录。")


def _get(request, pk: int) -> Inspector:
    return get_in_scope_or_404(request.user, Inspector.objects.select_related("organisation"), pk=pk)


@login_required
def inspector_list(request):
    qs = inspectors_for(request.user, request.GET)
    fmt = request.GET.get("export")
    if fmt:
        name = export_name("执法检查人员名录", request.user)
        return export_response(fmt, name, EXPORT_HEADERS, lambda: _export_rows(qs))
    context = {
        "filters": InspectorFilter.from_params(request.GET),
        "organisations": visible_organisations(request.user)
        .filter(kind__in=[Organisation.Kind.DEPARTMENT, Organisation.Kind.UNIT])
        .order_by("path"),
        "tags": inspector_tags(),
        "cert_statuses": CertificateStatus.choices,
        "today": timezone.localdate(),
        "can_write": can_write(request.user),
        "active_section": SECTION,
    }
    context.update(paginate(request, qs.prefetch_related("specialties")))
    return render(request, "inspectors/inspector_list.html", context)


@login_required
def inspector_detail(request, pk: int):
    inspector = _get(request, pk)
    today = timezone.localdate()
    context = {
        "i": inspector,
        "cert_status": CertificateStatus(inspector.certificate_status(today)),
        "on_leave": inspector.leave_periods.live().filter(start__lte=today, end__gte=today).exists(),
        "trainings": inspector.trainings.select_related("recorded_by", "voided_by"),
        "leave_periods": inspector.leave_periods.select_related("recorded_by", "cancelled_by"),
        "relationships": inspector.relationships.select_related("target", "recorded_by", "withdrawn_by"),
        "changes": describe(Inspector, inspector.changes.select_related("changed_by", "import_job")[:50]),
        "training_form": TrainingForm(initial={"completed_on": today}),
        "leave_form": LeaveForm(),
        "relationship_form": RelationshipForm(initial={"declared_on": today}),
        "correction_form": CorrectionForm(),
        "end_leave_form": EndLeaveForm(),
        "can_write": can_write(request.user),
        "can_correct": services.can_correct(request.user),
        "active_section": SECTION,
    }
    return render(request, "inspectors/inspector_detail.html", context)


@login_required
def inspector_edit(request, pk: int | None = None):
    _require_write(request.user)
    inspector = _get(request, pk) if pk is not None else None
    form = InspectorForm(request.POST or None, instance=inspector, organisations=visible_organisations(request.user))
    if request.method == "POST" and form.is_valid():
        data = {
            f: form.cleaned_data[f]
            for f in form.cleaned_data
            if f not in ("specialties", "organisation", "account", "confirm_name")
        }
        data["organisation_id"] = form.cleaned_data["organisation"].pk
        try:
            with transaction.atomic():
                if inspector is None:
                    saved = services.create_inspector(
                        data, user=request.user, specialties=form.cleaned_data["specialties"]
                    )
                    done = "已登记执法检查人员。"
                else:
                    changed = services.update_inspector(
                        inspector, data, user=request.user, specialties=form.cleaned_data["specialties"]
                    )
                    saved = inspector
                    done = f"已保存（变更 {len(changed)} 项）。" if changed else "没有变更。"
                if services.link_account(
                    saved,
                    form.cleaned_data["account"],
                    user=request.user,
                    confirm_name=form.cleaned_data["confirm_name"],
                ):
                    account = form.cleaned_data["account"]
                    done += f"平台账号：{account.username if account else '已解除关联'}。"
            messages.success(request, done)
            return redirect("inspectors:detail", pk=saved.pk)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
    return render(request, "inspectors/inspector_form.html", {"form": form, "i": inspector, "active_section": SECTION})


def _add(request, pk: int, form_class, action, done: str):
    _require_write(request.user)
    inspector = _get(request, pk)
    _submit(request, form_class(request.POST), inspector, action, done)
    _flag_drawn_groups(request, inspector)
    return redirect("inspectors:detail", pk=inspector.pk)


def _flag_drawn_groups(request, inspector) -> None:
    """Leave or an interest entered for someone already in a drawn group: say which tasks are
    flagged for a substitute draw (tasks.changes); nothing is changed by itself."""
    from shuangsuiji.tasks.changes import affected_for_inspector

    affected = affected_for_inspector(inspector)
    if affected:
        tasks = "、".join(dict.fromkeys(a.draw.task.code for a in affected))
        groups = sum(a.groups for a in affected)
        messages.warning(
            request,
            f"{inspector.name}已在进行中的抽取中被分配到 {groups} 个检查组（任务 {tasks}），"
            "已抽取的检查组不会自动变更：已在任务页和部门待办中提示递补抽取。",
        )


def _correct(request, pk: int, record_id: int, records: str, form_class, action, done: str):
    """Void, end, cancel or withdraw one record of an inspector in the user's scope (else 404)."""
    _require_correct(request.user)
    inspector = _get(request, pk)
    record = get_object_or_404(getattr(inspector, records), pk=record_id)
    _submit(request, form_class(request.POST), record, action, done)
    return redirect("inspectors:detail", pk=inspector.pk)


def _submit(request, form, obj, action, done: str) -> None:
    """Call ``action(obj, user=…, **cleaned_data)``; the outcome or the errors become messages."""
    if form.is_valid():
        try:
            action(obj, user=request.user, **form.cleaned_data)
            messages.success(request, done)
        except ValidationError as exc:
            messages.error(request, "；".join(m for errs in exc.message_dict.values() for m in errs))
    else:
        messages.error(
            request,
            "；".join(
                f"{form.fields[f].label if f in form.fields else ''}：{e}" for f, es in form.errors.items() for e in es
            ),
        )


@require_POST
@login_required
def add_training(request, pk: int):
    return _add(request, pk, TrainingForm, services.add_training, "已添加培训记录。")


@require_POST
@login_required
def add_leave(request, pk: int):
    return _add(request, pk, LeaveForm, services.add_leave, "已登记请假/停用期间。")


@require_POST
@login_required
def add_relationship(request, pk: int):
    return _add(request, pk, RelationshipForm, services.add_relationship, "已登记利害关系申报；今后的抽取将据此回避。")


@require_POST
@login_required
def void_training(request, pk: int, record_id: int):
    return _correct(request, pk, record_id, "trainings", CorrectionForm, services.void_training, "培训记录已作废。")


@require_POST
@login_required
def end_leave(request, pk: int, record_id: int):
    return _correct(
        request, pk, record_id, "leave_periods", EndLeaveForm, services.end_leave, "请假/停用期间已提前结束。"
    )


@require_POST
@login_required
def cancel_leave(request, pk: int, record_id: int):
    return _correct(
        request, pk, record_id, "leave_periods", CorrectionForm, services.cancel_leave, "请假/停用期间已取消。"
    )


@require_POST
@login_required
def withdraw_relationship(request, pk: int, record_id: int):
    return _correct(
        request,
        pk,
        record_id,
        "relationships",
        CorrectionForm,
        services.withdraw_relationship,
        "利害关系申报已撤销，抽取时不再据此回避。",
    )
