"""The one query layer for "published": every public page, download and public API call
reads through these functions and nothing else (tests/publicity/test_public_crawl.py).

What is public:

- publications (``Publication``), each version; a withdrawn one (approved withdrawal) shows
  only its notice (title, reason, time), never its record;
- businesses named by a current, not withdrawn, publication (``PublishedTarget``);
- of a task's draws: the commitment from freezing; the public entropy after the draw; the
  seed and the target draw's bundle only once the task's list is published
  (``tasks.sealed.readable`` with an anonymous user decides, the same rule as inside).
  Inspector draws are never public (their bundle names inspectors and their conflicts).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shuangsuiji.accounts.scope import region_codes_under
from shuangsuiji.inspections.models import ResultCode
from shuangsuiji.orgs.models import Organisation, Region
from shuangsuiji.publicity.models import (
    CurrentName,
    Decision,
    Kind,
    Publication,
    PublishedTarget,
    Withdrawal,
    local_day,
)
from shuangsuiji.publicity.results import PUBLIC_RESULT
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks import sealed
from shuangsuiji.tasks.models import Draw, DrawKind, DrawStatus, Task
from shuangsuiji.web import pagination

WITHDRAWN = Exists(Withdrawal.objects.filter(publication=OuterRef("pk"), status=Decision.APPROVED))
# "corrected by a later version", as NOT EXISTS: PostgreSQL plans it as an anti join with a
# true estimate (``correction__isnull`` is a LEFT JOIN … IS NULL estimated at one row, so a
# department's list sorted every result of the department instead of walking its index)
CORRECTED = Exists(Publication.objects.filter(corrects=OuterRef("pk")))


def publications() -> QuerySet[Publication]:
    """Every published version, with ``withdrawn`` annotated."""
    return Publication.objects.annotate(withdrawn=WITHDRAWN).select_related("department", "region")


def current() -> QuerySet[Publication]:
    """The latest version of each subject, withdrawn ones left out."""
    return publications().filter(~CORRECTED, withdrawn=False)


def get(pk) -> Publication | None:
    return publications().filter(pk=pk).first()


def history(pub: Publication) -> list[Publication]:
    """Every version of the subject, oldest first (the correction beside the original)."""
    return list(publications().filter(kind=pub.kind, subject_id=pub.subject_id).order_by("version"))


def withdrawal_notice(pub: Publication) -> Withdrawal | None:
    return Withdrawal.objects.filter(publication=pub, status=Decision.APPROVED).first()


# --- Businesses -----------------------------------------------------------------------------------


def named() -> QuerySet[PublishedTarget]:
    """Names of current publications: neither corrected by a later version nor withdrawn, as
    anti joins on the name's own publication (``publication__in=current()`` made PostgreSQL
    hash every current publication, a million at province size, whenever it overestimated a
    name fragment's matches: 0.9 s for some fragments instead of 30 ms). The live definition
    of who the portal shows: ``CurrentName`` is kept equal to its distinct (business, USCC,
    name) triples by ``services`` and serves the search and the business page."""
    return PublishedTarget.objects.filter(
        ~Exists(Publication.objects.filter(corrects=OuterRef("publication_id"))),
        ~Exists(Withdrawal.objects.filter(publication=OuterRef("publication_id"), status=Decision.APPROVED)),
    )


def current_names(target_ids=None) -> QuerySet:
    """The distinct (target_id, code, name) of ``named()`` (of ``target_ids`` if given): what
    ``CurrentName`` holds."""
    qs = named()
    if target_ids is not None:
        qs = qs.filter(target_id__in=list(target_ids))
    return qs.values("target_id", "code", "name").distinct()


SEARCH_IDS = 5000


def search_ids(q: str) -> list[int]:
    """The businesses named by a current publication whose name contains ``q`` (or whose USCC is
    ``q``): the first ``COUNT_CAP + 1`` ids in the order of the published name (then id).

    Read from ``CurrentName`` (the current (business, USCC, name) triples; a trigram index on
    the name on PostgreSQL) in one query, sorted here: a fragment names a few hundred, and
    the page reads only its own businesses then (``businesses``), not every match from the
    register. A broad fragment (more than SEARCH_IDS matching names) is bounded: the first
    names in the index's order (a walk of the name index that stops there), so the page says
    "1000 条以上" and answers in milliseconds instead of sorting half the register."""
    q = (q or "").strip()
    if not q:
        return []
    # (fixed statements, as the portal's pages below; tests/publicity/test_fixed_reads.py holds
    # them to the queryset this was written with)
    if len(q) == 18 and q.isalnum():
        where, params = "n.code = %s", [q.upper()]
    else:
        # name ILIKE '%…%' (Django's icontains, ``NameContains``): the trigram index of the search
        # table serves it (migration 0006). A fragment without cased letters (Chinese, digits) is
        # the same as a plain LIKE, whose recheck of each match is a third of ILIKE's (it folds
        # the case of every matched name: 3.9 → 1.3 ms for 660 matches)
        if connection.vendor != "postgresql":
            like = "LIKE %s ESCAPE '\\'"
        else:
            like = "ILIKE %s" if q.lower() != q.upper() else "LIKE %s"
        where = f"(n.name {like} OR n.code = %s)"
        params = [f"%{connection.ops.prep_for_like_query(q)}%", q.upper()]
    rows = _rows(f"SELECT n.name, n.target_id FROM {_NAME} n WHERE {where} LIMIT {SEARCH_IDS + 1}", params)
    if len(rows) > SEARCH_IDS:
        # (twice the cap: a business named under two names or codes is one business)
        rows = _rows(
            f"SELECT n.name, n.target_id FROM {_NAME} n WHERE {where} ORDER BY n.name, n.target_id"
            f" LIMIT {2 * (pagination.COUNT_CAP + 1)}",
            params,
        )
    rows.sort()
    return list(dict.fromkeys(pk for _, pk in rows))[: pagination.COUNT_CAP + 1]


def search_businesses(q: str) -> QuerySet[Target]:
    """The businesses of ``search_ids`` (the public API's search), by their register name."""
    return Target.objects.filter(pk__in=search_ids(q)).select_related("region").order_by("name", "pk")


def businesses(ids) -> list[Target]:
    """The businesses of ``ids`` (a page of ``search_ids``), in that order."""
    found = Target.objects.select_related("region").in_bulk(list(ids))
    return [found[pk] for pk in ids if pk in found]


def business(pk) -> Target | None:
    if not CurrentName.objects.filter(target_id=pk).exists():
        return None
    return Target.objects.select_related("region").filter(pk=pk).first()


def business_publications(target: Target) -> QuerySet[Publication]:
    """Every publication naming the business (results first, newest first), each version."""
    ids = PublishedTarget.objects.filter(target=target).values("publication_id")
    # the correction (if any) joined in: the page marks "已有更正" without a query per result
    return publications().filter(pk__in=ids).select_related("correction").order_by("kind", "-published_at", "-id")


# --- Departments, regions, lists ------------------------------------------------------------------


def departments() -> QuerySet[Organisation]:
    ids = Publication.objects.values("department_id")
    return Organisation.objects.filter(pk__in=ids).select_related("region").order_by("region_id", "name")


def department(pk) -> Organisation | None:
    return departments().filter(pk=pk).first()


def regions() -> QuerySet[Region]:
    return Region.objects.filter(code__in=Publication.objects.values("region_id")).order_by("code")


def region(code) -> Region | None:
    return regions().filter(code=str(code)).first()


def result_categories() -> list[str]:
    """The public result categories a list can be filtered by, in the codebook's order: the
    labels of the publishable result codes and the public labels of the others
    (``results.PUBLIC_RESULT``); internal codes and interim labels are never offered."""
    labels = []
    for code, label, publishable in ResultCode.objects.order_by("position", "code").values_list(
        "code", "label", "publishable"
    ):
        labels.append(label if publishable else PUBLIC_RESULT.get(code))
    return [lbl for lbl in dict.fromkeys(labels) if lbl]


def _with_result(qs: QuerySet[Publication], label: str) -> QuerySet[Publication]:
    """Results whose public result is ``label`` or names it among several ("甲；乙"), exactly:
    "未发现问题" is not "发现问题". (Chinese has no case: a plain LIKE.)"""
    # the result as text (``record->>'result'``), the expression the indexes of migration 0005 are
    # on: the exact arm reads ``publication_dept_result``; the "among several" arms, each under
    # ``LIKE '%；%'``, the partial index of such results on PostgreSQL
    several = Q(public_result__contains="；") & (
        Q(public_result__startswith=f"{label}；")
        | Q(public_result__endswith=f"；{label}")
        | Q(public_result__contains=f"；{label}；")
    )
    # (as text: a bare KT compares as JSON on SQLite; text to text is no cast for PostgreSQL)
    text = Cast(KT("record__result"), TextField())
    return qs.alias(public_result=text).filter(Q(public_result=label) | several, kind=Kind.RESULT)


def listing(*, kind="", department=None, region=None, year=None, q="", result="") -> QuerySet[Publication]:
    """Current publications, filtered, newest first; withdrawn ones are listed with their notice.
    ``result``: one of ``result_categories()`` (result publications with that public result)."""
    qs = publications().filter(~CORRECTED)
    if kind:
        qs = qs.filter(kind=kind)
    if department is not None:
        qs = qs.filter(department_id=department.pk)
    if region is not None:
        # a literal list of codes (not a join on the path): the planner estimates it from the
        # region column's statistics and walks the (region, newest first) index for a county
        qs = qs.filter(region_id__in=region_codes_under(region.path))
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(title__icontains=q)
    if result:
        qs = _with_result(qs, result)
    # a list line needs no record: not reading (and decoding) a kilobyte of JSON per line
    # nor its region (a list line names the department only)
    return qs.defer("record").select_related(None).select_related("department").order_by("-published_at", "-id")


def results_for_export(region: Region, year: int) -> QuerySet[Publication]:
    """Current, not withdrawn, result publications of a region (and below) and year."""
    return (
        current()
        .filter(kind=Kind.RESULT, region__path__startswith=region.path, year=year)
        .order_by("pk")
        .only("pk", "version", "record", "published_at", "late", "channels", "department__name", "region__name")
    )


# --- Tasks and draw transparency -----------------------------------------------------------------


@dataclass
class PublicDraw:
    pk: int
    draw_id: str
    status: str
    commitment_sha256: str
    frozen_at: object
    drawn_at: object = None
    entropy: list = field(default_factory=list)
    seed: str = ""
    server_secret: str = ""
    bundle: bool = False
    voided: bool = False


@dataclass
class PublicTask:
    task: Task
    definition: Publication | None
    drawn_list: Publication | None
    draws: list[PublicDraw]

    @property
    def list_published(self) -> bool:
        return not self.task.is_sealed


def public_tasks() -> QuerySet[Task]:
    """Tasks the public may look up: a published definition or a frozen target draw."""
    return Task.objects.filter(
        Q(pk__in=Draw.objects.filter(kind=DrawKind.TARGETS).values("task_id"))
        | Q(pk__in=Publication.objects.filter(kind=Kind.TASK).values("task_id"))
    ).select_related("region", "lead")


def _latest(kind, task) -> Publication | None:
    return publications().filter(kind=kind, subject_id=str(task.pk)).order_by("-version").first()


def task_view(pk) -> PublicTask | None:
    task = public_tasks().filter(pk=pk).first()
    if task is None:
        return None
    shown = sealed.readable(AnonymousUser(), task)
    draws = []
    for d in task.draws.filter(kind=DrawKind.TARGETS).order_by("attempt"):
        pd = PublicDraw(
            pk=d.pk,
            draw_id=d.draw_id,
            status=d.get_status_display(),
            commitment_sha256=d.commitment_sha256,
            frozen_at=d.frozen_at,
            voided=d.status == DrawStatus.VOID,
        )
        if d.drawn_at is not None:
            pd.drawn_at = d.drawn_at
            pd.entropy = [e for e in sealed.public_entropy(d, shown) if not e["sealed"]]
            if shown:
                pd.seed, pd.server_secret = d.seed, d.server_secret
                pd.bundle = True
        draws.append(pd)
    return PublicTask(task, _latest(Kind.TASK, task), _latest(Kind.DRAWN_LIST, task) if shown else None, draws)


def bundle_draw(task_pk, draw_pk) -> Draw | None:
    """A target draw whose bundle is public (its task's list is published)."""
    d = Draw.objects.filter(task_id=task_pk, pk=draw_pk, kind=DrawKind.TARGETS, drawn_at__isnull=False).first()
    if d is None or not sealed.readable(AnonymousUser(), d.task):
        return None
    return d


# --- The portal's busiest pages as fixed SQL -------------------------------------------------------
#
# A page-cache miss of the search, the business page and the lists must cost a few ms (issue 15:
# after every publication each page misses once). Built as querysets above, these pages spent
# most of a miss compiling SQL and making model instances (business page: 6.3 ms in-process,
# 2.2 ms of it in the database). Here the same definitions are written once as fixed statements
# that read only the columns a page shows, into small records the templates read like models.
# tests/publicity/test_fixed_reads.py holds each to the querysets above on the same data.

_PUB = Publication._meta.db_table
_WITHDRAWAL = Withdrawal._meta.db_table
_ORG = Organisation._meta.db_table
_REGION = Region._meta.db_table
_TARGET = Target._meta.db_table
_NAMED = PublishedTarget._meta.db_table
_NAME = CurrentName._meta.db_table
# a publication's approved withdrawal (at most one withdrawal per publication) as a join: as an
# EXISTS the planner hashed every withdrawal of the province for a page of 25 lines
_WITHDRAWAL_JOIN = f"LEFT JOIN {_WITHDRAWAL} w ON w.publication_id = p.id AND w.status = '{Decision.APPROVED}'"
_IS_WITHDRAWN = "w.id IS NOT NULL"
_IS_CORRECTED = f"EXISTS (SELECT 1 FROM {_PUB} c WHERE c.corrects_id = p.id)"
_RECORD_FIELD = Publication._meta.get_field("record")


@dataclass
class Named:
    """What a page shows of a department or a region: its name (and its id)."""

    name: str
    pk: int | None = None


@dataclass
class PublicBusiness:
    """A business the portal shows, as its pages show it (the register's name, USCC, region)."""

    pk: int
    name: str
    code: str
    region: Named


@dataclass
class PublicLine:
    """A publication as a list line or a business page's card."""

    pk: int
    kind: str
    subject_id: str
    version: int
    title: str
    late: bool
    published_at: object
    department: Named
    withdrawn: bool
    corrected: bool = False
    task_id: int | None = None
    correction_reason: str = ""
    record: dict = field(default_factory=dict)

    def get_kind_display(self) -> str:
        return Kind(self.kind).label

    @property
    def published_day(self) -> str:
        return local_day(self.published_at)


def _result_text() -> str:
    """A result's public result as text, as the indexes of ``record->>'result'`` have it."""
    if connection.vendor == "postgresql":
        return "(p.record ->> 'result')"
    return "json_extract(p.record, '$.result')"


def _like() -> str:
    return "LIKE %s" if connection.vendor == "postgresql" else "LIKE %s ESCAPE '\\'"


def _cursor():
    """A cursor for the fixed statements. On PostgreSQL one that binds its parameters on the
    server (Django's own cursors bind them into the text), so that psycopg prepares a statement
    the connection runs often (its fifth run) and PostgreSQL plans it once instead of on every
    run: planning a page's statements cost more than running them (the business page's lines,
    five relations and 22 indexes on the publications: 1.2 ms to plan, 0.3 ms to run).
    Wrapped as Django wraps its own (execute wrappers, the queries of a debug cursor)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, Format, register_tzloader

    # (what ``connection.cursor()`` does, with the backend's other cursor class)
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = _preparing_cursor()(connection.connection)
    if connection.timezone != connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
        register_tzloader(connection.timezone, raw)
    return connection._prepare_cursor(raw)


@functools.cache
def _preparing_cursor():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """The backend's server-binding cursor, which also keeps the statement of a prepared run
        where Django's debug log reads it (psycopg leaves it unset when it sends a prepared
        statement's name: the log, and ``CaptureQueriesContext``, would show ``None``)."""

        def _send_query_prepared(self, name, pgq, **kwargs):
            self._query = pgq
            return super()._send_query_prepared(name, pgq, **kwargs)

    return PreparingCursor


def _rows(sql: str, params) -> list[tuple]:
    with _cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _moment(value):
    """A timestamp as the ORM gives it (aware): SQLite's cursor gives the stored UTC time naive."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _record(value) -> dict:
    """The record as the ORM gives it (``Publication.record``'s own decoding of the column)."""
    return _RECORD_FIELD.from_db_value(value, None, connection)


def business_summary(pk) -> PublicBusiness | None:
    """``business(pk)`` as its page shows it: None unless a current publication names it."""
    found = _rows(
        f"SELECT t.id, t.name, t.code, r.name FROM {_TARGET} t JOIN {_REGION} r ON r.code = t.region_id"
        f" WHERE t.id = %s AND EXISTS (SELECT 1 FROM {_NAME} n WHERE n.target_id = t.id)",
        [pk],
    )
    if not found:
        return None
    pk, name, code, region = found[0]
    return PublicBusiness(pk, name, code, Named(region))


_BUSINESS_LINES = (
    f"SELECT p.id, p.kind, p.subject_id, p.version, p.title, p.late, p.published_at, d.name, {_IS_WITHDRAWN},"
    f" {_IS_CORRECTED}, p.task_id, p.correction_reason, p.record FROM {_PUB} p JOIN {_ORG} d ON d.id = p.department_id"
    f" {_WITHDRAWAL_JOIN} WHERE p.id IN (SELECT pt.publication_id FROM {_NAMED} pt WHERE pt.target_id = %s)"
    " ORDER BY p.kind, p.published_at DESC, p.id DESC"
)


def business_lines(pk) -> list[PublicLine]:
    """``business_publications`` of the business ``pk``: every publication naming it, each
    version, with its withdrawal and whether a later version corrects it."""
    return [
        PublicLine(
            pk,
            kind,
            subject,
            version,
            title,
            bool(late),
            _moment(at),
            Named(dept),
            bool(withdrawn),
            bool(corrected),
            task_id,
            reason,
            _record(rec),
        )
        for pk, kind, subject, version, title, late, at, dept, withdrawn, corrected, task_id, reason, rec in _rows(
            _BUSINESS_LINES, [pk]
        )
    ]


def businesses_shown(ids) -> list[PublicBusiness]:
    """``businesses(ids)`` (a page of ``search_ids``), as the search page shows them, in that order."""
    ids = [int(pk) for pk in ids]
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    found = {
        pk: PublicBusiness(pk, name, code, Named(region))
        for pk, name, code, region in _rows(
            f"SELECT t.id, t.name, t.code, r.name FROM {_TARGET} t JOIN {_REGION} r ON r.code = t.region_id"
            f" WHERE t.id IN ({marks})",
            ids,
        )
    }
    return [found[pk] for pk in ids if pk in found]


class Lines:
    """``listing(kind=, department=, region=, year=)`` for a paginator: a capped count and one
    page of lines, each one fixed statement (the indexes ``publication_dept_year_newest`` and
    ``publication_dept_newest`` serve a department's list, ``publication_region_year_newest`` and
    ``publication_region_newest`` a county's); with ``result``, ``listing(result=…)``: the
    indexes by scope, [year,] result, newest first, and those of the results naming several
    categories."""

    def __init__(self, *, kind="", department=None, region=None, year=None, result=""):
        where, params = [], []
        if department is not None:
            # "not corrected" as "not among the department's corrected versions" (a correction is
            # its original's department's, ``services.correct``): a few hundred ids, read once from
            # the index of corrections, instead of a probe per row of the list
            where.append("p.department_id = %s")
            where.append(
                f"p.id NOT IN (SELECT c.corrects_id FROM {_PUB} c WHERE c.department_id = %s"
                " AND c.corrects_id IS NOT NULL)"
            )
            params += [department.pk, department.pk]
        if region is not None:
            # the region's codes as a literal list (``listing``'s reason), and "not corrected" as
            # for a department: a correction is its original's department's, so of its region
            codes = region.codes if isinstance(region, PublicRegion) else region_codes_under(region.path)
            marks = ", ".join(["%s"] * len(codes)) or "NULL"
            where.append(f"p.region_id IN ({marks})")
            where.append(
                f"p.id NOT IN (SELECT c.corrects_id FROM {_PUB} c WHERE c.region_id IN ({marks})"
                " AND c.corrects_id IS NOT NULL)"
            )
            params += [*codes, *codes]
        if department is None and region is None:
            where.append(f"NOT {_IS_CORRECTED}")
        if kind:
            where.append("p.kind = %s")
            params.append(kind)
        if year:
            where.append("p.year = %s")
            params.append(int(year))
        if result:
            where.append("p.kind = %s")
            params.append(Kind.RESULT)
        self.where, self.params = " AND ".join(where), params
        # ``result`` (``_with_result``): two disjoint arms, each walked newest first on its own
        # index and merged: the results whose public result is exactly the category (by
        # department, county or all, [year,] result, newest first) and the few that name several
        # categories (partial indexes). As one OR, PostgreSQL read both as bitmaps: every result
        # of the scope with that category sorted for a page of 25 (a department's 80,000
        # "未发现问题"; of all publications, 2,100,000: 10–16 s)
        self.arms: list[tuple[str, list]] = []
        if result:
            # (every scope has its indexes: a department's, a county's, all publications', each
            # with and without the year; and a partial index of the several-category results of
            # each: migrations 0005, 0010, 0011)
            text, like = _result_text(), _like()
            escaped = connection.ops.prep_for_like_query(result)
            self.arms = [
                (f"{text} = %s", [result]),
                (
                    f"{text} {like} AND ({text} {like} OR {text} {like} OR {text} {like})",
                    ["%；%", f"{escaped}；%", f"%；{escaped}", f"%；{escaped}；%"],
                ),
            ]
        self._first: list[int] | None = None  # (``capped_count``)

    def _ids(self, limit: int, offset: int = 0) -> tuple[str, list]:
        """The statement of the ids of lines ``offset`` … ``offset + limit``, newest first."""
        order = "ORDER BY p.published_at DESC, p.id DESC"
        if not self.arms:
            return (
                f"SELECT p.id FROM {_PUB} p WHERE {self.where} {order} LIMIT {int(limit)} OFFSET {int(offset)}",
                self.params,
            )
        arms, params = [], []
        for i, (arm, arm_params) in enumerate(self.arms):
            arms.append(
                f"SELECT * FROM (SELECT p.id, p.published_at FROM {_PUB} p WHERE {self.where} AND {arm} {order}"
                f" LIMIT {int(limit + offset)}) arm{i}"
            )
            params += [*self.params, *arm_params]
        return (
            f"SELECT s.id FROM ({' UNION ALL '.join(arms)}) s ORDER BY s.published_at DESC, s.id DESC"
            f" LIMIT {int(limit)} OFFSET {int(offset)}",
            params,
        )

    def capped_count(self) -> int:
        # the ids of the first COUNT_CAP + 1 lines, newest first, in one walk of the index (on
        # PostgreSQL index-only: the department's and the county's indexes include the kind):
        # their number is the count, and the page is then read by id (``__getitem__``), so the
        # walk is made once, not again for the page's offset
        if self._first is None:
            self._first = [pk for (pk,) in _rows(*self._ids(pagination.COUNT_CAP + 1))]
        return len(self._first)

    def __getitem__(self, page: slice) -> list[PublicLine]:
        start, stop = page.start or 0, page.stop
        lines = (
            f"SELECT p.id, p.kind, p.subject_id, p.version, p.title, p.late, p.published_at, d.name, {_IS_WITHDRAWN}"
            f" FROM {{}} JOIN {_ORG} d ON d.id = p.department_id {_WITHDRAWAL_JOIN}"
            " ORDER BY p.published_at DESC, p.id DESC"
        )
        if self._first is not None and stop <= len(self._first):  # (a paginator's page always is)
            ids = self._first[start:stop]
            if not ids:
                return []
            marks = ", ".join(["%s"] * len(ids))
            found = _rows(lines.format(f"(SELECT * FROM {_PUB} WHERE id IN ({marks})) p"), ids)
        else:
            # the page's ids from the index alone (a deep page skips its offset's rows there),
            # then only those rows are read
            ids, params = self._ids(stop - start, start)
            found = _rows(lines.format(f"({ids}) page JOIN {_PUB} p ON p.id = page.id"), params)
        return [
            PublicLine(pk, kind, subject, version, title, bool(late), _moment(at), Named(dept), bool(withdrawn))
            for pk, kind, subject, version, title, late, at, dept, withdrawn in found
        ]


class ResultPages:
    """``listing(result=…)`` for the public API's pages: the capped count and each page's ids from
    ``Lines`` (the ordered walks of the result indexes), the page's rows as ``listing`` gives them.
    (The queryset's own OR of the two arms read every matching result of the scope and sorted
    it: 10–16 s for the whole list at province size.)"""

    def __init__(self, **filters):
        self.lines, self.filters = Lines(**filters), filters

    def capped_count(self) -> int:
        return self.lines.capped_count()

    def __getitem__(self, page: slice) -> list[Publication]:
        start, stop = page.start or 0, page.stop
        sql, params = self.lines._ids(stop - start, start)
        ids = [pk for (pk,) in _rows(sql, params)]
        found = listing(**self.filters).filter(pk__in=ids).in_bulk()
        return [found[pk] for pk in ids if pk in found]


def list_lines(*, kind="", department=None, region=None, year=None, q="", result=""):
    """What a portal list page pages through: ``listing`` with these filters, as ``Lines`` (fixed
    statements) for the lists of all publications, a department's or a county's, by kind and
    year, and by result; the queryset for a title search."""
    if q:
        return listing(kind=kind, department=department, region=region, year=year, q=q, result=result)
    return Lines(kind=kind, department=department, region=region, year=year, result=result)


@dataclass
class PublicRegion:
    """What a region's page needs of the region: its name, and for its lists its path and the
    codes of the regions under it (``region_codes_under``), read once with the region."""

    code: str
    name: str
    path: str
    codes: list[str] = field(default_factory=list)


def region_shown(code) -> PublicRegion | None:
    """``region(code)`` as fixed statements (prepared, and remembered by the portal like a
    department's name): None unless a publication is of the region."""
    found = _rows(
        f"SELECT r.code, r.name, r.path FROM {_REGION} r WHERE r.code = %s"
        f" AND EXISTS (SELECT 1 FROM {_PUB} p WHERE p.region_id = r.code)",
        [str(code)],
    )
    if not found:
        return None
    shown = PublicRegion(*found[0])
    shown.codes = region_codes_under(shown.path)
    return shown


def department_shown(pk) -> Named | None:
    """``department(pk)``: the department's name, None unless it has published something."""
    found = _rows(
        f"SELECT o.name, o.id FROM {_ORG} o WHERE o.id = %s"
        f" AND EXISTS (SELECT 1 FROM {_PUB} p WHERE p.department_id = o.id)",
        [pk],
    )
    return Named(*found[0]) if found else None
