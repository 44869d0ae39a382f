"""Login: argon2 hashes, lockout after repeated failures, CSRF, session expiry, headers."""

import pytest
from django.conf import settings
from django.test import Client

from shuangsuiji.accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "Qinghe@2026"


def test_passwords_are_hashed_with_argon2(demo):
    assert User.objects.get(username="sw_admin").password.startswith("argon2")


def test_login_and_logout(client, demo):
    response = client.post("/login/", {"username": "sw_admin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "部门系统管理员工作台" in client.get("/").content.decode()
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_lockout_after_repeated_failures(client, demo):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "sw_admin", "password": "wrong"})
    response = client.post("/login/", {"username": "sw_admin", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_csrf_is_enforced(demo):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/login/", {"username": "sw_admin", "password": PASSWORD})
    assert response.status_code == 403


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_security_headers(client, demo):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


def test_no_external_assets_in_pages(client, demo, login):
    login("admin")
    body = client.get("/").content.decode()
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body
