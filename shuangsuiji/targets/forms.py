from __future__ import annotations

from django import forms
from django.utils import timezone

from shuangsuiji.tags.models import Tag
from shuangsuiji.targets.choices import CLASSIFIED
from shuangsuiji.targets.models import Target
from shuangsuiji.targets.validation import clean_uscc, established_on_error
from shuangsuiji.web.fields import ModelMultipleChoiceField
from shuangsuiji.web.lengths import TEXTAREA_MAX


class TargetForm(forms.ModelForm):
    business_scope = forms.CharField(
        label="经营范围", required=False, max_length=TEXTAREA_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    tags = ModelMultipleChoiceField(
        label="标签", required=False, queryset=Tag.objects.filter(is_active=True, scope__in=["targets", "both"])
    )

    class Meta:
        model = Target
        fields = [
            "name",
            "uscc",
            "target_type",
            "legal_representative",
            "business_scope",
            "address",
            "region",
            "industry",
            "registration_status",
            "established_on",
            "risk_class",
            "abnormal_operation",
            "address_unreachable",
            "serious_violation",
            "complaint_count",
        ]
        widgets = {
            "region": forms.TextInput(attrs={"placeholder": "六位行政区划代码，如 130534"}),
            "established_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["uscc"].required = False
        self.fields["region"].error_messages["invalid_choice"] = "行政区划代码不存在（GB/T 2260）。"
        if self.instance.pk:
            self.fields["risk_class"].disabled = True
            self.fields["risk_class"].help_text = "风险分类变更请使用“调整信用风险分类”，以保留日期和来源。"
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            field.widget.attrs.setdefault("class", css)

    def clean_uscc(self):
        value = (self.cleaned_data.get("uscc") or "").strip().upper()
        if not value:
            return None
        try:
            return clean_uscc(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_established_on(self):
        value = self.cleaned_data.get("established_on")
        error = established_on_error(value, timezone.localdate())
        if error:
            raise forms.ValidationError(f"{error}。")
        return value

    def validate_unique(self):
        """Uniqueness of the USCC is checked by the service, with a message naming the record."""


class RiskClassForm(forms.Form):
    risk_class = forms.ChoiceField(
        label="信用风险分类", choices=[c for c in Target._meta.get_field("risk_class").choices if c[0] in CLASSIFIED]
    )
    effective_on = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label="来源", max_length=200)
