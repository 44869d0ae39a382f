"""The reports API gives the same figures as the forms; bad periods are 422 in Chinese."""

from __future__ import annotations

import pytest

from shuangsuiji.reports import annex, services


@pytest.mark.django_db
def test_api_forms_and_list(demo, client, login):
    login("qh_office")
    office = demo.orgs["county_office"]
    r = client.get("/api/reports/forms/annual?year=2026")
    assert r.status_code == 200
    assert r.json()["figures"] == annex.compute("annual", office, 2026)
    bad = client.get("/api/reports/forms/monthly?year=2026&period=0")
    assert bad.status_code == 422 and "月份须为 1–12" in bad.json()["detail"][0]
    services.create_report(demo.department("water"), "monthly", 2026, 3, demo.users["sw_operator"])
    rows = client.get("/api/reports/reports").json()["items"]
    assert [(x["kind"], x["year"], x["period"], x["status"]) for x in rows] == [("monthly", 2026, 3, "draft")]
    login("sc_operator")
    assert client.get("/api/reports/reports").json()["items"] == []
