"""Demo results for the demo county (seed_demo step): see ``seed``."""

from __future__ import annotations

import datetime as dt

from shuangsuiji.items.models import FieldType


def sample_answers(form_version, *, photo_refs: list[str], failed: bool = False) -> dict:
    """Valid answers to every field of a check form (the first option, "是" …); ``failed``
    answers the first boolean question "否"."""
    answers: dict = {}
    first_bool = True
    for f in form_version.fields.all():
        t = f.field_type
        if t == FieldType.BOOLEAN:
            answers[f.key] = not (failed and first_bool)
            first_bool = False
        elif t == FieldType.SINGLE_CHOICE:
            answers[f.key] = f.options[-1 if failed else 0]
        elif t == FieldType.MULTIPLE_CHOICE:
            answers[f.key] = f.options[:1]
        elif t == FieldType.TEXT:
            answers[f.key] = "发现问题，已当场告知整改要求" if failed else "符合要求"
        elif t == FieldType.NUMBER:
            answers[f.key] = 1
        elif t == FieldType.DATE:
            answers[f.key] = dt.date(2026, 1, 5).isoformat()
        elif t == FieldType.ATTACHMENT and photo_refs:
            answers[f.key] = list(photo_refs)
    return answers
