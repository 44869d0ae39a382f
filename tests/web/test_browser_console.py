"""No page writes an error to the browser console (issue 18): the CSP used to refuse htmx's
injected indicator style on every page, and every page asked for a missing favicon."""

from __future__ import annotations

import pytest

from tests.browser import sign_in
from tests.web import phone_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}])
def test_no_console_errors_on_any_page(live_server, demo, browser, viewport):
    _world, pages = phone_pages.build(demo)
    errors = []
    for username, paths in pages.items():
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        page.on("console", lambda m, p=page: errors.append(f"{p.url} {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e, p=page: errors.append(f"{p.url} {e}"))
        sign_in(page, live_server.url, username)
        page.wait_for_selector("[data-testid=home-title]")
        for path in paths:
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
        # The page that came before the sign-in, and the favicon a browser asks for by itself.
        page.click("form[action='/logout/'] button")
        page.wait_for_url(f"{live_server.url}/login/")
        assert page.request.get(f"{live_server.url}/favicon.ico").status == 200
        context.close()
    assert not errors, errors
