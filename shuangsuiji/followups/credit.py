"""The credit loop (信用闭环): findings change the business's risk class and draw weight.

A versioned rule table (``CreditRule``; the platform administrator edits it, each edit a new
version, audited) maps outcomes to consequences. A consequence that moves the class goes
through ``targets.services.set_risk_class`` (the replaced classification becomes a
``RiskClassChange`` row; the new one names the rule and the record as its source). An upheld
objection reverses it: again a new classification, with history.

``loop_report`` tells a new task's preview how many targets moved stratum or weight because
of the loop since the region's last draw; ``draw_weights`` gives the loop's draw weights
(the engine supports weighted draws, spec §3.1/§8).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record
from shuangsuiji.followups.models import CreditConsequence, CreditRule, FollowUp, ReInspectionStatus, Trigger, TypeKind
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.choices import RiskClass

ORDER = "ABCD"  # A lowest risk … D highest


class CreditRuleError(RuleError):
    pass


def worse(a: str, b: str) -> str:
    if not a:
        return b
    if not b:
        return a
    return a if ORDER.index(a) >= ORDER.index(b) else b


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def current_rules():
    return CreditRule.objects.filter(superseded_at__isnull=True, is_active=True).order_by("key")


def active_consequences(target_id: int, today: dt.date, exclude_pk: int | None = None):
    qs = CreditConsequence.objects.filter(target_id=target_id, reversed_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=today)
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs


def _matches_part(rule: CreditRule, codes: set[str]) -> bool:
    return rule.trigger == Trigger.RESULT_CODE and rule.trigger_code in codes


def _matches_followup(rule: CreditRule, fu: FollowUp) -> bool:
    if rule.trigger == Trigger.FOLLOWUP_TYPE:
        return rule.trigger_code == fu.type.code
    if rule.trigger == Trigger.CASE_FINE:
        return (
            fu.type.needs_case and fu.fine_wan is not None and fu.fine_wan >= (rule.min_fine_wan or Decimal("0.0001"))
        )
    if rule.trigger == Trigger.REFUSED_RECTIFY:
        parent = fu.parent
        return (
            fu.type.kind == TypeKind.CASE
            and parent is not None
            and parent.reinspections.filter(status=ReInspectionStatus.FAILED).exists()
        )
    return False


def _apply(rule: CreditRule, target, user, today: dt.date, *, part=None, followup=None, what: str):
    from shuangsuiji.targets.models import Target
    from shuangsuiji.targets.services import set_risk_class

    target_id = getattr(target, "pk", target)  # (a Target or its id: the row is read afresh below)
    exists = CreditConsequence.objects.filter(rule__key=rule.key, target_id=target_id)
    exists = exists.filter(followup=followup) if followup is not None else exists.filter(part=part, followup=None)
    if exists.exists():
        return None  # applied once per rule and record
    target = Target.objects.get(pk=target_id)
    before = target.risk_class
    after = worse(before, rule.risk_floor) if rule.risk_floor else before
    source = f"信用规则 {rule.key}（第 {rule.version} 版）{rule.title}：{what}"[:200]
    with acting(actor=user, action="followups.credit"):
        if after != before:
            set_risk_class(target, after, effective_on=today, source=source, user=user)
        c = CreditConsequence.objects.create(
            target=target,
            rule=rule,
            part=part if part is not None else (followup.part if followup is not None else None),
            followup=followup,
            risk_before=before,
            risk_after=after,
            weight=rule.weight or 1,
            flag=rule.flag,
            counts_clean=rule.counts_clean,
            effective_on=today,
            until=add_months(today, rule.months) if rule.months else None,
            source=source,
            applied_by=user,
        )
        record(
            action="followups.credit",
            obj=c,
            organisation_id=followup.department_id if followup is not None else part.department_id,
            after={"rule": f"{rule.key} v{rule.version}", "risk": f"{before}→{after}", "weight": c.weight},
        )
    return c


def apply_for_part(part, user, today: dt.date, codes: set[str] | None = None) -> list[CreditConsequence]:
    """``codes``: the part's result codes (``ResultCode.code``) if the caller has just read them
    in this transaction (the determination)."""
    if codes is None:
        codes = set(part.codes.values_list("code__code", flat=True))
    out = []
    with transaction.atomic():
        for rule in current_rules():
            if _matches_part(rule, codes):
                c = _apply(rule, part.record.target_id, user, today, part=part, what=f"检查结果（{part.pk}）")
                if c is not None:
                    out.append(c)
    return out


def apply_for_followup(fu: FollowUp, user, today: dt.date) -> list[CreditConsequence]:
    out = []
    with transaction.atomic():
        for rule in current_rules():
            if _matches_followup(rule, fu):
                c = _apply(rule, fu.target, user, today, followup=fu, what=f"后续处置 {fu.number}（{fu.type.label}）")
                if c is not None:
                    out.append(c)
    return out


# --- Editing the rule table ---------------------------------------------------------------------

EDITABLE = (
    "title",
    "min_fine_wan",
    "risk_floor",
    "months",
    "weight",
    "flag",
    "proposes_abnormal",
    "counts_clean",
    "reason",
    "is_active",
)


def edit_rule(rule: CreditRule, changes: dict, user, reason: str) -> CreditRule:
    """A new version of the rule (the current one is closed); refuses an empty reason."""
    from shuangsuiji.followups import access

    access.require_edit_rules(user)
    reason = (reason or "").strip()
    if not reason:
        raise CreditRuleError("修改信用规则须说明理由。")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CreditRuleError(f"不可修改的字段：{'、'.join(sorted(unknown))}。")
    floor = changes.get("risk_floor", rule.risk_floor)
    if floor and floor not in RiskClass.values:
        raise CreditRuleError("信用风险分类至少为：应为 A、B、C、D 之一或留空。")
    weight = changes.get("weight", rule.weight)
    if weight is not None and not (1 <= int(weight) <= 100):
        raise CreditRuleError("抽取权重应为 1–100 的整数。")
    months = changes.get("months", rule.months)
    if months is not None and not (1 <= int(months) <= 120):
        raise CreditRuleError("有效期（月）应为 1–120。")
    if not (changes.get("reason", rule.reason) or "").strip():
        raise CreditRuleError("请填写规则的依据与理由。")
    with transaction.atomic():
        current = CreditRule.objects.select_for_update().get(pk=rule.pk)
        if current.superseded_at is not None:
            raise CreditRuleError("该规则版本已被替代，请在最新版本上修改。")
        with acting(actor=user, action="followups.rule_edit", reason=reason):
            current.superseded_at = timezone.now()
            current.superseded_by = user
            current.save()
            fields = {f: getattr(current, f) for f in ("key", "trigger", "trigger_code", *EDITABLE)}
            fields.update(changes)
            new = CreditRule.objects.create(version=current.version + 1, created_by=user, **fields)
            record(
                action="followups.rule_edit",
                obj=new,
                before={k: getattr(current, k) for k in changes},
                after={k: getattr(new, k) for k in changes},
                reason=reason,
            )
    return new


# --- Objections ---------------------------------------------------------------------------------


def file_objection(target, user, *, department, objector: str, text: str, consequence=None, followup=None, today=None):
    from shuangsuiji.followups import access
    from shuangsuiji.followups.models import Objection

    today = today or timezone.localdate()
    if not access.may_record_objection(user, department.pk):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("您无权为该部门登记异议。")
    if not (objector or "").strip():
        raise CreditRuleError("请填写提出人。")
    if not (text or "").strip():
        raise CreditRuleError("请填写异议内容。")
    if consequence is not None and consequence.target_id != target.pk:
        raise CreditRuleError("该信用后果不属于此检查对象。")
    if consequence is None and followup is None:
        raise CreditRuleError("请指明异议针对的信用后果或后续处置。")
    with transaction.atomic(), acting(actor=user, action="followups.objection"):
        return Objection.objects.create(
            target=target,
            consequence=consequence,
            followup=followup,
            department=department,
            filed_on=today,
            objector=objector.strip(),
            text=text.strip(),
            recorded_by=user,
        )


def decide_objection(objection, upheld: bool, decision: str, user, today=None):
    """异议成立 reverses the consequence (the class goes back, unless other active consequences
    still require a worse one), with history; 不成立 keeps it. Either way the decision is kept."""
    from shuangsuiji.followups import access
    from shuangsuiji.followups.models import Objection, ObjectionStatus
    from shuangsuiji.targets.models import Target
    from shuangsuiji.targets.services import set_risk_class

    access.require_decide_objection(user, objection)
    today = today or timezone.localdate()
    decision = (decision or "").strip()
    if not decision:
        raise CreditRuleError("请填写决定意见。")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.PENDING:
            raise CreditRuleError("该异议已作出决定。")
        with acting(actor=user, action="followups.objection_decide"):
            objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
            objection.decision = decision
            objection.decided_by = user
            objection.decided_at = timezone.now()
            objection.save()
            consequences = []
            if upheld:
                if objection.consequence_id:
                    consequences = [objection.consequence]
                elif objection.followup_id:
                    consequences = list(objection.followup.consequences.filter(reversed_at__isnull=True))
            for c in consequences:
                c = CreditConsequence.objects.select_for_update().get(pk=c.pk)
                if c.reversed_at is not None:
                    continue
                c.reversed_at = timezone.now()
                c.reversed_by = user
                c.reversal_reason = f"异议成立：{decision}"[:500]
                c.save()
                target = Target.objects.get(pk=c.target_id)
                if c.moved_stratum and target.risk_class == c.risk_after:
                    floor = c.risk_before
                    for other in active_consequences(target.pk, today, exclude_pk=c.pk):
                        if other.risk_after != other.risk_before:
                            floor = worse(floor, other.risk_after)
                    if floor != target.risk_class:
                        set_risk_class(
                            target,
                            floor,
                            effective_on=today,
                            source=f"异议成立，撤销信用规则 {c.rule.key} 的后果（异议 {objection.pk}）"[:200],
                            user=user,
                        )
            record(
                action="followups.objection_decide",
                obj=objection,
                after={"status": objection.status, "reversed": len(consequences)},
                reason=decision,
            )
    return objection


# --- Draw weights and the new task's preview ----------------------------------------------------


def draw_weights(target_ids, today: dt.date | None = None) -> dict[int, int]:
    """The loop's draw weight of each target (1 when no active consequence raises it)."""
    today = today or timezone.localdate()
    out: dict[int, int] = {}
    qs = CreditConsequence.objects.filter(target_id__in=target_ids, reversed_at__isnull=True, weight__gt=1).filter(
        Q(until__isnull=True) | Q(until__gte=today)
    )
    for tid, w in qs.values_list("target_id", "weight"):
        out[tid] = max(out.get(tid, 1), w)
    return out


@dataclass
class LoopReport:
    since: dt.datetime | None
    moved_stratum: int = 0
    by_stratum: dict[str, int] = field(default_factory=dict)  # the class they moved into
    moved_weight: int = 0

    @property
    def any(self) -> bool:
        return bool(self.moved_stratum or self.moved_weight)

    def lines(self) -> list[str]:
        since = f"自 {timezone.localtime(self.since):%Y-%m-%d %H:%M} 上次抽取以来" if self.since else "迄今"
        parts = [f"{since}，因检查结果和后续处置（信用闭环）调整信用风险分类的对象 {self.moved_stratum} 户"]
        if self.by_stratum:
            parts.append("，其中移入 " + "、".join(f"{k} 类 {v} 户" for k, v in sorted(self.by_stratum.items())))
        parts.append(f"；抽取权重提高的对象 {self.moved_weight} 户。")
        return ["".join(parts)]


def loop_report(task, today: dt.date | None = None) -> LoopReport:
    """How many of the task's population moved stratum or weight because of the loop since
    the last target draw in the task's region (HOOK: the tasks preview shows it)."""
    from shuangsuiji.tasks.models import Draw, DrawKind, DrawStatus
    from shuangsuiji.tasks.population import population_queryset

    today = today or timezone.localdate()
    last = (
        Draw.objects.filter(kind=DrawKind.TARGETS, status=DrawStatus.DRAWN, task__region_id=task.region_id)
        .exclude(task_id=task.pk)
        .order_by("-drawn_at")
        .values_list("drawn_at", flat=True)
        .first()
    )
    qs = CreditConsequence.objects.filter(reversed_at__isnull=True, target__in=population_queryset(task))
    if last is not None:
        qs = qs.filter(applied_at__gt=last)
    report = LoopReport(since=last)
    moved: dict[int, str] = {}
    weighted: set[int] = set()
    for c in qs.order_by("applied_at", "id").values("target_id", "risk_before", "risk_after", "weight", "until"):
        if c["risk_before"] != c["risk_after"]:
            moved[c["target_id"]] = c["risk_after"]
        if c["weight"] > 1 and (c["until"] is None or c["until"] >= today):
            weighted.add(c["target_id"])
    if moved:
        from shuangsuiji.targets.models import Target

        current = dict(Target.objects.filter(pk__in=moved).values_list("pk", "risk_class"))
        for tid in moved:
            s = current.get(tid, moved[tid])
            report.by_stratum[s] = report.by_stratum.get(s, 0) + 1
    report.moved_stratum = len(moved)
    report.moved_weight = len(weighted)
    return report
