"""Every figure of the report forms, the dashboard and the supervision page: one function each,
documented with its counting rule. Nothing else in the platform counts for a report.

These functions compute live from the records: the reference. The annual table and the
dashboard read the same figures from the summary kept current by ``summary.py``, which
recomputes one task at a time with these functions' querysets restricted to the task.

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

Follow-ups come from ``shuangsuiji.followups`` and publications from ``shuangsuiji.publicity``
(a result publication names its department part; its ``late`` flag is publicity's one rule for
the 20-working-day deadline).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from shuangsuiji.followups.models import FollowUp
from shuangsuiji.inspections.models import DepartmentPart, ItemOutcome, ItemResult, PartStatus, RegisterField
from shuangsuiji.orgs.models import Organisation, Region
from shuangsuiji.publicity.models import Kind as PublicationKind
from shuangsuiji.publicity.models import Publication
from shuangsuiji.tasks.models import Assignment, Draw, DrawKind, DrawnTarget, DrawStatus, Task

# Publication channels of the annual table (seed 001 annex), in its column order.
CHANNELS = (
    ("gsxt", "公示系统"),
    ("professional", "专业系统"),
    ("department", "部门网站"),
)
# Follow-up type codes read from ``followups.FollowUp.type_code``.
# Codes of the follow-up codebook (``followups.FollowUpType``, version 2026).
CASE_TYPES = ("03", "04")  # 发现案件线索，移送办案机构; 立案
GUIDANCE_TYPES = ("01",)  # 行政指导（教育、建议、提醒）
ABNORMAL_TYPES = ("07",)  # 列入经营异常名录


# --- scope ---------------------------------------------------------------------------------------


def scope_ids(org: Organisation) -> list[int]:
    """The organisations a report of ``org`` covers (one small query)."""
    if org.kind == Organisation.Kind.OFFICE:
        qs = Organisation.objects.filter(region__path__startswith=org.region.path)
    else:
        qs = Organisation.objects.filter(path__startswith=(org.department or org).path)
    return sorted(qs.values_list("pk", flat=True))


def org_scope_q(org: Organisation, field: str) -> Q:
    """Organisations (through ``field``, an Organisation foreign key) a report of ``org`` covers:
    their ids as a list (``field__in``), not a join on the region or organisation path, so that
    PostgreSQL estimates the rows of a scope from the foreign key's statistics (a path prefix is
    estimated at a few organisations: at a million results it then plans an index lookup per
    result instead of a hash join)."""
    return Q(**{f"{field}__in": scope_ids(org)})


@contextmanager
def heavy_reads():
    """Around a report that reads the million-row tables (the annual table, the dashboard): on
    PostgreSQL, within a transaction, enough ``work_mem`` for their hash joins and aggregates to
    stay in memory (the default 4 MB spills them to disk in batches) and no JIT compilation
    (it costs more than it saves on these plans). Nothing else changes; other databases: as is."""
    from django.db import connection, transaction

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
        yield


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

LEVELS = ("city", "county")  # the table's rows: the lead's region level (省辖市 / 县（市、区）)


def _empty_row() -> dict:
    return {
        "batches": 0,
        "targets": 0,
        **{code: 0 for code, _l in CHANNELS},
        "cases": 0,
        "fines": Decimal(0),
    }


def annual_table(org: Organisation, year: int) -> dict[tuple[bool, str], dict]:
    """Every figure of the annual table, by row ``(joint, level)``, in one pass per table:

    - 抽查批次 / 抽查数量（户）: the counted draws of the tasks of ``year`` whose lead department is in
      scope (a cooperating department does not count the joint task), their tasks and their
      current drawn targets (``batch_facts``);
    - 抽查结果公示数量（户） per channel: businesses of those batches with a published result of
      the lead department on that channel (``publications_by_row``);
    - 双随机抽查案件数（件） / 案件处罚金额（万元）: follow-ups of type case of results entered by the
      participating departments in scope, for the tasks of ``year`` of that row (any lead), and
      the sum of their fines (万元, to 4 places).
    """
    from django.db.models import Count, Sum

    rows = {(joint, level): _empty_row() for joint in (False, True) for level in LEVELS}
    tasks: dict[tuple[bool, str], set[int]] = {key: set() for key in rows}
    for b in batch_facts(org, year):
        key = (b.joint, b.level)
        if key in rows:
            tasks[key].add(b.task_id)
            rows[key]["targets"] += b.targets
    for key, ids in tasks.items():
        rows[key]["batches"] = len(ids)
    for key, by_channel in publications_by_row(org, year).items():
        if key in rows:
            rows[key].update(by_channel)
    cases = (
        FollowUp.objects.filter(
            org_scope_q(org, "part__department"),
            part__record__task__year=year,
            part__record__task__lead__region__level__in=LEVELS,
            type__code__in=CASE_TYPES,
        )
        .values_list("part__record__task__is_joint", "part__record__task__lead__region__level")
        .annotate(n=Count("pk"), fines=Sum("fine_wan"))
        .order_by()
    )
    for joint, level, n, fines in cases:
        rows[(joint, level)]["cases"] = n
        rows[(joint, level)]["fines"] = Decimal(fines or 0)
    for row in rows.values():
        row["fines"] = row["fines"].quantize(Decimal("0.0001"))
    return rows


@dataclass(frozen=True)
class Batch:
    """One counted draw of a batch (抽查批次) in scope: its task and what the dashboard reads."""

    task_id: int
    joint: bool
    stratified: bool
    level: str
    population_count: int
    targets: int  # current drawn targets


def batch_facts(org: Organisation, year: int) -> list[Batch]:
    """The counted draws of the batches ``org`` reports for ``year`` (lead-department rule), each
    with its current drawn targets: one grouped pass over the drawn targets."""
    from django.db.models import Count

    rows = (
        batch_draws(org, year)
        .values_list("pk", "task_id", "task__is_joint", "task__stratify", "task__lead__region__level",
                     "population_count")
        .annotate(n=Count("drawn_targets", filter=Q(drawn_targets__replaced_by__isnull=True)))
        .order_by()
    )  # fmt: skip
    return [Batch(t, j, s, lv, pc, n) for _pk, t, j, s, lv, pc, n in rows]


# --- monthly report (seed 000 annex) -------------------------------------------------------------


@dataclass
class MonthDraw:
    task: Task
    draw: Draw
    population: str
    count: int
    population_count: int
    items: list[str]
    published: dict[str, int]

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
    published: int


def period_counts(org: Organisation, start: dt.datetime, end: dt.datetime, where: Q) -> Counts:
    draws = drawn_draws(drawn_at__gte=start, drawn_at__lt=end).filter(where)
    by_channel = publications_by_channel(Q(part__record__task_id__in=draws.values("task_id")), distinct_total=True)
    return Counts(
        inspections=draws.count(),
        targets=current_targets(draws).count(),
        published=by_channel["total"],
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


def joint_guidance(org: Organisation, year: int) -> int:
    """行政指导（户）: distinct targets with a follow-up of type guidance."""
    return follow_up_targets(_joint_followup_q(org, year), GUIDANCE_TYPES)


def joint_abnormal(org: Organisation, year: int) -> int:
    """应列异常名录（户）: distinct targets whose determined result proposes listing in the
    abnormal-operation register (result code "通过登记的住所（经营场所）无法联系"), together with
    targets with a follow-up of type 列入经营异常名录."""
    targets = set(
        _determined_parts(org, year)
        .filter(codes__code__register_field=RegisterField.ABNORMAL)
        .values_list("record__target_id", flat=True)
    )
    targets |= follow_up_target_ids(_joint_followup_q(org, year), ABNORMAL_TYPES)
    return len(targets)


def joint_cases(org: Organisation, year: int) -> int:
    """涉嫌违法应立案调查（户）: distinct targets with a follow-up of type case."""
    return follow_up_targets(_joint_followup_q(org, year), CASE_TYPES)


def _joint_followup_q(org, year) -> Q:
    return Q(part__status=PartStatus.DETERMINED, part__record__task_id__in=joint_draws(org, year).values("task_id"))


# --- regions -------------------------------------------------------------------------------------


def regions_below(org: Organisation) -> QuerySet[Region]:
    return Region.objects.filter(parent_id=org.region_id).order_by("code")


# --- follow-ups and publications ----------------------------------------------------------------


def _result_publications():
    """Result publications (``publicity.Publication`` of kind result) in force: of a current
    (determined, not superseded) part, not withdrawn (withdrawal approved). Publicity publishes a
    part version once, so each row is one business of one batch (one record), as the counts."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    return (
        Publication.objects.filter(kind=PublicationKind.RESULT, part__status=PartStatus.DETERMINED)
        .exclude(withdrawal__status="approved")
        .annotate(channels_text=Cast("channels", output_field=TextField()))
    )


def _channel_counts() -> dict:
    """Count expressions: publications per channel (``channels`` is a JSON list of codes, matched
    in its text so that SQLite and PostgreSQL count alike)."""
    from django.db.models import Count

    return {code: Count("pk", filter=Q(channels_text__contains=f'"{code}"')) for code, _label in CHANNELS}


def publications_by_channel(where: Q, *, distinct_total: bool = False) -> dict[str, int]:
    """抽查结果公示数量（户）: the businesses of the batches matching ``where`` with a result
    publication in force of the lead department's part (lead-department rule), per channel, in
    one pass; with ``distinct_total`` also "total", published on any channel."""
    from django.db.models import Count

    counts = _channel_counts()
    if distinct_total:
        counts["total"] = Count("pk")
    return _result_publications().filter(where, part__participant__role="lead").aggregate(**counts)


def publications_by_row(org: Organisation, year: int) -> dict[tuple[bool, str], dict[str, int]]:
    """抽查结果公示数量（户） per channel for each row of the annual table, one grouped pass: the
    businesses of the batches led in scope with a lead-department result publication."""
    rows = (
        _result_publications()
        .filter(
            part__participant__role="lead",
            part__record__task_id__in=batch_draws(org, year, level=None).values("task_id"),
        )
        .values_list("part__record__task__is_joint", "part__record__task__lead__region__level")
        .annotate(**_channel_counts())
        .order_by()
    )
    return {(j, lv): dict(zip([c for c, _l in CHANNELS], n, strict=True)) for j, lv, *n in rows}


def _follow_ups(where: Q, types: tuple[str, ...]):
    return FollowUp.objects.filter(where, type__code__in=types)


def follow_up_target_ids(where: Q, types: tuple[str, ...]) -> set[int]:
    return set(_follow_ups(where, types).values_list("part__record__target_id", flat=True))


def follow_up_targets(where: Q, types: tuple[str, ...]) -> int:
    return _follow_ups(where, types).values("part__record__target_id").distinct().count()


def follow_ups_overdue(where: Q, today: dt.date) -> list:
    """Open follow-ups past their deadline (``due_on`` < today, ``closed_at`` empty), for the
    supervision page."""
    return list(FollowUp.objects.filter(where, due_on__lt=today, closed_at__isnull=True).order_by("due_on")[:500])


def show(value) -> str:
    """A figure as a form prints it."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value else "0"
    return str(value)


# --- KPI dashboard --------------------------------------------------------------------------------


@dataclass
class Kpi:
    key: str
    label: str
    numerator: int
    denominator: int
    rule: str
    drillable: bool = True  # the tasks behind it: ``drill_tasks``

    @property
    def percent(self) -> str:
        if not self.denominator:
            return "—"
        return f"{self.numerator / self.denominator * 100:.1f}%"


def _parts(org: Organisation, year: int):
    return DepartmentPart.objects.filter(
        org_scope_q(org, "department"), status=PartStatus.DETERMINED, record__task__year=year
    )


def part_facts(org: Organisation, year: int, today: dt.date) -> dict[int, dict[str, int]]:
    """The determined results of ``year`` of departments in scope, by task: all, found a
    problem, determined within the task's window, published on time (publicity's ``late`` flag,
    20 working days), and due (published, or past the publication deadline).

    Two grouped passes joined in the database: the results with their publication (a LEFT
    JOIN: publicity publishes a result version once, so each result stays one row), and those
    that found a problem; not a correlated EXISTS per result, which PostgreSQL runs once per
    row (tens of seconds at a million results)."""
    from django.db.models import Count, F

    from shuangsuiji.publicity.models import Decision

    in_force = Q(publications__kind=PublicationKind.RESULT) & (
        Q(publications__withdrawal__isnull=True)
        | Q(publications__withdrawal__status__in=[Decision.REQUESTED, Decision.REJECTED])
    )
    out: dict[int, dict[str, int]] = {}
    rows = (
        _parts(org, year)
        .values_list("record__task_id")
        .annotate(
            total=Count("pk"),
            on_time_entry=Count("pk", filter=Q(determined_on__lte=F("record__task__window_to"))),
            published_on_time=Count("pk", filter=in_force & Q(publications__late=False)),
            due=Count("pk", filter=Q(publication_due_on__lt=today) | in_force),
        )
        .order_by()
    )
    for task_id, total, on_time_entry, on_time, due in rows:
        out[task_id] = {"total": total, "problems": 0, "on_time_entry": on_time_entry, "published_on_time": on_time,
                        "due": due}  # fmt: skip
    # A second pass, joined (a semi-join on the union): counted inside the first pass as
    # ``pk IN (union)`` it is a hashed subplan only while the ids fit in work_mem, and beyond
    # that PostgreSQL scans the union once per result (minutes at a million results).
    problems = _parts_with_problems(org, year).values_list("record__task_id").annotate(n=Count("pk")).order_by()
    for task_id, n in problems:
        out[task_id]["problems"] = n
    return out


def _parts_with_problems(org: Organisation, year: int):
    """Determined results that found a problem: a result code marked 发现问题, or an item result
    发现问题 (one semi-join on the union, so that a result counts once)."""
    return _parts_with_problems_q(_parts(org, year))


def _parts_with_problems_q(parts, within: Q | None = None):
    """Those of ``parts`` that found a problem (the rule of ``_parts_with_problems``); ``within``
    (a condition on the part, through ``part__``): the result codes and item results looked at
    are those of such parts only (``parts`` must lie within it)."""
    from shuangsuiji.inspections.models import PartResultCode

    within = within or Q()
    codes = PartResultCode.objects.filter(within, code__found_problem=True).values("part_id").order_by()
    items = ItemResult.objects.filter(within, outcome=ItemOutcome.PROBLEM).values("part_id").order_by()
    return parts.filter(pk__in=codes.union(items))


def follow_up_facts(org: Organisation, year: int, today: dt.date) -> dict[str, int]:
    """Follow-ups of results of ``year`` of departments in scope: all, closed, open past ``due_on``."""
    from django.db.models import Count

    return FollowUp.objects.filter(org_scope_q(org, "part__department"), part__record__task__year=year).aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(closed_at__isnull=False)),
        late=Count("pk", filter=Q(closed_at__isnull=True, due_on__lt=today)),
    )


def _repeated(org: Organisation, year: int):
    """Businesses drawn in the year by batches of two or more different lead departments."""
    from django.db.models import Count

    return (
        current_targets(batch_draws(org, year))
        .values("target_id")
        .annotate(leads=Count("draw__task__lead", distinct=True))
        .filter(leads__gt=1)
    )


def repeat_facts(org: Organisation, year: int) -> tuple[int, int]:
    """(businesses drawn by two or more lead departments, businesses drawn) in one pass."""
    from django.db.models import Count, F, Max, Min

    # two or more different leads: the smallest and the largest lead differ (a hashed
    # aggregate, where COUNT(DISTINCT) sorts every drawn target)
    leads = (
        current_targets(batch_draws(org, year))
        .values("target_id")
        .annotate(first=Min("draw__task__lead"), last=Max("draw__task__lead"))
        .order_by()
    )
    out = leads.aggregate(drawn=Count("target_id"), repeated=Count("target_id", filter=~Q(first=F("last"))))
    return out["repeated"], out["drawn"]


def kpis(org: Organisation, year: int, today: dt.date, batches: list[Batch] | None = None) -> list[Kpi]:
    """Every ratio of the dashboard, in its order (the screen and the xlsx export read this):
    one pass over the draws, the results, the follow-ups and the drawn targets each."""
    batches = batch_facts(org, year) if batches is None else batches
    n = len(batches)
    parts = part_facts(org, year, today).values()
    total = sum(p["total"] for p in parts)
    fu = follow_up_facts(org, year, today)
    repeated, drawn = repeat_facts(org, year)
    return [
        _kpi("joint_share", sum(b.joint for b in batches), n),
        _kpi("credit_risk_share", sum(b.stratified for b in batches), n),
        _kpi("problem_rate", sum(p["problems"] for p in parts), total),
        _kpi("on_time_entry", sum(p["on_time_entry"] for p in parts), total),
        _kpi("on_time_publication", sum(p["published_on_time"] for p in parts), sum(p["due"] for p in parts)),
        _kpi("follow_up_closure", fu["closed"], fu["total"]),
        _kpi("follow_up_overdue", fu["late"], fu["total"]),
        _kpi("repeat_inspections", repeated, drawn),
    ]


# key → (label, counting rule) of each ratio of the dashboard, in its order
KPI_LABELS = {
    "joint_share": ("部门联合抽查占比", "联合抽查批次 / 全部抽查批次"),
    "credit_risk_share": ("按信用风险分类抽查占比", "分层抽取批次 / 全部抽查批次"),
    "problem_rate": ("问题发现率", "发现问题的检查结果 / 已认定的检查结果"),
    "on_time_entry": ("检查结果按时认定率", "检查期限内认定的结果 / 已认定的结果"),
    "on_time_publication": ("检查结果按时公示率", "20 个工作日内公示的结果 / 已公示或已过公示期限的结果"),
    "follow_up_closure": ("后续处置办结率", "已办结的后续处置 / 全部后续处置"),
    "follow_up_overdue": ("后续处置逾期率", "逾期未办结的后续处置 / 全部后续处置"),
    "repeat_inspections": ("被多个部门重复抽查的对象占比", "被两个及以上牵头部门抽中的对象 / 被抽中的对象"),
}
DRILLABLE = frozenset(KPI_LABELS) - {"follow_up_overdue"}


def _kpi(key: str, numerator: int, denominator: int) -> Kpi:
    label, rule = KPI_LABELS[key]
    return Kpi(key, label, numerator, denominator, rule, drillable=key in DRILLABLE)


def drill_tasks(org: Organisation, year: int, key: str, today: dt.date) -> list[int] | None:
    """The tasks behind the dashboard figure ``key`` (``None``: no such figure, or not drillable)."""
    if key in ("joint_share", "credit_risk_share"):
        field = "joint" if key == "joint_share" else "stratified"
        return sorted({b.task_id for b in batch_facts(org, year) if getattr(b, field)})
    if key in ("problem_rate", "on_time_entry", "on_time_publication"):
        parts = _parts_with_problems(org, year) if key == "problem_rate" else _parts(org, year)
        return sorted(set(parts.values_list("record__task_id", flat=True)))
    if key in ("follow_up_closure",):
        qs = FollowUp.objects.filter(org_scope_q(org, "part__department"), part__record__task__year=year)
        return sorted(set(qs.values_list("part__record__task_id", flat=True)))
    if key == "repeat_inspections":
        qs = current_targets(batch_draws(org, year)).filter(target_id__in=_repeated(org, year).values("target_id"))
        return sorted(set(qs.values_list("draw__task_id", flat=True)))
    return None


def item_coverage(org: Organisation, year: int, batches: list[Batch] | None = None) -> list[dict]:
    """事项覆盖: for each item of the year's counted batches in scope, the highest achieved ratio
    (current drawn targets / frame size of the draw) against the item's minimum ratio."""
    batches = batch_facts(org, year) if batches is None else batches
    by_task: dict[int, Decimal] = {}
    for b in batches:
        achieved = Decimal(b.targets) / Decimal(b.population_count) if b.population_count else Decimal(0)
        by_task[b.task_id] = max(by_task.get(b.task_id, Decimal(0)), achieved)
    return coverage_rows(by_task)


def coverage_rows(by_task: dict[int, Decimal]) -> list[dict]:
    """The coverage rows of the items of the tasks ``by_task`` (task → its highest achieved ratio)."""
    from shuangsuiji.tasks.models import TaskItem

    out: dict[int, dict] = {}
    items = TaskItem.objects.filter(participant__task_id__in=by_task).values_list(
        "participant__task_id", "item_version__item_id", "item_version__item__code", "item_version__name",
        "item_version__min_ratio",
    )  # fmt: skip
    for task_id, item_id, code, name, min_ratio in items:
        row = out.setdefault(
            item_id, {"item": f"{code} {name}", "min": min_ratio, "achieved": Decimal(0), "tasks": set()}
        )
        row["achieved"] = max(row["achieved"], by_task[task_id])
        row["tasks"].add(task_id)
    rows = sorted(out.values(), key=lambda r: r["item"])
    for r in rows:
        r["met"] = r["achieved"] >= r["min"]
        r["tasks"] = sorted(r["tasks"])
    return rows


def inspector_workload(org: Organisation, year: int) -> list[tuple[int, int]]:
    """检查人员工作量分布: (targets per inspector, number of inspectors) over the current
    assignments of the year's drawn inspector draws of departments in scope: the businesses
    assigned to an inspector, each once per department that assigned it (an inspector is drawn
    by their own department; a business assigned by two departments is two workloads)."""
    from django.db.models import Count

    loads = (
        Assignment.objects.filter(
            org_scope_q(org, "draw__department"),
            draw__status=DrawStatus.DRAWN,
            draw__task__year=year,
            ended_at__isnull=True,
        )
        .values("inspector_id", "draw__department_id")
        .annotate(n=Count("target_id", distinct=True))
        .order_by()
    )
    per_inspector: dict[int, int] = {}
    for inspector, n in loads.values_list("inspector_id", "n"):
        per_inspector[inspector] = per_inspector.get(inspector, 0) + n
    hist: dict[int, int] = {}
    for n in per_inspector.values():
        hist[n] = hist.get(n, 0) + 1
    return sorted(hist.items())
