"""Installable web app: manifest, service worker, offline fallback page and favicon.

The service worker is a Django view at the site root (static files live under /static/, and a
worker's scope cannot be wider than its own path without ``Service-Worker-Allowed``). It caches
the app shell (our stylesheet and scripts, the vendored assets, the icons and the offline page)
in a versioned cache and never stores a page's HTML: sealed pages are ``no-store`` and every
other page is per user, so a page the network cannot fetch is answered with the offline page.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

APP_NAME = "双随机、一公开监管平台"
SHORT_NAME = "双随机一公开"
THEME_COLOR = "#1f3a5f"

# Static files of the app shell, cached when the service worker installs.
SHELL_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "css/app.css",
    "django_htmx/htmx-2.min.js",
    "django_htmx/django-htmx.js",
    "web/offline-drafts.js",
    "web/pwa.js",
    "web/icons/icon.svg",
    "web/icons/icon-192.png",
    "web/icons/icon-512.png",
    "web/icons/icon-maskable-512.png",
)


def shell_urls() -> list[str]:
    return [static(p) for p in SHELL_STATIC] + [reverse("offline")]


def _static_fingerprint() -> str:
    """Changes whenever a shell file changes, so a new release gets a new cache."""
    digest = hashlib.sha256()
    for path in SHELL_STATIC:
        found = finders.find(path)
        digest.update(path.encode())
        if found:
            with open(found, "rb") as fh:
                digest.update(hashlib.sha256(fh.read()).digest())
    # The offline page is cached too.
    digest.update(get_template("web/offline.html").template.source.encode())
    return digest.hexdigest()


@require_safe
@cache_control(no_cache=True)
def service_worker(request):
    urls = shell_urls()
    body = render(
        request,
        "web/sw.js",
        {
            "shell_json": json.dumps(urls, ensure_ascii=False),
            "offline_url_json": json.dumps(reverse("offline")),
            "logout_url_json": json.dumps(reverse("logout")),
            "static_prefix_json": json.dumps(static("")),
            "version": _static_fingerprint()[:16],
        },
        content_type="text/javascript; charset=utf-8",
    )
    body["Service-Worker-Allowed"] = "/"
    return body


@require_safe
@cache_control(max_age=3600)
def manifest(request):
    data = {
        "name": APP_NAME,
        "short_name": SHORT_NAME,
        "description": "“双随机、一公开”监管工作平台：抽查事项、检查对象、执法检查人员、抽查任务与抽取。",
        "lang": "zh-CN",
        "dir": "ltr",
        "id": reverse("home"),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#f5f6f8",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static("web/icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("web/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("web/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("web/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/manifest+json; charset=utf-8"
    )


@require_safe
def offline(request):
    """The page the service worker shows for a page it cannot fetch. No user data: it is cached."""
    return render(request, "web/offline.html", {"app_name": APP_NAME})


@require_safe
@cache_control(max_age=86400)
def favicon(request):
    found = finders.find("web/icons/favicon.ico")
    if not found:  # pragma: no cover - the file ships with the app
        raise Http404("没有图标文件。")
    return FileResponse(open(found, "rb"), content_type="image/x-icon")
