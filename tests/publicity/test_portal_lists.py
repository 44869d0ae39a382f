"""The portal's lists (issue 15): filterable by the public result category (never an internal
code or interim label) on the pages and in the public API; counts bounded on big lists."""

import re

import pytest
from django.core.cache import caches

from shuangsuiji.publicity import portal, published
from shuangsuiji.targets.models import Target
from shuangsuiji.web import pagination
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db


def _listed(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/gongshi/publications/(\d+)/"', page)}


def test_result_categories_are_the_public_ones():
    categories = published.result_categories()
    assert categories[0] == "未发现问题"
    assert "发现问题" in categories  # the public label of 02 发现问题待后续处理
    assert "发现问题待后续处理" not in categories
    assert "发现问题经责令已改正" in categories and "迁出" in categories
    assert len(categories) == len(set(categories))


def test_the_lists_filter_by_result_exactly(demo, client):
    w = public_world.build(demo, results=True)
    water = w.world.water.pk

    page = client.get("/gongshi/publications/", {"result": "未发现问题"}).content.decode()
    assert _listed(page) == {w.pub_market.pk, w.pub_other.pk}
    assert '<option value="未发现问题" selected>' in page
    assert "发现问题待后续处理" not in page  # the interim label is not offered
    page = client.get(f"/gongshi/departments/{water}/", {"result": "未发现问题"}).content.decode()
    assert _listed(page) == {w.pub_other.pk}
    page = client.get("/gongshi/publications/", {"result": "发现问题经责令已改正"}).content.decode()
    assert _listed(page) == {w.pub_correction.pk}  # the current version only
    # "未发现问题" and "发现问题经责令已改正" are not "发现问题"
    page = client.get("/gongshi/publications/", {"result": "发现问题"}).content.decode()
    assert _listed(page) == set()
    assert "暂无符合条件的公示信息" in page
    region = w.world.water.region_id
    page = client.get(f"/gongshi/regions/{region}/", {"result": "未发现问题", "year": w.task.year}).content.decode()
    assert _listed(page) == {w.pub_market.pk, w.pub_other.pk}
    # an internal label is no filter: the whole list
    everything = _listed(client.get("/gongshi/publications/").content.decode())
    page = client.get("/gongshi/publications/", {"result": "发现问题待后续处理"}).content.decode()
    assert _listed(page) == everything
    assert w.list_publication.pk in everything


def test_the_public_api_filters_by_result(demo, client):
    w = public_world.build(demo, results=True)

    def ids(**params):
        answer = client.get("/api/public/publications", params)
        assert answer.status_code == 200
        return {p["id"] for p in answer.json()["items"]}

    assert ids(result="未发现问题") == {w.pub_market.pk, w.pub_other.pk}
    assert ids(result="未发现问题", department=w.world.market.pk) == {w.pub_market.pk}
    assert ids(result="发现问题经责令已改正", kind="result") == {w.pub_correction.pk}
    assert ids(result="发现问题") == set()
    assert ids(result="发现问题待后续处理") == set()  # not a public category
    assert ids(result="02") == set()  # nor an internal code
    assert w.list_publication.pk in ids()


def test_a_big_list_says_its_count_is_bounded(demo, client, monkeypatch):
    w = public_world.build(demo, results=True)
    page = client.get("/gongshi/publications/").content.decode()
    total = len(_listed(page))
    assert f"共 {total} 条" in page
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    monkeypatch.setattr(portal, "PER_PAGE", 1)
    caches["portal"].clear()  # the page above was cached with the other cap
    page = client.get("/gongshi/publications/").content.decode()
    assert "共 2 条以上" in page
    assert "只列出前 2 条" in page and "末页" not in page and "下一页" in page
    # the public API counts the same way, with the same cap
    listed = client.get("/api/public/publications", {"page_size": 1}).json()
    assert listed["count"] == 2 and listed["count_capped"] is True and len(listed["items"]) == 1
    monkeypatch.setattr(pagination, "COUNT_CAP", 1000)
    listed = client.get("/api/public/publications").json()
    assert listed["count"] == total and listed["count_capped"] is False
    hits = client.get("/gongshi/search/", {"q": w.first.name[-4:]}).content.decode()
    assert "/gongshi/businesses/" in hits


def test_the_search_finds_the_same_businesses_by_ids_or_by_one_query(demo, monkeypatch):
    """The business search reads the matching names' ids in one query, or, past SEARCH_IDS names
    (a broad fragment), the first ones of the name index: both find the businesses of current
    publications only."""
    w = public_world.build(demo, results=True)
    fragment = w.first.name[-2:]

    def found(q):
        return list(published.search_businesses(q).values_list("pk", flat=True))

    by_ids = found(fragment)
    assert w.first.pk in by_ids
    assert not set(by_ids) - set(Target.objects.filter(name__contains=fragment).values_list("pk", flat=True))
    monkeypatch.setattr(published, "SEARCH_IDS", 0)
    assert found(fragment) == by_ids
    assert found(w.second.code) == [w.second.pk]
