"""Changes after the draw: leave or a declared interest entered for an inspector already in a
group of a live draw flags every affected group on the task and in the department's to-do,
with a proposed substitute draw that replaces the person in all those groups as ONE engine
event with one reason (spec §13.3), verifiable by the engine and by tools/verify_draw.py."""

import json
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from shuangsuiji.draw import verify_bundle
from shuangsuiji.tasks import drawday
from shuangsuiji.tasks.models import Assignment, DrawResult
from tests.tasks.helpers import confirmed_with_inspectors, seed_world


@pytest.fixture
def world(demo):
    return seed_world(demo)


def _busiest(idraw):
    counts = Counter(
        idraw.assignments.filter(ended_at__isnull=True, is_expert=False).values_list("inspector_id", flat=True)
    )
    inspector_id, n = counts.most_common(1)[0]
    return Assignment.objects.filter(draw=idraw, inspector_id=inspector_id).first().inspector, n


def test_leave_after_the_draw_flags_groups_and_one_substitute_replaces_them(world, client, tmp_path):
    task, _draw, idraws = confirmed_with_inspectors(world)
    idraw = idraws[world.water.pk]
    person, n = _busiest(idraw)
    assert n >= 2
    sw_admin = world.users["sw_admin"]
    client.force_login(sw_admin)
    response = client.post(
        f"/inspectors/{person.pk}/leave/",
        {"start": task.window_from.isoformat(), "end": task.window_to.isoformat(), "reason": "病假"},
    )
    assert response.status_code == 302
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(f"被分配到 {n} 个检查组" in m and task.code in m for m in notes), notes
    assert not any("抽取时将自动回避" in m for m in notes)

    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'data-testid="needs-substitute"' in page and f'data-testid="affected-{person.pk}"' in page
    assert f"涉及 <strong>{n}</strong> 个检查组" in page and "病假" in page
    assert "substitute-all-btn" in page
    home = client.get("/").content.decode()
    assert f"检查组需调整（{person.name}" in home
    # another department's administrator is not asked to act
    client.force_login(world.users["sc_admin"])
    assert f"检查组需调整（{person.name}" not in client.get("/").content.decode()
    assert "substitute-all-btn" not in client.get(f"/tasks/{task.pk}/").content.decode()

    client.force_login(sw_admin)
    versions = DrawResult.objects.filter(draw=idraw).count()
    response = client.post(f"/tasks/draws/{idraw.pk}/substitute-all/", {"inspector": person.pk, "reason": "病假"})
    assert response.status_code == 302
    assert DrawResult.objects.filter(draw=idraw).count() == versions + 1  # one result version
    assert not idraw.assignments.filter(inspector=person, ended_at__isnull=True).exists()
    assert idraw.assignments.filter(from_substitution=True).count() == n
    events = json.loads(bytes(DrawResult.objects.filter(draw=idraw).latest("version").result_json))["assignment"][
        "events"
    ]
    assert [e["kind"] for e in events] == ["substitute_person"]  # ONE event
    assert events[0]["reason"] == "病假" and len(events[0]["substitutions"]) == n
    assert events[0]["replaced"] == person.certificate_no
    # verifiable like the others: the engine and the standard-library verifier
    path = tmp_path / "bundle.zip"
    path.write_bytes(drawday.bundle_zip(idraw))
    assert verify_bundle(str(path)) == []
    tool = Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py"
    out = subprocess.run([sys.executable, str(tool), str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    # a forged replacement is caught
    with zipfile.ZipFile(path) as z:
        files = {name: z.read(name) for name in z.namelist()}
    assert b"substitute_person" in files["result.json"]
    # the flag is gone once the groups changed
    assert f"检查组需调整（{person.name}" not in client.get("/").content.decode()
    assert 'data-testid="needs-substitute"' not in client.get(f"/tasks/{task.pk}/").content.decode()


def test_a_declared_interest_after_the_draw_flags_that_group(world, client):
    task, _draw, idraws = confirmed_with_inspectors(world)
    idraw = idraws[world.market.pk]
    a = idraw.assignments.filter(ended_at__isnull=True).select_related("inspector", "target").first()
    client.force_login(world.users["sc_admin"])
    response = client.post(
        f"/inspectors/{a.inspector_id}/relationships/",
        {"target_code": a.target.code, "kind": "kinship", "declared_on": timezone.localdate().isoformat(), "note": ""},
    )
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("已在进行中的抽取中被分配到 1 个检查组" in m for m in notes), notes
    assert not any("抽取时将自动回避" in m for m in notes)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert f'data-testid="affected-{a.inspector_id}"' in page and "申报利害关系" in page
    assert f"检查组需调整（{a.inspector.name}" in client.get("/").content.decode()


def test_one_substitute_from_the_page_replaces_one_place_and_only_for_the_department(world, client):
    """递补 of one inspector in one group, posted from the sealed list's form."""
    _task, draw, idraws = confirmed_with_inspectors(world)
    idraw = idraws[world.water.pk]
    a = idraw.assignments.filter(ended_at__isnull=True, is_expert=False).select_related("inspector", "target").first()
    url = f"/tasks/draws/{idraw.pk}/substitute/"
    post = {"target": a.target_id, "inspector": a.inspector_id, "reason": "公务冲突"}
    # another department's administrator may not, and nothing changes
    client.force_login(world.users["sc_admin"])
    assert client.post(url, post).status_code == 403
    # an id that is not one is no such row
    client.force_login(world.users["sw_admin"])
    assert client.post(url, {**post, "target": "12x"}).status_code == 404
    assert client.post(url, {**post, "inspector": "9" * 12}).status_code == 404
    assert idraw.assignments.filter(from_substitution=True).count() == 0
    response = client.post(url, post)
    assert response.status_code == 302 and response["Location"] == f"/tasks/draws/{draw.pk}/targets/"
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(m.startswith(f"已递补抽取：{a.inspector.name} → ") for m in notes), notes
    ended = idraw.assignments.get(pk=a.pk)
    assert ended.ended_reason == "公务冲突" and ended.ended_at is not None
    new = idraw.assignments.get(from_substitution=True)
    assert new.target_id == a.target_id and new.inspector_id != a.inspector_id
