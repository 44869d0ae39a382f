"""Page forms. Sub-items, legal bases and form fields are edited as lines of text
("编码｜名称｜检查内容"), parsed here into the structures ``services`` expects."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from shuangsuiji.items.models import CheckForm, FieldType, ItemKind, ItemVersion
from shuangsuiji.items.services import FieldSpec, ItemContent
from shuangsuiji.tags.models import Tag
from shuangsuiji.targets.choices import InspectionMethod, TargetType
from shuangsuiji.web.fields import ModelMultipleChoiceField, PercentField
from shuangsuiji.web.lengths import LONG_TEXTAREA_MAX, TEXTAREA_MAX

SEP = re.compile(r"\s*[|｜]\s*")
LIST_SEP = re.compile(r"\s*[、,，;；]\s*")


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def parse_sub_items(text: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    out, errors = [], []
    for n, line in _lines(text):
        parts = SEP.split(line, maxsplit=2)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            errors.append(f"第 {n} 行应为“子项编码｜子项名称｜检查内容”。")
            continue
        out.append((parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
    return out, errors


def parse_legal_bases(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    out, errors = [], []
    for n, line in _lines(text):
        parts = SEP.split(line, maxsplit=1)
        if not parts[0]:
            errors.append(f"第 {n} 行缺少法律法规名称，应为“法律法规名称｜条款”。")
            continue
        out.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return out, errors


FIELD_TYPE_NAMES = (
    {label: value for value, label in FieldType.choices}
    | {
        "照片": FieldType.ATTACHMENT,
        "附件": FieldType.ATTACHMENT,
        "是/否": FieldType.BOOLEAN,
        "判断": FieldType.BOOLEAN,
    }
    | {value: value for value in FieldType.values}
)


def parse_fields(text: str) -> tuple[list[FieldSpec], list[str]]:
    out, errors = [], []
    for n, line in _lines(text):
        parts = SEP.split(line)
        if len(parts) < 2:
            errors.append(f"第 {n} 行应为“字段名称｜类型｜必填或选填｜选项1、选项2”。")
            continue
        label, type_name = parts[0], parts[1]
        field_type = FIELD_TYPE_NAMES.get(type_name)
        if field_type is None:
            names = "、".join(label for _v, label in FieldType.choices)
            errors.append(f"第 {n} 行的类型“{type_name}”无效，可用：{names}。")
            continue
        flag = parts[2] if len(parts) > 2 else "必填"
        if flag not in ("必填", "选填", ""):
            errors.append(f"第 {n} 行第三项应为“必填”或“选填”。")
            continue
        options = [o for o in LIST_SEP.split(parts[3]) if o] if len(parts) > 3 and parts[3] else []
        out.append(FieldSpec(label=label, field_type=field_type, required=flag != "选填", options=options))
    return out, errors


def sub_items_text(version: ItemVersion) -> str:
    return "\n".join(f"{s.code}｜{s.name}｜{s.check_content}" for s in version.sub_items.all())


def legal_bases_text(version: ItemVersion) -> str:
    return "\n".join(f"{b.law}｜{b.articles}" if b.articles else b.law for b in version.legal_bases.all())


def fields_text(form_version) -> str:
    lines = []
    for f in form_version.fields.all():
        parts = [f.label, f.get_field_type_display(), "必填" if f.required else "选填"]
        if f.options:
            parts.append("、".join(f.options))
        lines.append("｜".join(parts))
    return "\n".join(lines)


class BootstrapMixin:
    """Bootstrap classes on every widget (the templates render fields as they are)."""

    def style(self) -> None:
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, forms.CheckboxSelectMultiple):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.Select):
                w.attrs.setdefault("class", "form-select form-select-sm")
            else:
                w.attrs.setdefault("class", "form-control form-control-sm")


class ItemForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label="事项编码", max_length=64, help_text="本部门清单内唯一，创建后不可修改。")
    name = forms.CharField(label="事项名称", max_length=200)
    kind = forms.ChoiceField(label="事项类别", choices=ItemKind.choices)
    min_ratio_percent = PercentField(
        label="最低抽查比例（%）",
        required=False,
        help_text=(
            "填百分数，如 5 表示 5%。一般检查事项不低于 5%，留空则取本清单默认比例；重点检查事项无上限（最高 100%）。"
        ),
    )
    frequency = forms.CharField(label="抽查频次", max_length=100, required=False, help_text="如：每年不少于1次")
    target_types = forms.MultipleChoiceField(
        label="检查对象类型", choices=TargetType.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    methods = forms.MultipleChoiceField(
        label="检查方式", choices=InspectionMethod.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    sub_items = forms.CharField(
        label="子项",
        required=False,
        max_length=LONG_TEXTAREA_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="每行一个子项：子项编码｜子项名称｜检查内容",
    )
    legal_bases = forms.CharField(
        label="法律依据",
        required=False,
        max_length=LONG_TEXTAREA_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一条：法律法规名称｜条款，如：《中华人民共和国水土保持法》｜第二十五条、第二十七条",
    )
    requirements = ModelMultipleChoiceField(
        label="执法检查人员要求（专业特长、资格）",
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    national_code = forms.CharField(label="“互联网+监管”事项编码", max_length=64, required=False)
    check_forms = ModelMultipleChoiceField(
        label="检查表格",
        queryset=CheckForm.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    remarks = forms.CharField(
        label="备注", required=False, max_length=TEXTAREA_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    change_note = forms.CharField(label="修订说明", max_length=200, required=False)

    def __init__(self, *args, form_queryset=None, with_code=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirements"].queryset = Tag.objects.filter(
            is_active=True, scope__in=[Tag.Scope.INSPECTORS, Tag.Scope.BOTH], parent__isnull=False
        ).select_related("parent")
        self.fields["requirements"].label_from_instance = lambda t: t.full_name
        if form_queryset is not None:
            self.fields["check_forms"].queryset = form_queryset
        if not with_code:
            del self.fields["code"]
        self.style()

    def clean(self):
        data = super().clean()
        subs, errors = parse_sub_items(data.get("sub_items", ""))
        for e in errors:
            self.add_error("sub_items", e)
        bases, errors = parse_legal_bases(data.get("legal_bases", ""))
        for e in errors:
            self.add_error("legal_bases", e)
        data["parsed_sub_items"], data["parsed_legal_bases"] = subs, bases
        return data

    def content(self) -> ItemContent:
        d = self.cleaned_data
        percent = d.get("min_ratio_percent")
        return ItemContent(
            name=d["name"],
            kind=d["kind"],
            min_ratio=(percent / Decimal(100)) if percent is not None else None,
            frequency=d.get("frequency", ""),
            target_types=list(d.get("target_types", [])),
            methods=list(d.get("methods", [])),
            national_code=d.get("national_code", ""),
            remarks=d.get("remarks", ""),
            change_note=d.get("change_note", ""),
            sub_items=d["parsed_sub_items"],
            legal_bases=d["parsed_legal_bases"],
            requirements=list(d.get("requirements", [])),
            forms=list(d.get("check_forms", [])),
        )

    @staticmethod
    def initial_for(version: ItemVersion) -> dict:
        return {
            "code": version.item.code,
            "name": version.name,
            "kind": version.kind,
            "min_ratio_percent": (version.min_ratio * 100).normalize(),
            "frequency": version.frequency,
            "target_types": version.target_types,
            "methods": version.methods,
            "sub_items": sub_items_text(version),
            "legal_bases": legal_bases_text(version),
            "requirements": list(version.inspector_requirements.all()),
            "national_code": version.national_code,
            "check_forms": list(version.forms.all()),
            "remarks": version.remarks,
        }


class ListSettingsForm(forms.Form):
    default_percent = PercentField(label="一般检查事项默认抽查比例（%）", minimum=5)


class CheckFormForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label="表格编码", max_length=64)
    kind = forms.ChoiceField(label="表格类别", choices=CheckForm.Kind.choices)
    name = forms.CharField(label="表格名称", max_length=200)
    description = forms.CharField(
        label="填表说明", required=False, max_length=TEXTAREA_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    fields_text = forms.CharField(
        label="表格字段",
        max_length=LONG_TEXTAREA_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=(
            "每行一个字段：字段名称｜类型｜必填或选填｜选项（以顿号分隔，仅单选、多选）。"
            "类型：是否、单选、多选、文本、数字、日期、照片/附件。"
        ),
    )

    def __init__(self, *args, with_identity=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_identity:
            del self.fields["code"]
            del self.fields["kind"]
        self.style()

    def clean(self):
        data = super().clean()
        fields, errors = parse_fields(data.get("fields_text", ""))
        for e in errors:
            self.add_error("fields_text", e)
        data["parsed_fields"] = fields
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200)
