"""At 390×844 (a phone) no page scrolls sideways: the navigation collapses behind a button,
the user's name and 退出 stay apart, tables scroll in their own box and forms stack (issue 18)."""

from __future__ import annotations

import os

import pytest

from tests.browser import sign_in
from tests.web import phone_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# A folder to keep a screenshot of every page in, to look at them (optional).
SCREENSHOTS = os.environ.get("SHUANGSUIJI_PHONE_SCREENSHOTS")


def _boxes_overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_no_page_scrolls_sideways_on_a_phone(live_server, demo, browser):
    _world, pages = phone_pages.build(demo)
    too_wide, not_ok = [], []
    for username, paths in pages.items():
        context = browser.new_context(locale="zh-CN", viewport=PHONE)
        page = context.new_page()
        sign_in(page, live_server.url, username)
        page.wait_for_selector("[data-testid=home-title]")
        for path in paths:
            response = page.goto(live_server.url + path)
            if response.status != 200:
                not_ok.append(f"{username} {path}: {response.status}")
                continue
            page.wait_for_load_state("load")
            width = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
            if SCREENSHOTS:
                page.screenshot(path=os.path.join(SCREENSHOTS, f"{username}{path.replace('/', '_')}.png"))
            if width > inner:
                page.screenshot(path=f"/tmp/phone-too-wide-{username}{path.replace('/', '_')}.png", full_page=True)
                too_wide.append(f"{username} {path}: {width} > {inner}")
        context.close()
    assert not not_ok, not_ok
    assert not too_wide, too_wide


def test_the_phone_shell_collapses_the_navigation(live_server, demo, browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not page.is_visible("[data-testid=nav-toggle]")  # nothing to navigate before signing in
    sign_in(page, live_server.url, "sw_admin")
    page.wait_for_selector("[data-testid=home-title]")
    # The sidebar is hidden behind the menu button; the name and 退出 do not overlap.
    assert not page.is_visible("#app-nav .nav-link")
    name = page.locator("[data-testid=current-user]").bounding_box()
    logout = page.locator("form[action='/logout/'] button").bounding_box()
    assert name and logout and not _boxes_overlap(name, logout)
    assert logout["x"] + logout["width"] <= PHONE["width"]
    # The menu opens over the page and leads to a section.
    page.click("[data-testid=nav-toggle]")
    page.wait_for_selector("#app-nav.show")
    assert "王志强" in page.inner_text("#app-nav")
    page.click("#app-nav >> text=检查对象名录库")
    page.wait_for_url(f"{live_server.url}/targets/")
    assert not page.is_visible("#app-nav .nav-link")
    # The table scrolls inside its own box, not the page.
    table = page.locator("table").first
    assert table.evaluate("t => getComputedStyle(t).overflowX") == "auto"
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_the_desktop_keeps_the_sidebar(live_server, demo, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    sign_in(page, live_server.url, "sw_admin")
    page.wait_for_selector("[data-testid=home-title]")
    assert page.is_visible("#app-nav >> text=检查对象名录库")
    assert not page.is_visible("[data-testid=nav-toggle]")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
