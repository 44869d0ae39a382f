"""The portal's page cache (issue 15, publicity/pagecache.py): anonymous GETs of public pages are
served from the cache until what is public changes; a publication, a correction, an approved
withdrawal or redaction starts a new generation, so no page shows the state before. Signed-in
users and non-public pages are never cached; the rate limit still counts cached requests."""

import pytest

from shuangsuiji.publicity import pagecache
from shuangsuiji.publicity import services as publicity
from tests.publicity import results_world as rw
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db


def _get(client, url):
    answer = client.get(url)
    assert answer.status_code == 200
    return answer.headers.get(pagecache.HEADER), answer.content.decode()


def test_a_withdrawn_result_is_never_served_from_the_cache(demo, client):
    w = public_world.build(demo, results=True)
    users = w.world.users
    url = f"/gongshi/businesses/{w.second.pk}/"
    state, page = _get(client, url)
    assert state == "miss" and "未发现问题" in page
    state, cached = _get(client, url)
    assert state == "hit" and cached == page
    request = publicity.request_withdrawal(w.pub_other, "检查对象认定错误", users["sw_admin"])
    assert _get(client, url)[0] == "hit"  # a request alone changes nothing public
    publicity.decide_withdrawal(request, True, users["qh_office"])
    state, page = _get(client, url)
    assert state == "miss"
    assert "该结果已撤回，内容不再公示" in page and "未发现问题" not in page
    assert _get(client, url)[0] == "hit"


def test_a_correction_shows_at_once_on_every_cached_page(demo, client):
    w = public_world.build(demo, results=True)
    urls = [
        f"/gongshi/businesses/{w.second.pk}/",
        f"/gongshi/publications/{w.pub_other.pk}/",
        f"/gongshi/departments/{w.world.water.pk}/?kind=result",
        f"/gongshi/search/?q={w.second.code}",
    ]
    before = {url: _get(client, url)[1] for url in urls}
    assert all(_get(client, url)[0] == "hit" for url in urls)
    v2 = rw.part(w.task, w.second, w.world.water, code="03", supersedes=w.pub_other.part, reason="整改已完成，结果更正")
    correction = publicity.publish_result(v2, ["gsxt"], w.world.users["sw_admin"])
    for url in urls:
        state, page = _get(client, url)
        assert state == "miss", url
        if "/search/" not in url:  # the search finds the same business, the others show the new version
            assert page != before[url], url
    business = _get(client, urls[0])[1]
    assert "更正第 2 版" in business and f"/gongshi/publications/{correction.pk}/" in business


def test_the_generation_changes_again_when_the_change_commits(demo, django_capture_on_commit_callbacks):
    w = public_world.build(demo, results=True)
    users = w.world.users
    request = publicity.request_withdrawal(w.pub_other, "检查对象认定错误", users["sw_admin"])
    before = pagecache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        publicity.decide_withdrawal(request, True, users["qh_office"])
        # a page rendered now, in another request, may still read the state before the commit
        during = pagecache.generation()
    after = pagecache.generation()
    assert len({before, during, after}) == 3


def test_an_approved_redaction_starts_a_new_generation(demo):
    w = public_world.build(demo, results=True)
    users = w.world.users
    r = publicity.request_redaction(w.pub_other.subject_id, w.world.water, "remark", "涉及商业秘密", users["sw_admin"])
    before = pagecache.generation()
    publicity.decide_redaction(r, True, users["qh_office"])
    assert pagecache.generation() != before


def test_signed_in_users_and_task_pages_bypass_the_cache(demo, client, login):
    w = public_world.build(demo, results=True)
    task_url = f"/gongshi/tasks/{w.task.pk}/"
    assert _get(client, task_url)[0] is None  # draws change outside publishing: never cached
    assert _get(client, task_url)[0] is None
    url = f"/gongshi/businesses/{w.second.pk}/"
    assert _get(client, url)[0] == "miss"
    login("sw_admin")
    assert _get(client, url)[0] is None  # neither served from nor stored into the cache


def test_the_rate_limit_counts_cached_pages(demo, client, settings, tmp_path):
    w = public_world.build(demo, results=True)
    settings.SHUANGSUIJI_PUBLIC_RATE_LIMIT = (3, 60)
    settings.SHUANGSUIJI_PUBLIC_RATE_LIMIT_CACHE = None  # counts of this test only (files)
    settings.SHUANGSUIJI_PUBLIC_RATE_LIMIT_DIR = str(tmp_path)
    url = f"/gongshi/businesses/{w.second.pk}/"
    assert [_get(client, url)[0] for _ in range(3)] == ["miss", "hit", "hit"]
    answer = client.get(url)
    assert answer.status_code == 429 and answer.headers.get(pagecache.HEADER) is None


def test_the_cache_can_be_switched_off(demo, client, settings):
    w = public_world.build(demo, results=True)
    settings.SHUANGSUIJI_PORTAL_CACHE_SECONDS = 0
    url = f"/gongshi/businesses/{w.second.pk}/"
    assert _get(client, url)[0] is None and _get(client, url)[0] is None


def _codebook_reads(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum("inspections_resultcode" in q["sql"] for q in queries.captured_queries)


def test_what_every_list_reads_is_remembered_for_the_generation(demo, client, settings, monkeypatch):
    w = public_world.build(demo, results=True)
    water = w.world.water
    first, second = (f"/gongshi/departments/{water.pk}/?kind=result&page={n}" for n in (1, 2))
    assert _codebook_reads(client, first) == 1
    assert _codebook_reads(client, second) == 0  # another page, the same generation: remembered
    assert _codebook_reads(client, f"/gongshi/publications/?year={w.task.year}") == 0
    pagecache.bump()  # a publication: read again
    assert _codebook_reads(client, first) == 1
    assert _codebook_reads(client, second) == 0
    # at most as old as a cached page may be
    later = pagecache.time.monotonic() + settings.SHUANGSUIJI_PORTAL_CACHE_SECONDS + 1
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: later)
    assert _codebook_reads(client, f"{second}&year={w.task.year}") == 1
    # a signed-in user's page (never cached) reads it each time
    client.force_login(w.world.users["sw_admin"])
    assert _codebook_reads(client, first) == _codebook_reads(client, first) == 1


def test_a_department_is_shown_from_its_first_publication_on(demo, client):
    w = public_world.build(demo)
    url = f"/gongshi/departments/{w.world.market.pk}/"
    assert client.get(url).status_code == 404  # nothing published yet (and remembered so)
    assert client.get(url).status_code == 404
    public_world.with_results(w)  # 市场监督管理局 publishes its first result
    answer = client.get(url)
    assert answer.status_code == 200 and w.world.market.name in answer.content.decode()
