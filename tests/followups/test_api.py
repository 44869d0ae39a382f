"""The follow-up API applies the pages' rules: scope (404), roles (403), refusals (422)."""

from __future__ import annotations

import pytest

from shuangsuiji.followups import services
from shuangsuiji.followups.models import FollowUpStatus
from tests.followups.helpers import determined_part, drawn_target, world_with_task


@pytest.mark.django_db
def test_api_transfer_accept_and_scope(demo, client):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    part = determined_part(world, world.water, drawn_target(world, world.water))
    [fu] = services.open_followups(part, sw, type_code="05")
    natural = demo.department("natural_resources")

    client.force_login(sw)
    r = client.get("/api/followups/")
    assert r.status_code == 200 and [x["number"] for x in r.json()["items"]] == [fu.number]
    r = client.post(f"/api/followups/{fu.pk}/steps", {"text": ""}, content_type="application/json")
    assert r.status_code == 422 and "请填写步骤内容" in r.json()["detail"][0]
    r = client.post(
        f"/api/followups/{fu.pk}/transfers",
        {"to_department_id": natural.pk, "reason": "属自然资源部门职责"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    tr_id = r.json()["id"]
    assert (
        client.post(f"/api/followups/transfers/{tr_id}/accept", {}, content_type="application/json").status_code == 403
    )

    client.force_login(world.users["sc_admin"])
    assert client.get(f"/api/followups/{fu.pk}").status_code == 404
    assert client.get("/api/followups/").json()["items"] == []

    client.force_login(world.users["zr_admin"])
    r = client.post(f"/api/followups/transfers/{tr_id}/accept", {"type_code": "01"}, content_type="application/json")
    assert r.status_code == 200, r.content
    new_id = r.json()["id"]
    detail = client.get(f"/api/followups/{fu.pk}").json()
    assert detail["status"] == FollowUpStatus.CLOSED and set(detail["chain_ids"]) == {fu.pk, new_id}
    assert detail["transfers"][0]["received_followup_id"] == new_id

    client.force_login(world.users["qh_supervisor"])
    assert client.get(f"/api/followups/{new_id}").status_code == 200
    r = client.post(f"/api/followups/{new_id}/close", {"outcome": "x"}, content_type="application/json")
    assert r.status_code == 403
    assert len(client.get("/api/followups/rules").json()) >= 7
    assert "/api/followups/" in client.get("/api/openapi.json").json()["paths"]
