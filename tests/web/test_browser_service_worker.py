"""The service worker: the app shell is cached, pages never are (sealed pages are no-store and
every page is per user), and a page that cannot be fetched offline is answered with the
offline page "当前离线", which reloads itself when the connection returns."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHED_URLS = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) out.push(new URL(request.url).pathname);
  }
  return out;
}"""


def test_offline_pages_fall_back_and_no_page_is_cached(live_server, demo, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, "sw_admin")
    page.wait_for_selector("[data-testid=home-title]")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active.scriptURL)").endswith("/sw.js")
    for path in ("/targets/", "/inspectors/", "/calendar/", "/"):
        page.goto(live_server.url + path)
    cached = page.evaluate(CACHED_URLS)
    assert "/offline/" in cached and "/static/css/app.css" in cached
    assert all(p.startswith("/static/") or p == "/offline/" for p in cached), cached

    context.set_offline(True)
    page.goto(f"{live_server.url}/targets/")
    assert page.inner_text("[data-testid=offline-title]") == "当前离线"
    # Back online, the page it stood in for is fetched.
    context.set_offline(False)
    heading = None
    for _ in range(400):  # the reload is the page's own: poll for its result
        try:
            heading = page.evaluate("(document.querySelector('main h1') || {}).textContent || null")
        except PlaywrightError:  # the reload is under way
            heading = None
        if heading and heading != "当前离线":
            break
        page.wait_for_timeout(50)
    assert heading == "检查对象名录库"
    assert page.url == f"{live_server.url}/targets/"
    # Leave nothing running against the shared live server: the worker unregistered and the
    # page's own reload loop stopped before the context closes (a later test's import waited
    # behind a request still in flight).
    page.evaluate("navigator.serviceWorker.getRegistrations().then(rs => Promise.all(rs.map(r => r.unregister())))")
    page.goto("about:blank")
    page.wait_for_timeout(500)
    context.close()
