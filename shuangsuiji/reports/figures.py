"""Every figure of the report forms, the dashboard and the supervision page: one function each,
documented with its counting rule. Nothing else in the platform counts for a report.

Common rules:
- A **batch** (抽查批次) is a task of the year with a drawn, not voided, target draw
  (``Draw.kind = targets, status = drawn``). Voided draws never count.
- The **businesses inspected** (抽查数量（户）) of a batch are the drawn targets of that draw
  that are current (``replaced_by`` empty: a reserve that took a place counts, the one it
  replaced does not).
- **Scope of a reporting organisation**: an office (领导小组办公室) reports on every
  department of its region and the regions below; a department on itself, its units and the
  departments of its line below it (the organisation subtree).
- **Lead-department rule** (seed 001 annex, note 1): batches, counts and publications of a
  joint task are counted only by its lead department (牵头部门); cases and fines by each
  participating department, for its own results.
- Results count when determined (已认定, the current version; superseded versions never).

Figures that need follow-ups (``shuangsuiji.followups``) or publications
(``shuangsuiji.publicity``) read them through the functions at the end of this module; when
the app is not installed (or its model does not have the fields read), they answer ``None``
and the forms print "未接入".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Q, QuerySet
from django.utils import timezone

from shuangsuiji.inspections.models import DepartmentPart, ItemOutcome, ItemResult, PartStatus, RegisterField
from shuangsuiji.orgs.models import Organisation, Region
from shuangsuiji.tasks.models import Assignment, Draw, DrawKind, DrawnTarget, DrawStatus, Task

NOT_CONNECTED = "未接入"

# Publication channels of the annual table (seed 001 annex), in its column order.
CHANNELS = (
    ("gsxt", "公示系统"),
    ("professional", "专业系统"),
    ("website", "部门网站"),
)
# Follow-up type codes read from ``followups.FollowUp.type_code``.
# Codes of the follow-up codebook (``followups.FollowUpType``, version 2026).
CASE_TYPES = ("03", "04")  # 发现案件线索，移送办案机构; 立案
GUIDANCE_TYPES = ("01",)  # 行政指导（教育、建议、提醒）
ABNORMAL_TYPES = ("07",)  # 列入经营异常名录


# --- scope ---------------------------------------------------------------------------------------


def org_scope_q(org: Organisation, field: str) -> Q:
    """Organisations (through ``field``, an Organisation foreign key) a report of ``org`` covers."""
    if org.kind == Organisation.Kind.OFFICE:
        return Q(**{f"{field}__region__path__startswith": org.region.path})
    dept = org.department or org
    return Q(**{f"{field}__path__startswith": dept.path})


def own_level_q(org: Organisation, field: str) -> Q:
    """Organisations of ``org``'s own region only (本级: the monthly form's line 4)."""
    return org_scope_q(org, field) & Q(**{f"{field}__region_id": org.region_id})


def below_q(org: Organisation, field: str) -> Q:
    """Organisations of the regions below ``org``'s region (line 5: 各县（市、区）)."""
    return org_scope_q(org, field) & ~Q(**{f"{field}__region_id": org.region_id})


def _month_range(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    return start, dt.datetime(ny, nm, 1, tzinfo=tz)


def drawn_draws(**filters) -> QuerySet[Draw]:
    """Target draws that count (drawn, not voided)."""
    return Draw.objects.filter(kind=DrawKind.TARGETS, status=DrawStatus.DRAWN, **filters)


def batch_draws(org: Organisation, year: int, *, joint: bool | None = None, level: str | None = None):
    """The counted draws of the batches ``org`` reports for ``year``, by the lead-department rule:
    the task's lead department lies in ``org``'s scope. ``level``: the lead's region level
    (city / county), the rows of the annual table."""
    q = org_scope_q(org, "task__lead") & Q(task__year=year)
    if joint is not None:
        q &= Q(task__is_joint=joint)
    if level is not None:
        q &= Q(task__lead__region__level=level)
    return drawn_draws().filter(q)


def current_targets(draws) -> QuerySet[DrawnTarget]:
    return DrawnTarget.objects.filter(draw__in=draws, replaced_by__isnull=True)


# --- annual statistics table (seed 001 annex) ----------------------------------------------------


def annual_batches(org: Organisation, year: int, joint: bool, level: str) -> int:
    """抽查批次: tasks of ``year`` with a counted draw whose lead department is in scope
    (a cooperating department does not count the joint task)."""
    return batch_draws(org, year, joint=joint, level=level).values("task_id").distinct().count()


def annual_targets(org: Organisation, year: int, joint: bool, level: str) -> int:
    """抽查数量（户）: current drawn targets of those batches (lead department only)."""
    return current_targets(batch_draws(org, year, joint=joint, level=level)).count()


def annual_publications(org: Organisation, year: int, joint: bool, level: str) -> dict[str, int] | None:
    """抽查结果公示数量（户） per channel: businesses of those batches (lead department only)
    with a published result on that channel. ``None``: publicity not connected."""
    task_ids = batch_draws(org, year, joint=joint, level=level).values("task_id")
    return publications_by_channel(Q(part__record__task_id__in=task_ids))


def annual_cases(org: Organisation, year: int, joint: bool, level: str) -> int | None:
    """双随机抽查案件数（件）: follow-ups of type case (立案) of results entered by the
    participating departments in scope, for the tasks of ``year`` of that row (any lead)."""
    return follow_up_cases(_participant_q(org, year, joint, level))


def annual_fines(org: Organisation, year: int, joint: bool, level: str) -> Decimal | None:
    """案件处罚金额（万元）: fines (万元 in the follow-up) of those cases, to 4 places."""
    return follow_up_fines(_participant_q(org, year, joint, level))


def _participant_q(org, year, joint, level) -> Q:
    return (
        org_scope_q(org, "part__department")
        & Q(part__record__task__year=year, part__record__task__is_joint=joint)
        & Q(part__record__task__lead__region__level=level)
    )


# --- monthly report (seed 000 annex) -------------------------------------------------------------


@dataclass
class MonthDraw:
    task: Task
    draw: Draw
    population: str
    count: int
    population_count: int
    items: list[str]
    published: dict[str, int] | None

    @property
    def ratio(self) -> str:
        if not self.population_count:
            return "—"
        return f"{self.count / self.population_count * 100:.1f}%"


def monthly_draws(org: Organisation, year: int, month: int) -> list[MonthDraw]:
    """Line 4: the counted target draws drawn in the month, of tasks led at ``org``'s own level
    (本级), each with its task (documents), population, count, ratio (count / frame after
    exclusions), items with sub-items and publications."""
    from shuangsuiji.tasks.population import describe
    from shuangsuiji.tasks.services import participants_lead_first

    start, end = _month_range(year, month)
    draws = (
        drawn_draws(drawn_at__gte=start, drawn_at__lt=end)
        .filter(own_level_q(org, "task__lead"))
        .select_related("task")
        .order_by("drawn_at", "pk")
    )
    out = []
    for d in draws:
        items = []
        for p in participants_lead_first(d.task):
            for ti in p.items.select_related("item_version__item").prefetch_related("item_version__sub_items"):
                subs = "、".join(s.name for s in ti.item_version.sub_items.all())
                label = f"{ti.item_version.item.code} {ti.item_version.name}"
                items.append(f"{label}（子项：{subs}）" if subs else label)
        out.append(
            MonthDraw(
                task=d.task,
                draw=d,
                population="；".join(describe(d.task)),
                count=current_targets([d]).count(),
                population_count=d.population_count,
                items=items,
                published=publications_by_channel(Q(part__record__task_id=d.task_id)),
            )
        )
    return out


@dataclass
class Counts:
    inspections: int
    targets: int
    published: int | None


def period_counts(org: Organisation, start: dt.datetime, end: dt.datetime, where: Q) -> Counts:
    draws = drawn_draws(drawn_at__gte=start, drawn_at__lt=end).filter(where)
    by_channel = publications_by_channel(Q(part__record__task_id__in=draws.values("task_id")), distinct_total=True)
    return Counts(
        inspections=draws.count(),
        targets=current_targets(draws).count(),
        published=None if by_channel is None else by_channel["total"],
    )


def monthly_below(org: Organisation, year: int, month: int) -> Counts:
    """Line 5: draws (次) drawn in the month by departments of the regions below, their
    current targets (个) and businesses with a published result (个)."""
    start, end = _month_range(year, month)
    return period_counts(org, start, end, below_q(org, "task__lead"))


def quarter_counts(org: Organisation, year: int, quarter: int) -> Counts:
    """The quarterly report: draws (次), current targets (个) and published (个) of the quarter,
    over the whole scope (本级 and below)."""
    start, _ = _month_range(year, quarter * 3 - 2)
    _, end = _month_range(year, quarter * 3)
    return period_counts(org, start, end, org_scope_q(org, "task__lead"))


# --- joint-task statistics table (seed 002 annex) ------------------------------------------------


def joint_draws(org: Organisation, year: int):
    """The counted target draws of the year's joint tasks led in ``org``'s scope."""
    return batch_draws(org, year, joint=True)


def _determined_parts(org: Organisation, year: int) -> QuerySet[DepartmentPart]:
    return DepartmentPart.objects.filter(
        status=PartStatus.DETERMINED, record__task_id__in=joint_draws(org, year).values("task_id")
    )


def joint_targets(org: Organisation, year: int) -> int:
    """随机抽查企业（户）: distinct current drawn targets of the joint tasks."""
    return current_targets(joint_draws(org, year)).values("target_id").distinct().count()


def joint_inspectors(org: Organisation, year: int) -> int:
    """随机抽取执法人员（人）: distinct inspectors with a current assignment (not ended by a
    substitute draw) in a drawn inspector draw of those target draws."""
    return (
        Assignment.objects.filter(
            draw__target_draw__in=joint_draws(org, year), draw__status=DrawStatus.DRAWN, ended_at__isnull=True
        )
        .values("inspector_id")
        .distinct()
        .count()
    )


def joint_problem_items(org: Organisation, year: int) -> int:
    """发现问题事项（项）: item results "发现问题" in the determined parts of those tasks."""
    return ItemResult.objects.filter(part__in=_determined_parts(org, year), outcome=ItemOutcome.PROBLEM).count()


def joint_problem_targets(org: Organisation, year: int) -> int:
    """发现问题企业（个）: distinct targets with a determined part that found a problem (a result
    code marked 发现问题, or an item result 发现问题)."""
    parts = _determined_parts(org, year).filter(
        Q(codes__code__found_problem=True) | Q(item_results__outcome=ItemOutcome.PROBLEM)
    )
    return parts.values("record__target_id").distinct().count()


def joint_guidance(org: Organisation, year: int) -> int | None:
    """行政指导（户）: distinct targets with a follow-up of type guidance."""
    return follow_up_targets(_joint_followup_q(org, year), GUIDANCE_TYPES)


def joint_abnormal(org: Organisation, year: int) -> int:
    """应列异常名录（户）: distinct targets whose determined result proposes listing in the
    abnormal-operation register (result code "通过登记的住所（经营场所）无法联系"), together with
    targets with a follow-up of type 列入经营异常名录 when follow-ups are connected."""
    targets = set(
        _determined_parts(org, year)
        .filter(codes__code__register_field=RegisterField.ABNORMAL)
        .values_list("record__target_id", flat=True)
    )
    targets |= follow_up_target_ids(_joint_followup_q(org, year), ABNORMAL_TYPES) or set()
    return len(targets)


def joint_cases(org: Organisation, year: int) -> int | None:
    """涉嫌违法应立案调查（户）: distinct targets with a follow-up of type case."""
    return follow_up_targets(_joint_followup_q(org, year), CASE_TYPES)


def _joint_followup_q(org, year) -> Q:
    return Q(part__status=PartStatus.DETERMINED, part__record__task_id__in=joint_draws(org, year).values("task_id"))


# --- regions -------------------------------------------------------------------------------------


def regions_below(org: Organisation) -> QuerySet[Region]:
    return Region.objects.filter(parent_id=org.region_id).order_by("code")


# --- follow-ups and publications (other apps; "未接入" when absent) -------------------------------


def _model(app_label: str, name: str):
    if not apps.is_installed(f"shuangsuiji.{app_label}"):
        return None
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def publications_by_channel(where: Q, *, distinct_total: bool = False) -> dict[str, int] | None:
    """Businesses (distinct ``part.record.target``) with a publication row on each channel:
    ``publicity.Publication`` (``part`` → DepartmentPart, ``channel`` one of ``CHANNELS``).
    With ``distinct_total`` the dict has "total": businesses published on any channel."""
    model = _model("publicity", "Publication")
    if model is None:
        return None
    try:
        rows = model.objects.filter(where)
        out = {
            code: rows.filter(channel=code).values("part__record__target_id").distinct().count()
            for code, _label in CHANNELS
        }
        if distinct_total:
            out["total"] = rows.values("part__record__target_id").distinct().count()
    except FieldError:
        return None
    return out


def _follow_ups(where: Q, types: tuple[str, ...]):
    model = _model("followups", "FollowUp")
    if model is None:
        return None
    try:
        qs = model.objects.filter(where, type__code__in=types)
        qs.query.get_compiler(using=qs.db).as_sql()  # unknown fields raise here, not later
    except FieldError:
        return None
    return qs


def follow_up_cases(where: Q) -> int | None:
    """Follow-ups of type case (``followups.FollowUp``, ``part`` → DepartmentPart,
    ``type.code`` in ``CASE_TYPES``) matching ``where`` (件)."""
    qs = _follow_ups(where, CASE_TYPES)
    return None if qs is None else qs.count()


def follow_up_fines(where: Q) -> Decimal | None:
    """Sum of ``FollowUp.fine_wan`` (万元, exact) of those cases, to 4 places."""
    from django.db.models import Sum

    qs = _follow_ups(where, CASE_TYPES)
    if qs is None:
        return None
    total = qs.aggregate(s=Sum("fine_wan"))["s"] or Decimal(0)
    return Decimal(total).quantize(Decimal("0.0001"))


def follow_up_target_ids(where: Q, types: tuple[str, ...]) -> set[int] | None:
    qs = _follow_ups(where, types)
    return None if qs is None else set(qs.values_list("part__record__target_id", flat=True))


def follow_up_targets(where: Q, types: tuple[str, ...]) -> int | None:
    ids = follow_up_target_ids(where, types)
    return None if ids is None else len(ids)


def follow_ups_overdue(where: Q, today: dt.date) -> list | None:
    """Open follow-ups past their deadline (``FollowUp.due_on`` < today, ``closed_at`` empty),
    for the supervision page; ``None`` when follow-ups are not connected."""
    model = _model("followups", "FollowUp")
    if model is None:
        return None
    try:
        return list(model.objects.filter(where, due_on__lt=today, closed_at__isnull=True).order_by("due_on")[:500])
    except FieldError:
        return None


def show(value) -> str:
    """A figure as a form prints it ("未接入" for a figure whose app is not connected)."""
    if value is None:
        return NOT_CONNECTED
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value else "0"
    return str(value)


# --- KPI dashboard --------------------------------------------------------------------------------


@dataclass
class Kpi:
    key: str
    label: str
    numerator: int | None
    denominator: int | None
    rule: str
    task_ids: list[int] | None = None  # the tasks behind the figure (the drill-down)

    @property
    def percent(self) -> str:
        if self.numerator is None or self.denominator is None:
            return NOT_CONNECTED
        if not self.denominator:
            return "—"
        return f"{self.numerator / self.denominator * 100:.1f}%"


def _task_ids(draws) -> list[int]:
    return sorted(set(draws.values_list("task_id", flat=True)))


def kpi_joint_share(org: Organisation, year: int) -> Kpi:
    """部门联合抽查占比: joint batches / all batches (lead-department rule)."""
    draws = batch_draws(org, year)
    joint = draws.filter(task__is_joint=True)
    return Kpi(
        "joint_share", "部门联合抽查占比", joint.count(), draws.count(), "联合抽查批次 / 全部抽查批次", _task_ids(joint)
    )


def kpi_credit_risk_share(org: Organisation, year: int) -> Kpi:
    """信用风险分类抽查占比 (seed 003 asks 100%): batches drawn stratified by credit-risk class / all."""
    draws = batch_draws(org, year)
    risk = draws.filter(task__stratify=True)
    return Kpi(
        "credit_risk_share", "按信用风险分类抽查占比", risk.count(), draws.count(), "分层抽取批次 / 全部抽查批次",
        _task_ids(risk),
    )  # fmt: skip


def _parts(org: Organisation, year: int):
    return DepartmentPart.objects.filter(
        org_scope_q(org, "department"), status=PartStatus.DETERMINED, record__task__year=year
    )


def kpi_problem_rate(org: Organisation, year: int) -> Kpi:
    """问题发现率: determined department results that found a problem (a result code marked
    发现问题, or an item result 发现问题) / determined department results, of departments in scope."""
    parts = _parts(org, year)
    problems = parts.filter(
        Q(codes__code__found_problem=True) | Q(item_results__outcome=ItemOutcome.PROBLEM)
    ).distinct()
    return Kpi(
        "problem_rate", "问题发现率", problems.count(), parts.count(), "发现问题的检查结果 / 已认定的检查结果",
        sorted(set(problems.values_list("record__task_id", flat=True))),
    )  # fmt: skip


def kpi_on_time_entry(org: Organisation, year: int) -> Kpi:
    """按时认定率: determined results whose determination date lies within the task's inspection
    window (on or before ``window_to``) / determined results."""
    from django.db.models import F

    parts = _parts(org, year)
    on_time = parts.filter(determined_on__lte=F("record__task__window_to"))
    return Kpi(
        "on_time_entry", "检查结果按时认定率", on_time.count(), parts.count(), "检查期限内认定的结果 / 已认定的结果",
        sorted(set(parts.values_list("record__task_id", flat=True))),
    )  # fmt: skip


def kpi_on_time_publication(org: Organisation, year: int) -> Kpi:
    """按时公示率: determined results published (publicity) on or before ``publication_due_on``
    (20 working days) / determined results past or at their deadline. Not connected without publicity."""
    model = _model("publicity", "Publication")
    parts = _parts(org, year)
    if model is None:
        return Kpi("on_time_publication", "检查结果按时公示率", None, None, "20 个工作日内公示的结果 / 已认定的结果")
    try:
        from django.db.models import Exists, OuterRef

        timely = model.objects.filter(part=OuterRef("pk"), published_on__lte=OuterRef("publication_due_on"))
        n = parts.filter(Exists(timely)).count()
    except FieldError:
        return Kpi("on_time_publication", "检查结果按时公示率", None, None, "20 个工作日内公示的结果 / 已认定的结果")
    return Kpi("on_time_publication", "检查结果按时公示率", n, parts.count(), "20 个工作日内公示的结果 / 已认定的结果")


def kpi_follow_up_closure(org: Organisation, year: int) -> Kpi:
    """后续处置办结率: closed follow-ups (``closed_at`` set) / follow-ups, of results of the year."""
    model = _model("followups", "FollowUp")
    label, rule = "后续处置办结率", "已办结的后续处置 / 全部后续处置"
    if model is None:
        return Kpi("follow_up_closure", label, None, None, rule)
    try:
        qs = model.objects.filter(org_scope_q(org, "part__department"), part__record__task__year=year)
        return Kpi("follow_up_closure", label, qs.filter(closed_at__isnull=False).count(), qs.count(), rule)
    except FieldError:
        return Kpi("follow_up_closure", label, None, None, rule)


def kpi_follow_up_overdue(org: Organisation, year: int, today: dt.date) -> Kpi:
    """后续处置逾期率: open follow-ups past ``due_on`` / follow-ups."""
    model = _model("followups", "FollowUp")
    label, rule = "后续处置逾期率", "逾期未办结的后续处置 / 全部后续处置"
    if model is None:
        return Kpi("follow_up_overdue", label, None, None, rule)
    try:
        qs = model.objects.filter(org_scope_q(org, "part__department"), part__record__task__year=year)
        late = qs.filter(closed_at__isnull=True, due_on__lt=today).count()
        return Kpi("follow_up_overdue", label, late, qs.count(), rule)
    except FieldError:
        return Kpi("follow_up_overdue", label, None, None, rule)


def kpi_repeat_inspections(org: Organisation, year: int) -> Kpi:
    """多部门重复抽查: businesses drawn in the year by batches of two or more different lead
    departments (the burden joint inspections should remove) / businesses drawn."""
    from django.db.models import Count

    rows = (
        current_targets(batch_draws(org, year))
        .values("target_id")
        .annotate(leads=Count("draw__task__lead", distinct=True))
    )
    repeated = [r["target_id"] for r in rows if r["leads"] > 1]
    tasks = (
        current_targets(batch_draws(org, year)).filter(target_id__in=repeated).values_list("draw__task_id", flat=True)
    )
    return Kpi(
        "repeat_inspections", "被多个部门重复抽查的对象占比", len(repeated), len(rows),
        "被两个及以上牵头部门抽中的对象 / 被抽中的对象", sorted(set(tasks)),
    )  # fmt: skip


def item_coverage(org: Organisation, year: int) -> list[dict]:
    """事项覆盖: for each item of the year's counted batches in scope, the highest achieved ratio
    (current drawn targets / frame size of the draw) against the item's minimum ratio."""
    from django.db.models import Count

    from shuangsuiji.tasks.models import TaskItem

    draws = {d.task_id: d for d in batch_draws(org, year)}
    counts = {
        row["draw__task_id"]: row["n"]
        for row in current_targets(draws.values()).values("draw__task_id").annotate(n=Count("pk"))
    }
    out: dict[int, dict] = {}
    for ti in TaskItem.objects.filter(participant__task_id__in=draws).select_related(
        "item_version__item", "participant"
    ):
        d = draws[ti.participant.task_id]
        achieved = Decimal(counts.get(d.task_id, 0)) / Decimal(d.population_count) if d.population_count else Decimal(0)
        item = ti.item_version.item
        row = out.setdefault(
            item.pk,
            {
                "item": f"{item.code} {ti.item_version.name}",
                "min": ti.item_version.min_ratio,
                "achieved": Decimal(0),
                "tasks": set(),
            },
        )
        row["achieved"] = max(row["achieved"], achieved)
        row["tasks"].add(d.task_id)
    rows = sorted(out.values(), key=lambda r: r["item"])
    for r in rows:
        r["met"] = r["achieved"] >= r["min"]
        r["tasks"] = sorted(r["tasks"])
    return rows


def inspector_workload(org: Organisation, year: int) -> list[tuple[int, int]]:
    """检查人员工作量分布: (targets per inspector, number of inspectors) over the current
    assignments of the year's drawn inspector draws of departments in scope."""
    from django.db.models import Count

    loads = (
        Assignment.objects.filter(
            org_scope_q(org, "draw__department"),
            draw__status=DrawStatus.DRAWN,
            draw__task__year=year,
            ended_at__isnull=True,
        )
        .values("inspector_id")
        .annotate(n=Count("target_id", distinct=True))
    )
    hist: dict[int, int] = {}
    for row in loads:
        hist[row["n"]] = hist.get(row["n"], 0) + 1
    return sorted(hist.items())


def kpis(org: Organisation, year: int, today: dt.date) -> list[Kpi]:
    """Every ratio of the dashboard, in its order (the screen and the xlsx export read this)."""
    return [
        kpi_joint_share(org, year),
        kpi_credit_risk_share(org, year),
        kpi_problem_rate(org, year),
        kpi_on_time_entry(org, year),
        kpi_on_time_publication(org, year),
        kpi_follow_up_closure(org, year),
        kpi_follow_up_overdue(org, year, today),
        kpi_repeat_inspections(org, year),
    ]
