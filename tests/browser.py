"""Playwright in the system Chromium (no browser download: executable_path)."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _one_request_at_a_time() -> None:
    """The live server (pytest-django) shares ONE database connection between its request
    threads when the test database is SQLite in memory; two requests at once (a page and the
    service worker's or htmx's fetch) then interleave on that connection, and an audit entry
    read the chain's head inside the other's transaction (UNIQUE seq, seen once under load).
    The real servers give each request its own connection (gunicorn, runserver, the
    production test), so only the live server is made to take its requests one at a time."""
    import threading

    from django.core.handlers.wsgi import WSGIHandler

    if getattr(WSGIHandler, "_one_at_a_time", False):
        return
    lock = threading.RLock()
    call = WSGIHandler.__call__

    def serialised(self, environ, start_response):
        with lock:
            return call(self, environ, start_response)

    WSGIHandler.__call__ = serialised
    WSGIHandler._one_at_a_time = True


@pytest.fixture(scope="session")
def browser():
    _one_request_at_a_time()
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"找不到 Chromium（{CHROMIUM}）：请先运行 scripts/install-system-deps.sh")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, base_url: str, username: str, password: str = "Qinghe@2026") -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
