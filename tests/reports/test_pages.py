"""The report pages: list, preview, detail with the workflow buttons, files, the office's
incoming page and the supervision page; scope (404), roles (403), bad input (400, Chinese)."""

from __future__ import annotations

import pytest

from shuangsuiji.reports import services


@pytest.mark.django_db
def test_pages_and_rules(demo, client, login):
    login("sw_operator")
    assert client.get("/reports/").status_code == 200
    r = client.get("/reports/form/?kind=annual&year=2026")
    assert (
        r.status_code == 200
        and "监管信息统计表" in r.content.decode()
        and "抽查结果公示数量（户）" in r.content.decode()
    )
    bad = client.get("/reports/form/?kind=monthly&year=2026&period=13")
    assert bad.status_code == 400 and "月份须为 1–12" in bad.content.decode()
    assert client.get("/reports/form/?kind=nope&year=x").status_code == 400
    x = client.get("/reports/form.xlsx?kind=joint&year=2026")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.post("/reports/new/", {"kind": "monthly", "year": "2026", "period": "3"})
    report = services.Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "审核通过" in page and "本月召开会议部署随机抽查工作情况" in page
    client.post(f"/reports/{report.pk}/save/", {"meetings": "3月2日 部署会", "answered": "x"})
    report.refresh_from_db()
    assert report.entered["meetings"] == "3月2日 部署会"
    assert client.get(f"/reports/{report.pk}/report.pdf").content.startswith(b"%PDF")

    login("qh_supervisor")  # reads the county's reports, acts on nothing
    assert client.get(f"/reports/{report.pk}/").status_code == 200
    assert client.post(f"/reports/{report.pk}/check/").status_code == 403
    assert client.get("/reports/supervision/").status_code == 200

    login("sc_operator")  # another department: outside the scope
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.post(f"/reports/{report.pk}/check/").status_code == 404
    assert client.get("/reports/supervision/").status_code == 403
    assert client.get("/reports/incoming/").status_code == 403

    login("qh_office")
    page = client.get("/reports/incoming/?kind=monthly&year=2026&period=3").content.decode()
    assert "清河县水务局" in page and "未报送" in page
