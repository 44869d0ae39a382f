"""Every state change of an inspector goes through here (form entry; imports use the importer).

Also the plain-data view of the register that the draw reads (:func:`draw_candidates`).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

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


@transaction.atomic
def add_training(inspector: Inspector, *, course: str, completed_on: date, hours=None, issuer: str = "", user):
    if not course.strip():
        raise ValidationError({"course": "请填写培训课程。"})
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
    if kind not in RelationshipKind.values:
        raise ValidationError({"kind": "请选择关系类型。"})
    if Relationship.objects.filter(inspector=inspector, target=target, kind=kind).exists():
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
    - ``trained``: True iff the inspector has at least one training record completed on or
      before the first day of the window (``on_dates[0]``);
    - ``leave``: the leave periods that overlap the window, as ``(start, end)`` ISO pairs
      sorted (the engine only tests overlap, so others are left out of the frozen register);
    - ``specialties``: set of tag codes (specialties and qualifications);
    - ``conflicts``: set of target codes (USCC or internal code) the inspector declared a
      relationship with (回避);
    - ``last_inspected``: empty set for now (filled once results are recorded per inspector);
    - ``workload``: 0 for now (filled once tasks exist).

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
        TrainingRecord.objects.filter(inspector_id__in=ids, completed_on__lte=start).values_list(
            "inspector_id", flat=True
        )
    )
    leave: dict[int, list[tuple[str, str]]] = {}
    for pk, a, b in LeavePeriod.objects.filter(inspector_id__in=ids, start__lte=end, end__gte=start).values_list(
        "inspector_id", "start", "end"
    ):
        leave.setdefault(pk, []).append((a.isoformat(), b.isoformat()))
    specialties: dict[int, set[str]] = {}
    for pk, code in Inspector.specialties.through.objects.filter(inspector_id__in=ids).values_list(
        "inspector_id", "tag__code"
    ):
        specialties.setdefault(pk, set()).add(code)
    conflicts: dict[int, set[str]] = {}
    for pk, code in Relationship.objects.filter(inspector_id__in=ids).values_list("inspector_id", "target__code"):
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
