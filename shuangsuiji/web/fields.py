"""Form fields shared by every form: choices of database objects that refuse ids a 64-bit
column cannot hold with a Chinese message (Django's own fields pass such ids to the query,
which overflows: ``OverflowError`` on SQLite, "bigint out of range" on PostgreSQL).

Every form picks objects through :class:`ModelChoiceField` / :class:`ModelMultipleChoiceField`
from here, never Django's directly (``tests/test_fuzz_writes.py`` posts ids beyond 64 bits
to every form).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from shuangsuiji.converters import MAX_ID

INVALID_CHOICE = "所选项不存在或不可选。"
INVALID_ID = "“%(pk)s”不是有效的编号。"


def _out_of_range(value) -> bool:
    try:
        number = int(str(value).strip())
    except ValueError:
        return False  # not a number at all: Django's own check reports it
    return not -MAX_ID - 1 <= number <= MAX_ID


def _integer_key(field) -> bool:
    key = field.to_field_name or "pk"
    model_field = field.queryset.model._meta.pk if key == "pk" else field.queryset.model._meta.get_field(key)
    while isinstance(model_field, models.ForeignKey):
        model_field = model_field.target_field
    return isinstance(model_field, models.IntegerField | models.AutoField)


class ModelChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": INVALID_CHOICE}

    def to_python(self, value):
        if value not in self.empty_values and _integer_key(self) and _out_of_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": "“%(value)s”不是可选项。",
        "invalid_pk_value": INVALID_ID,
        "invalid_list": "请选择一组值。",
    }

    def _check_values(self, value):
        if _integer_key(self):
            try:
                values = frozenset(value)
            except TypeError:
                raise ValidationError(self.error_messages["invalid_list"], code="invalid_list") from None
            for pk in values:
                if _out_of_range(pk):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)


class PercentField(forms.CharField):
    """A ratio typed as a percent ("5", "5%", "５％"), parsed by the one ratio parser
    (shuangsuiji/ratios.py); cleans to the percent as a Decimal (5 for 5 %), None when blank.
    ``minimum`` (a percent) refuses smaller values with both numbers in percent."""

    def __init__(self, *, minimum=None, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.minimum = minimum

    def clean(self, value):
        from decimal import Decimal

        from shuangsuiji.ratios import RatioError, below, parse_percent

        value = super().clean(value)  # the text, its length and required checked
        if value in self.empty_values:
            return None
        try:
            fraction = parse_percent(value)
        except RatioError as exc:
            raise ValidationError(f"{exc}。") from exc
        if self.minimum is not None and fraction * 100 < self.minimum:
            raise ValidationError(f"{below(fraction, Decimal(self.minimum) / 100)}（最低比例）。")
        return (fraction * 100).normalize()
