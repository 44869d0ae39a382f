"""Pages of the follow-up loop. Thin: every rule is in ``services``/``credit``/``access``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.accounts.scope import get_in_region_scope_or_404, scope_q
from shuangsuiji.followups import access, credit, exports, services
from shuangsuiji.followups.models import (
    CreditConsequence,
    CreditRule,
    FollowUpStatus,
    Objection,
    ReInspection,
    StepKind,
    Transfer,
    TransferKind,
)
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks.sealed import no_store, readable
from shuangsuiji.web.pagination import paginate

STATUS_FILTERS = dict(FollowUpStatus.choices)


def _int(value) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**63 else None


def _date(value, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise services.FollowUpRuleError(f"{field}“{value}”不是有效日期（格式 2026-12-01）。") from exc


def _fail(request, exc) -> None:
    for m in exc.messages:
        messages.error(request, m)


def filtered(user, params):
    qs = access.visible_followups(user).select_related("target", "type", "department", "owner_unit")
    q = (params.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(target__name__icontains=q) | Q(target__code__icontains=q))
    status = params.get("status") or ""
    if status in STATUS_FILTERS:
        qs = qs.filter(status=status)
    if params.get("overdue") == "1":
        qs = qs.filter(services.overdue_q(timezone.localdate()))
    return qs.order_by("-id")


@login_required
@no_store
def followup_list(request):
    qs = filtered(request.user, request.GET)
    fmt = request.GET.get("export")
    if fmt:
        access.audit_reads(request.user, qs, "export")
        return exports.followups_response(fmt, qs, timezone.localdate())
    context = {
        "q": (request.GET.get("q") or "")[:100],
        "status": request.GET.get("status") or "",
        "overdue": request.GET.get("overdue") == "1",
        "statuses": FollowUpStatus.choices,
        "today": timezone.localdate(),
        "active_section": "followups",
    }
    context.update(paginate(request, qs))
    access.audit_reads(request.user, list(context["page_obj"].object_list), "page")
    return render(request, "followups/followup_list.html", context)


@login_required
@no_store
def followup_export(request, pk: int, fmt: str):
    """One follow-up with its steps (xlsx or csv), read like its page."""
    if fmt not in ("xlsx", "csv"):
        raise Http404("导出格式应为 xlsx 或 csv。")
    fu = access.require_read(request.user, pk, "export")
    qs = access.visible_followups(request.user).filter(pk=fu.pk)
    return exports.followups_response(fmt, qs, timezone.localdate())


@login_required
@no_store
def followup_detail(request, pk: int):
    fu = access.require_read(request.user, pk, "page")
    today = timezone.localdate()
    chain = [f for f in services.chain(fu) if access.visible_followups(request.user).filter(pk=f.pk).exists()]
    reinspections = list(fu.reinspections.prefetch_related("items__item_result__task_item__item_version__item"))
    current = services.current_part(fu)
    context = {
        "fu": fu,
        "current_part": current,
        "side_by_side": services.problems_side_by_side(fu, current),
        "needs_review": services.needs_review(fu),
        "today": today,
        "overdue": fu.is_overdue(today),
        "chain": chain,
        "steps": fu.steps.select_related("actor"),
        "problems": [p for p in services.problem_items(fu.part) if fu.problems.filter(pk=p.pk).exists()],
        "transfers": fu.transfers.select_related("to_department", "from_department"),
        "origin": fu.origin_transfer,
        "reinspections": reinspections,
        "consequences": fu.consequences.select_related("rule"),
        "objections": fu.objections.all(),
        "can_handle": access.may_handle(request.user, fu),
        "can_decide": {t.pk: access.may_decide_transfer(request.user, t) for t in fu.transfers.all()},
        "departments": Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, region=fu.department.region)
        .exclude(pk=fu.department_id)
        .order_by("name"),
        "types": services.current_types(),
        "transfer_kinds": TransferKind.choices,
        "step_kinds": [
            (StepKind.NOTE, "办理情况"),
            (StepKind.EVIDENCE, "补充材料"),
            (StepKind.RECTIFIED, "报告已整改"),
        ]
        + ([(StepKind.REVIEWED, "已复核结果更正")] if services.needs_review(fu) else []),
        "active_section": "followups",
    }
    return render(request, "followups/followup_detail.html", context)


@login_required
@require_POST
def followup_action(request, pk: int, action: str):
    fu = access.get_visible_or_404(request.user, pk)
    p = request.POST
    try:
        if action == "accept" or action == "return":
            tr = Transfer.objects.filter(pk=_int(p.get("transfer")), followup=fu).first()
            if tr is None:
                raise services.FollowUpRuleError("请选择要处理的移送。")
            access.require_decide_transfer(request.user, tr)
            if action == "accept":
                new = services.accept_transfer(tr, request.user, type_code=p.get("type_code") or "10")
                messages.success(request, f"已接收，本部门处置编号 {new.number}。")
                return redirect("followups:detail", pk=new.pk)
            services.return_transfer(tr, p.get("reason", ""), request.user)
            messages.success(request, "已退回移送。")
            return redirect("followups:list")
        access.require_handle(request.user, fu)
        if action == "step":
            services.add_step(
                fu,
                request.user,
                kind=p.get("kind") or StepKind.NOTE,
                text=p.get("text", ""),
                on=_date(p.get("on"), "步骤日期"),
                upload=request.FILES.get("file"),
            )
            messages.success(request, "已追加步骤。")
        elif action == "close":
            services.close(fu, p.get("outcome", ""), request.user)
            messages.success(request, "已办结。")
        elif action == "transfer":
            dept = Organisation.objects.filter(
                pk=_int(p.get("to_department")), kind=Organisation.Kind.DEPARTMENT
            ).first()
            if dept is None:
                raise services.FollowUpRuleError("请选择接收部门。")
            kind = p.get("kind") or TransferKind.TRANSFER
            services.transfer(fu, dept, p.get("reason", ""), request.user, kind=kind)
            messages.success(request, f"已{dict(TransferKind.choices).get(kind, '移送')}至{dept.name}。")
        elif action == "reinspect":
            from shuangsuiji.tasks.drawday import DrawRuleError, parse_entropy

            public = []
            if (p.get("entropy") or "").strip():
                try:
                    public = parse_entropy(
                        [{"kind": "dice", "value": p.get("entropy"), "source": p.get("witnesses", "")}]
                    )
                except DrawRuleError as exc:
                    raise services.FollowUpRuleError(exc.messages) from exc
            ri = services.schedule_reinspection(fu, request.user, public=public)
            messages.success(request, f"已安排复查，复查人员：{'、'.join(ri.inspectors)}。")
        elif action == "reinspection_result":
            ri = ReInspection.objects.filter(pk=_int(p.get("reinspection")), followup=fu).first()
            if ri is None:
                raise services.FollowUpRuleError("请选择复查。")
            results = {}
            for it in ri.items.all():
                results[it.item_result_id] = (
                    p.get(f"outcome_{it.item_result_id}", ""),
                    p.get(f"problem_{it.item_result_id}", ""),
                )
            ri = services.determine_reinspection(ri, results, request.user, note=p.get("note", ""))
            messages.success(request, f"复查结果：{ri.get_status_display()}。")
        elif action == "escalate":
            new = services.escalate(
                fu,
                request.user,
                type_code=p.get("type_code") or "04",
                reason=p.get("reason", ""),
                case_number=p.get("case_number", ""),
                decision=p.get("decision", ""),
                fine_wan=p.get("fine_wan", ""),
                other_text=p.get("other_text", ""),
            )
            messages.success(request, f"已升级处置：{new.number}。")
            return redirect("followups:detail", pk=new.pk)
        else:
            raise Http404("未知的操作。")
    except (RuleError, ValidationError) as exc:
        _fail(request, exc)
    return redirect("followups:detail", pk=fu.pk)


@login_required
def part_open(request, part_pk: int):
    from shuangsuiji.inspections.models import DepartmentPart, PartStatus

    part = (
        DepartmentPart.objects.filter(scope_q(request.user, "department"), status=PartStatus.DETERMINED)
        .select_related("record__target", "department")
        .filter(pk=part_pk)
        .first()
    )
    if part is None:
        raise Http404("未找到该检查结果，或不在您的数据范围内。")
    access.require_open(request.user, part)
    if part.record.task.is_sealed:  # the part names a drawn target: read like the results app's pages
        from shuangsuiji.tasks.sealed import require_sealed

        require_sealed(request.user, part.record.task, None, "page", detail=f"检查结果 {part.pk}（开启后续处置）")
    problems = list(services.problem_items(part).select_related("task_item__item_version__item"))
    if request.method == "POST":
        p = request.POST
        groups = None
        if p.get("grouping") == "one":
            groups = [[ir.pk for ir in problems]]
        try:
            created = services.open_followups(
                part,
                request.user,
                type_code=p.get("type_code", ""),
                groups=groups,
                rectify_workdays=_int(p.get("rectify_workdays")),
                case_number=p.get("case_number", ""),
                decision=p.get("decision", ""),
                fine_wan=p.get("fine_wan", ""),
                other_text=p.get("other_text", ""),
            )
            messages.success(request, f"已开启后续处置 {len(created)} 件。")
            return redirect("followups:detail", pk=created[0].pk)
        except (RuleError, ValidationError) as exc:
            _fail(request, exc)
    context = {
        "part": part,
        "problems": problems,
        "types": services.current_types(),
        "existing": access.visible_followups(request.user).filter(part=part),
        "active_section": "followups",
    }
    return render(request, "followups/part_open.html", context)


# --- The credit rules and the target's consequences ---------------------------------------------


@login_required
def rule_list(request):
    rules = CreditRule.objects.order_by("key", "-version")
    context = {
        "rules": rules,
        "can_edit": access.may_edit_rules(request.user),
        "risks": ["", "A", "B", "C", "D"],
        "active_section": "followups",
    }
    return render(request, "followups/rule_list.html", context)


@login_required
@require_POST
def rule_edit(request, pk: int):
    access.require_edit_rules(request.user)
    rule = CreditRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404("未找到该信用规则。")
    p = request.POST
    try:
        changes = {}
        if "risk_floor" in p:
            changes["risk_floor"] = (p.get("risk_floor") or "").strip()[:1]
        for f in ("weight", "months"):
            if f in p:
                raw = (p.get(f) or "").strip()
                n = _int(raw)
                if raw and n is None:
                    raise credit.CreditRuleError(f"“{'抽取权重' if f == 'weight' else '有效期（月）'}”应为正整数。")
                changes[f] = n
        if "is_active" in p:
            changes["is_active"] = p.get("is_active") == "1"
        if (p.get("rule_reason") or "").strip():
            changes["reason"] = p.get("rule_reason").strip()[:500]
        new = credit.edit_rule(rule, changes, request.user, p.get("reason", ""))
        messages.success(request, f"已保存为第 {new.version} 版。")
    except (RuleError, ValidationError) as exc:
        _fail(request, exc)
    return redirect("followups:rules")


@login_required
def target_credit(request, target_pk: int):
    target = get_in_region_scope_or_404(request.user, Target.objects.all(), pk=target_pk)
    visible = access.visible_followups(request.user)
    consequences = [
        c
        for c in CreditConsequence.objects.filter(target=target)
        .filter(Q(followup__in=visible) | Q(followup__isnull=True, part__department__in=_orgs(request.user)))
        .select_related("rule", "followup", "part__record__task")
        if c.followup_id or readable(request.user, c.part.record.task)  # a sealed result: its readers only
    ]
    access.audit_reads(request.user, [c.followup for c in consequences if c.followup_id], "page")
    context = {
        "t": target,
        "consequences": consequences,
        "objections": Objection.objects.filter(target=target, department__in=_orgs(request.user)),
        "risk_records": target.risk_records(limit=20),
        "weight": credit.draw_weights([target.pk]).get(target.pk, 1),
        "can_object": {c.pk: access.may_record_objection(request.user, _dept_of(c)) for c in consequences},
        "can_decide": {
            o.pk: access.may_decide_objection(request.user, o) for o in Objection.objects.filter(target=target)
        },
        "active_section": "followups",
    }
    return render(request, "followups/target_credit.html", context)


def _orgs(user):
    return Organisation.objects.filter(scope_q(user, ""))


def _dept_of(c: CreditConsequence) -> int:
    return c.followup.department_id if c.followup_id else c.part.department_id


@login_required
@require_POST
def objection_file(request, target_pk: int):
    target = get_in_region_scope_or_404(request.user, Target.objects.all(), pk=target_pk)
    c = CreditConsequence.objects.filter(pk=_int(request.POST.get("consequence")), target=target).first()
    if c is None:
        raise Http404("未找到该信用后果。")
    try:
        credit.file_objection(
            target,
            request.user,
            department=Organisation.objects.get(pk=_dept_of(c)),
            objector=request.POST.get("objector", ""),
            text=request.POST.get("text", ""),
            consequence=c,
        )
        messages.success(request, "已登记异议。")
    except PermissionDenied:
        raise
    except (RuleError, ValidationError) as exc:
        _fail(request, exc)
    return redirect("followups:target", target_pk=target.pk)


@login_required
@require_POST
def objection_decide(request, objection_pk: int):
    o = Objection.objects.filter(pk=objection_pk, department__in=_orgs(request.user)).first()
    if o is None:
        raise Http404("未找到该异议。")
    try:
        credit.decide_objection(o, request.POST.get("upheld") == "1", request.POST.get("decision", ""), request.user)
        messages.success(request, "已作出决定。")
    except (RuleError, ValidationError) as exc:
        _fail(request, exc)
    return redirect("followups:target", target_pk=o.target_id)
