"""Task definition: create and change a task, check its ratios, preview it.

A task is edited only while it is a draft; its first freeze fixes it (``TaskStatus.FIXED``).
Audit actions: ``tasks.create``, ``tasks.update``, ``tasks.cancel``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.draw import AssignmentParams, DepartmentRequirement, DrawError, StratumRule, eligibility, sample_size
from shuangsuiji.inspectors.services import draw_candidates
from shuangsuiji.items.models import ItemVersion
from shuangsuiji.items.services import published_items
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.plans.models import PlanLine, PlanStatus
from shuangsuiji.ratios import RatioError, parse_fraction, percent_text
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.choices import CLASSIFIED, InspectionMethod, TargetType
from shuangsuiji.tasks import population as pop
from shuangsuiji.tasks.models import Task, TaskItem, TaskParticipant, TaskSource, TaskStatus

RISK_STRATA = CLASSIFIED  # A, B, C, D (未分类 targets go to the stratum the task names)


class TaskRuleError(RuleError):
    """A refused task definition or change."""


@dataclass
class ItemChoice:
    item_version: ItemVersion
    methods: list[str] = field(default_factory=list)


@dataclass
class ParticipantSpec:
    department: Organisation
    items: list[ItemChoice]
    unit: Organisation | None = None
    experts: int = 0


@dataclass
class TaskSpec:
    title: str
    lead: ParticipantSpec
    window_from: dt.date
    window_to: dt.date
    strata: dict[str, dict]
    cooperating: list[ParticipantSpec] = field(default_factory=list)
    stratify: bool = True
    population: dict = field(default_factory=dict)
    source: str = TaskSource.PLAN
    plan: object = None  # plans.Plan
    justification: str = ""
    group_size: int = 2
    inspector_cap: int | None = None
    notes: str = ""
    year: int | None = None


def percent(value) -> str:
    d = Decimal(str(value)) * 100
    return f"{d.normalize():f}%"


def stratum_label(key: str) -> str:
    return pop.STRATUM_LABELS.get(key, key)


def _ratio(value) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError) as exc:
        raise ValueError from exc
    if not d.is_finite():
        raise ValueError
    return d


def normalise_strata(strata: dict, stratify: bool) -> tuple[dict[str, dict], list[str]]:
    """Strata rules as the engine takes them (ratio a decimal string) and the errors found."""
    errors: list[str] = []
    keys = RISK_STRATA if stratify else (pop.ALL,)
    unknown = set(strata) - set(keys)
    if unknown:
        errors.append("分层只能是：" + "、".join(keys) + f"（不认识：{'、'.join(sorted(unknown))}）。")
    out = {}
    for key in keys:
        rule = strata.get(key)
        label = stratum_label(key)
        if rule is None:
            errors.append(f"{label}：缺少抽查比例。")
            continue
        try:
            r = parse_fraction(rule.get("ratio"))
        except RatioError as exc:
            errors.append(f"{label}：抽查比例 {exc}。")
            continue
        ints = {}
        for name, zh in (("min", "最少抽取数"), ("max", "最多抽取数"), ("reserves", "备选对象数")):
            v = rule.get(name)
            if v in (None, ""):
                ints[name] = None if name == "max" else 0
                continue
            try:
                iv = int(v)
            except (TypeError, ValueError):
                errors.append(f"{label}：{zh}“{v}”不是整数。")
                continue
            if iv < 0:
                errors.append(f"{label}：{zh}不能为负数。")
                continue
            ints[name] = iv
        if len(ints) < 3:
            continue
        if ints["max"] is not None and ints["max"] < ints["min"]:
            errors.append(f"{label}：最多抽取数小于最少抽取数。")
            continue
        out[key] = {
            "ratio": format(r.normalize(), "f"),
            "min": ints["min"],
            "max": ints["max"],
            "reserves": ints["reserves"],
        }
    return out, errors


def ratio_floor(task_items: list[tuple[Organisation, ItemVersion]], plan) -> list[tuple[Decimal, str]]:
    """Every minimum the strata ratios must reach, with where it comes from."""
    floors = []
    for dept, iv in task_items:
        floors.append((Decimal(iv.min_ratio), f"{dept.name}事项“{iv.item.code} {iv.name}”的最低抽查比例"))
    if plan is not None:
        item_ids = {iv.item_id for _, iv in task_items}
        for line in PlanLine.objects.filter(plan=plan, item_version__item_id__in=item_ids).select_related(
            "item_version__item"
        ):
            floors.append(
                (Decimal(line.ratio), f"年度计划“{plan.title}”对事项“{line.item_version.item.code}”的计划抽查比例")
            )
    return floors


def ratio_errors(strata: dict[str, dict], floors: list[tuple[Decimal, str]]) -> list[str]:
    errors = []
    for key, rule in strata.items():
        r = Decimal(rule["ratio"])
        for floor, source in floors:
            if r < floor:
                errors.append(f"{stratum_label(key)}的抽查比例 {percent(r)} 低于{source} {percent(floor)}。")
    return errors


def _check_participant(p: ParticipantSpec, region_code: str, errors: list[str]) -> None:
    d = p.department
    if d.kind != Organisation.Kind.DEPARTMENT:
        errors.append(f"“{d.name}”不是部门。")
        return
    if d.region_id != region_code:
        errors.append(f"“{d.name}”不属于本级（联合抽查须为同一地区的部门）。")
    if p.unit is not None and p.unit.parent_id != d.pk:
        errors.append(f"承办股室“{p.unit.name}”不属于“{d.name}”。")
    if not p.items:
        errors.append(f"{d.name}：至少选择一个检查事项。")
    allowed = set(published_items(d).values_list("pk", flat=True))
    for choice in p.items:
        iv = choice.item_version
        if iv.pk not in allowed:
            errors.append(f"{d.name}：事项“{iv.item.code} {iv.name}”不是本部门已发布的现行事项。")
            continue
        if not choice.methods:
            errors.append(f"{d.name}：事项“{iv.item.code}”须选择检查方式。")
        bad = [m for m in choice.methods if m not in InspectionMethod.values or (iv.methods and m not in iv.methods)]
        if bad:
            errors.append(f"{d.name}：事项“{iv.item.code}”不支持检查方式 {'、'.join(bad)}。")
    if p.experts < 0:
        errors.append(f"{d.name}：专家人数不能为负数。")


def validate(spec: TaskSpec, today: dt.date | None = None) -> tuple[dict[str, dict], list[str]]:
    """``today``: the day the task is defined (default: today; a recorded earlier task, e.g. the
    demo's history, passes the day it was defined)."""
    errors: list[str] = []
    if not spec.title.strip():
        errors.append("任务名称不能为空。")
    lead = spec.lead.department
    region_code = lead.region_id
    seen = set()
    for p in [spec.lead, *spec.cooperating]:
        if p.department.pk in seen:
            errors.append(f"“{p.department.name}”重复出现在参与部门中。")
        seen.add(p.department.pk)
        _check_participant(p, region_code, errors)
    if spec.window_to < spec.window_from:
        errors.append("检查结束日期早于开始日期。")
    elif spec.window_to < (today := today or timezone.localdate()):
        errors.append(
            f"检查期间（{spec.window_from.isoformat()} 至 {spec.window_to.isoformat()}）已全部早于今天"
            f"（{today.isoformat()}），无法按期检查，请调整检查期间。"
        )
    if spec.group_size < 2:
        errors.append("每组检查人员不得少于 2 人。")
    if spec.inspector_cap is not None and spec.inspector_cap < 1:
        errors.append("每名检查人员最多检查对象数须至少为 1。")
    if spec.source == TaskSource.PLAN:
        plan = spec.plan
        if plan is None:
            errors.append("来源为年度计划的任务须选择年度计划。")
        elif plan.status != PlanStatus.PUBLISHED:
            errors.append(f"年度计划“{plan.title}”尚未发布（或已被调整版本替代）。")
        elif plan.owner_id != lead.pk and not plan.participants.filter(pk=lead.pk).exists():
            errors.append(f"年度计划“{plan.title}”不是牵头部门的计划。")
    elif spec.source == TaskSource.TEMPORARY:
        if not spec.justification.strip():
            errors.append("临时任务须说明依据（如投诉举报、上级交办）。")
    else:
        errors.append("任务来源无效。")
    errors += pop.check_population(spec.population)
    strata, strata_errors = normalise_strata(spec.strata, spec.stratify)
    errors += strata_errors
    if not strata_errors:
        task_items = [(p.department, c.item_version) for p in [spec.lead, *spec.cooperating] for c in p.items]
        plan = spec.plan if spec.source == TaskSource.PLAN else None
        errors += ratio_errors(strata, ratio_floor(task_items, plan))
    return strata, errors


def _next_code(region_code: str, year: int) -> str:
    prefix = f"{region_code}-{year}-"
    n = Task.objects.filter(code__startswith=prefix).count() + 1
    while Task.objects.filter(code=f"{prefix}{n:03d}").exists():
        n += 1
    return f"{prefix}{n:03d}"


def _write_participants(task: Task, spec: TaskSpec) -> None:
    for role, p in [(TaskParticipant.Role.LEAD, spec.lead)] + [
        (TaskParticipant.Role.COOPERATING, c) for c in spec.cooperating
    ]:
        tp = TaskParticipant.objects.create(
            task=task, department=p.department, unit=p.unit, role=role, experts=p.experts
        )
        for choice in p.items:
            TaskItem.objects.create(participant=tp, item_version=choice.item_version, methods=list(choice.methods))


def _apply(task: Task, spec: TaskSpec, strata: dict) -> None:
    task.title = spec.title.strip()
    task.lead = spec.lead.department
    task.region_id = spec.lead.department.region_id
    task.is_joint = bool(spec.cooperating)
    task.source = spec.source
    task.plan = spec.plan if spec.source == TaskSource.PLAN else None
    task.justification = spec.justification.strip()
    task.population = dict(spec.population)
    task.stratify = spec.stratify
    task.strata = strata
    task.window_from = spec.window_from
    task.window_to = spec.window_to
    task.group_size = spec.group_size
    task.inspector_cap = spec.inspector_cap
    task.notes = spec.notes
    task.year = spec.year or (spec.plan.year if task.plan is not None else spec.window_from.year)


def create_task(spec: TaskSpec, user, today: dt.date | None = None) -> Task:
    org = getattr(user, "organisation", None)
    # The creating unit runs the task unless another is named.
    if (
        spec.lead.unit is None
        and org is not None
        and org.kind == Organisation.Kind.UNIT
        and org.parent_id == spec.lead.department.pk
    ):
        spec.lead.unit = org
    strata, errors = validate(spec, today)
    if errors:
        raise TaskRuleError(errors)
    for _ in range(3):
        try:
            with transaction.atomic(), acting(actor=user, action="tasks.create"):
                task = Task(created_by=user)
                _apply(task, spec, strata)
                task.code = _next_code(task.region_id, task.year)
                task.save()
                _write_participants(task, spec)
            return task
        except IntegrityError:  # two tasks numbered at once: take the next number
            continue
    raise TaskRuleError("任务编号冲突，请重试。")


def update_task(task: Task, spec: TaskSpec, user, reason: str = "") -> Task:
    strata, errors = validate(spec)
    if errors:
        raise TaskRuleError(errors)
    with transaction.atomic(), acting(actor=user, action="tasks.update", reason=reason):
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != TaskStatus.DRAFT:
            raise TaskRuleError("任务已冻结抽取，参数不可再修改；如需调整，请申请作废后新建任务。")
        _apply(task, spec, strata)
        task.save()
        for p in task.participants.all():
            p.items.all().delete()
            p.delete()
        _write_participants(task, spec)
    return task


def cancel_task(task: Task, user, reason: str) -> Task:
    if not reason.strip():
        raise TaskRuleError("撤销任务须填写原因。")
    with transaction.atomic(), acting(actor=user, action="tasks.cancel", reason=reason):
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != TaskStatus.DRAFT:
            raise TaskRuleError("已冻结抽取的任务不能撤销；请申请作废抽取。")
        task.status = TaskStatus.CANCELLED
        task.save()
    return task


def spec_of(task: Task) -> TaskSpec:
    """The spec a task was made from (to edit it or copy it)."""
    parts = list(task.participants.select_related("department", "unit").prefetch_related("items__item_version__item"))

    def ps(p: TaskParticipant) -> ParticipantSpec:
        return ParticipantSpec(
            department=p.department,
            unit=p.unit,
            experts=p.experts,
            items=[ItemChoice(i.item_version, list(i.methods)) for i in p.items.all()],
        )

    lead = next(p for p in parts if p.role == TaskParticipant.Role.LEAD)
    return TaskSpec(
        title=task.title,
        lead=ps(lead),
        cooperating=[ps(p) for p in parts if p.role != TaskParticipant.Role.LEAD],
        window_from=task.window_from,
        window_to=task.window_to,
        strata=dict(task.strata),
        stratify=task.stratify,
        population=dict(task.population),
        source=task.source,
        plan=task.plan,
        justification=task.justification,
        group_size=task.group_size,
        inspector_cap=task.inspector_cap,
        notes=task.notes,
        year=task.year,
    )


# --- Preview --------------------------------------------------------------------------------


_PARTICIPANT_ITEMS = ("items__item_version__item", "items__item_version__inspector_requirements")


def with_participants(task: Task) -> Task:
    """The task with its participants (departments, units) read once, for a page that asks for
    them several times (``participants_lead_first``, the access checks' ``participant_of``).
    Only the rows are cached: a filtered ``task.participants`` query still costs one query."""
    prefetch_related_objects(
        [task], Prefetch("participants", queryset=TaskParticipant.objects.select_related("department", "unit"))
    )
    return task


def participants_lead_first(task: Task) -> list[TaskParticipant]:
    cached = getattr(task, "_prefetched_objects_cache", {}).get("participants")
    if cached is None:
        parts = list(task.participants.select_related("department", "unit").prefetch_related(*_PARTICIPANT_ITEMS))
    else:
        parts = list(cached)
        prefetch_related_objects(parts, *_PARTICIPANT_ITEMS)  # once: fetched lookups are skipped
    return sorted(parts, key=lambda p: (p.role != TaskParticipant.Role.LEAD, p.pk))


def required_specialties(participant: TaskParticipant) -> set[str]:
    codes: set[str] = set()
    for ti in participant.items.all():
        codes |= {t.code for t in ti.item_version.inspector_requirements.all()}
    return codes


def assignment_params(task: Task, participant: TaskParticipant) -> AssignmentParams:
    return AssignmentParams(
        departments={
            str(participant.department_id): DepartmentRequirement(
                g=task.group_size, experts=participant.experts, specialties=frozenset(required_specialties(participant))
            )
        },
        window_from=task.window_from.isoformat(),
        window_to=task.window_to.isoformat(),
        cap=task.inspector_cap,
        rotation=True,
    )


STAGE_LABELS = {
    "department": "本部门在册",
    "active": "在岗",
    "certificate": "执法证在检查期间有效",
    "training": "已参加培训",
    "leave": "检查期间不在休假",
    "specialties": "具备所需专业",
}


@dataclass
class StratumPreview:
    key: str
    label: str
    population: int
    excluded: int
    ratio: str
    sample: int
    reserves: int

    @property
    def percent(self) -> str:
        """The ratio as every page shows it ("5%")."""
        return percent_text(self.ratio)


@dataclass
class DepartmentPreview:
    participant: TaskParticipant
    specialties: list[str]
    stages: list[tuple[str, int]]
    eligible: int
    needed: int
    experts_eligible: int | None = None


@dataclass
class Preview:
    strata: list[StratumPreview]
    departments: list[DepartmentPreview]
    errors: list[str]
    warnings: list[str]
    conditions: list[str]

    @property
    def population(self) -> int:
        return sum(s.population for s in self.strata)

    @property
    def sample(self) -> int:
        return sum(s.sample for s in self.strata)

    @property
    def excluded(self) -> int:
        return sum(s.excluded for s in self.strata)

    @property
    def ok(self) -> bool:
        return not self.errors


def preview(task: Task, today: dt.date | None = None) -> Preview:
    """What a freeze would produce, without freezing anything."""
    from shuangsuiji.tags.models import Tag

    today = today or timezone.localdate()
    errors: list[str] = []
    warnings: list[str] = []
    parts = participants_lead_first(task)
    task_items = [(p.department, ti.item_version) for p in parts for ti in p.items.all()]
    errors += ratio_errors(task.strata, ratio_floor(task_items, task.plan))
    population = pop.count_population(task, today)
    counts = population.counts
    excluded = population.excluded
    rows = []
    for key, rule in task.strata.items():
        n_pop = counts.get(key, 0)
        n = sample_size(
            n_pop, StratumRule(rule["ratio"], rule.get("min") or 0, rule.get("max"), rule.get("reserves") or 0)
        )
        rows.append(
            StratumPreview(
                key, stratum_label(key), n_pop, excluded.get(key, 0), rule["ratio"], n, rule.get("reserves") or 0
            )
        )
    total = sum(r.sample for r in rows)
    if not total:
        errors.append("按当前条件抽取数为 0：请检查抽查范围和比例。")
    types = set((task.population or {}).get("target_types") or [])
    if not types:  # no condition: the types actually in the population
        types = population.target_types
    type_labels = dict(TargetType.choices)
    depts = []
    for p in parts:
        for ti in p.items.all():
            iv = ti.item_version
            if types and iv.target_types and not types <= set(iv.target_types):
                missing = "、".join(type_labels.get(t, t) for t in sorted(types - set(iv.target_types)))
                warnings.append(f"{p.department.name}事项“{iv.item.code}”的检查对象类型不含：{missing}。")
        params = assignment_params(task, p)
        candidates = draw_candidates(p.department, (task.window_from, task.window_to))
        try:
            stages = eligibility(candidates, params)[str(p.department_id)]
        except DrawError as exc:
            errors.append(f"{p.department.name}：检查人员数据有误（{exc}）。")
            continue
        enforcement = stages["inspectors"]
        eligible = enforcement[-1][1]
        needed = task.group_size
        if task.inspector_cap and total:
            needed = max(needed, math.ceil(total * task.group_size / task.inspector_cap))
        specs = sorted(required_specialties(p))
        names = dict(Tag.objects.filter(code__in=specs).values_list("code", "name"))
        spec_names = [names.get(c, c) for c in specs]
        if eligible < needed:
            failed = next((name for name, count in enforcement if count < needed), enforcement[-1][0])
            stage = STAGE_LABELS.get(failed, failed)
            msg = f"{p.department.name}：符合条件的执法检查人员 {eligible} 人，少于所需 {needed} 人（卡在“{stage}”）"
            if failed == "specialties":
                msg += f"；所需专业：{'、'.join(spec_names)}"
            errors.append(msg + "。可请上级或相邻地区支援后再抽取。")
        experts_eligible = None
        if p.experts:
            experts_eligible = stages["experts"][-1][1]
            if experts_eligible < p.experts:
                errors.append(
                    f"{p.department.name}：符合条件的专家 {experts_eligible} 人，少于每组所需 {p.experts} 人。"
                )
        depts.append(
            DepartmentPreview(
                p, spec_names, [(STAGE_LABELS.get(n, n), c) for n, c in enforcement], eligible, needed, experts_eligible
            )
        )
    return Preview(rows, depts, errors, warnings, pop.describe(task))
