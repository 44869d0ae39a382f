from __future__ import annotations

from django import forms

from shuangsuiji.accounts.models import User
from shuangsuiji.inspectors.choices import RelationshipKind
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.inspectors.validation import clean_certificate_no, clean_phone
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.tags.models import Tag
from shuangsuiji.web.fields import ModelMultipleChoiceField


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        if isinstance(field.widget, forms.CheckboxInput):
            css = "form-check-input"
        field.widget.attrs.setdefault("class", css)


def inspector_tags():
    return Tag.objects.filter(is_active=True, scope__in=[Tag.Scope.INSPECTORS, Tag.Scope.BOTH]).select_related("parent")


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        org = obj.organisation.name if obj.organisation_id else "未分配机构"
        return f"{obj.username} · {obj.full_name or '（未填写姓名）'} · {org}"


class InspectorForm(forms.ModelForm):
    specialties = ModelMultipleChoiceField(label="专业特长与资格", required=False, queryset=Tag.objects.none())
    account = AccountChoiceField(
        label="平台账号",
        required=False,
        queryset=User.objects.none(),
        empty_label="（不关联）",
        help_text="本人登录平台的账号：关联后可查看分配给本人的检查对象和一企一表。一人至多一个账号，姓名须一致。",
    )
    confirm_name = forms.BooleanField(
        label="姓名不一致，确认关联", required=False, help_text="账号姓名与名录库姓名不同但核实为同一人时勾选。"
    )

    class Meta:
        model = Inspector
        fields = [
            "name",
            "organisation",
            "position",
            "certificate_no",
            "cert_valid_from",
            "cert_valid_to",
            "phone",
            "is_expert",
            "is_active",
        ]
        widgets = {
            "cert_valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "cert_valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organisations if organisations is not None else Organisation.objects.all()
        self.fields["organisation"].queryset = orgs.filter(
            kind__in=[Organisation.Kind.DEPARTMENT, Organisation.Kind.UNIT]
        ).order_by("path")
        self.fields["specialties"].queryset = inspector_tags()
        self.fields["account"].queryset = (
            User.objects.filter(is_active=True, organisation__in=orgs)
            .select_related("organisation")
            .order_by("username")
        )
        if self.instance.pk:
            self.fields["specialties"].initial = list(self.instance.specialties.values_list("pk", flat=True))
            self.fields["account"].initial = self.instance.user_id
        _style(self)

    def clean_certificate_no(self):
        try:
            return clean_certificate_no(self.cleaned_data.get("certificate_no") or "")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_phone(self):
        try:
            return clean_phone(self.cleaned_data.get("phone") or "")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def validate_unique(self):
        """Uniqueness of 执法证号 is checked by the service, with a message naming the record."""


class TrainingForm(forms.Form):
    course = forms.CharField(label="培训课程", max_length=200)
    completed_on = forms.DateField(label="完成日期", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label="学时", required=False, max_digits=5, decimal_places=1, min_value=0)
    issuer = forms.CharField(label="培训机构", max_length=128, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class LeaveForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="原因", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class RelationshipForm(forms.Form):
    target_code = forms.CharField(
        label="检查对象统一社会信用代码/编码", max_length=18, help_text="须为您管辖区域内已登记的检查对象"
    )
    kind = forms.ChoiceField(label="关系类型", choices=RelationshipKind.choices)
    declared_on = forms.DateField(label="申报日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class CorrectionForm(forms.Form):
    """The reason of a correction (作废、取消、撤销申报): required, kept in the record, history and audit trail."""

    reason = forms.CharField(label="原因", max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", False)  # one form per record on the page: no duplicate ids
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs.update({"placeholder": "原因（必填）", "aria-label": "原因"})
        _style(self)


class EndLeaveForm(CorrectionForm):
    new_end = forms.DateField(label="实际结束日期", widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["new_end", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_end"].widget.attrs["aria-label"] = "实际结束日期"
