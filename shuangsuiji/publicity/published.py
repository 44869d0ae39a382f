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

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Q, QuerySet, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from shuangsuiji.accounts.scope import region_codes_under
from shuangsuiji.inspections.models import ResultCode
from shuangsuiji.orgs.models import Organisation, Region
from shuangsuiji.publicity.models import CurrentName, Decision, Kind, Publication, PublishedTarget, Withdrawal
from shuangsuiji.publicity.results import PUBLIC_RESULT
from shuangsuiji.targets.models import Target
from shuangsuiji.targets.queries import NameContains
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
    names = CurrentName.objects.all()
    if len(q) == 18 and q.isalnum():
        names = names.filter(code=q.upper())
    else:
        # name ILIKE '%…%': the trigram index of the search table serves it (migration 0006)
        names = names.filter(NameContains(F("name"), q) | Q(code=q.upper()))
    rows = list(names.values_list("name", "target_id")[: SEARCH_IDS + 1])
    if len(rows) > SEARCH_IDS:
        # (twice the cap: a business named under two names or codes is one business)
        first = names.order_by("name", "target_id").values_list("name", "target_id")
        rows = list(first[: 2 * (pagination.COUNT_CAP + 1)])
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
        qs = qs.filter(department=department)
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
