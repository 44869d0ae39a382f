"""Pages of the item list and the check-form library. Rules live in ``services``; who may see
what in ``access`` (404 outside it, 403 for a write without the right)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from shuangsuiji.imports.exports import disposition, export_name
from shuangsuiji.items import access, exports, services
from shuangsuiji.items.forms import CheckFormForm, ItemForm, ListSettingsForm, ReasonForm, fields_text
from shuangsuiji.items.models import CheckForm, ItemKind, ItemList, VersionStatus
from shuangsuiji.items.services import ItemRuleError
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.targets.choices import TargetType
from shuangsuiji.web.pagination import paginate

SECTION = {"active_section": "items"}
STATUS_FILTERS = [("draft", "草稿"), ("published", "已发布"), ("withdrawn", "已停用")]


def _rule_errors(request, exc: ItemRuleError) -> None:
    for m in exc.messages:
        messages.error(request, m)


# --- Item list --------------------------------------------------------------------------------


def _filtered_heads(request):
    qs = access.head_versions(request.user).select_related(
        "item", "item__department", "published_by", "claimed_from", "claimed_from__item__department"
    )
    f = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "status", "target_type", "department")}
    if f["q"]:
        q = f["q"]
        qs = qs.filter(Q(item__code__icontains=q) | Q(name__icontains=q) | Q(national_code__icontains=q))
    if f["kind"] in ItemKind.values:
        qs = qs.filter(kind=f["kind"])
    if f["status"] == "withdrawn":
        qs = qs.filter(item__withdrawn_at__isnull=False)
    elif f["status"] in (VersionStatus.DRAFT, VersionStatus.PUBLISHED):
        qs = qs.filter(status=f["status"], item__withdrawn_at__isnull=True)
    if f["target_type"] in TargetType.values:
        qs = qs.filter(target_types__icontains=f'"{f["target_type"]}"')
    if f["department"].isdigit():
        qs = qs.filter(item__department_id=int(f["department"]))
    return qs.order_by("item__department__path", "item__code"), f


def _visible_departments(user):
    ids = access.visible_items(user).values("department_id")
    return Organisation.objects.filter(pk__in=ids).order_by("path")


@login_required
def item_list(request):
    qs, f = _filtered_heads(request)
    own = access.kept_department(request.user)
    context = {
        **SECTION,
        **f,
        "kinds": ItemKind.choices,
        "statuses": STATUS_FILTERS,
        "target_types": TargetType.choices,
        "departments": _visible_departments(request.user),
        "own_department": own,
        "can_create": access.editable_departments(request.user).exists(),
        "querystring": request.GET.urlencode(),
    }
    context.update(paginate(request, qs))
    return render(request, "items/item_list.html", context)


@login_required
def item_export(request, fmt: str):
    qs, _f = _filtered_heads(request)
    qs = qs.select_related("claimed_from__item").prefetch_related(
        "sub_items", "legal_bases", "inspector_requirements__parent", "forms__latest_version"
    )
    rows = exports.export_rows(qs)
    if fmt == "xlsx":
        body = exports.xlsx_bytes(exports.EXPORT_HEADERS, rows, "随机抽查事项清单")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = exports.csv_bytes(exports.EXPORT_HEADERS, rows)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = disposition(f"{export_name('事项清单', request.user)}.{fmt}")
    return response


# --- One item ---------------------------------------------------------------------------------


def _item_or_404(request, pk: int):
    item = access.visible_items(request.user).select_related("department").filter(pk=pk).first()
    if item is None:
        raise Http404("未找到该事项，或不在您的数据范围内。")
    return item


def _version_context(version):
    return {
        "sub_items": version.sub_items.all(),
        "legal_bases": version.legal_bases.all(),
        "requirements": version.inspector_requirements.select_related("parent"),
        "check_forms": version.forms.select_related("latest_version", "published_version"),
    }


@login_required
def item_detail(request, pk: int):
    item = _item_or_404(request, pk)
    sees_drafts = access.may_see_drafts(request.user, item.department)
    version = item.latest_version if sees_drafts else item.published_version
    versions = access.visible_versions(request.user).filter(item=item).select_related("published_by", "created_by")
    can_edit = access.can_edit(request.user, item.department)
    context = {
        **SECTION,
        "item": item,
        "version": version,
        "versions": versions.order_by("-version"),
        "can_edit": can_edit,
        "publish_errors": services.publish_errors(version) if can_edit and version.is_draft else [],
        "claims": version.claims.select_related("item__department") if sees_drafts else [],
        **_version_context(version),
    }
    return render(request, "items/item_detail.html", context)


@login_required
def version_detail(request, pk: int, number: int):
    item = _item_or_404(request, pk)
    version = get_object_or_404(access.visible_versions(request.user), item=item, version=number)
    context = {**SECTION, "item": item, "version": version, "history": True, **_version_context(version)}
    return render(request, "items/version_detail.html", context)


def _form_choices(user, department):
    """Forms an item of ``department`` may link: its own and the published ones above."""
    uppers = [d.pk for d in access.ancestor_departments(department)]
    return (
        CheckForm.objects.filter(Q(department=department) | Q(department__in=uppers, published_version__isnull=False))
        .select_related("latest_version", "department")
        .order_by("department__path", "code")
    )


@login_required
def item_create(request):
    departments = access.editable_departments(request.user)
    if not departments.exists():
        return render(request, "items/forbidden.html", {**SECTION}, status=403)
    department = departments.first()
    if request.GET.get("department", "").isdigit() or request.POST.get("department", "").isdigit():
        wanted = int(request.POST.get("department") or request.GET.get("department"))
        department = get_object_or_404(departments, pk=wanted)
    item_list = services.get_item_list(department) if request.method == "POST" else None
    form = ItemForm(request.POST or None, form_queryset=_form_choices(request.user, department))
    if request.method == "GET":
        default = ItemList.objects.filter(department=department).values_list("default_min_ratio", flat=True).first()
        form.initial["min_ratio_percent"] = ((default or Decimal("0.05")) * 100).normalize()
    if request.method == "POST" and form.is_valid():
        try:
            version = services.create_item(
                department, code=form.cleaned_data["code"], content=form.content(), user=request.user
            )
        except ItemRuleError as exc:
            for m in exc.messages:
                form.add_error(None, m)
        else:
            messages.success(request, f"已保存事项草稿“{version.name}”，发布后方可用于抽查计划与任务。")
            return redirect("items:detail", version.item_id)
    context = {
        **SECTION,
        "form": form,
        "department": department,
        "departments": departments if departments.count() > 1 else None,
        "item_list": item_list,
        "title": "新建抽查事项",
    }
    return render(request, "items/item_form.html", context)


@login_required
def item_edit(request, pk: int):
    item = _item_or_404(request, pk)
    if not access.can_edit(request.user, item.department):
        if request.method == "POST":
            access.require_edit(request.user, item.department)
        return render(request, "items/forbidden.html", {**SECTION}, status=403)
    if item.is_withdrawn:
        messages.error(request, "该事项已停用，不能修订。")
        return redirect("items:detail", item.pk)
    base = item.latest_version
    form = ItemForm(
        request.POST or None,
        initial=ItemForm.initial_for(base),
        form_queryset=_form_choices(request.user, item.department),
        with_code=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.edit_item(item, form.content(), request.user)
        except ItemRuleError as exc:
            for m in exc.messages:
                form.add_error(None, m)
        else:
            messages.success(request, f"已保存第 {version.version} 版草稿。")
            return redirect("items:detail", item.pk)
    context = {
        **SECTION,
        "form": form,
        "item": item,
        "department": item.department,
        "base": base,
        "title": f"修改事项 {item.code}",
    }
    return render(request, "items/item_form.html", context)


def _post_item(request, pk: int):
    item = _item_or_404(request, pk)
    access.require_edit(request.user, item.department)
    return item


@require_POST
@login_required
def item_publish(request, pk: int):
    item = _post_item(request, pk)
    draft = item.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        messages.info(request, "该事项没有待发布的草稿。")
        return redirect("items:detail", item.pk)
    try:
        services.publish_item(draft, request.user, reason=request.POST.get("reason", ""))
    except ItemRuleError as exc:
        _rule_errors(request, exc)
    else:
        messages.success(request, f"已发布第 {draft.version} 版。")
    return redirect("items:detail", item.pk)


@require_POST
@login_required
def item_discard(request, pk: int):
    item = _post_item(request, pk)
    draft = item.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        return redirect("items:detail", item.pk)
    try:
        remaining = services.discard_draft(draft, request.user)
    except ItemRuleError as exc:
        _rule_errors(request, exc)
        return redirect("items:detail", item.pk)
    messages.success(request, "已删除草稿。")
    return redirect("items:detail", item.pk) if remaining else redirect("items:list")


@require_POST
@login_required
def item_withdraw(request, pk: int):
    item = _post_item(request, pk)
    form = ReasonForm(request.POST)
    try:
        services.withdraw_item(item, request.user, form.data.get("reason", ""))
    except ItemRuleError as exc:
        _rule_errors(request, exc)
    else:
        messages.success(request, "已停用该事项；已发布的版本仍可查阅。")
    return redirect("items:detail", item.pk)


# --- The department's list --------------------------------------------------------------------


@login_required
def list_detail(request, department_pk: int):
    visible = access.scope_or_kept_q(request.user) | Q(
        pk__in=access.visible_items(request.user).values("department_id")
    )
    department = get_object_or_404(
        Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT).filter(visible), pk=department_pk
    )
    item_list = ItemList.objects.filter(department=department).select_related("published_by").first()
    can_edit = access.can_edit(request.user, department)
    sees_drafts = access.may_see_drafts(request.user, department)
    default = item_list.default_min_ratio if item_list else Decimal("0.05")
    form = ListSettingsForm(request.POST or None, initial={"default_percent": (default * 100).normalize()})
    if request.method == "POST":
        access.require_edit(request.user, department)
        if form.is_valid():
            try:
                services.update_list_settings(
                    services.get_item_list(department),
                    default_min_ratio=form.cleaned_data["default_percent"] / Decimal(100),
                    user=request.user,
                )
            except ItemRuleError as exc:
                _rule_errors(request, exc)
            else:
                messages.success(request, "已保存清单设置。")
                return redirect("items:list_detail", department.pk)
    drafts = (
        access.visible_versions(request.user).filter(item__department=department, status=VersionStatus.DRAFT)
        if sees_drafts
        else []
    )
    context = {
        **SECTION,
        "department": department,
        "item_list": item_list,
        "can_edit": can_edit,
        "form": form,
        "drafts": drafts,
        "published_count": services.published_items(department).count(),
    }
    return render(request, "items/list_detail.html", context)


@require_POST
@login_required
def list_publish(request, department_pk: int):
    department = get_object_or_404(
        Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT).filter(access.scope_or_kept_q(request.user)),
        pk=department_pk,
    )
    access.require_edit(request.user, department)
    try:
        published = services.publish_list(department, request.user, reason=request.POST.get("reason", ""))
    except ItemRuleError as exc:
        _rule_errors(request, exc)
    else:
        messages.success(request, f"已发布清单：{len(published)} 个事项。")
    return redirect("items:list_detail", department.pk)


# --- Claiming ---------------------------------------------------------------------------------


@login_required
def claim_list(request):
    department = access.user_department(request.user)
    if department is None:
        return render(request, "items/claim_list.html", {**SECTION, "department": None})
    qs = services.claimable_versions(department)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(item__code__icontains=q) | Q(name__icontains=q) | Q(national_code__icontains=q))
    claimed = services.claimed_source_items(department)
    context = {
        **SECTION,
        "department": department,
        "uppers": access.ancestor_departments(department),
        "q": q,
        "claimed": claimed,
        "can_claim": access.can_edit(request.user, department),
    }
    context.update(paginate(request, qs))
    for v in context["object_list"]:
        v.claimed_as = claimed.get(v.item_id)
    return render(request, "items/claim_list.html", context)


@require_POST
@login_required
def claim_item(request, version_pk: int):
    department = access.user_department(request.user)
    if department is None:
        raise Http404("您不属于任何部门。")
    source = get_object_or_404(services.claimable_versions(department), pk=version_pk)
    access.require_edit(request.user, department)
    try:
        version = services.claim(source, department, request.user)
    except ItemRuleError as exc:
        _rule_errors(request, exc)
        return redirect("items:claim")
    messages.success(request, f"已认领“{version.name}”，已加入本部门清单草稿，发布后生效。")
    return redirect("items:detail", version.item_id)


# --- Check forms ------------------------------------------------------------------------------


@login_required
def form_list(request):
    qs = access.head_form_versions(request.user).select_related("form", "form__department")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        qs = qs.filter(Q(form__code__icontains=q) | Q(name__icontains=q))
    if kind in CheckForm.Kind.values:
        qs = qs.filter(form__kind=kind)
    context = {
        **SECTION,
        "q": q,
        "kind": kind,
        "kinds": CheckForm.Kind.choices,
        "can_create": access.editable_departments(request.user).exists(),
    }
    context.update(paginate(request, qs.order_by("form__department__path", "form__code")))
    return render(request, "items/form_list.html", context)


def _form_or_404(request, pk: int) -> CheckForm:
    form = access.visible_forms(request.user).select_related("department").filter(pk=pk).first()
    if form is None:
        raise Http404("未找到该表格，或不在您的数据范围内。")
    return form


@login_required
def form_detail(request, pk: int):
    check_form = _form_or_404(request, pk)
    versions = access.visible_form_versions(request.user).filter(form=check_form).order_by("-version")
    number = request.GET.get("version", "")
    if number.isdigit():
        version = get_object_or_404(versions, version=int(number))
    else:
        sees_drafts = access.may_see_drafts(request.user, check_form.department)
        version = check_form.latest_version if sees_drafts else check_form.published_version
    context = {
        **SECTION,
        "check_form": check_form,
        "version": version,
        "fields": version.fields.all(),
        "versions": versions.select_related("published_by"),
        "can_edit": access.can_edit(request.user, check_form.department),
        "items": access.head_versions(request.user).filter(forms=check_form).select_related("item"),
    }
    return render(request, "items/form_detail.html", context)


@login_required
def form_create(request):
    departments = access.editable_departments(request.user)
    if not departments.exists():
        return render(request, "items/forbidden.html", {**SECTION}, status=403)
    department = departments.first()
    form = CheckFormForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            version = services.create_form(
                department,
                code=d["code"],
                name=d["name"],
                kind=d["kind"],
                description=d["description"],
                fields=d["parsed_fields"],
                user=request.user,
            )
        except ItemRuleError as exc:
            for m in exc.messages:
                form.add_error(None, m)
        else:
            messages.success(request, f"已保存表格草稿“{version.name}”。")
            return redirect("items:form_detail", version.form_id)
    return render(
        request, "items/form_form.html", {**SECTION, "form": form, "department": department, "title": "新建检查表格"}
    )


@login_required
def form_edit(request, pk: int):
    check_form = _form_or_404(request, pk)
    if not access.can_edit(request.user, check_form.department):
        if request.method == "POST":
            access.require_edit(request.user, check_form.department)
        return render(request, "items/forbidden.html", {**SECTION}, status=403)
    base = check_form.latest_version
    initial = {"name": base.name, "description": base.description, "fields_text": fields_text(base)}
    form = CheckFormForm(request.POST or None, initial=initial, with_identity=False)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            draft = services.edit_form(
                check_form, name=d["name"], description=d["description"], fields=d["parsed_fields"], user=request.user
            )
        except ItemRuleError as exc:
            for m in exc.messages:
                form.add_error(None, m)
        else:
            messages.success(request, f"已保存第 {draft.version} 版草稿。")
            return redirect("items:form_detail", check_form.pk)
    context = {
        **SECTION,
        "form": form,
        "check_form": check_form,
        "department": check_form.department,
        "base": base,
        "title": f"修改表格 {check_form.code}",
    }
    return render(request, "items/form_form.html", context)


@require_POST
@login_required
def form_publish(request, pk: int):
    check_form = _form_or_404(request, pk)
    access.require_edit(request.user, check_form.department)
    draft = check_form.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        messages.info(request, "该表格没有待发布的草稿。")
    else:
        try:
            services.publish_form(draft, request.user)
        except ItemRuleError as exc:
            _rule_errors(request, exc)
        else:
            messages.success(request, f"已发布表格第 {draft.version} 版。")
    return redirect("items:form_detail", check_form.pk)
