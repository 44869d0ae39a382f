from __future__ import annotations

from django import forms

from shuangsuiji.orgs.models import Organisation
from shuangsuiji.plans.services import LineSpec
from shuangsuiji.ratios import RatioError, parse_percent
from shuangsuiji.targets.choices import InspectionMethod
from shuangsuiji.web.fields import ModelChoiceField, ModelMultipleChoiceField
from shuangsuiji.web.lengths import TEXTAREA_MAX

MONTHS = [(m, f"{m}月") for m in range(1, 13)]


class PlanHeaderForm(forms.Form):
    owner = ModelChoiceField(label="制定机构", queryset=Organisation.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="计划名称", max_length=200)
    scope = forms.CharField(
        label="抽查范围", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXTAREA_MAX
    )
    notes = forms.CharField(
        label="其他说明", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXTAREA_MAX
    )
    participants = ModelMultipleChoiceField(
        label="参与部门（联合抽查计划）",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, owners=None, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else Organisation.objects.none()
        self.fields["participants"].queryset = departments if departments is not None else Organisation.objects.none()


class PlanTextForm(forms.Form):
    title = forms.CharField(label="计划名称", max_length=200)
    scope = forms.CharField(
        label="抽查范围", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXTAREA_MAX
    )
    notes = forms.CharField(
        label="其他说明", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXTAREA_MAX
    )


def line_rows(versions, plan=None, data=None) -> list[dict]:
    """One row per available item: what the edit page shows (from the plan or the POST)."""
    # Keyed by item: a line on an older version of the item moves to its current version.
    current = {x.item_version.item_id: x for x in plan.lines.select_related("item_version")} if plan else {}
    rows = []
    for v in versions:
        key = str(v.pk)
        line = current.get(v.item_id)
        if data is not None:
            row = {
                "included": data.get(f"inc_{key}") == "on",
                "ratio": data.get(f"ratio_{key}", ""),
                "methods": data.getlist(f"methods_{key}"),
                "start": data.get(f"start_{key}", "1"),
                "end": data.get(f"end_{key}", "12"),
                "note": data.get(f"note_{key}", ""),
            }
        elif line is not None:
            row = {
                "included": True,
                "ratio": f"{(line.ratio * 100).normalize():f}",
                "methods": list(line.methods),
                "start": str(line.start_month),
                "end": str(line.end_month),
                "note": line.target_note,
            }
        else:
            row = {
                "included": plan is None or not plan.lines.exists(),
                "ratio": f"{(v.min_ratio * 100).normalize():f}",
                "methods": list(v.methods),
                "start": "1",
                "end": "12",
                "note": "",
            }
        row["version"] = v
        rows.append(row)
    return rows


def rows_to_lines(rows) -> tuple[list[LineSpec], list[str]]:
    lines, errors = [], []
    for r in rows:
        if not r["included"]:
            continue
        v = r["version"]
        try:
            ratio = parse_percent(r["ratio"])
        except RatioError as exc:
            errors.append(f"「{v.name}」（{v.item.code}）的计划抽查比例：{exc}。")
            continue
        try:
            start, end = int(r["start"]), int(r["end"])
        except (TypeError, ValueError):
            errors.append(f"「{v.name}」（{v.item.code}）的实施月份无效。")
            continue
        lines.append(
            LineSpec(
                item_version=v,
                ratio=ratio,
                methods=[m for m in r["methods"] if m in InspectionMethod.values],
                start_month=start,
                end_month=end,
                target_note=r["note"],
            )
        )
    return lines, errors
