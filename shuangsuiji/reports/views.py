"""Pages of the report forms, their submission upward and the supervision page. Figures in
``figures.py``/``annex.py``, workflow in ``services.py``, who may do what in ``access.py``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.reports import access, annex, services, supervision
from shuangsuiji.reports import render as rendering
from shuangsuiji.reports.models import ReportKind, ReportStatus
from shuangsuiji.reports.services import ReportRuleError
from shuangsuiji.web.pagination import paginate

SECTION = {"active_section": "reports"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(request, exc: ReportRuleError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _file(content: bytes, content_type: str, name: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _mark(user) -> str:
    return f"{user.display_name} {timezone.localtime():%Y-%m-%d %H:%M} 导出"


@login_required
def report_list(request):
    qs = access.visible_reports(request.user).select_related("organisation", "recipient")
    f = {k: request.GET.get(k, "").strip() for k in ("kind", "year", "status", "q")}
    if f["kind"] in ReportKind.values:
        qs = qs.filter(kind=f["kind"])
    if f["year"].isdigit() and len(f["year"]) == 4:
        qs = qs.filter(year=int(f["year"]))
    if f["status"] in ReportStatus.values:
        qs = qs.filter(status=f["status"])
    if f["q"]:
        qs = qs.filter(organisation__name__icontains=f["q"][:100])
    org = access.reporting_organisation(request.user)
    today = timezone.localdate()
    context = {
        **SECTION,
        **f,
        "kinds": ReportKind.choices,
        "statuses": ReportStatus.choices,
        "org": org,
        "can_create": org is not None and access.can_edit(request.user, org),
        "can_supervise": access.can_supervise(request.user),
        "can_revisit": request.user.organisation is not None
        and access.can_revisit(request.user, request.user.organisation),
        "is_office": org is not None and org.kind == org.Kind.OFFICE,
        "today": today,
    }
    from django.urls import reverse

    context["form_actions"] = [(reverse("reports:form"), "get", f"预览（{org.name}）" if org else "预览")]
    if context["can_create"]:
        context["form_actions"].append((reverse("reports:create"), "post", "新建报表"))
    context.update(paginate(request, qs.order_by("-year", "-period", "kind", "organisation__path", "-version")))
    for r in context["object_list"]:
        r.late = services.late_days(r, today)
    return render(request, "reports/report_list.html", context)


def _period_from(request, data):
    kind = data.get("kind", "")
    return kind, *services.check_period(kind, data.get("year"), data.get("period"))


@login_required
@require_POST
def report_create(request):
    org = access.reporting_organisation(request.user)
    if org is None:
        access.require(False)
    access.require(access.can_edit(request.user, org))
    try:
        kind, year, period = _period_from(request, request.POST)
        report = services.create_report(org, kind, year, period, request.user)
    except ReportRuleError as exc:
        _errors(request, exc)
        return redirect("reports:list")
    messages.success(request, "报表已创建（草稿）。")
    return redirect("reports:detail", report.pk)


@login_required
def report_form(request, fmt: str = "html"):
    """The live form of the user's own organisation for a period (not saved)."""
    org = access.reporting_organisation(request.user)
    if org is None:
        access.require(False)
    try:
        kind, year, period = _period_from(request, request.GET)
    except ReportRuleError as exc:
        return render(request, "reports/bad_request.html", {**SECTION, "errors": exc.messages}, status=400)
    form = annex.layout(kind, org, year, period, annex.compute(kind, org, year, period), {}, timezone.localdate())
    return _respond(request, form, fmt, f"{org.name}{year}{ReportKind(kind).label}", None)


def _respond(request, form, fmt, name, report):
    if fmt == "xlsx":
        return _file(rendering.xlsx_bytes(form), XLSX, f"{name}.xlsx")
    if fmt == "pdf":
        pdf = rendering.pdf_bytes(form, author=request.user.display_name, mark=_mark(request.user))
        return _file(pdf, "application/pdf", f"{name}.pdf")
    context = {**SECTION, "form": form, "cells": _cells(form), "report": report, "query": request.GET.urlencode()}
    return render(request, "reports/form_preview.html", context)


def _cells(form):
    rows = [[] for _ in form.rows]
    for r, _c, cell in form.placed():
        rows[r].append(cell)
    return rows


@login_required
def report_detail(request, pk):
    report = access.get_report_or_404(request.user, pk)
    form = services.form_of(report)
    user = request.user
    org = report.organisation
    editable = report.status != ReportStatus.SUBMITTED and access.can_edit(user, org)
    versions = (
        access.visible_reports(user)
        .filter(organisation=org, kind=report.kind, year=report.year, period=report.period)
        .order_by("version")
    )
    context = {
        **SECTION,
        "report": report,
        "form": form,
        "cells": _cells(form),
        "fields": [(n, label, report.entered.get(n, "")) for n, label in services.ENTRY_FIELDS[report.kind]],
        "editable": editable,
        "can_check": editable and report.status == ReportStatus.DRAFT,
        "can_sign": report.status == ReportStatus.CHECKED and access.can_sign(user, org),
        "can_submit": report.status == ReportStatus.SIGNED and access.can_edit(user, org),
        "can_resubmit": report.status == ReportStatus.SUBMITTED
        and access.can_edit(user, org)
        and versions.last().pk == report.pk,
        "versions": versions,
        "late": services.late_days(report),
    }
    return render(request, "reports/report_detail.html", context)


@login_required
def report_file(request, pk, fmt):
    report = access.get_report_or_404(request.user, pk)
    form = services.form_of(report)
    name = f"{report.organisation.name}{report.period_label}{report.get_kind_display()}（第{report.version}版）"
    return _respond(request, form, fmt, name, report)


def _action(fn, success):
    @login_required
    @require_POST
    def view(request, pk):
        report = access.get_report_or_404(request.user, pk)
        try:
            result = fn(request, report)
        except ReportRuleError as exc:
            _errors(request, exc)
            return redirect("reports:detail", report.pk)
        messages.success(request, success)
        return redirect("reports:detail", result.pk)

    return view


report_save = _action(lambda rq, r: services.save_entries(r, rq.POST, rq.user), "已保存。")
report_check = _action(lambda rq, r: services.check(r, rq.user), "已审核。")
report_sign = _action(lambda rq, r: services.sign_off(r, rq.user), "已签发。")
report_submit = _action(lambda rq, r: services.submit(r, rq.user), "已报送上级双随机办，报表已冻结。")
report_resubmit = _action(
    lambda rq, r: services.resubmit(r, rq.user, rq.POST.get("reason", "")), "已建立新版本（草稿），请修改后重新报送。"
)


@login_required
def incoming(request):
    """What arrived at the user's office for a period, what is late, and the aggregate."""
    org = request.user.organisation
    if org is None or org.kind != org.Kind.OFFICE:
        access.require(False)
    today = timezone.localdate()
    data = request.GET.copy()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)) if data.get("kind", "monthly") == "monthly" else today
    data.setdefault("kind", ReportKind.MONTHLY)
    data.setdefault("year", str(last_month.year))
    data.setdefault("period", str(last_month.month) if data["kind"] == ReportKind.MONTHLY else "1")
    try:
        kind, year, period = _period_from(request, data)
    except ReportRuleError as exc:
        return render(request, "reports/bad_request.html", {**SECTION, "errors": exc.messages}, status=400)
    rows = services.arrivals(org, kind, year, period, today)
    total = services.aggregate(rows)
    form = annex.layout(kind, org, year, period, total, {}, today) if total else None
    context = {
        **SECTION,
        "office": org,
        "rows": rows,
        "kind": kind,
        "year": year,
        "period": period,
        "kinds": ReportKind.choices,
        "form": form,
        "cells": _cells(form) if form else None,
        "arrived": sum(1 for r in rows if r["report"]),
        "late_count": sum(1 for r in rows if r["late"]),
    }
    return render(request, "reports/incoming.html", context)


@login_required
def supervision_page(request):
    access.require(access.can_supervise(request.user))
    today = timezone.localdate()
    context = {**SECTION, **supervision.overview(request.user, today), "today": today}
    return render(request, "reports/supervision.html", context)


# --- revisit sampling (回访) ---------------------------------------------------------------------


def _revisit_or_404(request, pk):
    from django.http import Http404

    from shuangsuiji.reports.models import RevisitDraw

    draw = RevisitDraw.objects.filter(pk=pk).select_related("office").defer("bundle_zip").first()
    if draw is None or not access.can_revisit(request.user, draw.office):
        raise Http404("未找到该回访抽取，或不在您的数据范围内。")
    return draw


@login_required
def revisit_list(request):
    from shuangsuiji.reports import revisit
    from shuangsuiji.reports.models import RevisitDraw

    office = request.user.organisation
    access.require(office is not None and access.can_revisit(request.user, office))
    if request.method == "POST":
        try:
            draw = revisit.freeze_revisit(
                office, request.POST.get("year"), request.POST.get("ratio"), request.POST.get("minimum"), request.user
            )
        except ReportRuleError as exc:
            _errors(request, exc)
            return redirect("reports:revisits")
        messages.success(request, "回访对象总体已冻结，承诺值已生成；请录入公开随机数后抽取。")
        return redirect("reports:revisit", draw.pk)
    qs = RevisitDraw.objects.filter(office=office).defer("population_csv", "bundle_zip", "result_json")
    confirmed, recorded = revisit.confirmed_share(office)
    context = {**SECTION, "office": office, "today": timezone.localdate(), "confirmed": confirmed, "recorded": recorded}
    context.update(paginate(request, qs))
    return render(request, "reports/revisit_list.html", context)


@login_required
def revisit_detail(request, pk):
    from shuangsuiji.reports import revisit

    draw = _revisit_or_404(request, pk)
    findings = {f.target_id: f for f in draw.findings.all()}
    targets = revisit.sampled_targets(draw) if draw.status == draw.Status.DRAWN else []
    rows = [(t, findings.get(t.pk)) for t in targets]
    return render(request, "reports/revisit_detail.html", {**SECTION, "draw": draw, "rows": rows})


@login_required
@require_POST
def revisit_draw(request, pk):
    from shuangsuiji.reports import revisit
    from shuangsuiji.tasks.drawday import DrawRuleError, parse_entropy

    draw = _revisit_or_404(request, pk)
    entries = [
        {"kind": "dice", "value": request.POST.get("dice", ""), "source": request.POST.get("source", "")},
        {"kind": "other", "value": request.POST.get("other", ""), "source": request.POST.get("other_source", "")},
    ]
    try:
        revisit.draw_revisit(draw, parse_entropy(entries), request.user, witnesses=request.POST.get("witnesses", ""))
    except DrawRuleError as exc:
        messages.error(request, str(exc))
    except ReportRuleError as exc:
        _errors(request, exc)
    return redirect("reports:revisit", draw.pk)


@login_required
@require_POST
def revisit_finding(request, pk):
    from shuangsuiji.reports import revisit

    draw = _revisit_or_404(request, pk)
    target = request.POST.get("target", "")
    try:
        revisit.record_finding(
            draw,
            int(target) if target.isdigit() and len(target) < 19 else None,
            request.POST.get("confirmed") == "1",
            request.POST.get("note", ""),
            request.user,
        )
    except ReportRuleError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "回访结果已记录。")
    return redirect("reports:revisit", draw.pk)


@login_required
def revisit_bundle(request, pk):
    from shuangsuiji.reports.models import RevisitDraw

    draw = _revisit_or_404(request, pk)
    data = RevisitDraw.objects.filter(pk=draw.pk).values_list("bundle_zip", flat=True).first()
    if data is None:
        from django.http import Http404

        raise Http404("尚未抽取，没有抽取包。")
    return _file(bytes(data), "application/zip", f"{draw.draw_id}.zip")


# --- KPI dashboard -------------------------------------------------------------------------------


def _dashboard_org(request):
    from shuangsuiji.accounts.scope import visible_organisations
    from shuangsuiji.orgs.models import Organisation

    own = access.reporting_organisation(request.user)
    choices = list(
        visible_organisations(request.user)
        .filter(kind__in=(Organisation.Kind.OFFICE, Organisation.Kind.DEPARTMENT))
        .select_related("region")
        .order_by("region_id", "kind", "name")[:300]
    )
    raw = request.GET.get("org", "")
    org = own
    if raw:
        picked = next((o for o in choices if str(o.pk) == raw), None)
        if picked is None and not (own is not None and str(own.pk) == raw):
            from django.http import Http404

            raise Http404("未找到该机构，或不在您的数据范围内。")
        org = picked or own
    if org is None:
        access.require(False)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and len(year) == 4 else timezone.localdate().year
    return org, year, choices


@login_required
def dashboard_page(request):
    from shuangsuiji.reports import dashboard

    org, year, choices = _dashboard_org(request)
    data = dashboard.build(org, year, timezone.localdate())
    context = {
        **SECTION,
        **data,
        "choices": choices,
        "charts": dashboard.chart_data(data),
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/dashboard.html", context)


@login_required
def dashboard_xlsx(request):
    from shuangsuiji.reports import dashboard

    org, year, _choices = _dashboard_org(request)
    data = dashboard.build(org, year, timezone.localdate())
    return _file(dashboard.xlsx(data), XLSX, f"{org.name}{year}年度监管指标.xlsx")


@login_required
def dashboard_drill(request):
    """The tasks behind a figure of the dashboard (task level: the lists are sealed)."""
    from shuangsuiji.reports import figures
    from shuangsuiji.tasks.models import Task

    org, year, _choices = _dashboard_org(request)
    key = request.GET.get("figure", "")
    item = request.GET.get("item", "")
    if key == "coverage" and item:
        row = next((r for r in figures.item_coverage(org, year) if r["item"] == item), None)
        task_ids, title = (row["tasks"], f"事项覆盖：{item}") if row else (None, "")
    else:
        task_ids = figures.drill_tasks(org, year, key, timezone.localdate())
        title = figures.KPI_LABELS.get(key, ("", ""))[0]
    if task_ids is None:
        return render(
            request,
            "reports/bad_request.html",
            {**SECTION, "errors": ["该指标不存在，或没有可下钻的记录。"]},
            status=400,
        )
    tasks = Task.objects.filter(pk__in=task_ids).select_related("lead").order_by("code")
    rule = figures.KPI_LABELS.get(key, ("", ""))[1]
    context = {**SECTION, "title": title, "rule": rule, "org": org, "year": year, "query": request.GET.urlencode()}
    context.update(paginate(request, tasks))
    return render(request, "reports/dashboard_drill.html", context)


# --- plan filing (计划报备) -------------------------------------------------------------------------


@login_required
def filings(request):
    from shuangsuiji.plans.access import visible_plans
    from shuangsuiji.reports import filings as plan_filings

    if request.method == "POST":
        raw = request.POST.get("plan", "")
        plan = visible_plans(request.user).filter(pk=int(raw) if raw.isdigit() and len(raw) < 19 else None).first()
        if plan is None:
            messages.error(request, "请选择要报备的计划（计划不存在或不在您的数据范围内）。")
            return redirect("reports:filings")
        try:
            plan_filings.file_plan(plan, request.user, request.POST.get("note", ""))
        except ReportRuleError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "计划已报备上级双随机办。")
        return redirect("reports:filings")
    org = request.user.organisation
    is_office = org is not None and org.kind == org.Kind.OFFICE
    context = {
        **SECTION,
        "fileable": plan_filings.fileable_plans(request.user),
        "received": plan_filings.received(org) if is_office else None,
        "office": org,
    }
    return render(request, "reports/filings.html", context)
