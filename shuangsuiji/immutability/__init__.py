"""One mechanism for "published / frozen / determined means immutable" (不可修改、不可删除).

A model declares, as the class attribute ``immutable``, which of its stored fields are frozen
under which condition of the *stored* row, which may still change, and when it may not be
deleted; or (``FrozenWith``) that its rows are frozen with a parent row. From that one
declaration come:

- the model-level guard: ``ImmutableModel.save`` / ``delete`` and the ``pre_delete`` signal
  (cascades and ``QuerySet.delete``), ``ImmutableQuerySet.update`` (bulk updates of frozen
  rows), ``m2m_changed`` for the many-to-many fields frozen with the row; all raise a Chinese
  ``ValidationError``;
- the database-level check (:mod:`shuangsuiji.immutability.sql`): row triggers on PostgreSQL
  and SQLite, (re)installed after every ``migrate`` from the same declarations, raising an
  ``IntegrityError`` with the same Chinese message (a raw ``UPDATE`` cannot get round it).

Example (see docs/architecture.md "Immutable records")::

    from shuangsuiji import immutability as im

    class Part(im.ImmutableModel):
        immutable = im.Immutable(
            freeze=(im.Freeze("已认定的结果不可修改（字段 {field}）；请提交更正。",
                              when=im.stored("status").in_("determined"), except_=("status",)),),
            no_delete="已认定的结果不可删除。", no_delete_when=im.stored("status").in_("determined"),
        )

    class PartItem(im.ImmutableModel):
        part = models.ForeignKey(Part, ...)
        immutable = im.FrozenWith("part", im.stored("status").in_("determined"), "已认定的结果不可修改。")
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models as djm
from django.db.models.expressions import Combinable


@dataclass(frozen=True)
class When:
    """A condition on one field of a row: its value is (not) one of ``values``."""

    field: str
    values: tuple = ()
    negate: bool = False

    def holds(self, value) -> bool:
        return (value in self.values) != self.negate

    def q(self, prefix: str = "") -> djm.Q:
        q = djm.Q(**{f"{prefix}{self.field}__in": self.values})
        return ~q if self.negate else q


class stored:  # reads as a phrase: stored("status").in_("published")
    """``stored("status").in_("published", "superseded")`` / ``.not_in("draft")``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def in_(self, *values) -> When:
        return When(self.name, tuple(str(v) for v in values))

    def not_in(self, *values) -> When:
        return When(self.name, tuple(str(v) for v in values), negate=True)


@dataclass(frozen=True)
class Freeze:
    """``fields`` (default: every concrete field but ``except_``) may not change while the
    stored row satisfies ``when`` (always when None), unless the new row satisfies ``allow``.
    ``message`` may name the field: ``{field}`` (its verbose name) or ``{name}`` (attname)."""

    message: str
    when: When | None = None
    fields: tuple[str, ...] = ()
    except_: tuple[str, ...] = ()
    allow: When | None = None


@dataclass(frozen=True)
class Immutable:
    freeze: tuple[Freeze, ...] = ()
    append_only: str = ""  # message: no stored row may ever be updated
    # Fields written once, just after the row is created (large files stored by a second
    # statement, tasks/storage.py): they may change from empty (NULL or zero length) once.
    write_once: tuple[str, ...] = ()
    no_delete: str = ""  # message: a row may not be deleted (when ``no_delete_when`` holds, or always)
    no_delete_when: When | None = None
    m2m: tuple[str, ...] = ()  # many-to-many fields frozen with the row while ``m2m_when`` holds
    m2m_when: When | None = None
    m2m_message: str = ""


@dataclass(frozen=True)
class FrozenWith:
    """Rows that may not be added, changed or removed while their ``parent`` (a foreign key)
    satisfies ``when``."""

    parent: str
    when: When
    message: str


@dataclass(frozen=True)
class ThroughSpec:
    """A many-to-many table frozen with the model that declares the field (derived)."""

    model: type
    field_name: str
    table: str
    column: str
    when: When | None
    message: str = field(default="")


def spec_of(model) -> Immutable | FrozenWith | None:
    spec = getattr(model, "immutable", None)
    return spec if isinstance(spec, (Immutable, FrozenWith)) else None


def guarded_models() -> list[type]:
    from django.apps import apps

    return [m for m in apps.get_models() if spec_of(m) is not None]


def frozen_fields(model, rule: Freeze) -> list[djm.Field]:
    names = set(rule.fields)
    out = []
    for f in model._meta.concrete_fields:
        if names:
            if f.name in names or f.attname in names:
                out.append(f)
        elif f.name not in rule.except_ and f.attname not in rule.except_ and not f.primary_key:
            out.append(f)
    return out


def _norm(value):
    return bytes(value) if isinstance(value, memoryview) else value


def _empty(value) -> bool:
    return value is None or (isinstance(value, (bytes, memoryview, str)) and len(value) == 0)


def rules_of(model, spec: Immutable) -> tuple[Freeze, ...]:
    """The declared rules; ``append_only`` is a rule freezing every field, always."""
    if spec.append_only:
        return (Freeze(spec.append_only), *spec.freeze)
    return spec.freeze


def _attname(model, name: str) -> str:
    return model._meta.get_field(name).attname


# --- Model-level guard ------------------------------------------------------------------------


def _parent_frozen(model, spec: FrozenWith, parent_ids: Iterable) -> bool:
    parent_model = model._meta.get_field(spec.parent).related_model
    ids = [i for i in parent_ids if i is not None]
    return bool(ids) and parent_model._base_manager.filter(spec.when.q(), pk__in=ids).exists()


def check_save(obj, update_fields=None) -> None:
    model = type(obj)
    spec = spec_of(model)
    if spec is None:
        return
    if isinstance(spec, FrozenWith):
        attname = _attname(model, spec.parent)
        ids = {getattr(obj, attname)}
        if obj.pk is not None:
            ids |= set(model._base_manager.filter(pk=obj.pk).values_list(attname, flat=True))
        if _parent_frozen(model, spec, ids):
            raise ValidationError(spec.message)
        return
    if obj.pk is None:
        return
    deferred = obj.get_deferred_fields()
    written = {f.attname for f in model._meta.concrete_fields if f.attname not in deferred}
    if update_fields is not None:
        names = set(update_fields)
        written = {f.attname for f in model._meta.concrete_fields if f.name in names or f.attname in names}
    conditions = {_attname(model, w.field) for r in spec.freeze for w in (r.when, r.allow) if w is not None}
    old = model._base_manager.filter(pk=obj.pk).values(*(written | conditions)).first()
    if old is None:
        return
    # the stored row as read here, for this save's other readers of it (the audit trail's
    # "before", ``audit.services._pre_save``): one read of the row per save, not two
    obj._immutability_stored = old
    if spec.append_only:
        raise ValidationError(spec.append_only)
    once = {_attname(model, n) for n in spec.write_once}
    for rule in spec.freeze:
        if rule.when is not None and not rule.when.holds(old[_attname(model, rule.when.field)]):
            continue
        if rule.allow is not None and rule.allow.holds(getattr(obj, _attname(model, rule.allow.field))):
            continue
        for f in frozen_fields(model, rule):
            if f.attname not in written or (f.attname in once and _empty(old[f.attname])):
                continue
            if _norm(old[f.attname]) != _norm(f.value_from_object(obj)):
                raise ValidationError(rule.message.format(field=f.verbose_name, name=f.attname))


def check_delete(obj) -> None:
    model = type(obj)
    spec = spec_of(model)
    if isinstance(spec, FrozenWith):
        if _parent_frozen(model, spec, [getattr(obj, _attname(model, spec.parent))]):
            raise ValidationError(spec.message)
    elif spec is not None and spec.no_delete:
        w = spec.no_delete_when
        if w is None or w.holds(getattr(obj, _attname(model, w.field))):
            raise ValidationError(spec.no_delete)


def check_update(qs: djm.QuerySet, changes: dict) -> None:
    model = qs.model
    spec = spec_of(model)
    if spec is None or not changes:
        return
    if isinstance(spec, FrozenWith):
        parent_model = model._meta.get_field(spec.parent).related_model
        frozen_parents = parent_model._base_manager.filter(spec.when.q()).values("pk")
        if qs.filter(**{f"{spec.parent}__in": frozen_parents}).exists():
            raise ValidationError(spec.message)
        target = changes.get(spec.parent, changes.get(_attname(model, spec.parent)))
        moved = target is not None and not isinstance(target, Combinable)
        if moved and _parent_frozen(model, spec, [getattr(target, "pk", target)]):
            raise ValidationError(spec.message)
        return
    once = {_attname(model, n) for n in spec.write_once}
    for rule in rules_of(model, spec):
        rows = qs.filter(rule.when.q()) if rule.when is not None else qs
        for f in frozen_fields(model, rule):
            key = f.name if f.name in changes else f.attname if f.attname in changes else None
            if key is None:
                continue
            value = changes[key]
            if isinstance(value, Combinable):
                offending = rows.exists()
            else:
                if rule.allow is not None and rule.allow.field in (f.name, f.attname) and rule.allow.holds(value):
                    continue
                candidates = rows
                if f.attname in once:  # written once: only rows that hold a value already
                    candidates = rows.exclude(djm.Q(**{f"{f.attname}__isnull": True}) | djm.Q(**{f.attname: b""}))
                offending = candidates.exclude(**{f.attname: getattr(value, "pk", value)}).exists()
            if offending:
                raise ValidationError(rule.message.format(field=f.verbose_name, name=f.attname))


def check_bulk_delete(qs: djm.QuerySet) -> None:
    model = qs.model
    spec = spec_of(model)
    if isinstance(spec, FrozenWith):
        parent_model = model._meta.get_field(spec.parent).related_model
        if qs.filter(**{f"{spec.parent}__in": parent_model._base_manager.filter(spec.when.q()).values("pk")}).exists():
            raise ValidationError(spec.message)
    elif spec is not None and spec.no_delete:
        w = spec.no_delete_when
        if (qs.filter(w.q()) if w is not None else qs).exists():
            raise ValidationError(spec.no_delete)


class ImmutableQuerySet(djm.QuerySet):
    """Refuses a bulk ``update`` that would change a frozen row and a bulk ``delete`` of rows
    that may not be deleted (cascades reach the ``pre_delete`` guard, which also disables
    Django's fast delete for these models)."""

    def update(self, **kwargs):
        check_update(self, kwargs)
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        check_bulk_delete(self)
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


# --- Signals (connected by the app for every guarded model) -----------------------------------


def refuse_frozen_delete(sender, instance, **kwargs) -> None:
    check_delete(instance)


def through_specs() -> list[ThroughSpec]:
    out = []
    for model in guarded_models():
        spec = spec_of(model)
        if not isinstance(spec, Immutable):
            continue
        for name in spec.m2m:
            f = model._meta.get_field(name)
            out.append(
                ThroughSpec(
                    model=model,
                    field_name=name,
                    table=f.m2m_db_table(),
                    column=f.m2m_column_name(),
                    when=spec.m2m_when,
                    message=spec.m2m_message,
                )
            )
    return out


def refuse_frozen_m2m(through: ThroughSpec):
    def receiver(sender, instance, action, reverse, pk_set=None, **kwargs) -> None:
        if action not in ("pre_add", "pre_remove", "pre_clear"):
            return
        w = through.when
        frozen_rows = through.model._base_manager.filter(w.q()) if w is not None else through.model._base_manager
        if not reverse:
            frozen = w is None or w.holds(getattr(instance, _attname(through.model, w.field)))
        elif action == "pre_clear":
            frozen = frozen_rows.filter(**{through.field_name: instance}).exists()
        else:
            frozen = frozen_rows.filter(pk__in=pk_set or ()).exists()
        if frozen:
            raise ValidationError(through.message)

    return receiver


def __getattr__(name: str):
    # The abstract base model lives in ``models`` (a model class cannot be defined while the
    # app registry is loading this package); ``im.ImmutableModel`` still works.
    if name == "ImmutableModel":
        from shuangsuiji.immutability.models import ImmutableModel

        return ImmutableModel
    raise AttributeError(name)
