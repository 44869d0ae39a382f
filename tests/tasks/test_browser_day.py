"""The whole draw day in Chromium, in the demo county (issue 5, "Done means").

A joint task (水务局 lead, 市场监管局 cooperating) over production-construction projects at
≥ 10 % with credit-risk strata: preview, freeze, dice, draw; both departments confirm; both
draw their inspectors; one inspector is replaced by a substitute draw; the 一企一表 PDF shows
both departments' items and four inspectors; the bundle verifies with tools/verify_draw.py.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from shuangsuiji.tasks.models import Assignment, Draw, DrawKind, Task
from tests.browser import sign_in
from tests.tasks.helpers import DICE_DIGITS, seed_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _as(browser, base_url, username):
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    sign_in(page, base_url, username)
    return page


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def _embedded_fonts(data: bytes) -> set[str]:
    """Names of the fonts whose program is embedded in the PDF (FontFile, FontFile2 or FontFile3)."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            for f in [font, *[d.get_object() for d in font.get("/DescendantFonts") or []]]:
                desc = f.get("/FontDescriptor")
                if desc is not None and any(k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(f.get("/BaseFont")))
    return names


def test_draw_day(live_server, demo, browser, tmp_path):
    world = seed_world(demo)
    base = live_server.url

    # 1. The lead department's operator defines the joint task.
    op = _as(browser, base, "sw_operator")
    op.click("text=抽查任务与抽取")
    op.click("text=新建抽查任务")
    op.fill("#f-title", "2026年度生产建设项目部门联合抽查（第一批）")
    op.check("input[name=source][value=temporary]")
    op.fill("#f-just", "县双随机办部署的生产建设项目联合抽查")
    op.check(f"input[name=items][value='{world.sw1.pk}']")
    op.check(f"input[name=items][value='{world.sc2.pk}']")
    op.check("input[name=target_types][value=project]")
    # A 5 % would be below SW-001's minimum: the form says so and keeps the input.
    for key, pct in {"A": "5", "B": "25", "C": "40", "D": "60"}.items():
        op.fill(f"input[name=ratio_{key}]", pct)
    op.click("[data-testid=save-task]")
    assert "SW-001" in op.inner_text(".alert-danger")
    for key, pct in {"A": "20", "B": "25", "C": "40", "D": "60"}.items():
        op.fill(f"input[name=ratio_{key}]", pct)
    op.click("[data-testid=save-task]")

    # 2. Preview, then freeze: the commitment is shown on the ceremony page.
    op.wait_for_selector("[data-testid=preview-strata]")
    assert op.inner_text("[data-testid=preview-population]") == "40"
    sample = int(op.inner_text("[data-testid=preview-sample]"))
    assert sample == 2 + 3 + 4 + 6  # ceil(10 × 20 %), ceil(10 × 25 %), ceil(10 × 40 %), ceil(10 × 60 %)
    assert "清河县水务局" in op.inner_text("[data-testid=preview-inspectors]")
    op.click("[data-testid=freeze-btn]")
    commitment = op.inner_text("[data-testid=ceremony-commitment]").strip()
    assert re.fullmatch(r"[0-9a-f]{64}", commitment)
    task = Task.objects.get(title__startswith="2026年度生产建设项目部门联合抽查")
    draw = Draw.objects.get(task=task, kind=DrawKind.TARGETS)
    assert draw.commitment_sha256 == commitment and draw.status == "frozen"

    # 3. Dice digits entered by the witnesses, then the draw.
    op.fill("input[name=value_1]", DICE_DIGITS)
    op.fill("input[name=source_1]", "见证人 张三（县司法局）")
    op.fill("input[name=witnesses]", "张三、李四")
    op.click("[data-testid=draw-btn]")
    assert op.inner_text("[data-testid=drawn-count]") == str(sample)

    # 4. Both departments' administrators confirm from their to-do list.
    for admin, dept in (("sw_admin", world.water), ("sc_admin", world.market)):
        p = _as(browser, base, admin)
        p.click(f"text=确认派发的检查对象：{task}")
        p.click(f"[data-testid=confirmation-{dept.pk}] [data-testid=confirm-btn]")
        assert "已确认" in p.inner_text(f"[data-testid=confirmation-{dept.pk}]")
        p.context.close()

    # 5. Each department draws its own inspectors.
    pages = {}
    for admin, dept in (("sw_admin", world.water), ("sc_admin", world.market)):
        p = _as(browser, base, admin)
        p.click(f"text=抽取{dept.name}检查人员：{task}")
        p.click(f"[data-testid=inspectors-{dept.pk}] [data-testid=draw-inspectors-btn]")
        assert "已抽取" in p.inner_text(f"[data-testid=inspectors-{dept.pk}]")
        pages[admin] = p

    # 6. One 市场监管局 inspector cannot attend: substitute draw.
    sc = pages["sc_admin"]
    sc.click("[data-testid=open-sealed]")
    row = sc.locator("[data-testid=target-row]").first
    target_name = row.locator("td").nth(2).locator("a").inner_text()
    market_cell = row.locator("td").nth(4)
    replaced_name = market_cell.locator("[data-testid=member]").first.inner_text().split()[0]
    market_cell.locator("summary").first.click()
    market_cell.locator("input[name=reason]").first.fill("因病住院，无法参加")
    market_cell.locator("[data-testid=substitute-btn]").first.click()
    assert "已递补抽取" in sc.inner_text(".alert-success")
    target = task.draws.get(kind=DrawKind.TARGETS).drawn_targets.get(target__name=target_name).target
    current = list(
        Assignment.objects.filter(draw__task=task, target=target, ended_at__isnull=True).select_related("inspector")
    )
    assert len(current) == 4 and replaced_name not in {a.inspector.name for a in current}

    # 7. The 一企一表 PDF: both departments' items, four inspectors, embedded Chinese fonts.
    response = sc.request.get(f"{base}/tasks/{task.pk}/sheets/{target.pk}/pdf/")
    assert response.status == 200 and response.body()[:4] == b"%PDF"
    pdf = response.body()
    assert _embedded_fonts(pdf), "the PDF must embed its (Chinese) fonts"
    text = re.sub(r"\s+", "", _pdf_text(pdf))
    assert target_name in text
    for item in (world.sw1, world.sc2):
        assert item.name in text
    for a in current:
        assert a.inspector.name in text and a.inspector.certificate_no in text
    assert "赵文静" in text  # the viewer's name (sc_admin) on the download

    # 8. The bundles download and verify with the independent tool.
    sc.goto(f"{base}/tasks/draws/{draw.pk}/")
    with sc.expect_download() as download:
        sc.click("[data-testid=bundle-link]")
    path = tmp_path / "targets.zip"
    download.value.save_as(path)
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools/verify_draw.py"), str(path)], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("OK"), out.stdout + out.stderr
    market_draw = Draw.objects.get(task=task, kind=DrawKind.INSPECTORS, department=world.market)
    response = sc.request.get(f"{base}/tasks/draws/{market_draw.pk}/bundle.zip")
    path = tmp_path / "market.zip"
    path.write_bytes(response.body())
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools/verify_draw.py"), str(path)], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("OK"), out.stdout + out.stderr
    for p in pages.values():
        p.context.close()
    op.context.close()
