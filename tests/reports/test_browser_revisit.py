"""Playwright: the county supervisor freezes a revisit sample, enters the dice and draws; the
downloaded bundle verifies with tools/verify_draw.py; a finding is recorded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import sign_in
from tests.reports.helpers import build

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_supervisor_draws_a_revisit_sample(live_server, demo, page, tmp_path):
    build(demo)
    sign_in(page, live_server.url, "qh_supervisor")
    page.goto(f"{live_server.url}/reports/")
    page.click("text=回访抽取")
    page.fill("#r-year", "2026")
    page.fill("#r-ratio", "0.5")
    page.click("[data-testid=revisit-freeze]")
    assert "已冻结" in page.inner_text("[data-testid=revisit-status]")
    page.fill("#v-dice", "5 3 2 6 1 4 4 1 6 2 5 3 3 6 1 5 2 4 6 2 1 3 5 4 2 6")
    page.fill("#v-source", "见证人 郭海新、田婷婷")
    page.click("[data-testid=revisit-draw]")
    assert page.inner_text("[data-testid=revisit-status]") == "已抽取"
    with page.expect_download() as download:
        page.click("[data-testid=revisit-bundle]")
    path = tmp_path / "revisit.zip"
    download.value.save_as(path)
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools/verify_draw.py"), str(path)], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("OK"), out.stdout + out.stderr
    sample = page.locator("[data-testid=revisit-sample] tbody tr")
    assert sample.count() == 2
    sample.first.locator("button").click()
    assert "属实" in page.locator("[data-testid=revisit-sample] tbody tr").first.inner_text()
    page.goto(f"{live_server.url}/reports/revisits/")
    assert page.inner_text("[data-testid=share-confirmed]") == "1 / 1"
