"""The task form: a plain POST parsed into a ``TaskSpec``; every error names its field.

Field names (also used by the browser tests): ``title``, ``lead``, ``lead_unit``, ``source``,
``plan``, ``justification``, ``items`` (item version ids, several), ``methods_<id>`` (methods
of that item, several), ``experts_<department id>``, ``target_types``, ``tags``,
``region_codes``, ``industry_codes``, ``flags``, ``registration_statuses``,
``exclude_inspected_months``, ``stratify``, ``ratio_<S>`` (percent), ``min_<S>``, ``max_<S>``,
``reserves_<S>`` for S in A–D or ALL, ``window_from``, ``window_to``, ``group_size``,
``inspector_cap``, ``notes``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shuangsuiji.items.models import ItemVersion
from shuangsuiji.items.services import published_items
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.plans.models import Plan, PlanStatus
from shuangsuiji.ratios import RatioError, parse_percent
from shuangsuiji.tags.models import Tag
from shuangsuiji.targets.choices import InspectionMethod, RegistrationStatus, TargetType
from shuangsuiji.tasks import population as pop
from shuangsuiji.tasks.models import TaskSource
from shuangsuiji.tasks.services import RISK_STRATA, ItemChoice, ParticipantSpec, TaskSpec, stratum_label

STRATUM_KEYS = (*RISK_STRATA, pop.ALL)


def _split(text: str) -> list[str]:
    return [p for p in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if p]


def _date(value: str, label: str, errors: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        errors.append(f"{label}：“{value}”不是日期（格式 2026-12-01）。")
        return None


def _int(value: str, label: str, errors: list[str], default=None):
    value = (value or "").strip()
    if not value:
        return default
    if not value.isdigit() or len(value) > 6:
        errors.append(f"{label}：“{value}”不是非负整数。")
        return default
    return int(value)


def percent_to_ratio(value: str) -> str:
    """A percent as typed on the page → the fraction the engine takes (shuangsuiji/ratios.py);
    RatioError with the reason in percent."""
    return format(parse_percent(value).normalize(), "f")


def ratio_to_percent(ratio: str) -> str:
    return format((Decimal(ratio) * 100).normalize(), "f")


def region_departments(lead: Organisation):
    return Organisation.objects.filter(
        kind=Organisation.Kind.DEPARTMENT, region_id=lead.region_id, is_active=True
    ).order_by("path")


def choices_for(department: Organisation) -> dict:
    """What the form offers for a lead department: the departments of its region with their
    published items, their units, the plans it may draw from, tags of the target register."""
    departments = []
    for d in region_departments(department):
        items = list(published_items(d))
        if items:
            departments.append({"department": d, "items": items, "units": list(d.children.filter(is_active=True))})
    plans = Plan.objects.filter(status=PlanStatus.PUBLISHED).filter(
        pk__in=Plan.objects.filter(owner=department).values("pk")
    ) | Plan.objects.filter(status=PlanStatus.PUBLISHED, participants=department)
    return {
        "departments": departments,
        "plans": plans.distinct().order_by("-year"),
        "target_types": TargetType.choices,
        "statuses": RegistrationStatus.choices,
        "flags": list(pop.FLAGS.items()),
        "tags": Tag.objects.filter(is_active=True, scope__in=[Tag.Scope.TARGETS, Tag.Scope.BOTH]).order_by("path"),
        "methods": InspectionMethod.choices,
        "strata_keys": [(k, stratum_label(k)) for k in STRATUM_KEYS],
    }


def parse(post, lead: Organisation) -> tuple[TaskSpec | None, list[str]]:
    errors: list[str] = []
    item_ids = [int(v) for v in post.getlist("items") if v.isdigit() and len(v) < 10]
    versions = {iv.pk: iv for iv in ItemVersion.objects.filter(pk__in=item_ids).select_related("item__department")}
    by_dept: dict[int, ParticipantSpec] = {}
    for pk in item_ids:
        iv = versions.get(pk)
        if iv is None:
            errors.append(f"检查事项（编号 {pk}）不存在。")
            continue
        dept = iv.item.department
        methods = [m for m in post.getlist(f"methods_{pk}") if m]
        if dept.pk not in by_dept:
            by_dept[dept.pk] = ParticipantSpec(
                department=dept,
                items=[],
                experts=_int(post.get(f"experts_{dept.pk}", ""), f"{dept.name}每组专家人数", errors, 0),
            )
        by_dept[dept.pk].items.append(ItemChoice(iv, methods))
    lead_spec = by_dept.pop(lead.pk, None) or ParticipantSpec(department=lead, items=[])
    unit_id = post.get("lead_unit", "")
    if unit_id.isdigit() and len(unit_id) < 10:
        lead_spec.unit = Organisation.objects.filter(pk=int(unit_id)).first()
    strata: dict[str, dict] = {}
    stratify = post.get("stratify") == "1"
    for key in RISK_STRATA if stratify else (pop.ALL,):
        label = stratum_label(key)
        raw = post.get(f"ratio_{key}", "").strip()
        ratio = None
        if raw:
            try:
                ratio = percent_to_ratio(raw)
            except RatioError as exc:
                errors.append(f"{label}：抽查比例 {exc}。")
        strata[key] = {
            "ratio": ratio if ratio is not None else "",
            "min": _int(post.get(f"min_{key}", ""), f"{label}最少抽取数", errors, 0),
            "max": _int(post.get(f"max_{key}", ""), f"{label}最多抽取数", errors),
            "reserves": _int(post.get(f"reserves_{key}", ""), f"{label}备选对象数", errors, 0),
        }
    population = {
        "target_types": post.getlist("target_types"),
        "tags": post.getlist("tags"),
        "region_codes": _split(post.get("region_codes", "")),
        "industry_codes": _split(post.get("industry_codes", "")),
        "flags": post.getlist("flags"),
        "registration_statuses": post.getlist("registration_statuses"),
        "exclude_inspected_months": _int(
            post.get("exclude_inspected_months", ""), "排除近 N 个月内已被检查的对象", errors, 0
        ),
        "unclassified_as": (post.get("unclassified_as") or pop.DEFAULT_UNCLASSIFIED_AS) if stratify else "",
    }
    population = {k: v for k, v in population.items() if v}
    start = _date(post.get("window_from", ""), "检查开始日期", errors)
    end = _date(post.get("window_to", ""), "检查结束日期", errors)
    group_size = _int(post.get("group_size", ""), "每组检查人员数", errors, 2)
    cap = _int(post.get("inspector_cap", ""), "每名检查人员最多检查对象数", errors)
    plan = None
    plan_id = post.get("plan", "")
    if plan_id.isdigit() and len(plan_id) < 10:
        plan = Plan.objects.filter(pk=int(plan_id)).first()
    source = post.get("source", TaskSource.PLAN)
    for key, rule in strata.items():
        if rule["ratio"] == "" and not any(e.startswith(stratum_label(key)) for e in errors):
            errors.append(f"{stratum_label(key)}：请填写抽查比例。")
    if errors or start is None or end is None:
        return None, errors
    spec = TaskSpec(
        title=post.get("title", ""),
        lead=lead_spec,
        cooperating=list(by_dept.values()),
        window_from=start,
        window_to=end,
        strata=strata,
        stratify=stratify,
        population=population,
        source=source,
        plan=plan,
        justification=post.get("justification", ""),
        group_size=group_size,
        inspector_cap=cap,
        notes=post.get("notes", ""),
    )
    return spec, []


def initial_from(task) -> dict:
    """Form values of an existing task (for the edit page)."""
    values: dict = {
        "title": task.title,
        "source": task.source,
        "plan": task.plan_id,
        "justification": task.justification,
        "window_from": task.window_from.isoformat(),
        "window_to": task.window_to.isoformat(),
        "group_size": task.group_size,
        "inspector_cap": task.inspector_cap or "",
        "notes": task.notes,
        "stratify": task.stratify,
        "population": task.population or {},
        "region_codes": "、".join((task.population or {}).get("region_codes") or []),
        "industry_codes": "、".join((task.population or {}).get("industry_codes") or []),
        "strata": {k: {**v, "percent": ratio_to_percent(v["ratio"])} for k, v in task.strata.items()},
        "items": {},
        "experts": {},
        "lead_unit": None,
    }
    for p in task.participants.prefetch_related("items"):
        if p.role == p.Role.LEAD:
            values["lead_unit"] = p.unit_id
        values["experts"][p.department_id] = p.experts
        for ti in p.items.all():
            values["items"][ti.item_version_id] = list(ti.methods)
    return values


def default_initial() -> dict:
    today = dt.date.today()
    start = today + dt.timedelta(days=7)
    return {
        "title": "",
        "source": TaskSource.PLAN,
        "window_from": start.isoformat(),
        "window_to": (start + dt.timedelta(days=30)).isoformat(),
        "group_size": 2,
        "stratify": True,
        "population": {"registration_statuses": [RegistrationStatus.ACTIVE]},
        "strata": {
            "A": {"percent": "5", "min": 0, "max": None, "reserves": 2},
            "B": {"percent": "10", "min": 0, "max": None, "reserves": 2},
            "C": {"percent": "30", "min": 0, "max": None, "reserves": 2},
            "D": {"percent": "60", "min": 0, "max": None, "reserves": 2},
            pop.ALL: {"percent": "5", "min": 0, "max": None, "reserves": 2},
        },
        "items": {},
        "experts": {},
        "lead_unit": None,
    }


def initial_from_post(post) -> dict:
    """The values the user typed, to show the form again with its errors."""
    values = default_initial()
    for name in ("title", "source", "justification", "window_from", "window_to", "notes", "region_codes"):
        values[name] = post.get(name, "")
    values["industry_codes"] = post.get("industry_codes", "")
    values["plan"] = int(post["plan"]) if post.get("plan", "").isdigit() and len(post["plan"]) < 10 else None
    values["group_size"] = post.get("group_size", "")
    values["inspector_cap"] = post.get("inspector_cap", "")
    values["stratify"] = post.get("stratify") == "1"
    values["population"] = {k: post.getlist(k) for k in ("target_types", "tags", "flags", "registration_statuses")} | {
        "exclude_inspected_months": post.get("exclude_inspected_months", ""),
        "unclassified_as": post.get("unclassified_as", ""),
    }
    values["strata"] = {
        k: {
            "percent": post.get(f"ratio_{k}", ""),
            "min": post.get(f"min_{k}", ""),
            "max": post.get(f"max_{k}", ""),
            "reserves": post.get(f"reserves_{k}", ""),
        }
        for k in STRATUM_KEYS
    }
    values["items"] = {
        int(v): post.getlist(f"methods_{v}") for v in post.getlist("items") if v.isdigit() and len(v) < 10
    }
    values["experts"] = {}
    unit = post.get("lead_unit", "")
    values["lead_unit"] = int(unit) if unit.isdigit() and len(unit) < 10 else None
    return values
