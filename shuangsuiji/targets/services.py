"""Every state change of a target goes through here (form entry; imports use the importer)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.targets.choices import CLASSIFIED, RiskClass
from shuangsuiji.targets.models import DATA_FIELDS, Target, TargetChange, new_internal_code
from shuangsuiji.targets.validation import USCC_REQUIRED


def _check_uscc(uscc: str | None, target_type: str, exclude_pk: int | None = None) -> None:
    if not uscc:
        if target_type in USCC_REQUIRED:
            raise ValidationError({"uscc": "该类型的检查对象必须填写统一社会信用代码。"})
        return
    clash = Target.objects.filter(code=uscc).exclude(pk=exclude_pk).first()  # code == USCC
    if clash is not None:
        raise ValidationError({"uscc": f"统一社会信用代码 {uscc} 已存在：{clash.name}（编号 {clash.pk}）。"})


def _check_region(user, region_id: str) -> None:
    from shuangsuiji.accounts.scope import out_of_region_scope, region_in_scope
    from shuangsuiji.orgs.models import Region

    if not Region.objects.filter(code=region_id).exists():
        raise ValidationError({"region": f"行政区划 {region_id} 不存在（GB/T 2260）。"})
    if not region_in_scope(user, region_id):
        raise ValidationError({"region": f"{out_of_region_scope(region_id)}。"})


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def create_target(data: dict, *, user, tags=(), risk_source: str = "") -> Target:
    _check_region(user, data["region_id"])
    _check_uscc(data.get("uscc"), data["target_type"])
    target = Target(**{f: data.get(f) for f in DATA_FIELDS if f in data})
    target.uscc = data.get("uscc") or None
    target.code = target.uscc or new_internal_code(target.region_id)
    target.set_current_risk(
        data.get("risk_class") or RiskClass.UNCLASSIFIED,
        source=risk_source or "录入",
        effective_on=timezone.localdate(),
        recorded_at=timezone.now(),
        recorded_by_id=user.pk if user is not None else None,
    )
    with acting(action="targets.create"):
        target.save()
        if tags:
            target.tags.set(tags)
        TargetChange.objects.create(
            target=target,
            action="create",
            after={f: _plain(getattr(target, f)) for f in DATA_FIELDS},
            changed_by=user,
        )
    return target


@transaction.atomic
def update_target(target: Target, data: dict, *, user, tags=None, reason: str = "") -> list[str]:
    """Apply changed fields; keep the before/after in the target's history. Returns changed fields."""
    target = Target.objects.select_for_update().get(pk=target.pk)
    new_uscc = data.get("uscc", target.uscc) or None
    _check_uscc(new_uscc, data.get("target_type", target.target_type), exclude_pk=target.pk)
    if "region_id" in data and data["region_id"] != target.region_id:
        _check_region(user, data["region_id"])
    if target.uscc and new_uscc != target.uscc:
        raise ValidationError(
            {"uscc": "统一社会信用代码是检查对象的标识，已登记后不能修改；如确有错误请注销后重新登记。"}
        )
    changed = [f for f in DATA_FIELDS if f in data and getattr(target, f) != (data[f] if f != "uscc" else new_uscc)]
    before = {f: _plain(getattr(target, f)) for f in changed}
    for f in changed:
        setattr(target, f, data[f] if f != "uscc" else new_uscc)
    if "uscc" in changed and new_uscc:
        target.code = new_uscc  # a project that gets a USCC is identified by it from now on
    old_tags = sorted(target.tags.values_list("pk", flat=True))
    new_tags = sorted(t.pk for t in tags) if tags is not None else old_tags
    if new_tags != old_tags:
        before["tags"] = old_tags
    if not changed and new_tags == old_tags:
        return []
    with acting(action="targets.update", reason=reason):
        target.save()
        if new_tags != old_tags:
            target.tags.set(new_tags)
        after = {f: _plain(getattr(target, f)) for f in changed}
        if new_tags != old_tags:
            after["tags"] = new_tags
        TargetChange.objects.create(target=target, action="update", before=before, after=after, changed_by=user)
    return changed + (["tags"] if new_tags != old_tags else [])


# The five fields of the current classification (and the timestamp) a reclassification writes.
RISK_FIELDS = ["risk_class", "risk_source", "risk_effective_on", "risk_recorded_at", "risk_recorded_by", "updated_at"]


@transaction.atomic
def set_risk_class(target: Target, risk_class: str, *, effective_on: date, source: str, user) -> Target:
    """Record a new current classification; the one it replaces becomes a RiskClassChange row.

    Re-confirming the same class (with a new source or date) also supersedes the current one.
    Returns the target, saved."""
    if risk_class not in CLASSIFIED:
        raise ValidationError({"risk_class": "信用风险分类应为 A、B、C、D 之一。"})
    if not source.strip():
        raise ValidationError({"source": "请填写风险分类的来源。"})
    # Lock the row and read the current classification afresh (a concurrent reclassification
    # must not be lost from the history); only the risk fields are written below.
    target.refresh_from_db(from_queryset=Target.objects.select_for_update(), fields=[*RISK_FIELDS, "created_at"])
    with acting(action="targets.risk_class"):
        target.superseded_risk().save()
        target.set_current_risk(
            risk_class,
            source=source,
            effective_on=effective_on,
            recorded_at=timezone.now(),
            recorded_by_id=user.pk if user is not None else None,
        )
        target.save(update_fields=RISK_FIELDS)
    return target
