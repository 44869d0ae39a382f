"""The portal's busiest pages read through fixed statements (``published.business_summary``,
``business_lines``, ``businesses_shown``, ``Lines``, ``department_shown``): each gives what the
querysets of the same definitions give (``business``, ``business_publications``, ``businesses``,
``listing``, ``department``), on the same data: corrections, a withdrawal, several departments,
kinds and years, on SQLite and PostgreSQL alike."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangsuiji.accounts.scope import region_codes_under
from shuangsuiji.orgs.models import Region
from shuangsuiji.publicity import published, services
from shuangsuiji.publicity.models import CurrentName, Kind, Publication
from shuangsuiji.targets.models import Target
from shuangsuiji.web import pagination
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(demo):
    w = public_world.build(demo, results=True)
    users = w.world.users
    wd = services.request_withdrawal(w.pub_other, "检查对象认定错误", users["sw_admin"])
    services.decide_withdrawal(wd, True, users["qh_office"])
    return w


def _line(p) -> tuple:
    """What a list line or a card shows of a publication, from either kind of object."""
    corrected = p.corrected if isinstance(p, published.PublicLine) else hasattr(p, "correction")
    return (
        p.pk,
        p.kind,
        p.subject_id,
        p.version,
        p.title,
        p.late,
        p.published_at,
        p.department.name,
        bool(p.withdrawn),
        corrected,
        p.get_kind_display(),
        p.published_day,
    )


def _card(p) -> tuple:
    return (*_line(p), p.task_id, p.correction_reason, p.record)


def test_business_page_reads_are_the_querysets(w):
    shown = [w.first, w.second, w.third]
    for target in shown:
        expected = published.business(target.pk)
        got = published.business_summary(target.pk)
        if expected is None:
            assert got is None
            continue
        assert (got.pk, got.name, got.code, got.region.name) == (
            expected.pk,
            expected.name,
            expected.code,
            expected.region.name,
        )
        lines = published.business_lines(target.pk)
        assert [_card(p) for p in lines] == [_card(p) for p in published.business_publications(expected)]
    unnamed = Target.objects.exclude(pk__in=CurrentName.objects.values("target_id")).first()
    assert unnamed is not None and published.business(unnamed.pk) is None
    assert published.business_summary(unnamed.pk) is None  # in the register, named by no publication
    assert published.business_summary(10**9) is None
    first = {p.pk: p for p in published.business_lines(w.first.pk)}
    assert first[w.pub_water.pk].corrected and not first[w.pub_correction.pk].corrected
    assert first[w.pub_correction.pk].version == 2
    assert {p.kind for p in first.values()} == {Kind.RESULT, Kind.DRAWN_LIST}
    assert any(p.withdrawn for p in published.business_lines(w.second.pk))


def test_search_page_businesses_are_the_querysets(w):
    ids = [w.second.pk, w.first.pk, 10**9]
    expected = published.businesses(ids)
    got = published.businesses_shown(ids)
    assert [(t.pk, t.name, t.code, t.region.name) for t in got] == [
        (t.pk, t.name, t.code, t.region.name) for t in expected
    ]
    assert published.businesses_shown([]) == []


def test_lists_are_the_querysets(w):
    world = w.world
    years = [None, w.task.year, w.task.year + 1]
    departments = [None, world.water, world.market]
    county = world.water.region
    # a county, the city above it (several counties' codes), and a region with no publications
    regions = [None, county, county.parent, Region.objects.exclude(code__in=published.regions()).first()]
    assert regions[2] is not None and regions[3] is not None
    for kind, department, region, year in itertools.product(["", *Kind.values], departments, regions, years):
        expected = published.listing(kind=kind, department=department, region=region, year=year)
        lines = published.Lines(kind=kind, department=department, region=region, year=year)
        case = (kind, department, region, year)
        assert lines.capped_count() == pagination.capped_count(expected), case
        for start, stop in [(0, 2), (1, 3), (0, 100), (5, 30)]:
            want = [_line(p) for p in expected[start:stop]]
            # a page after the count (read by id from the counted lines, or past them by offset)
            # and a page without a count (by offset)
            assert [_line(p) for p in lines[start:stop]] == want, (*case, start)
            uncounted = published.Lines(kind=kind, department=department, region=region, year=year)
            assert [_line(p) for p in uncounted[start:stop]] == want, (*case, start)
    assert published.Lines(region=county).capped_count() > 0
    everything = published.Lines()[0:100]
    assert any(p.withdrawn for p in everything)
    assert w.pub_water.pk not in {p.pk for p in everything}  # corrected: its correction is listed


def _naming_several(pub, result: str, later: int) -> Publication:
    """A result publication like ``pub`` whose public result names several categories."""
    return Publication.objects.create(
        kind=pub.kind,
        subject_id=f"{pub.subject_id}-{later}",
        department=pub.department,
        region=pub.region,
        year=pub.year,
        task=pub.task,
        title=pub.title,
        record={**pub.record, "result": result},
        record_sha256="0" * 64,
        published_at=pub.published_at + dt.timedelta(minutes=later),
        published_by=pub.published_by,
    )


def test_lists_filtered_by_result_are_the_querysets(w):
    """A department's list by public result (two arms merged: exactly the category, or among
    several), with and without a year, is ``listing(result=…)``: "未发现问题" is not "发现问题"."""
    several = [
        _naming_several(w.pub_other, "未发现问题；迁出", 1),
        _naming_several(w.pub_other, "迁出；发现问题", 2),
        _naming_several(w.pub_other, "注销；未发现问题；迁出", 3),
        _naming_several(w.pub_market, "发现问题经责令已改正；未发现问题", 4),
    ]
    categories = published.result_categories()
    years = [None, w.task.year, w.task.year + 1]
    county = w.world.water.region
    # a department's, a county's, the city's above it (several counties), all publications'
    scopes = [(w.world.water, None), (w.world.market, None), (None, county), (None, county.parent), (None, None)]
    for (department, region), year, result, kind in itertools.product(
        scopes, years, categories, ["", Kind.RESULT, Kind.PLAN]
    ):
        filters = {"kind": kind, "department": department, "region": region, "year": year, "result": result}
        expected = published.listing(**filters)
        lines = published.list_lines(**filters)
        assert isinstance(lines, published.Lines)
        case = (department, region, year, result, kind)
        assert lines.capped_count() == pagination.capped_count(expected), case
        api = published.ResultPages(**filters)  # the public API's pages of the same filter
        assert api.capped_count() == lines.capped_count(), case
        for start, stop in [(0, 1), (1, 3), (0, 100)]:
            want = [_line(p) for p in expected[start:stop]]
            assert [_line(p) for p in lines[start:stop]] == want, (*case, start)
            uncounted = published.Lines(**filters)
            assert [_line(p) for p in uncounted[start:stop]] == want, (*case, start)
            assert [_line(p) for p in api[start:stop]] == want, (*case, start)
    shown = {p.pk for p in published.Lines(department=w.world.water, result="迁出")[0:100]}
    assert shown == {several[0].pk, several[1].pk, several[2].pk}
    shown = {p.pk for p in published.Lines(department=w.world.water, result="发现问题")[0:100]}
    assert shown == {several[1].pk}
    shown = {p.pk for p in published.Lines(department=w.world.market, result="未发现问题")[0:100]}
    assert several[3].pk in shown and w.pub_market.pk in shown


def test_the_capped_count_stops_at_the_cap(w, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    assert published.Lines().capped_count() == 3 == pagination.capped_count(published.listing())
    # the paginator's last page of a capped list: read from the counted lines
    lines = published.Lines()
    page = pagination.CappedPaginator(lines, 2).page(2)
    assert [p.pk for p in page.object_list] == [p.pk for p in published.listing()[2:3]]


def test_department_reads_are_the_querysets(w):
    for org in [w.world.water, w.world.market]:
        expected = published.department(org.pk)
        got = published.department_shown(org.pk)
        assert (got.pk, got.name) == (expected.pk, expected.name)
    assert published.department_shown(10**9) is None
    county = w.world.water.region
    without = Region.objects.exclude(code__in=published.regions()).first()
    for code in [county.code, county.parent.code, without.code, "999999"]:
        expected = published.region(code)
        got = published.region_shown(code)
        if expected is None:
            assert got is None, code
            continue
        assert (got.code, got.name, got.path) == (expected.code, expected.name, expected.path)
        assert sorted(got.codes) == sorted(region_codes_under(expected.path))
        for year in [None, w.task.year]:  # its lists, with the codes read with it
            lines, want = published.Lines(region=got, year=year), published.listing(region=expected, year=year)
            assert [_line(p) for p in lines[0:100]] == [_line(p) for p in want[0:100]], (code, year)
    assert published.region_shown(county.code) is not None


def _search_ids_as_queryset(q: str) -> list[int]:
    """``search_ids`` as it was written with querysets (the reference)."""
    from django.db.models import F, Q

    from shuangsuiji.publicity.models import CurrentName
    from shuangsuiji.targets.queries import NameContains

    q = q.strip()
    if not q:
        return []
    names = CurrentName.objects.all()
    if len(q) == 18 and q.isalnum():
        names = names.filter(code=q.upper())
    else:
        names = names.filter(NameContains(F("name"), q) | Q(code=q.upper()))
    rows = sorted(names.values_list("name", "target_id"))
    return list(dict.fromkeys(pk for _, pk in rows))[: pagination.COUNT_CAP + 1]


def test_search_ids_are_the_queryset(w):
    name, code = w.first.name, w.first.code
    queries = [name[:2], name[1:4], name, code, code.lower(), code[:6], "%", "_", "\\", "a%b", " ", "无此名称"]
    for q in queries:
        assert published.search_ids(q) == _search_ids_as_queryset(q), q
    assert w.first.pk in published.search_ids(code.lower())


def test_a_broad_search_is_bounded_in_name_order(w, monkeypatch):
    monkeypatch.setattr(published, "SEARCH_IDS", 1)
    q = w.first.name[:1]
    assert published.search_ids(q) == _search_ids_as_queryset(q)


def test_list_pages_use_the_fixed_statements_where_they_apply(w):
    assert isinstance(published.list_lines(), published.Lines)
    assert isinstance(published.list_lines(kind=Kind.RESULT, department=w.world.water, year=2026), published.Lines)
    assert isinstance(published.list_lines(region=w.world.water.region, year=2026), published.Lines)
    assert isinstance(published.list_lines(department=w.world.water, result="未发现问题"), published.Lines)
    region = w.world.water.region
    for fixed in [{"result": "未发现问题"}, {"region": region, "result": "注销", "year": 2026}]:
        assert isinstance(published.list_lines(**fixed), published.Lines)
    others = [{"q": "抽查"}, {"region": region, "q": "抽查"}, {"q": "抽查", "result": "未发现问题"}]
    for other in others:
        lines = published.list_lines(**other)
        assert not isinstance(lines, published.Lines)
        assert list(lines) == list(published.listing(**other))


def test_a_correction_stays_in_the_county_list_of_the_version_it_corrects(demo):
    """A department moved to another region (the admin can) before it corrects a result: the
    correction stands in the original's county list, which leaves the original out, as the
    queryset does."""
    from tests.publicity import results_world as rw

    w = public_world.build(demo, results=True)
    water, county = w.world.water, w.world.water.region
    elsewhere = Region.objects.filter(level=county.level).exclude(code=county.code).first()
    water.region = elsewhere
    water.save(update_fields=["region"])
    v2 = rw.part(w.task, w.second, water, code="03", supersedes=w.pub_other.part, reason="整改已完成，结果更正")
    correction = services.publish_result(v2, ["gsxt"], w.world.users["sw_admin"])
    assert correction.region_id == county.code
    lines = published.Lines(region=county)
    shown = {p.pk for p in lines[0:100]}
    assert correction.pk in shown and w.pub_other.pk not in shown
    assert [p.pk for p in lines[0:100]] == [p.pk for p in published.listing(region=county)[0:100]]
    assert lines.capped_count() == pagination.capped_count(published.listing(region=county))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_fixed_statements_are_prepared_and_the_orms_are_not(w):
    """On PostgreSQL a fixed statement is prepared on its fifth run on the connection (planned
    once, not per page); the ORM's statements, bound into their text, never are."""

    def prepared() -> list[str]:
        with connection.cursor() as cur:
            cur.execute("SELECT statement FROM pg_prepared_statements")
            return [statement for (statement,) in cur.fetchall()]

    before = prepared()
    for _ in range(6):
        lines = published.business_lines(w.first.pk)
        Publication.objects.filter(pk=w.pub_water.pk).exists()
    assert [p.pk for p in published.business_lines(w.first.pk)] == [p.pk for p in lines]
    new = [s for s in prepared() if s not in before]
    assert len(new) == 1 and "publicity_publishedtarget pt" in new[0], new
    # a prepared run is logged with its statement, as every other (the debug log, query counts)
    with CaptureQueriesContext(connection) as queries:
        published.business_lines(w.first.pk)
    assert [q["sql"] for q in queries.captured_queries] == new  # (as prepared: the id is $1)
