"""On a 390 px phone, an anonymous visitor finds a business by a name fragment, sees its
results of two departments with a correction beside the original, opens the task of one
result, downloads the draw bundle, and the independent verifier accepts it."""

import subprocess
import sys

import pytest

from tests.publicity import world as public_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_visitor_finds_a_business_and_verifies_the_draw(live_server, demo, browser, tmp_path):
    w = public_world.build(demo, results=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/gongshi/")
    page.fill("#portal-q", w.first.name[-5:])
    page.click("form[role=search] button[type=submit]")
    page.click(f"a[href='/gongshi/businesses/{w.first.pk}/']")
    results = page.locator("[data-testid=result]")
    assert results.count() == 3  # 水务局 original and correction, 市场监管局
    text = page.inner_text("main")
    assert "清河县水务局" in text and "清河县市场监督管理局" in text
    assert "更正第 2 版" in text and "已有更正" in text and "发现问题经责令已改正" in text
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the business page is {width} px wide"
    page.screenshot(path="/tmp/h-portal-business-390.png", full_page=True)
    page.locator("[data-testid=result-task]").first.click()
    assert w.draw.commitment_sha256 in page.inner_text("[data-testid=commitment]")
    assert page.inner_text("[data-testid=seed]") == w.draw.seed
    with page.expect_download() as info:
        page.click("[data-testid=bundle]")
    bundle = tmp_path / "bundle.zip"
    info.value.save_as(bundle)
    run = subprocess.run([sys.executable, "tools/verify_draw.py", str(bundle)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    page.screenshot(path="/tmp/h-portal-task-390.png", full_page=True)
    # a task frozen but not drawn: its commitment hash and nothing else
    page.goto(f"{live_server.url}/gongshi/tasks/{w.frozen_task.pk}/")
    assert page.inner_text("[data-testid=commitment]") == w.frozen_draw.commitment_sha256
    for testid in ("entropy", "seed", "bundle"):
        assert page.locator(f"[data-testid={testid}]").count() == 0
    context.close()


def test_portal_at_1366(live_server, demo, page):
    w = public_world.build(demo, results=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/gongshi/businesses/{w.first.pk}/")
    assert page.locator("[data-testid=result]").count() == 3
    page.screenshot(path="/tmp/h-portal-business-1366.png", full_page=True)
    page.goto(f"{live_server.url}/gongshi/tasks/{w.task.pk}/")
    page.screenshot(path="/tmp/h-portal-task-1366.png", full_page=True)
