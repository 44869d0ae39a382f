"""Publishing (一公开): build the exact public record, freeze it, record channels and lateness.

Every function here changes state in one transaction, audited (``audit.context.acting``).
Nothing published is edited: ``correct`` publishes a new version beside the original,
``request_withdrawal``/``decide_withdrawal`` leave a public notice.

Subjects and their owners (谁检查、谁公开):

- ``items``: a department's item list (its published item versions), by that department;
- ``plan``: a published plan version (an adjustment is a new version), by the plan's owner;
- ``task``: a task's definition (name, departments, items, population, ratios, counts), by
  the lead department, once its target draw is frozen;
- ``drawn_list``: the task's drawn list, by the lead department once every participating
  department confirmed it; this sets ``Task.published_at`` and so ends the sealing
  (``tasks.access`` / ``tasks.sealed`` answer "not sealed" from then on);
- ``result``: a determined result (``results.py`` reads it), by the department that
  inspected, due within 20 working days of its determination; later is allowed and marked
  late for ever.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record as audit_record
from shuangsuiji.items.services import published_items
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.plans.models import Plan, PlanStatus
from shuangsuiji.publicity import access, pagecache, published
from shuangsuiji.publicity.models import (
    Channel,
    CurrentName,
    Decision,
    Kind,
    Publication,
    PublishedTarget,
    Redaction,
    Withdrawal,
)
from shuangsuiji.rules import RuleError
from shuangsuiji.tasks import drawday
from shuangsuiji.tasks.models import DrawStatus, Task, TaskStatus

RESULT_DUE_WORKDAYS = 20


def record_sha256(record: dict) -> str:
    data = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()


def clean_channels(channels) -> list[str]:
    """The channels in their fixed order; at least one; an unknown one is refused by name."""
    chosen = list(dict.fromkeys(channels or []))
    unknown = [c for c in chosen if c not in Channel.values]
    if unknown:
        raise RuleError(f"公开渠道“{unknown[0]}”不存在，可选：" + "、".join(Channel.labels))
    if not chosen:
        raise RuleError("公开渠道：请至少选择一个公开渠道。")
    return [c for c in Channel.values if c in chosen]


def _require(user, department: Organisation) -> None:
    if not access.may_publish(user, department):
        raise PermissionDenied("只有本部门的系统管理员或业务股室操作员可以公开本部门的信息（谁检查、谁公开）。")


def latest(kind: str, subject_id) -> Publication | None:
    return Publication.objects.filter(kind=kind, subject_id=str(subject_id)).order_by("-version").first()


# --- Records: exactly what the public will read -------------------------------------------------


def items_record(department: Organisation) -> dict:
    items = []
    for v in published_items(department).prefetch_related("legal_bases"):
        items.append(
            {
                "code": v.item.code,
                "name": v.name,
                "kind": v.get_kind_display(),
                "min_ratio": v.ratio_percent,
                "frequency": v.frequency,
                "target_types": v.target_type_labels,
                "methods": v.method_labels,
                "national_code": v.national_code,
                "legal_bases": [b.law for b in v.legal_bases.all()],
                "version": v.version,
            }
        )
    return {"department": department.name, "region": department.region.name, "items": items}


def plan_record(plan: Plan) -> dict:
    lines = [
        {
            "item_code": line.item_version.item.code,
            "item": line.item_version.name,
            "ratio": f"{line.ratio * 100:.2f}".rstrip("0").rstrip(".") + "%",
            "months": f"{line.start_month}—{line.end_month}月",
            "target_note": line.target_note,
        }
        for line in plan.lines.select_related("item_version__item").order_by("position")
    ]
    return {
        "title": plan.title,
        "year": plan.year,
        "version": plan.version,
        "owner": plan.owner.name,
        "joint": plan.is_joint,
        "participants": [o.name for o in plan.participants.all()],
        "scope": plan.scope,
        "adjustment_reason": plan.adjustment_reason if plan.previous_id else "",
        "lines": lines,
    }


def task_record(task: Task) -> dict:
    from shuangsuiji.tasks import population, services

    draw = drawday.live_target_draw(task)
    participants = []
    for p in services.participants_lead_first(task):
        participants.append(
            {
                "department": p.department.name,
                "role": p.get_role_display(),
                "items": [
                    {"code": ti.item_version.item.code, "name": ti.item_version.name}
                    for ti in p.items.select_related("item_version__item")
                ],
            }
        )
    strata = {
        services.stratum_label(k): {"ratio": services.percent(v.get("ratio")), "min": v.get("min"), "max": v.get("max")}
        for k, v in (task.strata or {}).items()
    }
    return {
        "code": task.code,
        "title": task.title,
        "year": task.year,
        "region": task.region.name,
        "joint": task.is_joint,
        "source": task.get_source_display(),
        "plan": task.plan.title if task.plan_id else "",
        "participants": participants,
        "population": population.describe(task),
        "strata": strata,
        "window": f"{task.window_from:%Y-%m-%d} 至 {task.window_to:%Y-%m-%d}",
        "population_count": draw.population_count if draw else None,
        "excluded_count": draw.excluded_count if draw else None,
    }


def drawn_list_record(task: Task) -> tuple[dict, list]:
    draw = drawday.live_target_draw(task)
    rows = list(drawday.active_targets(draw).select_related("target"))
    targets = [
        {
            "position": r.position,
            "code": r.target.code,
            "name": r.target.name,
            "stratum": r.stratum,
            "from_reserve": r.from_reserve,
        }
        for r in rows
    ]
    rec = {"task": task.code, "title": task.title, "draw_id": draw.draw_id, "count": len(rows), "targets": targets}
    return rec, [r.target for r in rows]


# --- Publishing -----------------------------------------------------------------------------------


def _store(kind, subject_id, department, year, title, rec, channels, user, *, task=None, targets=(), **extra):
    prev = latest(kind, subject_id)
    corrects = extra.get("corrects")
    pub = Publication(
        kind=kind,
        subject_id=str(subject_id),
        version=(prev.version + 1) if prev else 1,
        department=department,
        # a new version stands where the one it corrects stood: in that one's county's lists, even
        # if the department has since been moved to another region (the lists leave out a
        # county's corrected versions by the county's corrections, ``published.Lines``)
        region_id=corrects.region_id if corrects is not None else department.region_id,
        year=year,
        task=task,
        title=title[:300],
        record=rec,
        record_sha256=record_sha256(rec),
        channels=clean_channels(channels),
        published_at=timezone.now(),
        published_by=user,
        **extra,
    )
    pub.save()
    for t in targets:
        PublishedTarget.objects.create(publication=pub, target=t, code=t.code, name=t.name)
    affected = {t.pk for t in targets}
    if pub.corrects_id:  # the corrected version no longer names its businesses
        affected |= set(PublishedTarget.objects.filter(publication_id=pub.corrects_id).values_list("target", flat=True))
    keep_names(affected)
    _public_changed()
    return pub


def keep_names(target_ids) -> None:
    """Keep the portal's search table (``CurrentName``) equal to the live definition
    (``published.current_names``) for these businesses: called in the transaction of every
    change of what a publication names (a publication, a correction, an approved withdrawal)."""
    ids = sorted(set(target_ids))
    for i in range(0, len(ids), 2000):
        chunk = ids[i : i + 2000]
        CurrentName.objects.filter(target_id__in=chunk).delete()
        CurrentName.objects.bulk_create(CurrentName(**row) for row in published.current_names(chunk))


def _public_changed() -> None:
    """The one rule of the portal's page cache: whatever changes what is public (a publication,
    a correction, an approved withdrawal or redaction) starts a new publication generation, so
    no cached page shows the state before (``pagecache``)."""
    pagecache.bump()


def _first_time(kind, subject_id) -> None:
    if latest(kind, subject_id) is not None:
        raise RuleError("该信息已公开；如需修改，请发布更正版本。")


@transaction.atomic
def publish_items(department: Organisation, channels, user) -> Publication:
    """A snapshot of the department's published item list (each new snapshot a new version)."""
    _require(user, department)
    rec = items_record(department)
    if not rec["items"]:
        raise RuleError("抽查事项清单：本部门没有已发布的抽查事项。")
    prev = latest(Kind.ITEMS, department.pk)
    if prev is not None and prev.record_sha256 == record_sha256(rec):
        raise RuleError("抽查事项清单自上次公开以来没有变化。")
    with acting(actor=user, action="publicity.publish_items"):
        return _store(
            Kind.ITEMS,
            department.pk,
            department,
            timezone.localdate().year,
            f"{department.name}随机抽查事项清单",
            rec,
            channels,
            user,
            corrects=prev,
            correction_reason="事项清单更新" if prev else "",
        )


@transaction.atomic
def publish_plan(plan: Plan, channels, user) -> Publication:
    _require(user, plan.owner)
    if plan.status not in (PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED):
        raise RuleError("年度抽查计划：只有已发布的计划版本可以公开。")
    _first_time(Kind.PLAN, plan.pk)
    title = plan.title + (f"（调整后第 {plan.version} 版）" if plan.previous_id else "")
    with acting(actor=user, action="publicity.publish_plan"):
        return _store(Kind.PLAN, plan.pk, plan.owner, plan.year, title, plan_record(plan), channels, user)


@transaction.atomic
def publish_task(task: Task, channels, user) -> Publication:
    _require(user, task.lead)
    if task.status == TaskStatus.CANCELLED:
        raise RuleError("抽查任务已取消，不能公开。")
    if drawday.live_target_draw(task) is None:
        raise RuleError("抽查任务：冻结检查对象名单后才能公开任务。")
    _first_time(Kind.TASK, task.pk)
    with acting(actor=user, action="publicity.publish_task"):
        rec = task_record(task)
        return _store(Kind.TASK, task.pk, task.lead, task.year, task.title, rec, channels, user, task=task)


@transaction.atomic
def publish_drawn_list(task: Task, channels, user) -> Publication:
    """Publish the drawn list: this ends the sealing of the task (``Task.published_at``)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    _require(user, task.lead)
    draw = drawday.live_target_draw(task)
    if draw is None or draw.status != DrawStatus.DRAWN:
        raise RuleError("抽查名单：检查对象尚未抽取，不能公开名单。")
    if not drawday.all_confirmed(draw):
        raise RuleError("抽查名单：各参与部门确认名单后才能公开。")
    _first_time(Kind.DRAWN_LIST, task.pk)
    rec, targets = drawn_list_record(task)
    with acting(actor=user, action="publicity.publish_drawn_list"):
        if latest(Kind.TASK, task.pk) is None:
            _store(Kind.TASK, task.pk, task.lead, task.year, task.title, task_record(task), channels, user, task=task)
        now = timezone.now()
        Task.objects.filter(pk=task.pk).update(published_at=now)
        audit_record(
            action="tasks.publish_list",
            obj=task,
            organisation_id=task.lead_id,
            after={"task": task.code, "published_at": now.isoformat()},
        )
        return _store(
            Kind.DRAWN_LIST,
            task.pk,
            task.lead,
            task.year,
            f"{task.title} 抽查名单",
            rec,
            channels,
            user,
            task=task,
            targets=targets,
        )


def result_due_on(determined_on: dt.date) -> dt.date:
    """One rule for the 20-working-day clock: the inspections app's (it stores the deadline on
    the determined part)."""
    from shuangsuiji.inspections.services import publication_due

    return publication_due(determined_on)


# --- Corrections and withdrawals ------------------------------------------------------------------


def current_record(pub: Publication) -> tuple[dict, list]:
    """The subject's record as it would be published now (for a correction)."""
    if pub.kind == Kind.ITEMS:
        return items_record(pub.department), []
    if pub.kind == Kind.PLAN:
        return plan_record(Plan.objects.get(pk=pub.subject_id)), []
    if pub.kind == Kind.TASK:
        return task_record(Task.objects.get(pk=pub.subject_id)), []
    if pub.kind == Kind.DRAWN_LIST:
        return drawn_list_record(Task.objects.get(pk=pub.subject_id))
    from shuangsuiji.publicity import results

    return results.record_of_subject(pub.subject_id)


def _withdrawn(pub: Publication) -> bool:
    return Withdrawal.objects.filter(publication=pub, status=Decision.APPROVED).exists()


@transaction.atomic
def correct(pub: Publication, reason: str, user, channels=None) -> Publication:
    """Publish a corrected version beside ``pub`` (Art. 12): the record as the subject stands now."""
    _require(user, pub.department)
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("更正原因：请填写更正原因。")
    head = latest(pub.kind, pub.subject_id)
    if head.pk != pub.pk:
        raise RuleError(f"该记录已有更正版本（第 {head.version} 版），请更正最新版本。")
    if _withdrawn(pub):
        raise RuleError("该记录已撤回，不能更正。")
    rec, targets = current_record(pub)
    if record_sha256(rec) == pub.record_sha256:
        raise RuleError("公开内容没有变化：请先在业务模块中更正原记录，再发布更正版本。")
    part = None
    if pub.kind == Kind.RESULT:
        from shuangsuiji.publicity import results

        part = results.current_part(pub.subject_id)
    with acting(actor=user, action="publicity.correct", reason=reason):
        return _store(
            pub.kind,
            pub.subject_id,
            pub.department,
            pub.year,
            pub.title,
            rec,
            channels or pub.channels,
            user,
            task=pub.task,
            part=part,
            targets=targets,
            corrects=pub,
            correction_reason=reason[:500],
            determined_on=pub.determined_on,
            due_on=pub.due_on,
            late=pub.late,
        )


@transaction.atomic
def request_withdrawal(pub: Publication, reason: str, user) -> Withdrawal:
    _require(user, pub.department)
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("撤回原因：请填写撤回原因。")
    if Withdrawal.objects.filter(publication=pub).exists():
        raise RuleError("该记录已有撤回申请。")
    with acting(actor=user, action="publicity.request_withdrawal", reason=reason):
        return Withdrawal.objects.create(publication=pub, reason=reason[:500], requested_by=user)


@transaction.atomic
def decide_withdrawal(w: Withdrawal, approve: bool, user, note: str = "") -> Withdrawal:
    w = Withdrawal.objects.select_for_update().get(pk=w.pk)
    if w.status != Decision.REQUESTED:
        raise RuleError("该撤回申请已审批。")
    if w.requested_by_id == user.pk or not access.level_above(user, w.publication.department):
        raise PermissionDenied("撤回须由上一级审批，且不能审批本人的申请。")
    w.status = Decision.APPROVED if approve else Decision.REJECTED
    w.decided_at, w.decided_by, w.decision_note = timezone.now(), user, (note or "")[:500]
    with acting(actor=user, action="publicity.approve_withdrawal" if approve else "publicity.reject_withdrawal"):
        w.save()
    if approve:
        keep_names(PublishedTarget.objects.filter(publication_id=w.publication_id).values_list("target_id", flat=True))
        _public_changed()
    return w


# --- Redaction (Art. 3) ---------------------------------------------------------------------------


@transaction.atomic
def request_redaction(subject_id, department: Organisation, field: str, reason: str, user) -> Redaction:
    _require(user, department)
    if field not in Redaction.Field.values:
        raise RuleError(f"不予公开的字段“{field}”不存在，可选：" + "、".join(Redaction.Field.labels))
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("理由：请填写不予公开的理由（商业秘密或个人隐私）。")
    with acting(actor=user, action="publicity.request_redaction", reason=reason):
        return Redaction.objects.create(
            subject_id=str(subject_id), department=department, field=field, reason=reason[:500], requested_by=user
        )


@transaction.atomic
def decide_redaction(r: Redaction, approve: bool, user, note: str = "") -> Redaction:
    r = Redaction.objects.select_for_update().get(pk=r.pk)
    if r.status != Decision.REQUESTED:
        raise RuleError("该申请已审批。")
    if not access.may_decide(user, r):
        raise PermissionDenied("不予公开须由上一级审批，且不能审批本人的申请。")
    r.status = Decision.APPROVED if approve else Decision.REJECTED
    r.decided_at, r.decided_by, r.decision_note = timezone.now(), user, (note or "")[:500]
    with acting(actor=user, action="publicity.approve_redaction" if approve else "publicity.reject_redaction"):
        r.save()
    if approve:
        _public_changed()
    return r


def approved_redactions(subject_id) -> set[str]:
    return set(
        Redaction.objects.filter(kind=Kind.RESULT, subject_id=str(subject_id), status=Decision.APPROVED).values_list(
            "field", flat=True
        )
    )


# --- Results ----------------------------------------------------------------------------------------


def preview_result(part) -> dict:
    """The exact record publishing ``part`` now would make public (redactions applied)."""
    from shuangsuiji.publicity import results

    return results.result_record(part, approved_redactions(results.subject_of(part)))


@transaction.atomic
def publish_result(part, channels, user, today: dt.date | None = None) -> Publication:
    """Publish a determined result under the business's name. Late (after the 20th working
    day) is allowed and marked late for ever; a corrected part is published as a correction
    of the subject's published version, beside it."""
    from shuangsuiji.inspections.models import PartStatus
    from shuangsuiji.publicity import results

    part = results.parts().get(pk=part.pk)
    _require(user, part.department)
    if part.status != PartStatus.DETERMINED:
        raise RuleError("检查结果：只有已认定的检查结果可以公开。")
    if not part.record.task.published_at:
        raise RuleError("检查结果：抽查名单公开后才能公开检查结果（名单公开前保密）。")
    subject = results.subject_of(part)
    prev = latest(Kind.RESULT, subject)
    if prev is not None and prev.record.get("part_version") == part.version:
        raise RuleError("该检查结果已公开；如需修改，请在检查结果中提出更正。")
    if prev is not None and _withdrawn(prev):
        raise RuleError("该检查结果已撤回，不能再公开。")
    today = today or timezone.localdate()
    due = results.due_on(part)
    rec = results.result_record(part, approved_redactions(subject))
    target = part.record.target
    with acting(actor=user, action="publicity.correct_result" if prev else "publicity.publish_result"):
        return _store(
            Kind.RESULT,
            subject,
            part.department,
            part.record.task.year,
            f"{target.name} · {part.record.task.title}",
            rec,
            channels,
            user,
            task=part.record.task,
            part=part,
            targets=[target],
            corrects=prev,
            correction_reason=(part.correction_reason or "检查结果更正")[:500] if prev else "",
            determined_on=part.determined_on,
            due_on=due,
            late=(prev.late if prev else today > due),
        )
