"""Revisit sampling (回访): the supervisor freezes the inspected businesses, draws with public
entropy, the bundle verifies with tools/verify_draw.py; findings are recorded once and the
share confirmed is shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shuangsuiji.reports import revisit
from shuangsuiji.reports.models import RevisitDraw
from shuangsuiji.reports.services import ReportRuleError
from tests.reports.helpers import build

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_revisit_draw_verifies_and_findings(demo, client, login, tmp_path):
    fx = build(demo)
    login("qh_supervisor")
    assert client.post("/reports/revisits/", {"year": "2026", "ratio": "2", "minimum": "1"}).status_code == 302
    assert not RevisitDraw.objects.exists()  # a ratio above 1 is refused with a message
    client.post("/reports/revisits/", {"year": "2026", "ratio": "0.5", "minimum": "1"})
    draw = RevisitDraw.objects.get()
    # determined results: targets 1 and 2 (both departments), target 3 (水务局): 3 businesses
    assert draw.population_count == 3
    client.post(
        f"/reports/revisits/{draw.pk}/draw/",
        {"dice": "4 2 6 1 3 5 5 2 1 6 3 4 2 2 6 5 1 3 4 6 1 5 3 2 6 4", "source": "见证人 郭海新"},
    )
    draw.refresh_from_db()
    assert draw.status == RevisitDraw.Status.DRAWN and len(draw.selected) == 2  # ceil(3 × 0.5)
    assert set(draw.selected) <= {r.target.code for r in fx.records}

    response = client.get(f"/reports/revisits/{draw.pk}/bundle.zip")
    path = tmp_path / "revisit.zip"
    path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools/verify_draw.py"), str(path)], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("OK"), out.stdout + out.stderr

    first, second = revisit.sampled_targets(draw)
    client.post(f"/reports/revisits/{draw.pk}/finding/", {"target": str(first.pk), "confirmed": "1"})
    with pytest.raises(ReportRuleError, match="须填写回访情况"):
        revisit.record_finding(draw, second.pk, False, "", demo.users["qh_supervisor"])
    client.post(
        f"/reports/revisits/{draw.pk}/finding/", {"target": str(second.pk), "confirmed": "0", "note": "现场已停产"}
    )
    with pytest.raises(ReportRuleError, match="不可修改"):
        revisit.record_finding(draw, first.pk, False, "改", demo.users["qh_supervisor"])
    with pytest.raises(ReportRuleError, match="不在本次回访"):
        revisit.record_finding(draw, 10**12, True, "", demo.users["qh_supervisor"])
    page = client.get("/reports/revisits/").content.decode()
    assert "1 / 2" in page
    assert client.post(f"/reports/revisits/{draw.pk}/draw/", {"dice": "1", "source": "x"}).status_code == 302
    login("sw_admin")  # a department does not draw revisits
    assert client.get(f"/reports/revisits/{draw.pk}/").status_code == 404
    assert client.get("/reports/revisits/").status_code == 403
