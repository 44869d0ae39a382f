"""Pages of tasks and the draw day. Rules live in ``services`` / ``drawday``; who may see what
in ``access`` (404 outside it, 403 for an action without the right); the sealed list in
``sealed`` (every view and export recorded)."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.followups.credit import loop_report
from shuangsuiji.imports.exports import xlsx_response
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks import access, changes, drawday, forms, sealed, services
from shuangsuiji.tasks import deadlines as task_deadlines
from shuangsuiji.tasks import entropy as entropy_rules
from shuangsuiji.tasks.models import (
    Assignment,
    Confirmation,
    Draw,
    DrawKind,
    DrawStatus,
    ItemWithdrawal,
    Task,
    TaskParticipant,
    TaskStatus,
    VoidRequest,
)
from shuangsuiji.tasks.population import STRATUM_LABELS, describe
from shuangsuiji.web.pagination import paginate

SECTION = {"active_section": "tasks"}


def _errors(request, exc: RuleError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _draw_or_404(user, draw_pk) -> Draw:
    draw = Draw.objects.select_related("task", "task__region", "task__lead", "department").filter(pk=draw_pk).first()
    if draw is None or not access.visible_tasks(user).filter(pk=draw.task_id).exists():
        raise Http404("未找到该抽取，或不在您的数据范围内。")
    return draw


def _posted_pk(request, name: str) -> int:
    """A posted id, or 0 (no such row) when it is not a plausible id."""
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else 0


def lead_departments(user):
    """Departments the user may create a task for."""
    qs = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, is_active=True).select_related("region")
    return [d for d in qs.order_by("path") if access.can_create_for(user, d)]


# --- List, create, edit -------------------------------------------------------------------------


@login_required
def task_list(request):
    qs = access.visible_tasks(request.user).select_related("lead", "region")
    f = {k: request.GET.get(k, "").strip() for k in ("q", "year", "status")}
    if f["q"]:
        qs = qs.filter(Q(title__icontains=f["q"]) | Q(code__icontains=f["q"]))
    if f["year"].isdigit() and len(f["year"]) == 4:
        qs = qs.filter(year=int(f["year"]))
    if f["status"] in TaskStatus.values:
        qs = qs.filter(status=f["status"])
    context = {**SECTION, **f, "statuses": TaskStatus.choices, "can_create": bool(lead_departments(request.user))}
    context.update(paginate(request, qs.order_by("-created_at", "-id")))
    for t in context["object_list"]:
        t.live_draw = drawday.live_target_draw(t)
    return render(request, "tasks/task_list.html", context)


def _form_context(request, lead: Organisation, values: dict, leads, task: Task | None = None) -> dict:
    """The form's choices with the current values marked (templates cannot index dicts)."""
    choices = forms.choices_for(lead)
    method_labels = dict(choices["methods"])
    for group in choices["departments"]:
        d = group["department"]
        group["is_lead"] = d.pk == lead.pk
        group["experts"] = values["experts"].get(d.pk, 0)
        for iv in group["items"]:
            iv.checked = iv.pk in values["items"]
            chosen = values["items"].get(iv.pk) or (iv.methods[:1] if iv.methods else ["on_site"])
            iv.method_choices = [(m, method_labels.get(m, m), m in chosen) for m in (iv.methods or ["on_site"])]
    population = values["population"]

    def marked(options, key):
        return [(v, label, v in (population.get(key) or [])) for v, label in options]

    strata = [(k, label, values["strata"].get(k, {})) for k, label in choices["strata_keys"]]
    return {
        **SECTION,
        **choices,
        "target_types": marked(choices["target_types"], "target_types"),
        "statuses": marked(choices["statuses"], "registration_statuses"),
        "flags": marked(choices["flags"], "flags"),
        "tags": [(t.code, t.name, t.code in (population.get("tags") or [])) for t in choices["tags"]],
        "strata_rows": strata,
        "lead": lead,
        "leads": leads,
        "v": values,
        "task": task,
    }


def _pick_lead(request, leads) -> Organisation:
    wanted = request.POST.get("lead") or request.GET.get("lead") or ""
    for d in leads:
        if str(d.pk) == wanted:
            return d
    return leads[0]


@login_required
def task_create(request):
    leads = lead_departments(request.user)
    if not leads:
        raise PermissionDenied("您无权新建抽查任务。")
    lead = _pick_lead(request, leads)
    if request.method == "POST" and request.POST.get("action") != "switch":
        spec, errors = forms.parse(request.POST, lead)
        if spec is not None:
            try:
                task = services.create_task(spec, request.user)
            except services.TaskRuleError as exc:
                errors = exc.messages
            else:
                messages.success(request, f"已创建任务 {task.code}。请预览后冻结抽取。")
                return redirect("tasks:preview", pk=task.pk)
        for e in errors:
            messages.error(request, e)
        values = forms.initial_from_post(request.POST)
    else:
        values = forms.default_initial()
        org = request.user.organisation
        if org is not None and org.parent_id == lead.pk:
            values["lead_unit"] = org.pk
    return render(request, "tasks/task_form.html", _form_context(request, lead, values, leads))


@login_required
def task_edit(request, pk):
    task = access.get_task_or_404(request.user, pk)
    if not access.can_manage(request.user, task):
        raise PermissionDenied("您无权修改该任务。")
    if task.status != TaskStatus.DRAFT:
        messages.error(request, "任务已冻结抽取，参数不可再修改。")
        return redirect("tasks:detail", pk=task.pk)
    if request.method == "POST":
        spec, errors = forms.parse(request.POST, task.lead)
        if spec is not None:
            try:
                services.update_task(task, spec, request.user)
            except services.TaskRuleError as exc:
                errors = exc.messages
            else:
                messages.success(request, "已保存。")
                return redirect("tasks:preview", pk=task.pk)
        for e in errors:
            messages.error(request, e)
        values = forms.initial_from_post(request.POST)
    else:
        values = forms.initial_from(task)
    return render(request, "tasks/task_form.html", _form_context(request, task.lead, values, [task.lead], task))


# --- Detail and preview ----------------------------------------------------------------------------


def _draw_rows(request, task: Task, participants: list, shown: bool) -> list[dict]:
    """``shown``: the user reads the sealed content (``sealed.readable``); ``participants`` lead first."""
    rows = []
    for d in task.draws.filter(kind=DrawKind.TARGETS).select_related("frozen_by", "drawn_by").order_by("attempt"):
        confirmations = list(d.confirmations.select_related("department", "confirmed_by").order_by("department__path"))
        today = timezone.localdate()
        provisional = task_deadlines.provisional_confirmations(confirmations)
        for c in confirmations:
            c.due_provisional = c.pk in provisional
            c.shown_note = sealed.confirmation_note(c, shown)
            c.overdue = drawday.confirmation_overdue(c, today)
            c.can_act = d.status == DrawStatus.DRAWN and access.can_confirm(request.user, c.department_id)
        inspector_draws = []
        for p in participants:
            idraw = drawday.live_inspector_draw(d, p.department_id) if d.status == DrawStatus.DRAWN else None
            inspector_draws.append(
                {
                    "participant": p,
                    "draw": idraw,
                    "shortfalls": drawday.shortfalls(idraw) if idraw else [],
                    "can_draw": idraw is None
                    and d.status == DrawStatus.DRAWN
                    and access.can_draw_inspectors(request.user, p),
                }
            )
        voids = list(d.void_requests.select_related("requested_by", "decided_by"))
        for v in voids:
            v.shown_reason = sealed.sealed_text(v.reason, shown)
            v.shown_note = sealed.sealed_text(v.decision_note, shown)
            v.can_decide = v.status == VoidRequest.Status.REQUESTED and access.can_approve_void(
                request.user, task, v.requested_by_id
            )
        results = list(d.results.select_related("created_by"))
        for r in results:
            r.shown_reason = sealed.result_reason(r, shown)
        rows.append(
            {
                "draw": d,
                "results": results,
                "confirmations": confirmations,
                "all_confirmed": d.status == DrawStatus.DRAWN and drawday.all_confirmed(d),
                "inspector_draws": inspector_draws,
                "voids": voids,
                "other_void_draws": list(d.inspector_draws.filter(status=DrawStatus.VOID).select_related("department")),
            }
        )
    return rows


@login_required
def task_detail(request, pk):
    task = services.with_participants(access.get_task_or_404(request.user, pk))
    shown = sealed.readable(request.user, task)
    participants = services.participants_lead_first(task)
    context = {
        **SECTION,
        "task": task,
        "participants": participants,
        "conditions": describe(task),
        "strata": [
            (k, STRATUM_LABELS.get(k, k), v, forms.ratio_to_percent(v["ratio"])) for k, v in task.strata.items()
        ],
        "draws": _draw_rows(request, task, participants, shown),
        "live": drawday.live_target_draw(task),
        "can_manage": access.can_manage(request.user, task),
        "sealed_mode": access.sealed_access(request.user, task),
        "show_seed": shown,
        "needs_substitute": _needs_substitute(request.user, task) if shown else [],
    }
    return render(request, "tasks/task_detail.html", context)


def _needs_substitute(user, task: Task) -> list:
    """Groups flagged by leave or a declared interest entered after the draw (``changes``)."""
    participants = {p.department_id: p for p in task.participants.all()}
    out = []
    for a in changes.affected_in_task(task):
        p = participants.get(a.draw.department_id)
        a.can_act = p is not None and access.can_draw_inspectors(user, p)
        out.append(a)
    return out


@login_required
def task_preview(request, pk):
    task = access.get_task_or_404(request.user, pk)
    if not access.can_manage(request.user, task):
        raise PermissionDenied("只有牵头部门或双随机办可以预览和冻结抽取。")
    result = services.preview(task, timezone.localdate())
    context = {
        **SECTION,
        "task": task,
        "preview": result,
        "live": drawday.live_target_draw(task),
        "strata_percent": {k: forms.ratio_to_percent(v["ratio"]) for k, v in task.strata.items()},
        # the credit loop (issue 14): targets moved stratum or weight since the last draw
        "loop": loop_report(task, timezone.localdate()),
    }
    return render(request, "tasks/task_preview.html", context)


@login_required
@require_POST
def task_freeze(request, pk):
    task = access.get_task_or_404(request.user, pk)
    if not access.can_manage(request.user, task):
        raise PermissionDenied("只有牵头部门或双随机办可以冻结抽取。")
    try:
        draw = drawday.freeze_targets(task, request.user)
    except RuleError as exc:
        _errors(request, exc)
        return redirect("tasks:preview", pk=task.pk)
    messages.success(request, f"已冻结。承诺值（SHA-256）：{draw.commitment_sha256}")
    return redirect("tasks:ceremony", draw_pk=draw.pk)


# --- The ceremony ----------------------------------------------------------------------------------

ENTROPY_KINDS = [("dice", "骰子（现场掷骰点数）"), ("lottery", "彩票开奖号码"), ("other", "其他公开随机数（不计入）")]
CEREMONY_ROWS = 3


def _ceremony_entries(post) -> list[dict]:
    return [
        {
            "kind": post.get(f"kind_{i}", ""),
            "value": post.get(f"value_{i}", ""),
            "source": post.get(f"source_{i}", ""),
        }
        for i in range(1, CEREMONY_ROWS + 1)
    ]


@login_required
def draw_ceremony(request, draw_pk, entered=None):
    draw = _draw_or_404(request.user, draw_pk)
    if draw.kind != DrawKind.TARGETS:
        raise Http404("检查人员抽取没有抽取仪式页面。")
    task = draw.task
    if draw.status != DrawStatus.FROZEN:
        return redirect("tasks:draw", draw_pk=draw.pk)
    params = drawday.params_of(draw)
    counts = draw.stratum_counts  # as frozen (the population file is not read for the page)
    from shuangsuiji.draw import sample_size

    strata = [
        {
            "label": STRATUM_LABELS.get(k, k),
            "population": counts.get(k, 0),
            "percent": forms.ratio_to_percent(rule.ratio),
            "sample": sample_size(counts.get(k, 0), rule),
            "reserves": rule.reserves,
        }
        for k, rule in params.strata.items()
    ]
    context = {
        **SECTION,
        "task": task,
        "draw": draw,
        "strata": strata,
        "kinds": ENTROPY_KINDS,
        "rows": _ceremony_rows(entered),
        "witnesses": (entered or {}).get("witnesses", ""),
        "tally": _ceremony_tally(entered),
        "minimum": entropy_rules.MINIMUM_BITS,
        "minimum_dice": entropy_rules.MINIMUM_DICE,
        "accepted": entropy_rules.ACCEPTED,
        "can_draw": access.can_manage(request.user, task),
        "hide_nav": True,
    }
    return render(request, "tasks/ceremony.html", context)


def _ceremony_rows(entered) -> list[dict]:
    entries = (entered or {}).get("entries") or [{} for _ in range(CEREMONY_ROWS)]
    return [
        {
            "i": i,
            "kind": e.get("kind") or ("dice" if i == 1 else ""),
            "value": e.get("value", ""),
            "source": e.get("source", ""),
        }
        for i, e in enumerate(entries, start=1)
    ]


def _ceremony_tally(entered) -> entropy_rules.Tally:
    """The entropy of what was entered (the page counts again as one types, static/tasks/ceremony.js)."""
    entries = []
    for e in (entered or {}).get("entries") or []:
        kind = e.get("kind") or "other"
        value = entropy_rules.normalise(kind, e.get("value", ""))
        if kind == "dice" and not all(len(t) == 1 and "1" <= t <= "6" for t in value.split()):
            continue
        entries.append(SimpleNamespace(kind=kind, value=value))
    return entropy_rules.tally(entries)


@login_required
@require_POST
def draw_run(request, draw_pk):
    draw = _draw_or_404(request.user, draw_pk)
    if not access.can_manage(request.user, draw.task):
        raise PermissionDenied("只有牵头部门或双随机办可以抽取。")
    entries = _ceremony_entries(request.POST)
    witnesses = request.POST.get("witnesses", "")
    try:
        public = drawday.parse_entropy(entries)
        drawday.draw_targets(draw, public, request.user, witnesses=witnesses)
    except RuleError as exc:
        _errors(request, exc)
        if draw.status != DrawStatus.FROZEN:
            return redirect("tasks:ceremony", draw_pk=draw.pk)
        return draw_ceremony(request, draw.pk, entered={"entries": entries, "witnesses": witnesses})
    messages.success(request, "抽取完成。结果已派发各参与部门确认。")
    return redirect("tasks:draw", draw_pk=draw.pk)


@login_required
def draw_detail(request, draw_pk):
    draw = _draw_or_404(request.user, draw_pk)
    task = draw.task
    shown = sealed.readable(request.user, task)
    results = list(draw.results.select_related("created_by"))
    for r in results:
        r.shown_reason = sealed.result_reason(r, shown)
    context = {
        **SECTION,
        "task": task,
        "draw": draw,
        "results": results,
        "entropy": drawday.entropy_of(draw),
        "public_entropy": sealed.public_entropy(draw, shown),
        "sealed_notice": sealed.SEALED_NOTICE,
        "sealed_mode": access.sealed_access(request.user, task),
        "show_seed": shown,
        "hide_nav": request.GET.get("projector") == "1",
        "counts": draw.drawn_targets.filter(replaced_by__isnull=True).count(),
    }
    return render(request, "tasks/draw_detail.html", context)


# --- The sealed list ---------------------------------------------------------------------------------


def _visible_targets(request, draw: Draw, mode: str):
    target_draw = draw if draw.kind == DrawKind.TARGETS else draw.target_draw
    qs = drawday.active_targets(target_draw)
    if mode == access.OWN_TARGETS:
        inspector = request.user.inspector
        mine = Assignment.objects.filter(
            draw__target_draw=target_draw, inspector=inspector, ended_at__isnull=True
        ).values("target_id")
        qs = qs.filter(target_id__in=mine)
    return qs


@login_required
@sealed.no_store
def sealed_list(request, draw_pk):
    draw = _draw_or_404(request.user, draw_pk)
    if draw.kind != DrawKind.TARGETS:
        return redirect("tasks:sealed_list", draw_pk=draw.target_draw_id)
    if draw.status == DrawStatus.FROZEN:
        raise Http404("尚未抽取。")
    task = draw.task
    mode = sealed.require_sealed(request.user, task, draw, "page")
    qs = _visible_targets(request, draw, mode)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(target__name__icontains=q) | Q(target__code__icontains=q))
    context = {**SECTION, "task": task, "draw": draw, "mode": mode, "q": q}
    # page through ids alone (the position index), then read the page's rows: the last page
    # costs what the first does
    context.update(paginate(request, qs.values_list("pk", flat=True)))
    rows = list(drawday.active_targets(draw).filter(pk__in=list(context["object_list"])))
    participants = services.participants_lead_first(task)
    idraws = {p.department_id: drawday.live_inspector_draw(draw, p.department_id) for p in participants}
    groups: dict[tuple[int, int], list[Assignment]] = {}
    target_ids = [r.target_id for r in rows]
    live_ids = [d.pk for d in idraws.values() if d is not None]
    department_of = {d.pk: d.department_id for d in idraws.values() if d is not None}
    for a in (
        Assignment.objects.filter(draw_id__in=live_ids, target_id__in=target_ids, ended_at__isnull=True)
        .select_related("inspector")
        .order_by("is_expert", "inspector__name")
    ):
        groups.setdefault((a.target_id, department_of[a.draw_id]), []).append(a)
    my_confirmation = None
    for c in draw.confirmations.all():
        if access.can_confirm(request.user, c.department_id) and c.status == Confirmation.Status.PENDING:
            my_confirmation = c
    substitutable = {
        p.department_id
        for p in participants
        if idraws[p.department_id] is not None and access.can_draw_inspectors(request.user, p)
    }
    withdrawn = set(draw.withdrawals.filter(target_id__in=target_ids).values_list("target_id", "department_id"))
    for r in rows:
        r.groups = [
            {
                "participant": p,
                "members": groups.get((r.target_id, p.department_id), []),
                "draw": idraws[p.department_id],
            }
            for p in participants
        ]
        r.stratum_label = STRATUM_LABELS.get(r.stratum, r.stratum)
        r.withdrawn_by_me = my_confirmation is not None and (r.target_id, my_confirmation.department_id) in withdrawn
    context.update(
        {
            "rows": rows,
            "reports_replace": my_confirmation is not None and my_confirmation.department_id == task.lead_id,
            "participants": participants,
            "replaced": draw.drawn_targets.filter(replaced_by__isnull=False).select_related(
                "target", "replaced_by__target", "replaced_department"
            )
            if mode == access.ALL_TARGETS
            else [],
            "my_confirmation": my_confirmation,
            "substitutable": substitutable,
            "viewer_mark": sealed.viewer_mark(request.user, timezone.localtime()),
        }
    )
    return render(request, "tasks/sealed_list.html", context)


EXPORT_HEADERS = ["序号", "层（信用风险分类）", "对象名称", "对象编码（统一社会信用代码）", "地址", "签号", "备注"]


@login_required
@sealed.no_store
def sealed_export(request, draw_pk):
    draw = _draw_or_404(request.user, draw_pk)
    if draw.kind != DrawKind.TARGETS or draw.status == DrawStatus.FROZEN:
        raise Http404("没有可导出的名单。")
    task = draw.task
    mode = sealed.require_sealed(request.user, task, draw, "export")
    mark = sealed.viewer_mark(request.user, timezone.localtime())
    qs = _visible_targets(request, draw, mode)

    def rows():
        for r in qs:
            yield [
                r.position,
                STRATUM_LABELS.get(r.stratum, r.stratum),
                r.target.name,
                r.target.code,
                r.target.address,
                r.ticket,
                "备选递补" if r.from_reserve else "",
            ]
        yield []
        yield [mark]

    name = f"{task.code}抽取名单（保密-{request.user.display_name}）"
    return xlsx_response(f"{name}.xlsx", EXPORT_HEADERS, rows(), sheet="抽取名单")


@login_required
@sealed.no_store
def draw_bundle(request, draw_pk):
    draw = _draw_or_404(request.user, draw_pk)
    if draw.status == DrawStatus.FROZEN:
        raise Http404("尚未抽取，没有数据包。")
    if access.sealed_access(request.user, draw.task) != access.ALL_TARGETS:
        # the bundle holds the whole list: not for an inspector who may see only their own targets
        raise Http404("未找到该数据包，或您无权下载。")
    sealed.require_sealed(request.user, draw.task, draw, "bundle")
    response = HttpResponse(drawday.bundle_zip(draw), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{draw.draw_id}.zip"'
    return response


# --- Confirmation, reserves, inspectors --------------------------------------------------------------


@login_required
@require_POST
def draw_confirm(request, draw_pk):
    draw = _draw_or_404(request.user, draw_pk)
    dept = request.user.organisation
    if dept is None or not access.can_confirm(request.user, dept.pk):
        raise PermissionDenied("只有参与部门的系统管理员可以确认。")
    try:
        drawday.confirm(draw, dept.pk, request.user, request.POST.get("note", ""))
    except RuleError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"{dept.name}已确认检查对象。")
    return redirect("tasks:detail", pk=draw.task_id)


@login_required
@require_POST
def draw_report(request, draw_pk):
    draw = _draw_or_404(request.user, draw_pk)
    dept = request.user.organisation
    if dept is None or not access.can_confirm(request.user, dept.pk):
        raise PermissionDenied("只有参与部门的系统管理员可以报告问题。")
    sealed.require_sealed(request.user, draw.task, draw, "page", detail="报告问题")
    target = get_object_or_404(
        Target, pk=request.POST.get("target", "0") if request.POST.get("target", "").isdigit() else 0
    )
    try:
        new = drawday.report_out_of_scope(draw, dept.pk, target, request.POST.get("reason", ""), request.user)
    except RuleError as exc:
        _errors(request, exc)
    else:
        if isinstance(new, ItemWithdrawal):
            messages.success(
                request, f"已移除本部门对“{target.name}”的检查事项；该对象仍由其他参与部门检查，本部门不派检查人员。"
            )
        else:
            messages.success(request, f"“{target.name}”已由备选对象“{new.target.name}”递补。")
    return redirect("tasks:sealed_list", draw_pk=draw.pk)


@login_required
@require_POST
def inspectors_draw(request, draw_pk):
    draw = _draw_or_404(request.user, draw_pk)
    participant = TaskParticipant.objects.filter(task=draw.task, pk=_posted_pk(request, "participant")).first()
    if participant is None:
        raise Http404("参与部门不存在。")
    if not access.can_draw_inspectors(request.user, participant):
        raise PermissionDenied("只有该部门的系统管理员或承办股室可以抽取本部门检查人员。")
    extra = []
    if request.POST.get("value", "").strip():
        try:
            extra = drawday.parse_entropy(
                [{"kind": "dice", "value": request.POST.get("value", ""), "source": request.user.display_name}]
            )
        except RuleError as exc:
            _errors(request, exc)
            return redirect("tasks:detail", pk=draw.task_id)
    try:
        idraw = drawday.draw_inspectors(draw, participant, request.user, extra)
    except RuleError as exc:
        _errors(request, exc)
    else:
        short = drawday.shortfalls(idraw)
        if short:
            messages.warning(request, f"{participant.department.name}：{len(short)} 个检查对象人员不足，请见抽取详情。")
        messages.success(request, f"{participant.department.name}已抽取检查人员（{idraw.draw_id}）。")
    return redirect("tasks:detail", pk=draw.task_id)


def _substitution_draw(request, draw_pk) -> Draw:
    """The inspector draw a 递补 acts on, checked for the user's right to draw the department's inspectors."""
    draw = _draw_or_404(request.user, draw_pk)
    if draw.kind != DrawKind.INSPECTORS:
        raise Http404("不是检查人员抽取。")
    participant = draw.task.participants.filter(department_id=draw.department_id).first()
    if participant is None or not access.can_draw_inspectors(request.user, participant):
        raise PermissionDenied("只有该部门的系统管理员或承办股室可以递补抽取。")
    return draw


@login_required
@require_POST
def inspector_substitute(request, draw_pk):
    draw = _substitution_draw(request, draw_pk)
    target = get_object_or_404(Target, pk=_posted_pk(request, "target"))
    inspector = get_object_or_404(Inspector, pk=_posted_pk(request, "inspector"))
    try:
        new = drawday.substitute_inspector(draw, target, inspector, request.POST.get("reason", ""), request.user)
    except RuleError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已递补抽取：{inspector.name} → {new.inspector.name}（{target.name}）。")
    return redirect("tasks:sealed_list", draw_pk=draw.target_draw_id)


@login_required
@require_POST
def inspector_substitute_all(request, draw_pk):
    """递补 of one inspector in all their groups of this inspector draw (one engine event)."""
    draw = _substitution_draw(request, draw_pk)
    inspector = get_object_or_404(Inspector, pk=_posted_pk(request, "inspector"))
    try:
        new = drawday.substitute_everywhere(draw, inspector, request.POST.get("reason", ""), request.user)
    except RuleError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已递补抽取：{inspector.name}所在的 {len(new)} 个检查组已由新抽取的人员替换。")
    return redirect("tasks:detail", pk=draw.task_id)


# --- Void -------------------------------------------------------------------------------------------


@login_required
@require_POST
def void_request(request, draw_pk):
    draw = _draw_or_404(request.user, draw_pk)
    task = draw.task
    if not access.can_request_void(request.user, draw):
        raise PermissionDenied("您无权申请作废该抽取。")
    try:
        drawday.request_void(draw, request.POST.get("reason", ""), request.user)
    except RuleError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已提交作废申请，待上级审批。")
    return redirect("tasks:detail", pk=task.pk)


@login_required
@require_POST
def void_decide(request, void_pk):
    req = get_object_or_404(VoidRequest.objects.select_related("draw__task"), pk=void_pk)
    task = access.get_task_or_404(request.user, req.draw.task_id)
    if not access.can_approve_void(request.user, task, req.requested_by_id):
        raise PermissionDenied("作废须由上级（牵头部门系统管理员或双随机办）审批，且不能审批本人的申请。")
    approve = request.POST.get("decision") == "approve"
    try:
        drawday.decide_void(req, approve, request.user, request.POST.get("note", ""))
    except RuleError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已批准作废；可重新冻结抽取。" if approve else "已驳回作废申请。")
    return redirect("tasks:detail", pk=task.pk)
