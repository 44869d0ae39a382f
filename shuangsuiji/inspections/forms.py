"""Forms of the entry pages. The part form is built per department from its task items and
their check forms; it only turns POST data into the services' inputs (rules live there)."""

from __future__ import annotations

from django import forms

from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import Evidence, ItemOutcome, SignatureStatus
from shuangsuiji.items.models import FieldType
from shuangsuiji.targets.choices import InspectionMethod

BOOL_CHOICES = [("", "请选择"), ("yes", "是"), ("no", "否")]
TOUCH = {"class": "form-control form-control-lg"}
SELECT = {"class": "form-select form-select-lg"}


class VisitForm(forms.Form):
    visit_date = forms.DateField(
        label="检查日期", widget=forms.DateInput(attrs={**TOUCH, "type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label="检查地点", max_length=255, required=False, widget=forms.TextInput(attrs=TOUCH))
    inspectors = forms.MultipleChoiceField(
        label="到场检查人员（出示执法证件）", widget=forms.CheckboxSelectMultiple, required=False
    )
    signature = forms.ChoiceField(
        label="签字确认", choices=SignatureStatus.choices, required=False, widget=forms.Select(attrs=SELECT)
    )
    signer = forms.CharField(label="签字人", max_length=64, required=False, widget=forms.TextInput(attrs=TOUCH))
    witnesses = forms.CharField(
        label="见证人（拒签时）", max_length=300, required=False, widget=forms.TextInput(attrs=TOUCH)
    )
    refusal_note = forms.CharField(
        label="拒签情况", max_length=500, required=False, widget=forms.TextInput(attrs=TOUCH)
    )

    def __init__(self, *args, assigned=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].choices = [
            (
                str(a.inspector_id),
                f"{a.inspector.name}（{a.draw.department.name}，{a.inspector.certificate_no}"
                f"{'，专家' if a.is_expert or a.inspector.is_expert else ''}）",
            )
            for a in assigned
        ]

    def visit(self) -> services.Visit:
        d = self.cleaned_data
        return services.Visit(
            visit_date=d["visit_date"],
            place=d["place"],
            inspector_ids=[int(i) for i in d["inspectors"]],
            signature=d["signature"],
            signer=d["signer"],
            witnesses=d["witnesses"],
            refusal_note=d["refusal_note"],
        )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="照片或材料",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "image/*," + services.EVIDENCE_ACCEPT,
                "capture": "environment",
                "class": "form-control form-control-lg",
            }
        ),
    )
    kind = forms.ChoiceField(label="材料类别", choices=Evidence.Kind.choices, widget=forms.Select(attrs=SELECT))
    description = forms.CharField(label="说明", max_length=200, required=False, widget=forms.TextInput(attrs=TOUCH))


class PartForm(forms.Form):
    """Result codes, note and per task item: method, outcome, problem, legal basis and the check
    form's fields (``i<task item>_f_<key>``)."""

    client_request_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    codes = forms.MultipleChoiceField(label="检查结果", widget=forms.CheckboxSelectMultiple, required=False)
    note = forms.CharField(
        label="情况说明（未能实施检查时必填）",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={**TOUCH, "rows": 2}),
    )

    def __init__(self, *args, task_items=(), evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [(str(c.pk), c.label) for c in services.codebook()]
        self.items = []
        labels = dict(InspectionMethod.choices)
        refs = [(services.evidence_ref(e), f"{e.get_kind_display()}：{e.original_name}") for e in evidence]
        for ti in task_items:
            p = f"i{ti.pk}_"
            self.fields[p + "method"] = forms.ChoiceField(
                label="检查方式",
                choices=[("", "请选择")] + [(m, labels.get(m, m)) for m in ti.methods],
                required=False,
                widget=forms.Select(attrs=SELECT),
            )
            self.fields[p + "outcome"] = forms.ChoiceField(
                label="事项检查结果",
                choices=ItemOutcome.choices,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[p + "problem"] = forms.CharField(
                label="发现的问题", required=False, max_length=5000, widget=forms.Textarea(attrs={**TOUCH, "rows": 2})
            )
            self.fields[p + "legal_basis"] = forms.CharField(
                label="问题的法律依据", required=False, max_length=500, widget=forms.TextInput(attrs=TOUCH)
            )
            fv = services.form_version_of(ti)
            keys = []
            for f in fv.fields.all() if fv is not None else []:
                name = f"{p}f_{f.key}"
                keys.append((name, f))
                label = f.label + ("" if f.required else "（选填）")
                t = f.field_type
                if t == FieldType.BOOLEAN:
                    field = forms.ChoiceField(label=label, choices=BOOL_CHOICES, widget=forms.Select(attrs=SELECT))
                elif t == FieldType.SINGLE_CHOICE:
                    field = forms.ChoiceField(
                        label=label,
                        choices=[("", "请选择")] + [(o, o) for o in f.options],
                        widget=forms.Select(attrs=SELECT),
                    )
                elif t == FieldType.MULTIPLE_CHOICE:
                    field = forms.MultipleChoiceField(
                        label=label, choices=[(o, o) for o in f.options], widget=forms.CheckboxSelectMultiple
                    )
                elif t == FieldType.ATTACHMENT:
                    field = forms.MultipleChoiceField(
                        label=label + "（先在下方上传照片，再勾选）", choices=refs, widget=forms.CheckboxSelectMultiple
                    )
                elif t == FieldType.DATE:
                    field = forms.CharField(
                        label=label, max_length=10, widget=forms.DateInput(attrs={**TOUCH, "type": "date"})
                    )
                elif t == FieldType.NUMBER:
                    field = forms.CharField(
                        label=label, max_length=40, widget=forms.TextInput(attrs={**TOUCH, "inputmode": "decimal"})
                    )
                else:
                    field = forms.CharField(
                        label=label, max_length=2000, widget=forms.Textarea(attrs={**TOUCH, "rows": 2})
                    )
                field.required = False
                field.help_text = f.help_text
                self.fields[name] = field
            self.items.append({"task_item": ti, "prefix": p, "form_fields": keys})

    def bound_items(self):
        for it in self.items:
            p = it["prefix"]
            yield {
                **it,
                "method": self[p + "method"],
                "outcome": self[p + "outcome"],
                "problem": self[p + "problem"],
                "legal_basis": self[p + "legal_basis"],
                "fields": [self[name] for name, _f in it["form_fields"]],
            }

    def entries(self) -> list[services.ItemEntry]:
        d = self.cleaned_data
        out = []
        for it in self.items:
            p = it["prefix"]
            answers = {}
            for name, f in it["form_fields"]:
                v = d.get(name)
                if v in ("", None, []):
                    continue
                if f.field_type == FieldType.BOOLEAN:
                    v = v == "yes"
                answers[f.key] = v
            method, outcome = d.get(p + "method") or "", d.get(p + "outcome") or ""
            if not (method or outcome or answers or d.get(p + "problem")):
                continue  # nothing entered for this item yet
            out.append(
                services.ItemEntry(
                    task_item_id=it["task_item"].pk,
                    method=method,
                    answers=answers,
                    outcome=outcome,
                    problem=d.get(p + "problem") or "",
                    legal_basis=d.get(p + "legal_basis") or "",
                )
            )
        return out

    @staticmethod
    def initial_for(part) -> dict:
        if part is None:
            return {}
        init = {"codes": [str(c) for c in part.codes.values_list("code_id", flat=True)], "note": part.note}
        for r in part.item_results.all():
            p = f"i{r.task_item_id}_"
            init[p + "method"] = r.method
            init[p + "outcome"] = r.outcome
            init[p + "problem"] = r.problem
            init[p + "legal_basis"] = r.legal_basis
            for k, v in (r.answers or {}).items():
                init[f"{p}f_{k}"] = ("yes" if v else "no") if isinstance(v, bool) else v
        return init


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因或意见", max_length=500, required=False, widget=forms.Textarea(attrs={**TOUCH, "rows": 2})
    )


class SummaryForm(forms.Form):
    inspected_at = forms.DateTimeField(
        label="检查时间", widget=forms.DateTimeInput(attrs={**TOUCH, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    content = forms.CharField(label="检查内容", max_length=5000, widget=forms.Textarea(attrs={**TOUCH, "rows": 3}))
    findings = forms.CharField(
        label="发现的问题", max_length=5000, required=False, widget=forms.Textarea(attrs={**TOUCH, "rows": 3})
    )
    handling_opinion = forms.CharField(
        label="处理意见", max_length=5000, required=False, widget=forms.Textarea(attrs={**TOUCH, "rows": 3})
    )
    suggestions = forms.CharField(
        label="意见建议", max_length=5000, required=False, widget=forms.Textarea(attrs={**TOUCH, "rows": 3})
    )
