"""Plan filing (计划报备): a published plan version is filed with the office above (the
双随机办 of the owner's region; for an office's joint plan, the region above), which sees what
was filed, when, by whom, and whether the plan was published after its deadline (the "late"
mark stays: the publication date never changes)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.plans import access as plan_access
from shuangsuiji.plans.access import visible_plans
from shuangsuiji.plans.models import Plan, PlanStatus
from shuangsuiji.reports.models import PlanFiling
from shuangsuiji.reports.services import ReportRuleError, recipient_of


def published_late(plan: Plan) -> bool:
    due = plan.due_date()
    return bool(plan.published_at and due and timezone.localdate(plan.published_at) > due)


def fileable_plans(user):
    """Published plan versions the user may file and that are not filed yet."""
    filed = PlanFiling.objects.values("plan_id")
    plans = visible_plans(user).filter(status=PlanStatus.PUBLISHED).exclude(pk__in=filed).select_related("owner")
    return [p for p in plans.order_by("-year", "owner__path")[:200] if plan_access.can_publish(user, p)]


def file_plan(plan: Plan, user, note: str = "") -> PlanFiling:
    if user is not None:
        plan_access.require(plan_access.can_publish(user, plan))
    if plan.status != PlanStatus.PUBLISHED:
        raise ReportRuleError("只有已发布的计划（现行版本）可以报备。")
    office = recipient_of(plan.owner)
    if office is None:
        raise ReportRuleError("未找到上级双随机办，无法报备。")
    try:
        with transaction.atomic(), acting(actor=user, action="reports.plan_file"):
            return PlanFiling.objects.create(plan=plan, office=office, filed_by=user, note=(note or "").strip()[:500])
    except IntegrityError as exc:
        raise ReportRuleError("该计划版本已报备。") from exc


def received(office):
    rows = PlanFiling.objects.filter(office=office).select_related("plan", "plan__owner", "filed_by")
    return [{"filing": f, "late": published_late(f.plan)} for f in rows[:500]]
