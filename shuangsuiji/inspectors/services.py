"""Every state change of an inspector goes through here (form entry; imports use the importer).

Also the plain-data view of the register that the draw reads (:func:`draw_candidates`).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import can_write
from shuangsuiji.audit.context import acting
from shuangsuiji.inspectors.choices import RelationshipKind
from shuangsuiji.inspectors.models import Inspector, InspectorChange, LeavePeriod, Relationship, TrainingRecord
from shuangsuiji.orgs.models import Organisation

EDITABLE_FIELDS = (
    "name",
    "organisation_id",
    "position",
    "certificate_no",
    "cert_valid_from",
    "cert_valid_to",
    "phone",
    "is_expert",
    "is_active",
)


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def check_certificate_no(certificate_no: str, exclude_pk: int | None = None) -> None:
    """执法证号 is unique: a duplicate is rejected with a message naming the existing record."""
    clash = (
        Inspector.objects.filter(certificate_no=certificate_no)
        .exclude(pk=exclude_pk)
        .select_related("organisation")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "certificate_no": (
                    f"执法证号 {certificate_no} 已登记：{clash.name}（{clash.organisation.name}，编号 {clash.pk}）。"
                )
            }
        )


def check_organisation(user, organisation_id: int) -> Organisation:
    """The organisation must be a department or a unit within the user's data scope."""
    from shuangsuiji.accounts.scope import visible_organisations

    org = (
        visible_organisations(user)
        .filter(pk=organisation_id, kind__in=[Organisation.Kind.DEPARTMENT, Organisation.Kind.UNIT])
        .first()
    )
    if org is None:
        raise ValidationError({"organisation": "所属机构应为您数据范围内的部门或内设股室。"})
    return org


def _check_dates(data: dict) -> None:
    start, end = data.get("cert_valid_from"), data.get("cert_valid_to")
    if end is None:
        raise ValidationError({"cert_valid_to": "请填写证件有效期止。"})
    if start is not None and end < start:
        raise ValidationError({"cert_valid_to": "证件有效期止不能早于有效期起。"})


@transaction.atomic
def create_inspector(data: dict, *, user, specialties=()) -> Inspector:
    check_organisation(user, data["organisation_id"])
    check_certificate_no(data["certificate_no"])
    _check_dates(data)
    inspector = Inspector(**{f: data[f] for f in EDITABLE_FIELDS if f in data})
    with acting(action="inspectors.create"):
        inspector.save()
        tag_ids = sorted(t.pk for t in specialties)
        if tag_ids:
            inspector.specialties.set(tag_ids)
        after = {f: _plain(getattr(inspector, f)) for f in EDITABLE_FIELDS}
        after["specialties"] = tag_ids
        InspectorChange.objects.create(
            inspector=inspector, action=InspectorChange.Action.CREATE, after=after, changed_by=user
        )
    return inspector


@transaction.atomic
def update_inspector(inspector: Inspector, data: dict, *, user, specialties=None, reason: str = "") -> list[str]:
    """Apply changed fields; keep the before/after in the history. Returns the changed fields."""
    inspector = Inspector.objects.select_for_update().get(pk=inspector.pk)
    if "certificate_no" in data:
        check_certificate_no(data["certificate_no"], exclude_pk=inspector.pk)
    if "organisation_id" in data and data["organisation_id"] != inspector.organisation_id:
        check_organisation(user, data["organisation_id"])
    merged = {f: data.get(f, getattr(inspector, f)) for f in ("cert_valid_from", "cert_valid_to")}
    _check_dates(merged)
    changed = [f for f in EDITABLE_FIELDS if f in data and getattr(inspector, f) != data[f]]
    before = {f: _plain(getattr(inspector, f)) for f in changed}
    after = {f: _plain(data[f]) for f in changed}
    old_tags = sorted(inspector.specialties.values_list("pk", flat=True))
    new_tags = sorted(t.pk for t in specialties) if specialties is not None else old_tags
    if new_tags != old_tags:
        before["specialties"], after["specialties"] = old_tags, new_tags
    if not before and not after:
        return []
    with acting(action="inspectors.update", reason=reason):
        for f in changed:
            setattr(inspector, f, data[f])
        if changed:
            inspector.save()
        if new_tags != old_tags:
            inspector.specialties.set(new_tags)
        InspectorChange.objects.create(
            inspector=inspector, action=InspectorChange.Action.UPDATE, before=before, after=after, changed_by=user
        )
    return list(after)


def _name(text: str) -> str:
    return "".join((text or "").split())


def account_problem(inspector: Inspector, account, *, confirm_name: bool = False) -> dict[str, str]:
    """Why ``account`` cannot be linked to ``inspector`` (an empty dict: it can).

    One register person has at most one login and one login belongs to at most one person;
    the account's name must equal the person's, or the difference is shown and confirmed."""
    if account is None:
        return {}
    problems = {}
    other = Inspector.objects.filter(user_id=account.pk).exclude(pk=inspector.pk).first() if account.pk else None
    if other is not None:
        problems["account"] = (
            f"账号 {account.username} 已关联名录库人员 {other.name}（{other.certificate_no}）："
            "一个账号只能关联一名人员，请先在该人员处解除关联。"
        )
    if inspector.user_id and inspector.user_id != account.pk:
        problems["account"] = (
            f"{inspector.name}（{inspector.certificate_no}）已关联账号 {inspector.user.username}："
            "一名人员至多一个平台账号，请先解除原关联。"
        )
    if not problems and _name(account.full_name) != _name(inspector.name) and not confirm_name:
        problems["confirm_name"] = (
            f"姓名不一致：账号 {account.username} 的姓名为“{account.full_name or '（未填写）'}”，"
            f"名录库人员为“{inspector.name}”。核实为同一人后勾选“姓名不一致，确认关联”再保存，或先更正姓名。"
        )
    return problems


@transaction.atomic
def link_account(inspector: Inspector, account, *, user, confirm_name: bool = False, reason: str = "") -> bool:
    """Link (or with ``account=None`` unlink) the platform login of a register person.

    From the inspector's form this may replace the person's previous login (the person still has
    one); the user admin refuses a person linked to another login (:func:`account_problem`).
    Returns whether anything changed. Kept in the inspector's history and the audit log."""
    inspector = Inspector.objects.select_for_update(of=("self",)).select_related("user").get(pk=inspector.pk)
    if (account.pk if account is not None else None) == inspector.user_id:
        return False
    before = inspector.user.username if inspector.user_id else None
    inspector.user = None
    problems = account_problem(inspector, account, confirm_name=confirm_name)
    if problems:
        raise ValidationError(problems)
    after = account.username if account is not None else None
    with acting(
        action="inspectors.link_account" if account is not None else "inspectors.unlink_account", reason=reason
    ):
        inspector.user = account
        inspector.save(update_fields=["user", "updated_at"])
        note = {"user": after}
        if account is not None and _name(account.full_name) != _name(inspector.name):
            note["name_difference_confirmed"] = f"{account.full_name} ≠ {inspector.name}"
        InspectorChange.objects.create(
            inspector=inspector,
            action=InspectorChange.Action.UPDATE,
            before={"user": before},
            after=note,
            changed_by=user,
        )
    return True


@transaction.atomic
def add_training(inspector: Inspector, *, course: str, completed_on: date, hours=None, issuer: str = "", user):
    if not course.strip():
        raise ValidationError({"course": "请填写培训课程。"})
    today = timezone.localdate()
    if completed_on > today:
        raise ValidationError(
            {"completed_on": f"完成日期 {completed_on.isoformat()} 晚于今天（{today.isoformat()}），请核对。"}
        )
    with acting(action="inspectors.training"):
        record = TrainingRecord.objects.create(
            inspector=inspector,
            course=course.strip(),
            completed_on=completed_on,
            hours=hours,
            issuer=issuer.strip(),
            recorded_by=user,
        )
        InspectorChange.objects.create(
            inspector=inspector,
            action=InspectorChange.Action.TRAINING,
            after={"course": record.course, "completed_on": completed_on.isoformat(), "issuer": record.issuer},
            changed_by=user,
        )
    return record


@transaction.atomic
def add_leave(inspector: Inspector, *, start: date, end: date, reason: str, user) -> LeavePeriod:
    if end < start:
        raise ValidationError({"end": "结束日期不能早于开始日期。"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写请假或停用的原因。"})
    with acting(action="inspectors.leave"):
        period = LeavePeriod.objects.create(
            inspector=inspector, start=start, end=end, reason=reason.strip(), recorded_by=user
        )
        InspectorChange.objects.create(
            inspector=inspector,
            action=InspectorChange.Action.LEAVE,
            after={"start": start.isoformat(), "end": end.isoformat(), "reason": period.reason},
            changed_by=user,
        )
    return period


def find_target_in_scope(user, code: str):
    """The target with this USCC / internal code within the user's region scope, or ValidationError."""
    from shuangsuiji.accounts.scope import region_scope_q
    from shuangsuiji.targets.models import Target

    code = (code or "").strip().upper()
    target = Target.objects.filter(region_scope_q(user)).filter(code=code).first() if code else None
    if target is None:
        raise ValidationError({"target_code": f"检查对象 {code or '（空）'} 不存在或不在您的管辖区域内。"})
    return target


@transaction.atomic
def add_relationship(
    inspector: Inspector, *, target_code: str, kind: str, declared_on: date, note: str = "", user
) -> Relationship:
    target = find_target_in_scope(user, target_code)
    today = timezone.localdate()
    if declared_on > today:
        raise ValidationError(
            {"declared_on": f"申报日期 {declared_on.isoformat()} 晚于今天（{today.isoformat()}），请核对。"}
        )
    if kind not in RelationshipKind.values:
        raise ValidationError({"kind": "请选择关系类型。"})
    if Relationship.objects.live().filter(inspector=inspector, target=target, kind=kind).exists():
        raise ValidationError({"target_code": f"已申报过与 {target.name} 的该类关系。"})
    with acting(action="inspectors.relationship"):
        rel = Relationship.objects.create(
            inspector=inspector, target=target, kind=kind, note=note.strip(), declared_on=declared_on, recorded_by=user
        )
        InspectorChange.objects.create(
            inspector=inspector,
            action=InspectorChange.Action.RELATIONSHIP,
            after={"target": target.code, "target_name": target.name, "kind": rel.get_kind_display()},
            changed_by=user,
        )
    return rel


# --- Corrections: nothing is deleted or edited in place ------------------------------------

REASON_MAX = 200

# Corrections take a record out of force (a withdrawn declaration ends a recusal), so they are
# made by those who keep the register, not by inspectors (who could otherwise end their own).
CORRECTING_ROLES = (Role.PLATFORM_ADMIN, Role.COORDINATING_OFFICE, Role.DEPARTMENT_ADMIN, Role.UNIT_OPERATOR)


def can_correct(user) -> bool:
    """Whether ``user`` may void, end, cancel or withdraw register records."""
    return can_write(user) and (user.is_superuser or user.has_role(*CORRECTING_ROLES))


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"请填写{what}原因。"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"{what}原因不能超过 {REASON_MAX} 个字。"})
    return reason


def _locked(record):
    """The record re-read under a row lock, so two corrections cannot both pass the state check."""
    return type(record).objects.select_for_update().get(pk=record.pk)


def _close(record, fields: tuple[str, str, str], reason: str, *, user, action: str, change: str, after: dict):
    """Close a record for good: ``fields`` are its (time, by whom, reason) fields; a history row
    and an audit entry carry the reason. The record itself stays."""
    at, by, why = fields
    with acting(action=action, reason=reason):
        setattr(record, at, timezone.now())
        setattr(record, by, user)
        setattr(record, why, reason)
        record.save(update_fields=[at, by, why])
        InspectorChange.objects.create(inspector_id=record.inspector_id, action=change, after=after, changed_by=user)
    return record


@transaction.atomic
def void_training(record: TrainingRecord, reason: str, *, user) -> TrainingRecord:
    """作废 a training record entered by mistake: it stays on record but no longer counts as trained."""
    record = _locked(record)
    if record.voided_at is not None:
        raise ValidationError({"reason": f"培训记录“{record.course}”已于 {record.voided_at:%Y-%m-%d} 作废。"})
    reason = _reason(reason, "作废")
    after = {"course": record.course, "completed_on": record.completed_on.isoformat(), "void_reason": reason}
    return _close(
        record,
        ("voided_at", "voided_by", "void_reason"),
        reason,
        user=user,
        action="inspectors.training_void",
        change=InspectorChange.Action.TRAINING_VOIDED,
        after=after,
    )


def _open_leave(period: LeavePeriod) -> LeavePeriod:
    period = _locked(period)
    if period.cancelled_at is not None:
        raise ValidationError({"reason": f"该请假/停用期间已于 {period.cancelled_at:%Y-%m-%d} 取消。"})
    return period


@transaction.atomic
def end_leave(period: LeavePeriod, new_end: date, reason: str, *, user) -> LeavePeriod:
    """提前结束: the inspector is back early; ``end`` moves to ``new_end``, the first planned end is kept."""
    period = _open_leave(period)
    if new_end is None:
        raise ValidationError({"new_end": "请填写实际结束日期。"})
    if new_end < period.start:
        raise ValidationError({"new_end": f"实际结束日期不能早于开始日期 {period.start}。"})
    if new_end >= period.end:
        raise ValidationError({"new_end": f"实际结束日期应早于现结束日期 {period.end}（只能提前结束）。"})
    reason = _reason(reason, "提前结束")
    old_end = period.end
    with acting(action="inspectors.leave_end", reason=reason):
        period.planned_end = period.planned_end or old_end
        period.end, period.end_reason = new_end, reason
        period.save(update_fields=["end", "planned_end", "end_reason"])
        InspectorChange.objects.create(
            inspector_id=period.inspector_id,
            action=InspectorChange.Action.LEAVE_ENDED,
            before={"end": old_end.isoformat()},
            after={"end": new_end.isoformat(), "start": period.start.isoformat(), "end_reason": reason},
            changed_by=user,
        )
    return period


@transaction.atomic
def cancel_leave(period: LeavePeriod, reason: str, *, user) -> LeavePeriod:
    """取消 a leave period (not taken, or entered by mistake): it stays on record but no longer counts."""
    period = _open_leave(period)
    reason = _reason(reason, "取消")
    after = {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "reason": period.reason,
        "cancel_reason": reason,
    }
    return _close(
        period,
        ("cancelled_at", "cancelled_by", "cancel_reason"),
        reason,
        user=user,
        action="inspectors.leave_cancel",
        change=InspectorChange.Action.LEAVE_CANCELLED,
        after=after,
    )


@transaction.atomic
def withdraw_relationship(rel: Relationship, reason: str, *, user) -> Relationship:
    """撤销申报 (e.g. the shares were sold): the declaration stays on record; the inspector no longer recuses."""
    rel = _locked(rel)
    if rel.withdrawn_at is not None:
        raise ValidationError({"reason": f"该利害关系申报已于 {rel.withdrawn_at:%Y-%m-%d} 撤销。"})
    reason = _reason(reason, "撤销")
    target = rel.target
    kind = rel.get_kind_display()
    after = {"target": target.code, "target_name": target.name, "kind": kind, "withdraw_reason": reason}
    return _close(
        rel,
        ("withdrawn_at", "withdrawn_by", "withdraw_reason"),
        reason,
        user=user,
        action="inspectors.relationship_withdraw",
        change=InspectorChange.Action.RELATIONSHIP_WITHDRAWN,
        after=after,
    )


# --- The draw's view of the register --------------------------------------------------------


def draw_candidates(department: Organisation, on_dates: tuple[date, date]) -> list[dict]:
    """Every inspector of ``department``'s subtree as plain data for the draw engine.

    Each dict has exactly the keyword arguments of ``shuangsuiji.draw.Inspector`` (spec
    §12.2), so the caller builds ``Inspector(**d)``:

    - ``id``: 执法证号 (``certificate_no``);
    - ``department``: ``str(pk)`` of the department the inspector works in (the inspector's
      organisation if it is a department, else the department its unit belongs to);
      the caller uses the same string as key of ``params.assignment.departments``;
    - ``is_expert``, ``active``: the register's flags (``active`` is ``is_active``; leave
      is reported separately);
    - ``cert_valid_from`` / ``cert_valid_to``: ISO dates (``cert_valid_from`` may be None);
    - ``trained``: True iff the inspector has at least one training record (not voided)
      completed on or before the first day of the window (``on_dates[0]``);
    - ``leave``: the leave periods (not cancelled; an ended-early one with its new end) that
      overlap the window, as ``(start, end)`` ISO pairs sorted (the engine only tests
      overlap, so others are left out of the frozen register);
    - ``specialties``: set of tag codes (specialties and qualifications);
    - ``conflicts``: set of target codes (USCC or internal code) the inspector declared a
      relationship with (回避), withdrawn declarations left out;
    - ``last_inspected``: empty set, and ``workload``: 0 — the register does not hold them;
      ``tasks.history.with_history`` fills both from the department's earlier draws.

    Sorted by id. Plain data only; this module does not import the engine.
    """
    start, end = on_dates
    if end < start:
        raise ValueError("on_dates: end before start")
    inspectors = list(
        Inspector.objects.filter(organisation__path__startswith=department.path)
        .select_related("organisation")
        .order_by("certificate_no")
    )
    ids = [i.pk for i in inspectors]
    trained = set(
        TrainingRecord.objects.live()
        .filter(inspector_id__in=ids, completed_on__lte=start)
        .values_list("inspector_id", flat=True)
    )
    leave: dict[int, list[tuple[str, str]]] = {}
    periods = LeavePeriod.objects.live().filter(inspector_id__in=ids, start__lte=end, end__gte=start)
    for pk, a, b in periods.values_list("inspector_id", "start", "end"):
        leave.setdefault(pk, []).append((a.isoformat(), b.isoformat()))
    specialties: dict[int, set[str]] = {}
    for pk, code in Inspector.specialties.through.objects.filter(inspector_id__in=ids).values_list(
        "inspector_id", "tag__code"
    ):
        specialties.setdefault(pk, set()).add(code)
    conflicts: dict[int, set[str]] = {}
    live_relationships = Relationship.objects.live().filter(inspector_id__in=ids)
    for pk, code in live_relationships.values_list("inspector_id", "target__code"):
        conflicts.setdefault(pk, set()).add(code)

    out = []
    for i in inspectors:
        org = i.organisation
        dept = org.parent_id if org.kind == Organisation.Kind.UNIT else org.pk
        out.append(
            {
                "id": i.certificate_no,
                "department": str(dept),
                "is_expert": i.is_expert,
                "active": i.is_active,
                "cert_valid_from": i.cert_valid_from.isoformat() if i.cert_valid_from else None,
                "cert_valid_to": i.cert_valid_to.isoformat(),
                "trained": i.pk in trained,
                "leave": tuple(sorted(leave.get(i.pk, ()))),
                "specialties": specialties.get(i.pk, set()),
                "conflicts": conflicts.get(i.pk, set()),
                "last_inspected": set(),
                "workload": 0,
            }
        )
    return out
