"""The README's production steps, run as an office would run them: DEBUG off, ``check --deploy``,
``collectstatic`` into the manifest storage, gunicorn in front of the suite's database kind
(a fresh PostgreSQL database when the suite runs on PostgreSQL, an SQLite file otherwise).

Then, over real HTTP as the TLS proxy would forward it: the login page, a sign-in as each demo
role, that role's home page and a list page, the admin, a vendored static file under its
hashed name (compressed and cached for ever), a missing page, and the security headers on all.

A vendored file whose reference cannot be resolved makes ``collectstatic`` fail, and a template
naming a static file that was not collected answers 500: either fails this test.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PASSWORD = "Qinghe@2026"
HOST = "ssj.example.gov.cn"

# (demo login, a title its home page shows, pages of its role: the year's first half and its
# second half — results, follow-up, publication, reports, supervision)
ROLES = [
    ("admin", "平台管理员工作台", ("/audit/",)),
    ("qh_office", "双随机办工作台", ("/tasks/", "/reports/", "/reports/dashboard/", "/publicity/")),
    ("sw_admin", "部门系统管理员工作台", ("/targets/", "/followups/", "/publicity/")),
    ("sc_operator", "业务股室工作台", ("/items/", "/followups/")),
    ("zr_inspector", "执法检查人员工作台", ("/tasks/", "/inspections/")),
    ("qh_supervisor", "督查工作台", ("/audit/", "/reports/supervision/")),
]
HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=31536000",
}

pytestmark = [pytest.mark.production, pytest.mark.xdist_group("production")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp: Path, worker: str) -> tuple[str, callable]:
    """A fresh database of the suite's kind, and how to drop it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'production.sqlite3'}", lambda: None
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'test'}_production_{worker}"
    admin = urlunsplit(parts._replace(path="/postgres"))

    def run(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    database_url, drop = _database_url(tmp, worker)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHUANGSUIJI_", "DJANGO_", "DEBUG"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="production-test-" + "k" * 50,
        ALLOWED_HOSTS=HOST,
        SHUANGSUIJI_SECURE_COOKIES="1",
        SHUANGSUIJI_VAR_DIR=str(tmp / "var"),
        STATIC_ROOT=str(tmp / "static"),
    )
    _manage(env, "check", "--deploy", "--fail-level", "WARNING")
    _manage(env, "migrate", "--noinput", "-v", "0")
    collected = _manage(env, "collectstatic", "--noinput")
    assert "post-processed" in collected.stdout
    _manage(env, "seed_demo")

    port = _free_port()
    log = open(tmp / "gunicorn.log", "w+")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [GUNICORN, "shuangsuiji.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--access-logfile", "-"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:  # the first request imports the application in each worker
            try:
                requests.get(base + "/login/", headers={"Host": HOST}, timeout=30, allow_redirects=False)
                break
            except requests.RequestException:
                assert server.poll() is None, "gunicorn exited:\n" + (tmp / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer:\n" + (tmp / "gunicorn.log").read_text()
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        drop()


class Browser:
    """What the TLS proxy forwards: the public host name and the original scheme, and the
    cookies a browser would keep (they are ``Secure``, which ``requests`` would not send over
    the proxy's plain-HTTP leg, so they are kept here; each is checked to be Secure, the
    session cookie HttpOnly too)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kw) -> requests.Response:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", **kw.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        kw.setdefault("timeout", 60)
        kw.setdefault("allow_redirects", False)
        response = requests.request(method, self.base + path, headers=headers, **kw)
        for cookie in response.cookies:
            assert cookie.secure, f"cookie {cookie.name} is not Secure"
            if cookie.name == "sessionid":
                assert cookie.has_nonstandard_attr("HttpOnly"), "the session cookie is not HttpOnly"
            self.cookies[cookie.name] = cookie.value
        return response

    def get(self, path: str, **kw) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return self.request("POST", path, **kw)


def _assert_secure_headers(response: requests.Response) -> None:
    for name, expected in HEADERS.items():
        assert expected in response.headers.get(name, ""), f"{response.url}: {name} missing or wrong"


def _sign_in(base: str, username: str) -> Browser:
    s = Browser(base)
    page = s.get("/login/")
    assert page.status_code == 200
    assert "登录" in page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    # The proxy forwards https: the CSRF check compares the Referer with the public origin.
    answer = s.post(
        "/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        headers={"Referer": f"https://{HOST}/login/"},
    )
    assert answer.status_code == 302, f"{username}: sign-in answered {answer.status_code}"
    assert "sessionid" in s.cookies
    return s


def test_plain_http_is_sent_to_https(production):
    answer = requests.get(production + "/login/", headers={"Host": HOST}, allow_redirects=False, timeout=30)
    assert answer.status_code == 301
    assert answer.headers["Location"] == f"https://{HOST}/login/"


def test_login_page_and_its_static_files(production):
    s = Browser(production)
    page = s.get("/login/")
    assert page.status_code == 200
    _assert_secure_headers(page)
    static = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert any(re.search(r"bootstrap\.min\.[0-9a-f]{12}\.css$", u) for u in static), static
    for url in static:
        asset = s.get(url, headers={"Accept-Encoding": "gzip"})
        assert asset.status_code == 200, url
        assert "immutable" in asset.headers.get("Cache-Control", ""), url
        if not url.endswith((".png", ".ico")):  # already compressed: WhiteNoise leaves them as they are
            assert asset.headers.get("Content-Encoding") == "gzip", url


@pytest.mark.parametrize(("username", "title", "pages"), ROLES)
def test_each_role_signs_in_and_works(production, username, title, pages):
    s = _sign_in(production, username)
    home = s.get("/")
    assert home.status_code == 200
    assert title in home.text
    _assert_secure_headers(home)
    for url in pages:
        page = s.get(url)
        assert page.status_code == 200, f"{username} {url}: {page.status_code}"
        _assert_secure_headers(page)
        for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text):
            assert s.get(asset).status_code == 200, f"{url}: {asset}"


def test_the_public_portal_answers_without_signing_in(production):
    """一公开: the public portal and its search, anonymous, with its static files."""
    s = Browser(production)  # not signed in
    for url in ("/gongshi/", "/gongshi/?q=%E6%B8%85%E6%B2%B3"):
        page = s.get(url)
        assert page.status_code == 200, url
        _assert_secure_headers(page)
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        assert assets, url
        for asset in assets:
            assert s.get(asset).status_code == 200, asset


def test_admin_and_api_docs_with_their_static_files(production):
    s = _sign_in(production, "admin")
    for url in ("/admin/", "/api/docs"):
        page = s.get(url)
        assert page.status_code == 200, url
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        assert assets, url
        for asset in assets:
            assert s.get(asset).status_code == 200, asset


def test_missing_page_is_a_chinese_404(production):
    s = _sign_in(production, "qh_office")
    page = s.get("/no-such-page/")
    assert page.status_code == 404
    assert "页面不存在（404）" in page.text
