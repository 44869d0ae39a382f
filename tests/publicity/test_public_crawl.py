"""An anonymous visitor crawls every public URL and every public API operation: no sealed
name, code, seed or secret, no draft result, no evidence, no problem description and no
inspector detail appears anywhere (issue 15). The fixture holds a drawn task still sealed
and a task frozen but not drawn beside the published one."""

import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from django.test import Client

from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.publicity.models import Publication
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks.models import Draw, Task
from tests.publicity import results_world as rw
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href)


def _forbidden(w) -> dict[str, str]:
    out = public_world.sealed_strings(w)
    out.update(
        {
            "draft note": rw.DRAFT_NOTE,
            "evidence file": rw.EVIDENCE_NAME,
            "evidence path": w.evidence.file.name,
            "problem description": rw.PROBLEM,
            "interim result code": "发现问题待后续处理",
        }
    )
    for ins in Inspector.objects.all():
        out[f"certificate {ins.pk}"] = ins.certificate_no
        if ins.phone:
            out[f"phone {ins.pk}"] = ins.phone
    return out


def _text(response) -> str:
    if response["Content-Type"].startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_anonymous_crawl_leaks_nothing(demo):
    w = public_world.build(demo, results=True)
    forbidden = _forbidden(w)
    c = Client()
    seen: dict[str, int] = {}
    queue = ["/gongshi/"]
    # every id the public might try, whether linked or not
    queue += [f"/gongshi/publications/{p}/" for p in Publication.objects.values_list("pk", flat=True)]
    queue += [f"/gongshi/businesses/{t}/" for t in Target.objects.values_list("pk", flat=True)]
    queue += [f"/gongshi/tasks/{t}/" for t in Task.objects.values_list("pk", flat=True)]
    queue += [f"/gongshi/tasks/{d.task_id}/draws/{d.pk}/bundle.zip" for d in Draw.objects.all()]
    queue += [f"/gongshi/search/?q={q}" for q in ("封存", "封存测试企业01号", "Z130534S00001", "清河县测试", "项目")]
    api = ["/api/public/publications", "/api/public/businesses?q=封存", "/api/public/businesses?q=清河"]
    api += [f"/api/public/publications/{p}" for p in Publication.objects.values_list("pk", flat=True)]
    api += [f"/api/public/businesses/{t}" for t in Target.objects.values_list("pk", flat=True)]
    api += [f"/api/public/tasks/{t}" for t in Task.objects.values_list("pk", flat=True)]
    queue += api
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        response = c.get(url)
        seen[url] = response.status_code
        assert response.status_code in (200, 404), (url, response.status_code)
        if response.status_code != 200:
            continue
        body = _text(response)
        # a search page repeats the visitor's own query in its input: that is not a leak
        query = dict(part.split("=", 1) for part in url.partition("?")[2].split("&") if "=" in part).get("q")
        if query:
            body = body.replace(f'value="{query}"', "").replace(f"“{query}”", "")
        for label, value in forbidden.items():
            assert value not in body, f"{url} shows {label}: {value}"
        if "text/html" in response["Content-Type"]:
            parser = _Links()
            parser.feed(body)
            for href in parser.links:
                href = href.replace("&amp;", "&")
                if href.startswith("?"):
                    href = url.split("?")[0] + href
                if href.startswith("/gongshi/") and href not in seen:
                    queue.append(href)
    # the crawl reached every kind of public page, and the sealed things answered 404
    ok = [u for u, s in seen.items() if s == 200]
    for prefix in ("/gongshi/businesses/", "/gongshi/publications/", "/gongshi/tasks/", "/gongshi/departments/"):
        assert any(u.startswith(prefix) for u in ok), prefix
    assert any(u.endswith("results.csv") for u in ok) and any(u.endswith("bundle.zip") for u in ok)
    sealed_target = w.sealed_draw.drawn_targets.first().target_id
    assert seen[f"/gongshi/businesses/{sealed_target}/"] == 404
    assert seen[f"/api/public/businesses/{sealed_target}"] == 404
    assert seen[f"/gongshi/tasks/{w.sealed_task.pk}/draws/{w.sealed_draw.pk}/bundle.zip"] == 404
    assert not c.get("/api/public/businesses?q=封存").json()["items"]
    assert len(ok) > 30


def test_a_frozen_task_shows_its_commitment_and_nothing_else(demo):
    w = public_world.build(demo)
    c = Client()
    page = c.get(f"/gongshi/tasks/{w.frozen_task.pk}/").content.decode()
    assert w.frozen_draw.commitment_sha256 in page
    assert 'data-testid="entropy"' not in page and 'data-testid="seed"' not in page
    assert 'data-testid="bundle"' not in page and w.frozen_draw.server_secret not in page
    data = c.get(f"/api/public/tasks/{w.frozen_task.pk}").json()
    assert data["definition"] is None and data["list_published"] is False
    (draw,) = data["draws"]
    assert draw["commitment_sha256"] == w.frozen_draw.commitment_sha256
    assert draw["seed"] == draw["server_secret"] == draw["bundle_url"] == "" and draw["entropy"] == []
    # the drawn, still sealed task: commitment and the dice, never the seed
    page = c.get(f"/gongshi/tasks/{w.sealed_task.pk}/").content.decode()
    assert w.sealed_draw.commitment_sha256 in page and "3 1 6 6 2 5" in page
    assert re.search(w.sealed_draw.seed, page) is None
