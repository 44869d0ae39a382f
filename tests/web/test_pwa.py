"""The platform is an installable web app: a manifest in Chinese with icons, a service worker
served from the site root, an offline page (issue 13, "On a phone, and offline")."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_manifest_names_the_app_in_chinese_with_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    data = json.loads(response.content)
    assert data["name"] == "双随机、一公开监管平台" and data["lang"] == "zh-CN"
    assert data["display"] == "standalone" and data["start_url"] == "/"
    sizes = {i["sizes"] for i in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(i.get("purpose") == "maskable" for i in data["icons"])
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_service_worker_is_served_from_the_root_scope(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    # Every file of the app shell it caches exists, and so does the offline page.
    shell = json.loads(body.split("const SHELL = ", 1)[1].split(";\n", 1)[0])
    assert "/offline/" in shell
    for url in shell:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    assert client.get("/offline/").status_code == 200


def test_the_cache_version_follows_the_shell_files(client, settings, tmp_path):
    first = client.get("/sw.js").content.decode()
    version = first.split('const VERSION = "', 1)[1].split('"', 1)[0]
    assert len(version) == 16
    # Another copy of app.css earlier on the finders' path: another version.
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_text("body { color: red; }")
    settings.STATICFILES_DIRS = [str(tmp_path)]
    finders.get_finder.cache_clear()
    try:
        second = client.get("/sw.js").content.decode()
    finally:
        finders.get_finder.cache_clear()
    assert second.split('const VERSION = "', 1)[1].split('"', 1)[0] != version


def test_offline_page_says_so_in_chinese_and_holds_no_user_data(client, demo, login):
    login("sw_admin")
    response = client.get("/offline/")
    text = response.content.decode()
    assert "当前离线" in text
    assert "王志强" not in text and "csrfmiddlewaretoken" not in text


def test_favicon_is_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_every_page_links_the_manifest_and_the_offline_drafts_module(client, demo, login):
    login("sw_admin")
    text = client.get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in text
    assert "/static/web/offline-drafts.js" in text
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in text
