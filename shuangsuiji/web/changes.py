"""A register record's change history as people read it: one entry per change, each changed
field by its Chinese name, values as the pages show them (choice labels, 是/否, tag and
organisation names instead of internal ids)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

EXTRA_LABELS = {"tags": "标签", "specialties": "专业特长", "training": "培训记录", "certificate_no": "执法证号"}
EMPTY = "—"


@dataclass
class Line:
    label: str
    before: str
    after: str
    changed: bool  # False: the value a new record was registered with (no "before")


def _field(model: type[models.Model], key: str):
    for f in model._meta.concrete_fields:
        if key in (f.name, f.attname):
            return f
    return None


def _names(model_name: str, ids: list) -> dict:
    from shuangsuiji.orgs.models import Organisation
    from shuangsuiji.tags.models import Tag

    source = {"tag": Tag, "organisation": Organisation}[model_name]
    wanted = [i for i in ids if isinstance(i, int)]
    if model_name == "tag":
        return {t.pk: t.full_name for t in source.objects.filter(pk__in=wanted).select_related("parent")}
    return dict(source.objects.filter(pk__in=wanted).values_list("pk", "name"))


def _show(model, key: str, value: Any, names: dict) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if key in ("tags", "specialties"):
        return "、".join(names["tag"].get(v, str(v)) for v in value)
    if key == "training" and isinstance(value, dict):
        return f"{value.get('completed_on', '')} {value.get('course', '')}".strip()
    if key in ("organisation", "organisation_id"):
        return names["organisation"].get(value, str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    f = _field(model, key)
    if f is not None and f.choices:
        return str(dict(f.flatchoices).get(value, value))
    return str(value)


def _label(model, key: str) -> str:
    if key in EXTRA_LABELS:
        return EXTRA_LABELS[key]
    f = _field(model, key)
    return str(f.verbose_name) if f is not None else key


def describe(model: type[models.Model], changes) -> list:
    """Attach ``lines`` (a list of Line) to each change (with ``before`` / ``after`` dicts)."""
    changes = list(changes)
    tag_ids: set = set()
    org_ids: set = set()
    for c in changes:
        for data in (c.before or {}, c.after or {}):
            for key in ("tags", "specialties"):
                tag_ids.update(data.get(key) or [])
            for key in ("organisation", "organisation_id"):
                if data.get(key) is not None:
                    org_ids.add(data[key])
    names = {"tag": _names("tag", list(tag_ids)), "organisation": _names("organisation", list(org_ids))}
    for c in changes:
        before, after = c.before or {}, c.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        c.lines = [
            Line(
                _label(model, k),
                _show(model, k, before.get(k), names),
                _show(model, k, after.get(k), names),
                k in before,
            )
            for k in keys
        ]
    return changes
