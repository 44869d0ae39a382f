"""Pages of annual plans. Rules live in ``services``; who may see what in ``access`` (404
outside it, 403 for a write without the right)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import can_write, visible_organisations
from shuangsuiji.imports.exports import export_name, export_response
from shuangsuiji.items.models import Item
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.plans import access, services
from shuangsuiji.plans.forms import MONTHS, PlanHeaderForm, PlanTextForm, line_rows, rows_to_lines
from shuangsuiji.plans.models import Plan, PlanAdjustment, PlanStatus
from shuangsuiji.plans.services import PlanContent, PlanRuleError
from shuangsuiji.targets.choices import InspectionMethod
from shuangsuiji.web.pagination import paginate

SECTION = {"active_section": "plans"}
STATUS_FILTERS = [*PlanStatus.choices]


def _errors(request, exc: PlanRuleError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _filtered(request):
    today = timezone.localdate()
    qs = access.visible_plans(request.user).select_related("owner", "owner__region", "published_by")
    f = {k: request.GET.get(k, "").strip() for k in ("q", "year", "status", "owner", "overdue")}
    if f["q"]:
        qs = qs.filter(title__icontains=f["q"])
    if f["year"].isdigit() and len(f["year"]) == 4:
        qs = qs.filter(year=int(f["year"]))
    if f["status"] in PlanStatus.values:
        qs = qs.filter(status=f["status"])
    elif not f["status"]:
        qs = qs.exclude(status=PlanStatus.SUPERSEDED)
    if f["owner"].isdigit() and len(f["owner"]) < 10:
        qs = qs.filter(owner_id=int(f["owner"]))
    qs = qs.order_by("-year", "owner__path", "-version")
    if f["overdue"] == "1":
        ids = [
            p.pk for p in qs.exclude(status__in=[PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED]) if p.is_overdue(today)
        ]
        qs = qs.filter(pk__in=ids)
    return qs, f, today


@login_required
def plan_list(request):
    qs, f, today = _filtered(request)
    context = {
        **SECTION,
        **f,
        "statuses": STATUS_FILTERS,
        "owners": Organisation.objects.filter(pk__in=access.visible_plans(request.user).values("owner_id")).order_by(
            "path"
        ),
        "can_create": access.plan_owners_for(request.user).exists(),
        "querystring": request.GET.urlencode(),
        "today": today,
    }
    context.update(paginate(request, qs))
    for p in context["object_list"]:
        p.overdue = p.is_overdue(today)
    if (
        request.user.has_role(Role.COORDINATING_OFFICE, Role.PLATFORM_ADMIN, Role.SUPERVISOR)
        or request.user.is_superuser
    ):
        year = int(f["year"]) if f["year"].isdigit() and len(f["year"]) == 4 else today.year
        from shuangsuiji.plans.models import plan_due_date

        due = plan_due_date(year)
        context["missing_year"] = year
        context["missing_due"] = due
        context["missing_overdue"] = today > due
        context["missing"] = services.departments_without_plan(request.user, year)
    return render(request, "plans/plan_list.html", context)


EXPORT_HEADERS = ["年度", "制定机构", "计划名称", "版本", "状态", "计划事项数", "发布期限", "是否逾期", "发布时间"]


@login_required
def plan_export(request, fmt: str):
    qs, _f, today = _filtered(request)

    def rows():
        for p in qs.prefetch_related("lines"):
            due = p.due_date()
            yield [
                p.year,
                p.owner.name,
                p.title,
                p.version,
                p.get_status_display(),
                len(p.lines.all()),
                due.isoformat() + ("（暂定）" if p.due_provisional() else ""),
                "是" if p.is_overdue(today) else "否",
                timezone.localtime(p.published_at).strftime("%Y-%m-%d %H:%M") if p.published_at else "",
            ]

    return export_response(fmt, export_name("年度抽查计划", request.user), EXPORT_HEADERS, rows)


def _visible_versions(user, plan: Plan) -> list[Plan]:
    series = services.series(plan)
    visible = set(access.visible_plans(user).filter(pk__in=[v.pk for v in series]).values_list("pk", flat=True))
    return [v for v in series if v.pk in visible]


def _detail_context(request, plan: Plan) -> dict:
    user = request.user
    today = timezone.localdate()
    return {
        **SECTION,
        "plan": plan,
        "today": today,
        "lines": plan.lines.select_related("item_version__item__department"),
        "waivers": plan.waivers.select_related("item", "created_by"),
        "uncovered": services.uncovered_items(plan) if not plan.is_frozen else [],
        "participants": services.participating_departments(plan),
        "versions": _visible_versions(user, plan),
        "adjustments": plan.adjustments.select_related("requested_by", "decided_by", "new_plan"),
        "due": plan.due_date(),
        "due_problem": plan.due_problem(),
        "overdue": plan.is_overdue(today),
        **access.allowed_actions(user, plan),
        "publish_errors": services.publish_errors(plan) if plan.status == PlanStatus.APPROVED else [],
    }


@login_required
def plan_detail(request, pk: int):
    plan = access.get_plan_or_404(request.user, pk)
    return render(request, "plans/plan_detail.html", _detail_context(request, plan))


@login_required
def plan_print(request, pk: int):
    plan = access.get_plan_or_404(request.user, pk)
    return render(request, "plans/plan_print.html", _detail_context(request, plan))


@login_required
def plan_create(request):
    owners = access.plan_owners_for(request.user)
    if not owners.exists():
        if request.method == "POST":
            raise PermissionDenied("您的角色无权制定年度抽查计划。")
        return render(request, "plans/forbidden.html", {**SECTION}, status=403)
    departments = visible_organisations(request.user).filter(kind=Organisation.Kind.DEPARTMENT, is_active=True)
    form = PlanHeaderForm(
        request.POST or None,
        owners=owners,
        departments=departments.order_by("path"),
        initial={"owner": owners.first(), "year": timezone.localdate().year + 1},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = data["owner"]
        is_joint = owner.kind == Organisation.Kind.OFFICE
        departments_ = list(data["participants"]) if is_joint else [owner]
        lines, _ = rows_to_lines(line_rows(services.available_items(departments_)))
        try:
            plan = services.create_plan(
                owner,
                year=data["year"],
                content=PlanContent(title=data["title"], scope=data["scope"], notes=data["notes"], lines=lines),
                participants=departments_ if is_joint else None,
                user=request.user,
            )
        except PlanRuleError as exc:
            for m in exc.messages:
                form.add_error(None, m)
        else:
            messages.success(request, "已创建计划草稿，已按各事项的最低比例列入全部现行事项；请核对后报审。")
            return redirect("plans:edit", plan.pk)
    return render(request, "plans/plan_create.html", {**SECTION, "form": form})


@login_required
def plan_edit(request, pk: int):
    plan = access.get_plan_or_404(request.user, pk)
    if not access.can_edit(request.user, plan.owner, plan.is_joint):
        if request.method == "POST":
            access.require(False)
        return render(request, "plans/forbidden.html", {**SECTION}, status=403)
    if plan.status != PlanStatus.DRAFT:
        messages.error(request, "只有草稿可以修改。")
        return redirect("plans:detail", plan.pk)
    versions = services.available_items(services.participating_departments(plan))
    form = PlanTextForm(request.POST or None, initial={"title": plan.title, "scope": plan.scope, "notes": plan.notes})
    rows = line_rows(versions, plan, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        lines, errors = rows_to_lines(rows)
        try:
            if errors:
                raise PlanRuleError(errors)
            services.save_draft(
                plan,
                PlanContent(
                    title=form.cleaned_data["title"],
                    scope=form.cleaned_data["scope"],
                    notes=form.cleaned_data["notes"],
                    lines=lines,
                ),
                request.user,
            )
        except PlanRuleError as exc:
            for m in exc.messages:
                form.add_error(None, m)
        else:
            messages.success(request, "已保存计划草稿。")
            return redirect("plans:detail", plan.pk)
    context = {
        **SECTION,
        "plan": plan,
        "form": form,
        "rows": rows,
        "months": MONTHS,
        "methods": InspectionMethod.choices,
    }
    return render(request, "plans/plan_edit.html", context)


def _post_plan(request, pk: int) -> Plan:
    if not can_write(request.user):
        raise PermissionDenied("督查为只读角色。")
    return access.get_plan_or_404(request.user, pk)


def _transition(request, pk: int, action, done: str):
    plan = _post_plan(request, pk)
    try:
        action(plan)
    except PlanRuleError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("plans:detail", plan.pk)


@require_POST
@login_required
def plan_submit(request, pk: int):
    return _transition(request, pk, lambda p: services.submit(p, request.user), "已报审。")


@require_POST
@login_required
def plan_approve(request, pk: int):
    return _transition(request, pk, lambda p: services.approve(p, request.user), "已审批通过。")


@require_POST
@login_required
def plan_return(request, pk: int):
    reason = request.POST.get("reason", "")
    return _transition(request, pk, lambda p: services.return_plan(p, request.user, reason), "已退回修改。")


@require_POST
@login_required
def plan_publish(request, pk: int):
    return _transition(request, pk, lambda p: services.publish(p, request.user), "已发布（公示）。")


@require_POST
@login_required
def plan_waive(request, pk: int):
    plan = _post_plan(request, pk)
    item = get_object_or_404(Item, pk=request.POST.get("item") if str(request.POST.get("item", "")).isdigit() else 0)
    try:
        waiver = services.waive(plan, item, request.POST.get("reason", ""), request.user)
    except PlanRuleError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已登记事项 {item.code} 不纳入本计划的原因。")
        if waiver.plan.status == PlanStatus.SUBMITTED and plan.status == PlanStatus.APPROVED:
            messages.warning(request, services.REAPPROVAL_NOTICE)
    return redirect("plans:detail", plan.pk)


@require_POST
@login_required
def plan_adjust(request, pk: int):
    reason = request.POST.get("reason", "")
    return _transition(
        request, pk, lambda p: services.request_adjustment(p, request.user, reason), "已提交调整申请，待审批。"
    )


def _adjustment(request, pk: int, adj_pk: int) -> PlanAdjustment:
    plan = _post_plan(request, pk)
    return get_object_or_404(PlanAdjustment, pk=adj_pk, plan=plan)


@require_POST
@login_required
def adjustment_approve(request, pk: int, adj_pk: int):
    adjustment = _adjustment(request, pk, adj_pk)
    try:
        new = services.approve_adjustment(adjustment, request.user)
    except PlanRuleError as exc:
        _errors(request, exc)
        return redirect("plans:detail", pk)
    messages.success(request, f"已批准调整，生成第 {new.version} 版草稿；请在 10 个工作日内完成调整并重新发布。")
    return redirect("plans:detail", new.pk)


@require_POST
@login_required
def adjustment_return(request, pk: int, adj_pk: int):
    adjustment = _adjustment(request, pk, adj_pk)
    try:
        services.return_adjustment(adjustment, request.user, request.POST.get("reason", ""))
    except PlanRuleError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已退回调整申请。")
    return redirect("plans:detail", pk)
