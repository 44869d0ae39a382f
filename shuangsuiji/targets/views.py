from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from shuangsuiji.accounts.scope import can_write, get_in_region_scope_or_404
from shuangsuiji.imports.exports import export_name, export_response
from shuangsuiji.tags.models import Tag
from shuangsuiji.targets import services
from shuangsuiji.targets.choices import RegistrationStatus, RiskClass, TargetType
from shuangsuiji.targets.forms import RiskClassForm, TargetForm
from shuangsuiji.targets.importer import COLUMNS, export_row
from shuangsuiji.targets.models import Industry, Target
from shuangsuiji.targets.queries import TargetFilter, targets_for
from shuangsuiji.web.changes import describe
from shuangsuiji.web.pagination import paginate

# The export is the import template (same headers, same cells: export → edit → re-import
# round-trips), followed by two columns for reading that the import ignores.
EXPORT_HEADERS = [*(c.header for c in COLUMNS), "行政区划名称", "行业名称"]


def _export_rows(qs):
    for t in qs.iterator(chunk_size=5000):
        row = export_row(t)
        yield [*(row[c.field] for c in COLUMNS), t.region.name, t.industry.name if t.industry_id else ""]


def _require_write(user):
    if not can_write(user):
        raise PermissionDenied("督查角色为只读。")


@login_required
def target_list(request):
    qs = targets_for(request.user, request.GET)
    fmt = request.GET.get("export")
    if fmt:
        name = export_name("检查对象名录", request.user)
        return export_response(fmt, name, EXPORT_HEADERS, lambda: _export_rows(qs.prefetch_related("tags__parent")))
    context = {
        "filters": TargetFilter.from_params(request.GET),
        "types": TargetType.choices,
        "risks": RiskClass.choices,
        "statuses": RegistrationStatus.choices,
        "industries": Industry.objects.filter(level=Industry.Level.SECTION),
        "tags": Tag.objects.filter(is_active=True, scope__in=["targets", "both"]),
        "can_write": can_write(request.user),
        "active_section": "targets",
    }
    context.update(paginate(request, qs))
    return render(request, "targets/target_list.html", context)


@login_required
def target_detail(request, pk: int):
    target = get_in_region_scope_or_404(
        request.user, Target.objects.select_related("region", "industry", "risk_recorded_by"), pk=pk
    )
    context = {
        "t": target,
        "risk_records": target.risk_records(limit=50),  # the current one first, then the earlier ones
        "changes": describe(Target, target.changes.select_related("changed_by", "import_job")[:50]),
        "last_inspections": target.last_inspections.select_related("department"),
        "risk_form": RiskClassForm(initial={"risk_class": target.risk_class}),
        "can_write": can_write(request.user),
        "active_section": "targets",
    }
    return render(request, "targets/target_detail.html", context)


@login_required
def target_edit(request, pk: int | None = None):
    _require_write(request.user)
    target = get_in_region_scope_or_404(request.user, Target.objects.all(), pk=pk) if pk is not None else None
    form = TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f not in ("tags", "region", "industry")}
        data["region_id"] = form.cleaned_data["region"].pk
        data["industry_id"] = form.cleaned_data["industry"].pk if form.cleaned_data["industry"] else None
        try:
            if target is None:
                target = services.create_target(data, user=request.user, tags=form.cleaned_data["tags"])
                messages.success(request, "已登记检查对象。")
            else:
                data.pop("risk_class", None)
                changed = services.update_target(target, data, user=request.user, tags=form.cleaned_data["tags"])
                messages.success(request, f"已保存（变更 {len(changed)} 项）。" if changed else "没有变更。")
            return redirect("targets:detail", pk=target.pk)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
    return render(request, "targets/target_form.html", {"form": form, "t": target, "active_section": "targets"})


@login_required
def target_risk(request, pk: int):
    _require_write(request.user)
    target = get_in_region_scope_or_404(request.user, Target.objects.all(), pk=pk)
    form = RiskClassForm(request.POST)
    if form.is_valid():
        services.set_risk_class(target, user=request.user, **form.cleaned_data)
        messages.success(request, "已记录信用风险分类。")
    else:
        messages.error(request, "请完整填写风险分类、生效日期和来源。")
    return redirect("targets:detail", pk=target.pk)
