"""The sealed list (保密): who sees the drawn targets before publication, by page, export,
一企一表 and API; every view is recorded with who and when (seed 004 §13; issue 5)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.services import ensure_user
from shuangsuiji.audit.models import AuditEntry
from tests.tasks.helpers import confirmed_with_inspectors, seed_world

pytestmark = pytest.mark.django_db


def _urls(task, draw):
    target = draw.drawn_targets.first().target
    return {
        "page": f"/tasks/draws/{draw.pk}/targets/",
        "export": f"/tasks/draws/{draw.pk}/targets.xlsx",
        "bundle": f"/tasks/draws/{draw.pk}/bundle.zip",
        "sheets": f"/tasks/{task.pk}/sheets/",
        "sheet": f"/tasks/{task.pk}/sheets/{target.pk}/",
        "sheet_pdf": f"/tasks/{task.pk}/sheets/{target.pk}/pdf/",
        "api_targets": f"/api/tasks/draws/{draw.pk}/targets",
        "api_assignments": f"/api/tasks/draws/{draw.pk}/assignments",
        "api_bundle": f"/api/tasks/draws/{draw.pk}/bundle",
    }


def test_outsiders_cannot_see_the_sealed_list(demo, client):
    world = seed_world(demo)
    task, draw, _ = confirmed_with_inspectors(world)
    other_unit = demo.department("water").children.exclude(pk=world.users["sw_operator"].organisation_id).first()
    stranger, _ = ensure_user(
        username="sw_other_operator",
        full_name="无关股室操作员",
        organisation=other_unit,
        roles=[Role.UNIT_OPERATOR],
        password="Qinghe@2026",
    )
    outsiders = {
        "zr_inspector": "inspector of an unrelated department",
        "zr_operator": "operator of an unrelated department",
        "sc_inspector": "inspector of a participating department, not assigned",
        "sw_other_operator": "operator of another unit of the lead department",
        "qh_supervisor": "督查: oversight, not a participant",
    }
    secret_name = draw.drawn_targets.select_related("target").first().target.name
    before = AuditEntry.objects.filter(action__startswith="tasks.sealed").count()
    for username in outsiders:
        user = stranger if username == "sw_other_operator" else world.users[username]
        client.force_login(user)
        for name, url in _urls(task, draw).items():
            r = client.get(url)
            assert r.status_code == 404, (username, name, r.status_code)
            assert secret_name not in r.content.decode("utf-8", "replace")
    assert AuditEntry.objects.filter(action__startswith="tasks.sealed").count() == before
    # Nor the seed, from which the list can be rebuilt with the register: a member of a
    # participating department who is not a participant sees the task but not the seed.
    client.force_login(world.users["sc_inspector"])
    for url in (f"/tasks/{task.pk}/", f"/tasks/draws/{draw.pk}/"):
        page = client.get(url).content.decode()
        assert draw.seed not in page and draw.server_secret not in page
    assert client.get(f"/api/tasks/draws/{draw.pk}").json()["seed"] == ""
    client.force_login(world.users["sc_admin"])
    assert client.get(f"/api/tasks/draws/{draw.pk}").json()["seed"] == draw.seed


def test_participants_see_it_and_every_view_is_recorded(demo, client):
    world = seed_world(demo)
    task, draw, _ = confirmed_with_inspectors(world)
    for username in ("sw_operator", "sw_admin", "sc_admin", "qh_office"):
        user = world.users[username]
        client.force_login(user)
        for name, url in _urls(task, draw).items():
            if name.startswith("api"):
                continue
            assert client.get(url).status_code == 200, (username, name)
        entries = AuditEntry.objects.filter(action__startswith="tasks.sealed", actor_id=user.pk)
        assert entries.count() == 6
        assert {e.action for e in entries} >= {"tasks.sealed_page", "tasks.sealed_export", "tasks.sealed_bundle"}

    # The export carries the viewer's name.
    client.force_login(world.users["sc_admin"])
    book = load_workbook(io.BytesIO(client.get(_urls(task, draw)["export"]).getvalue()))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert any("赵文静" in str(c) and "保密" in str(c) for c in cells)


def test_an_assigned_inspector_sees_only_own_targets(demo, client):
    world = seed_world(demo)
    task, draw, inspector_draws = confirmed_with_inspectors(world)
    mine = inspector_draws[world.market.pk].assignments.select_related("inspector", "target").first()
    user = world.users["sc_inspector"]
    mine.inspector.user = user
    mine.inspector.save()
    own = set(
        inspector_draws[world.market.pk]
        .assignments.filter(inspector=mine.inspector)
        .values_list("target__name", flat=True)
    )
    client.force_login(user)
    page = client.get(f"/tasks/draws/{draw.pk}/targets/").content.decode()
    shown = {r.target.name for r in draw.drawn_targets.select_related("target") if r.target.name in page}
    assert shown == own
    other = draw.drawn_targets.exclude(target__name__in=own).first().target
    assert client.get(f"/tasks/{task.pk}/sheets/{other.pk}/").status_code == 404
    assert client.get(f"/tasks/{task.pk}/sheets/{mine.target_id}/").status_code == 200
    # the bundle holds the whole list: not for an inspector limited to their own targets
    assert client.get(f"/tasks/draws/{draw.pk}/bundle.zip").status_code == 404
    home = client.get("/").content.decode()
    assert f"检查：{mine.target.name}" in home
