"""Whole-page cache of the public portal: the rendered response of an anonymous GET, keyed by
the full URL and the **publication generation**.

The generation is one value in the ``portal_generation`` cache that every change of what is public
replaces (``bump``: ``services`` calls it for each publication, correction, approved
withdrawal and approved redaction, the one rule). A page is stored (under its URL) with the generation
it was read with and served only while that is still the generation, so the first request
after a change misses and renders the new state: no
page can show a result after its withdrawal or correction. (``bump`` runs at once and again
when the transaction commits: a request that rendered the old state between the two stores
it with a generation that is no longer current.) Entries also expire after
``SHUANGSUIJI_PORTAL_CACHE_SECONDS``: what a page shows besides publications (a business's
register entry, a department's name) is at most that old.

What is cached: responses of views marked ``@cacheable`` (the portal's search, business,
department, county, publication list and publication pages; not task pages, whose draws
change outside publishing, nor downloads), status 200, no cookie set, to GET requests without
a session cookie (a signed-in user is never served from, nor stored into, the cache). The
rate limit runs before this middleware and so still counts every request. Everything cached
is public by construction: these views read through ``published`` only.

The ``X-Portal-Cache`` response header says ``hit`` or ``miss`` (bench/portal.py counts them).

``remembered``: what many pages read besides their own publications (the public result
categories of every list's filter, a department's name) is kept in the worker's memory under the
same rule: for the generation the request was served under, at most
``SHUANGSUIJI_PORTAL_CACHE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse

GENERATION_KEY = "publicity:generation"
PREFIX = "/gongshi/"
HEADER = "X-Portal-Cache"
# headers of the view's response that are stored with it (the outer middleware adds the
# security headers to every response, hit or miss)
KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options", "Vary")
REMEMBERED_MAX = 10_000

# the generation the current request is served under (set by the middleware around the view)
_serving: ContextVar[str | None] = ContextVar("portal_generation", default=None)
_remembered: dict = {}


def _pages():
    return caches["portal"]


def _generations():
    return caches["portal_generation"]


def enabled() -> bool:
    return getattr(settings, "SHUANGSUIJI_PORTAL_CACHE_SECONDS", 0) > 0


def generation() -> str:
    """The current generation; a fresh unique one when the cache has none (first start,
    evicted): never a value an older page could have been stored under."""
    cache = _generations()
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def _replace() -> None:
    _generations().set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def bump() -> None:
    """What is public changed: every cached page is out of date (now, and again on commit)."""
    _replace()
    transaction.on_commit(_replace)


def remembered(key, compute):
    """``compute()``, kept in this process for the generation the current portal request is served
    under, at most ``SHUANGSUIJI_PORTAL_CACHE_SECONDS`` (the page cache's own bounds: a page that
    shows it could be cached that long). Outside such a request (the cache off, a signed-in user,
    the public API) computed each time."""
    gen = _serving.get()
    if gen is None:
        return compute()
    now = time.monotonic()
    found = _remembered.get(key)
    if found is not None and found[0] == gen and found[1] > now:
        return found[2]
    value = compute()
    if len(_remembered) >= REMEMBERED_MAX:
        _remembered.clear()
    _remembered[key] = (gen, now + settings.SHUANGSUIJI_PORTAL_CACHE_SECONDS, value)
    return value


def cacheable(view):
    """Mark a public view whose response may be cached (it reads through ``published`` only)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.portal_cacheable = True
        return response

    return wrapped


def _key(request) -> str:
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "publicity:page:" + hashlib.sha256(url.encode()).hexdigest()


class PublicPageCacheMiddleware:
    """Serves and stores cached portal pages; placed after the rate limit, before the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method != "GET"
            or not request.path.startswith(PREFIX)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or not enabled()
        ):
            return self.get_response(request)
        cache, key = _pages(), _key(request)
        if settings.CACHES["portal_generation"] == settings.CACHES["portal"]:  # Redis: one round trip
            found = cache.get_many([GENERATION_KEY, key])
            gen = found.get(GENERATION_KEY) or generation()
            stored = found.get(key)
        else:
            gen, stored = generation(), cache.get(key)
        if stored is not None and stored[0] == gen:
            _, content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            response[HEADER] = "hit"
            return response
        serving = _serving.set(gen)
        try:
            response = self.get_response(request)
        finally:
            _serving.reset(serving)
        if (
            getattr(response, "portal_cacheable", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            headers = [(h, response[h]) for h in KEPT_HEADERS if h in response]
            cache.set(key, (gen, response.content, headers), timeout=settings.SHUANGSUIJI_PORTAL_CACHE_SECONDS)
            response[HEADER] = "miss"
        return response
