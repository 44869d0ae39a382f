"""The one length rule for text a user enters: no record is saved with text longer than its
field allows (``max_length``), on SQLite as on PostgreSQL, and the refusal names the field.

Forms check their own fields first (every text field of a form has a maximum,
tests/test_input_lengths.py); this guard catches text that reaches a save without a form (a
reason typed into a plain POST, an API body) and answers, through the request-limits
middleware and the API's handler, "任务名称不能超过 200 个字符（当前 600 个）" instead of a
truncated value or a database error.
"""

from __future__ import annotations

from django.apps import apps
from django.core import validators
from django.db import DataError, models
from django.db.models.signals import pre_save

# A text area's maximum where its model field has none (plan scope, remarks, …).
TEXTAREA_MAX = 2000
LONG_TEXTAREA_MAX = 20000  # lists typed one per line (sub-items, legal bases, form fields)


class TextTooLong(DataError):
    """Text longer than its field allows; the message is the Chinese sentence to show."""


def too_long(label: str, limit: int, length: int) -> str:
    return f"{label}不能超过 {limit} 个字符（当前 {length} 个）。"


def _check(sender, instance, raw=False, **kwargs):
    if raw:
        return
    for f in _char_fields(sender):
        value = getattr(instance, f.attname, None)
        if isinstance(value, str) and len(value) > f.max_length:
            raise TextTooLong(too_long(str(f.verbose_name), f.max_length, len(value)))


_FIELDS: dict[type, list] = {}


def _char_fields(model) -> list:
    fields = _FIELDS.get(model)
    if fields is None:
        fields = _FIELDS[model] = [
            f for f in model._meta.concrete_fields if isinstance(f, models.CharField) and f.max_length
        ]
    return fields


def connect() -> None:
    # Forms say it the same way (Django's own wording reads "确保该变量包含不超过 200 字符").
    validators.MaxLengthValidator.message = "不能超过 %(limit_value)d 个字符（当前 %(show_value)d 个）。"
    validators.MinLengthValidator.message = "至少 %(limit_value)d 个字符（当前 %(show_value)d 个）。"
    for model in apps.get_models():
        if model.__module__.startswith("shuangsuiji."):
            pre_save.connect(_check, sender=model, dispatch_uid=f"lengths:{model._meta.label_lower}")
