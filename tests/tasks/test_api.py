"""The task API: the same visibility, permissions and rules as the services and pages;
sealed lists only for those with access, every read audited; bundles verify independently."""

from __future__ import annotations

import pytest
import schemathesis

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.draw import verify_bundle
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.tasks.models import Draw, DrawStatus, Task
from tests.tasks.helpers import DICE, STRATA, confirmed_with_inspectors, drawn_task, joint_task, seed_world, window

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    return seed_world(demo)


@pytest.fixture
def wsgi_connection():
    """Requests through the raw WSGI app keep the test's connection (as in tests/api)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def task_body(world, **overrides) -> dict:
    start, end = window()
    body = {
        "title": "接口创建的联合抽查",
        "lead_department_id": world.water.pk,
        "lead_unit_id": world.users["sw_operator"].organisation_id,
        "items": [{"item_version_id": world.sw1.pk, "methods": ["on_site"]}],
        "cooperating": [
            {"department_id": world.market.pk, "items": [{"item_version_id": world.sc2.pk, "methods": ["on_site"]}]}
        ],
        "window_from": start.isoformat(),
        "window_to": end.isoformat(),
        "strata": {k: dict(v) for k, v in STRATA.items()},
        "population": {"target_types": ["project"]},
        "source": "temporary",
        "justification": "测试：接口创建",
    }
    body.update(overrides)
    return body


def sealed_reads() -> int:
    return AuditEntry.objects.filter(action="tasks.sealed_api").count()


def test_create_update_list_and_preview(world, client, login):
    login("sw_operator")
    response = post(client, "/api/tasks/", task_body(world))
    assert response.status_code == 201, response.content
    detail = response.json()
    assert detail["status"] == "draft" and detail["is_joint"] and detail["code"].startswith("130534-")
    lead, coop = detail["participants"]
    assert lead["role"] == "lead" and lead["department_id"] == world.water.pk
    assert lead["items"][0]["item_code"] == "SW-001" and lead["items"][0]["methods"] == ["on_site"]
    assert coop["role"] == "cooperating" and coop["items"][0]["item_code"] == "SC-002"
    assert detail["strata"]["A"]["ratio"] == "0.2" and detail["draws"] == []
    assert detail["sealed_access"] == "all"
    task_id = detail["id"]

    # A ratio below the item's minimum is refused with the service's message naming the item.
    low = task_body(world, strata={**STRATA, "A": {"ratio": "0.1", "reserves": 2}})
    response = post(client, "/api/tasks/", low)
    assert response.status_code == 422
    message = "".join(response.json()["detail"])
    assert "SW-001" in message and "最低抽查比例 20%" in message
    # Ids the API cannot resolve are refused by name, not with a server error.
    response = post(client, "/api/tasks/", task_body(world, items=[{"item_version_id": world.sc2.pk, "methods": []}]))
    assert response.status_code == 422 and "不是本部门已发布的现行事项" in "".join(response.json()["detail"])
    # A department the user may not lead for: 403.
    response = post(client, "/api/tasks/", task_body(world, lead_department_id=world.market.pk))
    assert response.status_code == 403

    # List: search by code or title, filter by status and year.
    items = client.get("/api/tasks/", {"q": detail["code"]}).json()["items"]
    assert [t["id"] for t in items] == [task_id]
    assert client.get("/api/tasks/", {"q": "接口创建"}).json()["count"] == 1
    assert client.get("/api/tasks/", {"status": "fixed"}).json()["count"] == 0
    assert client.get("/api/tasks/", {"year": detail["year"] + 1}).json()["count"] == 0

    # Edit the draft; a cooperating department may not.
    response = client.put(
        f"/api/tasks/{task_id}", task_body(world, title="改过的名称"), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["title"] == "改过的名称"

    preview = client.get(f"/api/tasks/{task_id}/preview").json()
    assert preview["ok"], preview["errors"]
    assert preview["population"] == 40 and preview["sample"] > 0
    assert [s["key"] for s in preview["strata"]] == ["A", "B", "C", "D"]
    assert [d["department_id"] for d in preview["departments"]] == [world.water.pk, world.market.pk]

    login("sc_admin")
    assert client.get(f"/api/tasks/{task_id}").status_code == 200
    assert client.get(f"/api/tasks/{task_id}/preview").status_code == 403
    response = client.put(f"/api/tasks/{task_id}", task_body(world), content_type="application/json")
    assert response.status_code == 403
    login("zr_admin")
    assert client.get("/api/tasks/").json()["count"] == 0
    assert client.get(f"/api/tasks/{task_id}").status_code == 404
    assert client.get(f"/api/tasks/{task_id}/preview").status_code == 404


def test_draw_day_through_the_api(world, client, login, tmp_path):
    task = joint_task(world)
    login("sw_operator")
    response = post(client, f"/api/tasks/{task.pk}/freeze")
    assert response.status_code == 201, response.content
    frozen = response.json()
    assert frozen["status"] == "frozen" and len(frozen["commitment_sha256"]) == 64 and frozen["seed"] == ""
    draw_id = frozen["id"]

    # A second freeze while the draw is live is refused; the task is no longer editable.
    response = post(client, f"/api/tasks/{task.pk}/freeze")
    assert response.status_code == 422 and "已有冻结或已完成的抽取" in response.json()["detail"][0]
    response = client.put(f"/api/tasks/{task.pk}", task_body(world), content_type="application/json")
    assert response.status_code == 422 and "不可再修改" in response.json()["detail"][0]

    # Drawing needs public entropy with a source.
    response = post(client, f"/api/tasks/draws/{draw_id}/draw", {"entropy": [{"kind": "dice", "value": "3 1 6"}]})
    assert response.status_code == 422  # schema: source is required
    response = post(client, f"/api/tasks/draws/{draw_id}/draw", {"entropy": [], "witnesses": "张三"})
    assert response.status_code == 422 and "公开随机数" in response.json()["detail"][0]
    response = post(client, f"/api/tasks/draws/{draw_id}/draw", {"entropy": DICE, "witnesses": "张三、李四"})
    assert response.status_code == 200, response.content
    drawn = response.json()
    assert drawn["status"] == "drawn" and len(drawn["seed"]) == 64 and drawn["targets_count"] > 0
    assert drawn["public_entropy"] == DICE
    assert [(r["version"], r["event"]) for r in drawn["results"]] == [(1, "draw")]
    assert len(drawn["results"][0]["sha256"]) == 64
    response = post(client, f"/api/tasks/draws/{draw_id}/draw", {"entropy": DICE})
    assert response.status_code == 422  # drawn once only

    # The task detail names the draw with its commitment and seed, never the drawn list.
    detail = client.get(f"/api/tasks/{task.pk}").json()
    assert detail["status"] == "fixed"
    assert [(d["id"], d["commitment_sha256"], d["seed"]) for d in detail["draws"]] == [
        (draw_id, frozen["commitment_sha256"], drawn["seed"])
    ]
    assert "targets" not in detail["draws"][0]

    # Inspectors only after every department confirmed; an operator does not confirm.
    response = post(client, f"/api/tasks/draws/{draw_id}/inspectors")
    assert response.status_code == 422 and "确认" in response.json()["detail"][0]
    assert post(client, f"/api/tasks/draws/{draw_id}/confirm").status_code == 403
    login("sw_admin")
    response = post(client, f"/api/tasks/draws/{draw_id}/confirm", {"note": "无异议"})
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert post(client, f"/api/tasks/draws/{draw_id}/confirm").status_code == 422  # already confirmed
    login("sc_admin")
    assert post(client, f"/api/tasks/draws/{draw_id}/confirm").status_code == 200
    confirmations = client.get(f"/api/tasks/draws/{draw_id}/confirmations").json()
    assert {c["department_id"]: c["status"] for c in confirmations} == {
        world.water.pk: "confirmed",
        world.market.pk: "confirmed",
    }
    response = post(client, f"/api/tasks/draws/{draw_id}/inspectors")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "inspectors" and response.json()["department_id"] == world.market.pk
    login("sw_admin")
    response = post(client, f"/api/tasks/draws/{draw_id}/inspectors")
    assert response.status_code == 201, response.content
    water_draw = response.json()
    assert water_draw["assignments_count"] > 0 and water_draw["target_draw_id"] == draw_id
    assert post(client, f"/api/tasks/draws/{draw_id}/inspectors").status_code == 422  # once per department

    # Substitute an inspector of the water draw.
    rows = client.get(f"/api/tasks/draws/{water_draw['id']}/assignments").json()
    assert rows and {r["department_id"] for r in rows} == {world.water.pk}
    row = next(r for r in rows if not r["is_expert"])
    body = {"target_code": row["target_code"], "certificate_no": row["certificate_no"], "reason": ""}
    response = post(client, f"/api/tasks/draws/{water_draw['id']}/substitute", body)
    assert response.status_code == 422 and "原因" in response.json()["detail"][0]
    response = post(client, f"/api/tasks/draws/{water_draw['id']}/substitute", {**body, "reason": "因病"})
    assert response.status_code == 200, response.content
    assert [(r["version"], r["event"], r["reason"]) for r in response.json()["results"]] == [
        (1, "draw", ""),
        (2, "substitute", "因病"),
    ]
    rows = client.get(f"/api/tasks/draws/{water_draw['id']}/assignments").json()
    ended = [r for r in rows if r["certificate_no"] == row["certificate_no"] and r["target_code"] == row["target_code"]]
    assert [r["active"] for r in ended] == [False] and any(r["from_substitution"] for r in rows)
    # The market department's administrator does not substitute for 水务局.
    login("sc_admin")
    response = post(client, f"/api/tasks/draws/{water_draw['id']}/substitute", {**body, "reason": "回避"})
    assert response.status_code == 403

    # Every bundle verifies with the independent verifier.
    login("sw_admin")
    for pk in (draw_id, water_draw["id"]):
        response = client.get(f"/api/tasks/draws/{pk}/bundle")
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        path = tmp_path / "b.zip"
        path.write_bytes(response.content)
        assert verify_bundle(str(path)) == []
    assert AuditEntry.objects.filter(action="tasks.sealed_bundle").count() == 2


def test_report_replaces_a_target_with_a_reserve(world, client, login):
    _task, draw = drawn_task(world)
    login("sw_admin")  # the lead department: its report replaces the target
    targets = client.get(f"/api/tasks/draws/{draw.pk}/targets").json()
    first = targets[0]
    response = post(client, f"/api/tasks/draws/{draw.pk}/report", {"target_code": "NOPE", "reason": "不属职责"})
    assert response.status_code == 422 and "不在本次抽中的对象中" in response.json()["detail"][0]
    response = post(
        client, f"/api/tasks/draws/{draw.pk}/report", {"target_code": first["code"], "reason": "不属本部门职责"}
    )
    assert response.status_code == 200, response.content
    assert [r["event"] for r in response.json()["results"]] == ["draw", "reserve"]
    after = {t["code"]: t for t in client.get(f"/api/tasks/draws/{draw.pk}/targets").json()}
    assert not after[first["code"]]["active"] and after[first["code"]]["replaced_by_code"]
    assert after[after[first["code"]]["replaced_by_code"]]["from_reserve"]
    # a cooperating department's report only removes its own items (issue 18): no new result
    login("sc_admin")
    second = targets[1]
    response = post(client, f"/api/tasks/draws/{draw.pk}/report", {"target_code": second["code"], "reason": "不涉及"})
    assert response.status_code == 200, response.content
    assert [r["event"] for r in response.json()["results"]] == ["draw", "reserve"]
    assert {t["code"]: t for t in client.get(f"/api/tasks/draws/{draw.pk}/targets").json()}[second["code"]]["active"]
    login("sw_operator")  # not a department administrator
    response = post(client, f"/api/tasks/draws/{draw.pk}/report", {"target_code": first["code"], "reason": "x"})
    assert response.status_code == 403


def test_sealed_lists_only_for_participants_and_every_read_audited(world, client, login):
    task, draw, inspector_draws = confirmed_with_inspectors(world)
    water_draw = inspector_draws[world.water.pk]
    urls = [
        f"/api/tasks/draws/{draw.pk}/targets",
        f"/api/tasks/draws/{draw.pk}/assignments",
        f"/api/tasks/draws/{water_draw.pk}/assignments",
        f"/api/tasks/draws/{draw.pk}/bundle",
        f"/api/tasks/draws/{water_draw.pk}/bundle",
    ]
    before = sealed_reads()
    for username in ("zr_inspector", "zr_operator"):
        login(username)
        for url in urls:
            assert client.get(url).status_code == 404, (username, url)
        assert client.get(f"/api/tasks/draws/{draw.pk}").status_code == 404
        assert client.get(f"/api/tasks/{task.pk}").status_code == 404
    # 督查 sees the task and its draws, not the sealed lists.
    login("qh_supervisor")
    assert client.get(f"/api/tasks/{task.pk}").json()["sealed_access"] is None
    assert client.get(f"/api/tasks/draws/{draw.pk}").status_code == 200
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert sealed_reads() == before

    for username in ("sw_admin", "sc_admin", "sw_operator", "qh_office"):
        login(username)
        n = sealed_reads()
        targets = client.get(urls[0]).json()
        assert len(targets) == draw.drawn_targets.count()
        assert client.get(urls[1]).status_code == 200
        assert sealed_reads() == n + 2
    entry = AuditEntry.objects.filter(action="tasks.sealed_api").latest("seq")
    assert entry.after["draw_id"] == draw.draw_id and entry.actor.username == "qh_office"

    # An inspector linked to an assigned inspector sees their own targets only; no bundle.
    assignment = water_draw.assignments.filter(is_expert=False).select_related("inspector").first()
    user = world.users["sw_inspector"]
    Inspector.objects.filter(pk=assignment.inspector_id).update(user=user)
    own = set(
        water_draw.assignments.filter(inspector_id=assignment.inspector_id).values_list("target__code", flat=True)
    )
    login("sw_inspector")
    assert client.get(f"/api/tasks/{task.pk}").json()["sealed_access"] == "own"
    n = sealed_reads()
    assert {t["code"] for t in client.get(urls[0]).json()} == own
    assert {a["target_code"] for a in client.get(urls[1]).json()} == own
    assert sealed_reads() == n + 2
    assert client.get(urls[3]).status_code == 404


def test_void_request_and_approval(world, client, login):
    task, draw = drawn_task(world)
    login("sw_operator")
    assert post(client, f"/api/tasks/draws/{draw.pk}/void", {"reason": " "}).status_code == 422
    response = post(client, f"/api/tasks/draws/{draw.pk}/void", {"reason": "见证人未到场"})
    assert response.status_code == 201, response.content
    void = response.json()
    assert void["status"] == "requested" and void["requested_by"] == world.users["sw_operator"].display_name
    assert post(client, f"/api/tasks/draws/{draw.pk}/void", {"reason": "再次"}).status_code == 422  # one open
    assert post(client, f"/api/tasks/voids/{void['id']}/decide", {"approve": True}).status_code == 403
    login("sc_admin")  # cooperating department: may not approve
    assert post(client, f"/api/tasks/voids/{void['id']}/decide", {"approve": True}).status_code == 403
    login("zr_admin")  # not visible
    assert post(client, f"/api/tasks/voids/{void['id']}/decide", {"approve": True}).status_code == 404

    login("sw_admin")
    detail = client.get(f"/api/tasks/draws/{draw.pk}").json()
    assert [v["id"] for v in detail["void_requests"]] == [void["id"]]
    response = post(client, f"/api/tasks/voids/{void['id']}/decide", {"approve": True, "note": "同意"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert Draw.objects.get(pk=draw.pk).status == DrawStatus.VOID
    assert post(client, f"/api/tasks/voids/{void['id']}/decide", {"approve": False}).status_code == 422

    # After the void a new freeze is allowed; the administrator may not approve their own request.
    response = post(client, f"/api/tasks/{task.pk}/freeze")
    assert response.status_code == 201, response.content
    second = response.json()["id"]
    void = post(client, f"/api/tasks/draws/{second}/void", {"reason": "参数有误"}).json()
    response = post(client, f"/api/tasks/voids/{void['id']}/decide", {"approve": True})
    assert response.status_code == 403 and "本人" in response.json()["detail"]
    login("qh_office")
    response = post(client, f"/api/tasks/voids/{void['id']}/decide", {"approve": False, "note": "不予作废"})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert Draw.objects.get(pk=second).status == DrawStatus.FROZEN


def test_odd_ids_and_anonymous(world, client, login):
    assert client.get("/api/tasks/").status_code == 401
    login("sw_admin")
    for url in ("/api/tasks/999999", "/api/tasks/draws/999999", "/api/tasks/draws/999999/targets"):
        assert client.get(url).status_code == 404
    assert post(client, "/api/tasks/voids/999999/decide", {"approve": True}).status_code == 404
    assert client.get("/api/tasks/draws/abc").status_code == 422
    assert Task.objects.count() == 0


def test_get_responses_with_real_objects_conform_to_the_schema(world, client, wsgi_connection):
    """The schemathesis run (tests/api) meets no task; here every GET answers a drawn task within its schema."""
    from schemathesis.specs.openapi.checks import ignored_auth

    from shuangsuiji.wsgi import application

    task, draw, inspector_draws = confirmed_with_inspectors(world)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if op.method.upper() == "GET" and op.path.startswith("/api/tasks/")
    ]
    assert len(operations) == 8
    for username in ("qh_office", "qh_supervisor"):
        client.force_login(world.users[username])
        cookies = {"sessionid": client.cookies["sessionid"].value}
        for op in operations:
            for draw_pk in (draw.pk, *(d.pk for d in inspector_draws.values())):
                params = {"task_id": task.pk, "draw_id": draw_pk}
                case = op.Case(path_parameters={k: v for k, v in params.items() if f"{{{k}}}" in op.path})
                response = case.call(cookies=cookies)
                assert response.status_code in (200, 403, 404), (username, op.path, response.text[:300])
                case.validate_response(response, excluded_checks=[ignored_auth])
