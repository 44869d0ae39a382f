"""A task's population (抽查范围) as a query on the target register, and its sampling frame.

``Task.population`` keys (all optional; an empty list means "no condition"):

- ``target_types``: TargetType values (企业, 项目 …)
- ``region_codes``: GB/T 2260 codes; each takes its subtree. Empty: the task's region subtree.
- ``industry_codes``: GB/T 4754 codes; each takes the codes that start with it.
- ``tags``: tag codes; a target with any of them (or a tag below one of them) is in.
- ``flags``: ``abnormal_operation`` / ``serious_violation`` / ``complaints``; a target with any is in.
- ``registration_statuses``: RegistrationStatus values; default ``["active"]``.
- ``exclude_inspected_months``: N > 0 excludes targets inspected by any department in the
  last N months (recorded as exclusions with the reason, spec §3.2).

The frame ids are target codes (USCC, or the register's internal code), the strata are the
credit-risk classes A–D (or the one stratum ``ALL`` when the task is not stratified).

Weights (the population's weight column, draw-spec §3.1): every candidate weighs 1 unless a
registered weight provider raises it. The credit loop registers one (followups'
``AppConfig.ready``: an active consequence that raises the draw weight); tasks does not import
followups. A provider answers for the few targets it raises, so the 1,000,000-target freeze
reads them in one sparse query instead of a weight per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from shuangsuiji.draw import Candidate, Exclusion, Frame, PopulationFile
from shuangsuiji.orgs.models import Region
from shuangsuiji.pgsql import server_bound_cursor
from shuangsuiji.rules import RuleError
from shuangsuiji.tags.models import Tag
from shuangsuiji.targets.choices import CLASSIFIED, RegistrationStatus, RiskClass, TargetType
from shuangsuiji.targets.models import Industry, LastInspection, Target

ALL = "ALL"
FLAGS = {
    "abnormal_operation": "列入经营异常名录",
    "serious_violation": "列入严重违法失信名单",
    "complaints": "有投诉举报",
}
STRATUM_LABELS = {**dict(RiskClass.choices), ALL: "全部（不分层）"}
# Where a stratified task puts the 未分类 targets unless it says otherwise: B, the class a new
# target used to get silently (so the draws of existing tasks are unchanged).
DEFAULT_UNCLASSIFIED_AS = RiskClass.B.value


class PopulationError(RuleError):
    """A condition names something that does not exist; the message is Chinese."""


# (population queryset, day) -> {target id: weight} for the targets whose weight is raised
WeightProvider = Callable[[QuerySet, dt.date], dict[int, int]]
_weight_providers: list[WeightProvider] = []


def register_weight_provider(provider: WeightProvider) -> None:
    """Called by an app that raises draw weights (once, from its ``AppConfig.ready``)."""
    if provider not in _weight_providers:
        _weight_providers.append(provider)


def raised_weights(qs: QuerySet[Target], today: dt.date) -> dict[str, int]:
    """{target code: weight > 1} of the population's targets a provider raises (the largest
    weight when several do); every other target weighs 1."""
    by_id: dict[int, int] = {}
    for provider in _weight_providers:
        for target_id, weight in provider(qs, today).items():
            if weight > 1:
                by_id[target_id] = max(by_id.get(target_id, 1), weight)
    if not by_id:
        return {}
    return {code: by_id[pk] for pk, code in qs.filter(pk__in=list(by_id)).order_by().values_list("pk", "code")}


def months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    import calendar

    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def check_population(spec: dict) -> list[str]:
    """Chinese messages for conditions that name unknown values (empty: all good)."""
    errors = []
    for t in spec.get("target_types") or []:
        if t not in TargetType.values:
            errors.append(f"检查对象类型“{t}”不存在。")
    for s in spec.get("registration_statuses") or []:
        if s not in RegistrationStatus.values:
            errors.append(f"登记状态“{s}”不存在。")
    codes = spec.get("region_codes") or []
    known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    errors += [f"行政区划代码“{c}”不存在。" for c in codes if c not in known]
    codes = spec.get("industry_codes") or []
    known = set(Industry.objects.filter(code__in=codes).values_list("code", flat=True))
    errors += [f"行业代码“{c}”不存在。" for c in codes if c not in known]
    codes = spec.get("tags") or []
    known = set(Tag.objects.filter(code__in=codes).values_list("code", flat=True))
    errors += [f"标签“{c}”不存在。" for c in codes if c not in known]
    errors += [f"条件“{f}”不存在。" for f in spec.get("flags") or [] if f not in FLAGS]
    unclassified_as = spec.get("unclassified_as")
    if unclassified_as and unclassified_as not in CLASSIFIED:
        errors.append(f"未分类对象归入的层“{unclassified_as}”应为 A、B、C、D 之一。")
    n = spec.get("exclude_inspected_months") or 0
    if not isinstance(n, int) or n < 0 or n > 120:
        errors.append("“排除近 N 个月内已被检查的对象”的 N 须为 0–120 的整数。")
    return errors


def population_queryset(task) -> QuerySet[Target]:
    spec = task.population or {}
    errors = check_population(spec)
    if errors:
        raise PopulationError("；".join(errors))
    qs = Target.objects.all()
    region_codes = spec.get("region_codes") or [task.region_id]
    paths = list(Region.objects.filter(code__in=region_codes).values_list("path", flat=True))
    q = Q()
    for p in paths:
        q |= Q(path__startswith=p)
    # the codes as a list, not a subquery: the planner then knows how many targets match (a
    # subquery was estimated at a few hundred rows) and can read them in code order from
    # target_code_c_idx instead of sorting (the freeze; targets migration 0012)
    qs = qs.filter(region_id__in=list(Region.objects.filter(q).values_list("code", flat=True)))
    if spec.get("target_types"):
        qs = qs.filter(target_type__in=spec["target_types"])
    statuses = spec.get("registration_statuses") or [RegistrationStatus.ACTIVE]
    qs = qs.filter(registration_status__in=statuses)
    if spec.get("industry_codes"):
        q = Q()
        for c in spec["industry_codes"]:
            q |= Q(industry_id__startswith=c)
        qs = qs.filter(q)
    if spec.get("tags"):
        tag_paths = list(Tag.objects.filter(code__in=spec["tags"]).values_list("path", flat=True))
        q = Q()
        for p in tag_paths:
            q |= Q(path__startswith=p)
        # a subquery, not a join: each target once, without DISTINCT over whole rows
        tagged = Target.tags.through.objects.filter(tag__in=Tag.objects.filter(q)).values("target_id")
        qs = qs.filter(pk__in=tagged)
    if spec.get("flags"):
        q = Q()
        if "abnormal_operation" in spec["flags"]:
            q |= Q(abnormal_operation=True)
        if "serious_violation" in spec["flags"]:
            q |= Q(serious_violation=True)
        if "complaints" in spec["flags"]:
            q |= Q(complaint_count__gt=0)
        qs = qs.filter(q)
    return qs


@dataclass
class Population:
    """The frame's candidates per stratum (target codes) and the exclusions among them."""

    ids: dict[str, list[str]]
    exclusions: list[Exclusion]
    weights: dict[str, int] = field(default_factory=dict)  # {code: weight > 1}, the few raised

    def frame(self) -> Frame:
        """The engine's frame (validates every id and refuses duplicates, and the weights)."""
        if not self.weights:
            return Frame.from_columns(self.ids)
        get = self.weights.get
        return Frame.from_columns(self.ids, {s: [get(c, 1) for c in codes] for s, codes in self.ids.items()})

    @property
    def candidates(self) -> list[Candidate]:
        get = self.weights.get
        return [Candidate(code, s, get(code, 1)) for s, codes in self.ids.items() for code in codes]

    def counts(self) -> dict[str, int]:
        """Frame size per stratum after the exclusions."""
        excluded = self.excluded_counts()
        return {s: len(v) - excluded.get(s, 0) for s, v in self.ids.items() if len(v) > excluded.get(s, 0)}

    def excluded_counts(self) -> dict[str, int]:
        if not self.exclusions:
            return {}
        excluded = {e.id for e in self.exclusions}
        out: dict[str, int] = {}
        for s, codes in self.ids.items():
            n = sum(1 for c in codes if c in excluded)
            if n:
                out[s] = n
        return out


def unclassified_stratum(task) -> str:
    """The stratum of a stratified task that takes the 未分类 targets (the task names it)."""
    return (task.population or {}).get("unclassified_as") or DEFAULT_UNCLASSIFIED_AS


def _stratum(task, risk: str) -> str:
    if not task.stratify:
        return ALL
    return unclassified_stratum(task) if risk == RiskClass.UNCLASSIFIED else risk


def _stratum_expression(task):
    """`_stratum` as a database expression over the register's rows (the bulk reads)."""
    if not task.stratify:
        return Value(ALL)
    return Case(
        When(risk_class=RiskClass.UNCLASSIFIED, then=Value(unclassified_stratum(task))), default=F("risk_class")
    )


def _population_rows(task, qs: QuerySet[Target]) -> QuerySet:
    """(code, stratum) of every target of the population."""
    return qs.order_by().annotate(stratum=_stratum_expression(task)).values_list("code", "stratum")


def _codes_by_stratum(task, qs: QuerySet[Target]) -> dict[str, list[str]]:
    """{stratum: target codes}, strata in order of first appearance (the frame built in Python:
    SQLite; on PostgreSQL the database writes population.csv, `build_population_file`)."""
    out: dict[str, list[str]] = {}
    for code, stratum in _population_rows(task, qs).iterator(chunk_size=10_000):
        out.setdefault(stratum, []).append(code)
    return out


def _recently_inspected(task, qs: QuerySet[Target], today: dt.date) -> dict[str, tuple[dt.date, str]]:
    """{code: (last inspection day, stratum)} of the targets the task excludes as inspected
    in the last N months (empty when the task has no such condition)."""
    months = (task.population or {}).get("exclude_inspected_months") or 0
    if not months:
        return {}
    since = months_before(today, months)
    recent: dict[str, tuple[dt.date, str]] = {}
    for code, risk, day in (
        LastInspection.objects.filter(target__in=qs, inspected_on__gte=since)
        .values_list("target__code", "target__risk_class", "inspected_on")
        .order_by()
    ):
        if code not in recent or day > recent[code][0]:
            recent[code] = (day, _stratum(task, risk))
    return recent


def _exclusions(task, recent: dict[str, tuple[dt.date, str]]) -> list[Exclusion]:
    months = (task.population or {}).get("exclude_inspected_months") or 0
    return [
        Exclusion(code, f"近{months}个月内已被检查（最近检查日期 {day.isoformat()}）")
        for code, (day, _s) in sorted(recent.items())
    ]


def build_population(task, today: dt.date) -> Population:
    qs = population_queryset(task)
    return Population(
        _codes_by_stratum(task, qs), _exclusions(task, _recently_inspected(task, qs, today)), raised_weights(qs, today)
    )


@dataclass
class FrozenFile:
    """What the freeze commits to on PostgreSQL: population.csv written by the database."""

    file: PopulationFile
    exclusions: list[Exclusion]
    weighted: bool


def build_population_file(task, today: dt.date) -> FrozenFile:
    """The frame of `build_population` as population.csv, written by PostgreSQL
    (:func:`shuangsuiji.draw.postgres.population_csv_in_postgres`): the same bytes as
    ``build_population(...).frame()`` frozen by the engine, without a million codes in Python.
    The codes are unique by ``target_unique_code`` and the population query has no joins."""
    from shuangsuiji.draw.postgres import population_csv_in_postgres

    qs = population_queryset(task)
    recent = _recently_inspected(task, qs, today)
    weights = raised_weights(qs, today)
    sql, params = _population_rows(task, qs).query.sql_with_params()
    with server_bound_cursor() as cur:
        file = population_csv_in_postgres(cur, sql, params, exclusions=recent, weights=weights)
    # a stratum whose candidates were all excluded is still named, with 0 (as Frame.counts)
    counts = dict(file.counts)
    for _day, s in recent.values():
        counts.setdefault(s, 0)
    return FrozenFile(PopulationFile(file.data, counts), _exclusions(task, recent), bool(weights))


@dataclass
class PopulationCounts:
    """What the preview shows, counted by the database (the same query as the freeze's)."""

    counts: dict[str, int]  # per stratum, after the exclusions
    excluded: dict[str, int]  # per stratum
    target_types: set[str]


def count_population(task, today: dt.date) -> PopulationCounts:
    qs = population_queryset(task)
    totals: dict[str, int] = {}
    types: set[str] = set()
    for risk, target_type, n in qs.order_by().values_list("risk_class", "target_type").annotate(n=Count("pk")):
        s = _stratum(task, risk)
        totals[s] = totals.get(s, 0) + n
        types.add(target_type)
    excluded: dict[str, int] = {}
    for _day, s in _recently_inspected(task, qs, today).values():
        excluded[s] = excluded.get(s, 0) + 1
    counts = {s: n - excluded.get(s, 0) for s, n in totals.items() if n > excluded.get(s, 0)}
    return PopulationCounts(counts, excluded, types)


def describe(task) -> list[str]:
    """The population conditions in Chinese, one line each (for pages, PDFs and params.meta)."""
    spec = task.population or {}
    lines = []
    region_codes = spec.get("region_codes") or [task.region_id]
    names = dict(Region.objects.filter(code__in=region_codes).values_list("code", "name"))
    lines.append("区域：" + "、".join(f"{names.get(c, c)}（{c}）" for c in region_codes))
    if spec.get("target_types"):
        labels = dict(TargetType.choices)
        lines.append("对象类型：" + "、".join(labels.get(t, t) for t in spec["target_types"]))
    if spec.get("industry_codes"):
        names = dict(Industry.objects.filter(code__in=spec["industry_codes"]).values_list("code", "name"))
        lines.append("行业：" + "、".join(f"{c} {names.get(c, '')}" for c in spec["industry_codes"]))
    if spec.get("tags"):
        names = dict(Tag.objects.filter(code__in=spec["tags"]).values_list("code", "name"))
        lines.append("标签：" + "、".join(names.get(c, c) for c in spec["tags"]))
    if spec.get("flags"):
        lines.append("条件（任一）：" + "、".join(FLAGS.get(f, f) for f in spec["flags"]))
    labels = dict(RegistrationStatus.choices)
    statuses = spec.get("registration_statuses") or [RegistrationStatus.ACTIVE]
    lines.append("登记状态：" + "、".join(labels.get(s, s) for s in statuses))
    if spec.get("exclude_inspected_months"):
        lines.append(f"排除：近{spec['exclude_inspected_months']}个月内已被任一部门检查的对象")
    if task.stratify:
        lines.append(f"未分类（无信用风险分类）的检查对象：按“{STRATUM_LABELS[unclassified_stratum(task)]}”层抽取")
    return lines
