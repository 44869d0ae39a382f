"""The KPI dashboard on the known fixture: figures by hand, the same numbers on screen and in
the xlsx export, drill-down to the tasks behind a figure; Playwright: the county 双随机办
opens the dashboard, clicks a figure and lands on the records behind it."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.utils import timezone

from shuangsuiji.reports import figures
from tests.browser import sign_in
from tests.reports.helpers import build


@pytest.mark.django_db
def test_screen_and_export_agree(demo, client, login):
    fx = build(demo)
    office = demo.orgs["county_office"]
    today = timezone.localdate()
    by_key = {k.key: k for k in figures.kpis(office, 2026, today)}
    # by hand: 2 batches (joint + market's own), 1 joint; both stratified
    assert (by_key["joint_share"].numerator, by_key["joint_share"].denominator) == (1, 2)
    assert (by_key["credit_risk_share"].numerator, by_key["credit_risk_share"].denominator) == (2, 2)
    # 5 determined parts; found a problem: 市场监管 t1 (03), 水务 t2 (02), 水务 t3 (07)
    assert (by_key["problem_rate"].numerator, by_key["problem_rate"].denominator) == (3, 5)
    # nothing published and no deadline passed yet: no result is due (test_publication_figures)
    assert (by_key["on_time_publication"].numerator, by_key["on_time_publication"].percent) == (0, "—")
    # both tasks draw from the same 40 projects: targets drawn by both lead departments
    both = set(fx.draw.drawn_targets.filter(replaced_by__isnull=True).values_list("target_id", flat=True)) & set(
        fx.market_draw.drawn_targets.filter(replaced_by__isnull=True).values_list("target_id", flat=True)
    )
    assert by_key["repeat_inspections"].numerator == len(both)

    login("qh_office")
    page = client.get("/reports/dashboard/?year=2026").content.decode()
    screen = dict(re.findall(r'data-key="([^"]+)">([^<]*)<', page))
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/dashboard.xlsx?year=2026").content))
    ws = book.active
    export = {ws.cell(r, 1).value: ws.cell(r, 4).value for r in range(3, ws.max_row + 1)}
    assert screen["batches"] == "2" and ws.cell(3, 2).value == 2
    for key, k in by_key.items():
        assert screen[key] == export[k.label] == k.percent, key
    assert screen["joint_share"] == "50.0%" and screen["problem_rate"] == "60.0%"
    coverage = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(3, ws.max_row + 1)}
    for key, value in screen.items():
        if key.startswith("coverage:"):
            assert coverage[f"事项覆盖：{key[len('coverage:') :]}"] == value

    drill = client.get("/reports/dashboard/drill/?year=2026&figure=joint_share").content.decode()
    assert fx.task.code in drill and fx.market_task.code not in drill
    assert client.get("/reports/dashboard/drill/?year=2026&figure=nope").status_code == 400
    assert client.get("/reports/dashboard/?org=999999999").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_office_drills_down_in_the_browser(live_server, demo, page):
    fx = build(demo)
    sign_in(page, live_server.url, "qh_office")
    page.goto(f"{live_server.url}/reports/dashboard/?year=2026")
    page.wait_for_selector("#chart-coverage canvas")  # ECharts drew (vendored, no CDN)
    assert page.inner_text("[data-key=joint_share]") == "50.0%"
    page.click("[data-testid=kpi-joint_share]")
    assert "部门联合抽查占比" in page.inner_text("[data-testid=drill-title]")
    assert fx.task.code in page.inner_text("[data-testid=drill-tasks]")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/reports/dashboard/?year=2026")
    page.screenshot(path="/tmp/h-reports-dashboard-390.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/reports/dashboard/?year=2026")
    page.wait_for_selector("#chart-coverage canvas")
    page.screenshot(path="/tmp/h-reports-dashboard-1366.png", full_page=True)
