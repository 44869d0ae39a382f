"""Every state change of annual plans, and what the home page and other apps read.

State machine of a plan version: draft → submitted → approved → published; a submitted plan
may be returned (with a reason) to draft. Coverage holds at submission: every published item of
the participating departments is in a line or waived. Whoever submitted a version may not
approve it. Any change after approval (a waiver) sends the version back to submitted: it must
be approved again (``plans.reapproval``, shown in the approvers' to-do). A published version is changed only through an
adjustment: request (reason) → approval, which opens the next version as a draft (lines and
waivers copied, ``previous`` linked); that version goes through the same steps and must be
published within 10 working days of the approval; publishing it supersedes the old one.

Each step is a named audit action (``plans.create``, ``plans.save_draft``, ``plans.submit``,
``plans.approve``, ``plans.return``, ``plans.publish``, ``plans.waive``, ``plans.adjust``,
``plans.adjust_approve``, ``plans.adjust_return``, ``plans.reapproval``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record
from shuangsuiji.items.models import Item, ItemVersion
from shuangsuiji.items.services import published_items
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.plans import access
from shuangsuiji.plans.models import (
    FROZEN,
    Plan,
    PlanAdjustment,
    PlanLine,
    PlanStatus,
    PlanWaiver,
)
from shuangsuiji.ratios import RatioError, parse_fraction, percent_text
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.choices import InspectionMethod


class PlanRuleError(RuleError):
    """A refused change of a plan."""


@dataclass
class LineSpec:
    item_version: ItemVersion
    ratio: Decimal | str
    methods: list[str] = field(default_factory=list)
    start_month: int = 1
    end_month: int = 12
    target_note: str = ""


@dataclass
class PlanContent:
    title: str
    scope: str = ""
    notes: str = ""
    lines: list[LineSpec] = field(default_factory=list)


# --- Reading --------------------------------------------------------------------------------


def participating_departments(plan: Plan) -> list[Organisation]:
    if plan.is_joint:
        return list(plan.participants.order_by("path"))
    return [plan.owner]


def available_items(departments) -> list[ItemVersion]:
    out: list[ItemVersion] = []
    for d in departments:
        out.extend(published_items(d).select_related("item__department"))
    return out


def uncovered_items(plan: Plan) -> list[ItemVersion]:
    """Published items of the participating departments neither in a line nor waived."""
    covered = set(plan.lines.values_list("item_version__item_id", flat=True))
    waived = set(plan.waivers.values_list("item_id", flat=True))
    return [v for v in available_items(participating_departments(plan)) if v.item_id not in covered | waived]


def series(plan: Plan) -> list[Plan]:
    """Every version of the plan's series, newest first."""
    first = plan
    while first.previous_id is not None:
        first = first.previous
    out = [first]
    node = first
    while True:
        nxt = Plan.objects.filter(previous=node).first()
        if nxt is None:
            break
        out.append(nxt)
        node = nxt
    return list(reversed(out))


def departments_without_plan(user, year: int) -> list[Organisation]:
    """Departments in the user's scope with no published plan of their own for ``year``."""
    from shuangsuiji.accounts.scope import visible_organisations

    published = Plan.objects.filter(year=year, is_joint=False, status__in=FROZEN).values("owner_id")
    return list(
        visible_organisations(user)
        .filter(kind=Organisation.Kind.DEPARTMENT, is_active=True)
        .exclude(pk__in=published)
        .order_by("path")
    )


# --- Drafts ---------------------------------------------------------------------------------


def _ratio(value, name: str) -> Decimal:
    """The one ratio parser (shuangsuiji/ratios.py): a fraction, or a percent with its sign."""
    try:
        return parse_fraction(value)
    except RatioError as exc:
        raise PlanRuleError(f"「{name}」的计划抽查比例：{exc}。") from exc


def _check_content(content: PlanContent, year: int, departments: list[Organisation]) -> None:
    errors = []
    if not content.title.strip():
        errors.append("「计划名称」不能为空。")
    if not 2000 <= year <= 2100:
        errors.append("「年度」无效。")
    allowed = {v.pk: v for v in available_items(departments)}
    seen = set()
    for line in content.lines:
        v = line.item_version
        name = f"{v.name}（{v.item.code}）"
        if v.pk not in allowed:
            errors.append(f"「{name}」不是参与部门现行发布的抽查事项，不能列入计划。")
            continue
        if v.pk in seen:
            errors.append(f"「{name}」重复列入。")
        seen.add(v.pk)
        try:
            ratio = _ratio(line.ratio, name)
        except PlanRuleError as exc:
            errors.extend(exc.messages)
            continue
        if ratio < v.min_ratio:
            errors.append(
                f"「{name}」的计划抽查比例 {percent_text(ratio)} 低于该事项的最低抽查比例 {v.ratio_percent}。"
            )
        elif ratio > 1:
            errors.append(f"「{name}」的计划抽查比例不能超过 100%。")
        elif ratio != ratio.quantize(Decimal("0.0001")):
            errors.append(f"「{name}」的计划抽查比例最多保留两位小数的百分比（如 5.25%）。")
        bad = [m for m in line.methods if m not in InspectionMethod.values]
        if bad:
            errors.append(f"「{name}」的检查方式无效：{'、'.join(bad)}。")
        if not line.methods:
            errors.append(f"「{name}」至少选择一种检查方式。")
        if not (1 <= line.start_month <= line.end_month <= 12):
            errors.append(f"「{name}」的实施时间无效（开始月份应不晚于结束月份，在 1—12 月之间）。")
    if errors:
        raise PlanRuleError(errors)


def _write(plan: Plan, content: PlanContent) -> None:
    plan.title = content.title.strip()
    plan.scope = content.scope.strip()
    plan.notes = content.notes.strip()
    plan.save()
    wanted = [
        (
            ln.item_version.pk,
            Decimal(str(ln.ratio)),
            [m for m in InspectionMethod.values if m in ln.methods],
            ln.start_month,
            ln.end_month,
            ln.target_note.strip(),
        )
        for ln in content.lines
    ]
    current = [
        (x.item_version_id, x.ratio, x.methods, x.start_month, x.end_month, x.target_note) for x in plan.lines.all()
    ]
    if wanted != current:
        for x in plan.lines.all():
            x.delete()
        for pos, (vid, ratio, methods, start, end, note) in enumerate(wanted, start=1):
            PlanLine.objects.create(
                plan=plan,
                position=pos,
                item_version_id=vid,
                ratio=ratio,
                methods=methods,
                start_month=start,
                end_month=end,
                target_note=note,
            )
        # An item now in a line needs no waiver.
        covered = plan.lines.values("item_version__item_id")
        for w in plan.waivers.filter(item_id__in=covered):
            w.delete()


@transaction.atomic
def create_plan(
    owner: Organisation,
    *,
    year: int,
    content: PlanContent,
    user,
    participants: list[Organisation] | None = None,
    reason: str = "",
) -> Plan:
    is_joint = owner.kind == Organisation.Kind.OFFICE
    if is_joint and not owner.is_coordinating_office:
        raise PlanRuleError("联合抽查计划只能由双随机办制定。")
    if not is_joint and owner.kind != Organisation.Kind.DEPARTMENT:
        raise PlanRuleError("年度抽查计划属于部门（或由双随机办制定联合抽查计划）。")
    if user is not None:
        access.require(access.can_edit(user, owner, is_joint))
    departments = [owner]
    if is_joint:
        departments = sorted(participants or [], key=lambda d: d.path)
        if len(departments) < 2:
            raise PlanRuleError("联合抽查计划至少需要两个参与部门。")
        outside = [d.name for d in departments if not d.region.path.startswith(owner.region.path)]
        if outside or any(d.kind != Organisation.Kind.DEPARTMENT for d in departments):
            raise PlanRuleError(f"参与部门必须是本区域的部门：{'、'.join(outside)}。")
    elif Plan.objects.filter(owner=owner, year=year, is_joint=False, version=1).exists():
        raise PlanRuleError(f"{owner.name}{year}年度抽查计划已存在，请在原计划上修改或申请调整。")
    _check_content(content, year, departments)
    with acting(action="plans.create", reason=reason):
        plan = Plan(owner=owner, year=year, is_joint=is_joint, created_by=user, title=content.title)
        plan.save()
        if is_joint:
            plan.participants.set(departments)
            record(action="plans.create", obj=plan, after={"participants": [d.name for d in departments]})
        _write(plan, content)
    return plan


def _locked(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().select_related("owner", "owner__region").get(pk=plan.pk)


@transaction.atomic
def save_draft(plan: Plan, content: PlanContent, user, reason: str = "") -> Plan:
    plan = _locked(plan)
    if user is not None:
        access.require(access.can_edit(user, plan.owner, plan.is_joint))
    if plan.status != PlanStatus.DRAFT:
        raise PlanRuleError("只有草稿可以修改；已报审的计划请先退回，已发布的计划请申请调整。")
    _check_content(content, plan.year, participating_departments(plan))
    with acting(action="plans.save_draft", reason=reason):
        _write(plan, content)
    return plan


@transaction.atomic
def waive(plan: Plan, item: Item, reason: str, user) -> PlanWaiver:
    plan = _locked(plan)
    if user is not None:
        access.require(access.can_publish(user, plan))
    if plan.status in FROZEN:
        raise PlanRuleError("已发布的计划版本不可修改；请申请调整。")
    if not reason.strip():
        raise PlanRuleError("请填写该事项不纳入本年度计划的原因。")
    if item.pk not in {v.item_id for v in uncovered_items(plan)}:
        raise PlanRuleError(f"事项 {item.code} 不是本计划未覆盖的事项。")
    with acting(action="plans.waive", reason=reason.strip()):
        waiver = PlanWaiver.objects.create(plan=plan, item=item, reason=reason.strip(), created_by=user)
    _changed_after_approval(plan, user, f"已审批后登记事项 {item.code} 不纳入本计划")
    return waiver


REAPPROVAL_NOTICE = "计划已审批后又作修改，已退回“已报审”，须重新审批后才能发布。"


def _changed_after_approval(plan: Plan, user, what: str) -> None:
    """A change to an approved (unpublished) version: back to submitted, approval cleared."""
    if plan.status != PlanStatus.APPROVED:
        return
    with acting(action="plans.reapproval", reason=f"{what}，须重新审批。"):
        plan.status = PlanStatus.SUBMITTED
        plan.submitted_at, plan.submitted_by = timezone.now(), user
        plan.approved_at, plan.approved_by = None, None
        plan.save()


def coverage_errors(plan: Plan) -> list[str]:
    """Published items of the participating departments neither in a line nor waived."""
    return [
        f"事项「{v.name}」（{v.item.code}，{v.item.department.name}）未列入计划，也未说明不纳入原因。"
        for v in uncovered_items(plan)
    ]


# --- Transitions ----------------------------------------------------------------------------


def _move(plan: Plan, expected: str, new_status: str, action: str, message: str, reason: str = "") -> None:
    if plan.status != expected:
        raise PlanRuleError(message)
    with acting(action=action, reason=reason):
        plan.status = new_status
        plan.save()


@transaction.atomic
def submit(plan: Plan, user, reason: str = "") -> Plan:
    plan = _locked(plan)
    if user is not None:
        access.require(access.can_edit(user, plan.owner, plan.is_joint))
    if not plan.lines.exists():
        raise PlanRuleError("计划至少列入一个抽查事项后才能报审。")
    uncovered = coverage_errors(plan)
    if plan.status == PlanStatus.DRAFT and uncovered:
        raise PlanRuleError(["报审前须覆盖本部门全部已发布事项（列入计划或说明不纳入原因）：", *uncovered])
    plan.submitted_at, plan.submitted_by = timezone.now(), user
    _move(plan, PlanStatus.DRAFT, PlanStatus.SUBMITTED, "plans.submit", "只有草稿可以报审。", reason)
    return plan


@transaction.atomic
def approve(plan: Plan, user, reason: str = "") -> Plan:
    plan = _locked(plan)
    if user is not None:
        access.require_approver(user, plan)
    plan.approved_at, plan.approved_by = timezone.now(), user
    _move(plan, PlanStatus.SUBMITTED, PlanStatus.APPROVED, "plans.approve", "只有已报审的计划可以审批。", reason)
    return plan


@transaction.atomic
def return_plan(plan: Plan, user, reason: str) -> Plan:
    plan = _locked(plan)
    if user is not None:
        access.require(access.can_approve(user, plan))
    if not reason.strip():
        raise PlanRuleError("退回须填写原因。")
    if plan.status not in (PlanStatus.SUBMITTED, PlanStatus.APPROVED):
        raise PlanRuleError("只有已报审或已审批（未发布）的计划可以退回。")
    with acting(action="plans.return", reason=reason.strip()):
        plan.status = PlanStatus.DRAFT
        plan.returned_at, plan.returned_by, plan.return_reason = timezone.now(), user, reason.strip()
        plan.save()
    return plan


def publish_errors(plan: Plan) -> list[str]:
    errors = []
    if plan.status != PlanStatus.APPROVED:
        errors.append("计划须经审批后才能发布。")
    errors += coverage_errors(plan)
    return errors


@transaction.atomic
def publish(plan: Plan, user, reason: str = "") -> Plan:
    plan = _locked(plan)
    if user is not None:
        access.require(access.can_publish(user, plan))
    errors = publish_errors(plan)
    if errors:
        raise PlanRuleError(errors)
    with acting(action="plans.publish", reason=reason):
        if plan.previous_id is not None:
            old = Plan.objects.select_for_update().get(pk=plan.previous_id)
            if old.status == PlanStatus.PUBLISHED:
                old.status = PlanStatus.SUPERSEDED
                old.save()
        plan.status = PlanStatus.PUBLISHED
        plan.published_at, plan.published_by = timezone.now(), user
        plan.save()
    return plan


# --- Adjustments ----------------------------------------------------------------------------


@transaction.atomic
def request_adjustment(plan: Plan, user, reason: str) -> PlanAdjustment:
    plan = _locked(plan)
    if user is not None:
        access.require(access.can_publish(user, plan))
    if plan.status != PlanStatus.PUBLISHED:
        raise PlanRuleError("只有已发布的现行计划可以申请调整。")
    if not reason.strip():
        raise PlanRuleError("申请调整须填写调整原因。")
    if plan.adjustments.filter(status__in=[PlanAdjustment.Status.REQUESTED, PlanAdjustment.Status.APPROVED]).exists():
        raise PlanRuleError("该计划已有待审批或已批准的调整申请。")
    with acting(action="plans.adjust", reason=reason.strip()):
        return PlanAdjustment.objects.create(plan=plan, reason=reason.strip(), requested_by=user)


@transaction.atomic
def approve_adjustment(adjustment: PlanAdjustment, user, *, today: dt.date | None = None, reason: str = "") -> Plan:
    """Approve the adjustment: the next version opens as a draft copy of the published one."""
    adjustment = PlanAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    old = _locked(adjustment.plan)
    if user is not None:
        access.require(access.can_approve(user, old))
    if adjustment.status != PlanAdjustment.Status.REQUESTED:
        raise PlanRuleError("该调整申请不是待审批状态。")
    today = today or timezone.localdate()
    with acting(action="plans.adjust_approve", reason=reason or adjustment.reason):
        new = Plan(
            owner=old.owner,
            is_joint=old.is_joint,
            year=old.year,
            version=old.version + 1,
            previous=old,
            title=old.title,
            scope=old.scope,
            notes=old.notes,
            adjustment_reason=adjustment.reason,
            adjustment_approved_on=today,
            created_by=user,
        )
        new.save()
        if old.is_joint:
            new.participants.set(old.participants.all())
        for x in old.lines.all():
            PlanLine.objects.create(
                plan=new,
                position=x.position,
                item_version_id=x.item_version_id,
                ratio=x.ratio,
                methods=list(x.methods),
                start_month=x.start_month,
                end_month=x.end_month,
                target_note=x.target_note,
            )
        for w in old.waivers.all():
            PlanWaiver.objects.create(plan=new, item_id=w.item_id, reason=w.reason, created_by=w.created_by)
        adjustment.status = PlanAdjustment.Status.APPROVED
        adjustment.decided_at, adjustment.decided_on, adjustment.decided_by = timezone.now(), today, user
        adjustment.new_plan = new
        adjustment.save()
    return new


@transaction.atomic
def return_adjustment(adjustment: PlanAdjustment, user, reason: str) -> PlanAdjustment:
    adjustment = PlanAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    if user is not None:
        access.require(access.can_approve(user, adjustment.plan))
    if adjustment.status != PlanAdjustment.Status.REQUESTED:
        raise PlanRuleError("该调整申请不是待审批状态。")
    if not reason.strip():
        raise PlanRuleError("退回调整申请须填写原因。")
    with acting(action="plans.adjust_return", reason=reason.strip()):
        adjustment.status = PlanAdjustment.Status.RETURNED
        adjustment.decided_at, adjustment.decided_by = timezone.now(), user
        adjustment.decision_note = reason.strip()
        adjustment.save()
    return adjustment


# --- To-do (home page) ----------------------------------------------------------------------


def _reapproval_pending(plan: Plan) -> bool:
    """The last transition of a submitted version was a change after approval."""
    from shuangsuiji.audit.models import AuditEntry

    last = (
        AuditEntry.objects.filter(object_type="plans.plan", object_id=str(plan.pk), action__in=REVIEW_ACTIONS)
        .order_by("-seq")
        .values_list("action", flat=True)
        .first()
    )
    return last == "plans.reapproval"


REVIEW_ACTIONS = ("plans.submit", "plans.reapproval", "plans.return", "plans.approve")


def todo_for(user, today: dt.date | None = None) -> list[dict]:
    """What the user should do about plans: approve, publish, approve adjustments, re-publish."""
    today = today or timezone.localdate()
    out: list[dict] = []
    if not (user.is_authenticated and user.is_active):
        return out
    plans = access.visible_plans(user).select_related("owner", "owner__region").order_by("year", "owner__path")
    for plan in plans.filter(status__in=[PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.DRAFT]):
        due = plan.due_date()
        url = reverse("plans:detail", args=[plan.pk])
        overdue = plan.is_overdue(today)
        if plan.status == PlanStatus.SUBMITTED and access.can_approve(user, plan):
            if not access.is_submitter(user, plan):
                again = "重新审批（审批后又作修改）" if _reapproval_pending(plan) else "审批"
                out.append({"title": f"{again}：{plan}", "url": url, "due": due, "overdue": overdue})
        elif plan.status == PlanStatus.APPROVED and access.can_publish(user, plan):
            out.append({"title": f"发布：{plan}", "url": url, "due": due, "overdue": overdue})
        elif plan.status == PlanStatus.DRAFT and plan.version > 1 and access.can_edit(user, plan.owner, plan.is_joint):
            title = "调整后重新发布（已逾期）" if overdue else "调整后重新发布"
            out.append({"title": f"{title}：{plan}", "url": url, "due": due, "overdue": overdue})
    adjustments = PlanAdjustment.objects.filter(
        status=PlanAdjustment.Status.REQUESTED, plan__in=access.visible_plans(user)
    ).select_related("plan", "plan__owner", "plan__owner__region")
    for a in adjustments.order_by("requested_at"):
        if access.can_approve(user, a.plan):
            out.append(
                {
                    "title": f"审批调整申请：{a.plan}",
                    "url": reverse("plans:detail", args=[a.plan_id]),
                    "due": None,
                    "overdue": False,
                }
            )
    return out
