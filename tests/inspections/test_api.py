"""The inspections API: the same rules as the pages (404 outside scope or for another
department's open part, 403 wrong role, 422 Chinese messages), idempotent submission."""

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.inspections.models import PartEvent
from tests.inspections.helpers import build, photo, visit, water_failed_entry
from tests.neighbour import neighbour_county

pytestmark = pytest.mark.django_db


def _json(client, method, url, body=None):
    return getattr(client, method)(url, body or {}, content_type="application/json")


def _draft_body(w, crid=""):
    e = water_failed_entry(w, refs=[photo(w)])[0]
    return {
        "codes": ["02"],
        "items": [
            {
                "task_item_id": e.task_item_id,
                "method": e.method,
                "answers": e.answers,
                "outcome": e.outcome,
                "problem": e.problem,
                "legal_basis": e.legal_basis,
            }
        ],
        "client_request_id": crid,
    }


def test_entry_review_and_rules_by_api(demo, client):
    w = build(demo)
    visit(w)
    base = f"/api/inspections/records/{w.record.pk}"
    client.force_login(w.users["sw_inspector"])
    assert client.get("/api/inspections/codebook").json()[0]["label"] == "未发现问题"
    r = _json(client, "put", f"{base}/parts/{w.water.pk}", {"codes": ["99"]})
    assert r.status_code == 422 and "结果代码“99”" in r.json()["detail"][0]
    r = _json(client, "put", f"{base}/parts/{w.water.pk}", _draft_body(w, "c-1"))
    assert r.status_code == 200, r.content
    part_id = r.json()["id"]
    for _ in range(2):  # the offline queue re-sends: stored once
        r = _json(client, "post", f"{base}/parts/{w.water.pk}/submit", {"client_request_id": "s-1"})
        assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert PartEvent.objects.filter(action="submit").count() == 1
    # the other department's inspector: the open part is not there for them
    client.force_login(w.users["sc_inspector"])
    assert client.get(f"/api/inspections/parts/{part_id}").status_code == 404
    assert _json(client, "put", f"{base}/parts/{w.water.pk}", _draft_body(w)).status_code == 403
    # wrong role: a water inspector who did not enter it is still no reviewer
    client.force_login(w.users["sw_inspector2"])
    assert _json(client, "post", f"/api/inspections/parts/{part_id}/determine").status_code == 403
    # outsiders: 404 on record, part and evidence
    ev_id = client.get(base).json()["evidence"][0]["id"] if client.get(base).status_code == 200 else None
    for user in [w.users["zr_admin"], *neighbour_county(demo).users.values()]:
        client.force_login(user)
        assert client.get(base).status_code == 404
        assert client.get(f"/api/inspections/parts/{part_id}").status_code == 404
        assert client.get(f"/api/inspections/evidence/{ev_id}").status_code == 404
        assert _json(client, "post", f"/api/inspections/parts/{part_id}/determine").status_code == 404
    # the reviewer: return needs a reason (422), then determine after resubmission
    client.force_login(w.users["sw_admin"])
    before = AuditEntry.objects.filter(action="tasks.sealed_api").count()
    r = _json(client, "post", f"/api/inspections/parts/{part_id}/return", {"reason": ""})
    assert r.status_code == 422 and "退回原因" in r.json()["detail"][0]
    assert AuditEntry.objects.filter(action="tasks.sealed_api").count() > before
    assert _json(client, "post", f"/api/inspections/parts/{part_id}/return", {"reason": "补充照片"}).status_code == 200
    client.force_login(w.users["sw_inspector"])
    assert _json(client, "put", f"{base}/parts/{w.water.pk}", _draft_body(w)).status_code == 200
    assert _json(client, "post", f"{base}/parts/{w.water.pk}/submit", {}).status_code == 200
    client.force_login(w.users["sw_admin"])
    r = _json(client, "post", f"/api/inspections/parts/{part_id}/determine", {})
    assert r.status_code == 200 and r.json()["publication_due_on"]
    progress = client.get(f"/api/inspections/tasks/{w.task.pk}/progress").json()
    water = next(p for p in progress if p["department_id"] == w.water.pk)
    assert (water["entered"], water["determined"]) == (1, 1)
    r = _json(client, "post", f"/api/inspections/parts/{part_id}/corrections", {"reason": "拦挡位置录入有误"})
    assert r.status_code == 201 and r.json()["version"] == 2 and r.json()["supersedes_id"] == part_id
