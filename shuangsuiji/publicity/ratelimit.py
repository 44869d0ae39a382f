"""Rate limiting of the public portal and the public API per client address.

A fixed window per address: at most ``SHUANGSUIJI_PUBLIC_RATE_LIMIT`` = (requests, seconds)
under ``/gongshi/`` and ``/api/public/`` (environment ``SHUANGSUIJI_PUBLIC_RATE_LIMIT``, e.g.
``300/60``; ``0/60`` switches the limit off); beyond it a 429 with ``Retry-After`` and a
Chinese message (JSON under the API). The client address is ``REMOTE_ADDR`` (behind a proxy,
the proxy must set it, e.g. gunicorn's ``--forwarded-allow-ips``).

**Counting across workers.** Production runs several gunicorn worker processes; the count of
an address must be one count for all of them, and an increment must never be lost. Django's
file and database caches do not give that (their ``incr`` is a read followed by a write, so
two workers reading the same value lose one request, and the file cache culls keys at random
once it holds ``MAX_ENTRIES`` files). So the counter is, by ``SHUANGSUIJI_PUBLIC_RATE_LIMIT_CACHE``:

- a cache alias (``"ratelimit"`` when ``SHUANGSUIJI_REDIS_URL`` / ``REDIS_URL`` is set: Redis,
  whose ``INCR`` is atomic, shared by every worker and host; the tests use ``"default"``, the
  per-process memory cache);
- ``None`` (production without Redis): :class:`FileCounter`, one small file per address and
  window under ``SHUANGSUIJI_PUBLIC_RATE_LIMIT_DIR``, incremented under an exclusive
  ``flock``: atomic across the worker processes of one host (not across hosts: several hosts
  need Redis).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, JsonResponse

PREFIXES = ("/gongshi/", "/api/public/")
MESSAGE = "请求过于频繁，请稍后再试。"


def limit() -> tuple[int, int]:
    return tuple(getattr(settings, "SHUANGSUIJI_PUBLIC_RATE_LIMIT", (300, 60)))


class FileCounter:
    """Per-window counters in files, incremented under ``flock`` (atomic across processes)."""

    def __init__(self, directory) -> None:
        self.directory = Path(directory)

    def hit(self, address: str, window: int) -> int:
        folder = self.directory / str(window)
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            self._forget_before(window)
        path = folder / hashlib.sha256(address.encode()).hexdigest()[:32]
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 20, 0)
            count = (int(raw) if raw.strip() else 0) + 1
            os.pwrite(fd, str(count).encode().ljust(20), 0)
            return count
        finally:
            os.close(fd)  # releases the lock

    def _forget_before(self, window: int) -> None:
        for old in self.directory.iterdir():
            if old.name.isdigit() and int(old.name) < window - 1:
                shutil.rmtree(old, ignore_errors=True)


def _cache_hit(alias: str, address: str, window: int, seconds: int) -> int:
    cache = caches[alias]
    key = f"publicity:rate:{address}:{window}"
    if hasattr(cache, "incr_window"):  # Redis (rediscache.py): one round trip
        return cache.incr_window(key, seconds + 1)
    cache.add(key, 0, timeout=seconds + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds + 1)
        return 1


def hit(address: str, window: int, seconds: int) -> int:
    """Count one request of ``address`` in ``window``; the count so far, this one included."""
    alias = getattr(settings, "SHUANGSUIJI_PUBLIC_RATE_LIMIT_CACHE", "default")
    if alias:
        return _cache_hit(alias, address, window, seconds)
    return FileCounter(settings.SHUANGSUIJI_PUBLIC_RATE_LIMIT_DIR).hit(address, window)


class PublicRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PREFIXES):
            requests, seconds = limit()
            if requests <= 0:
                return self.get_response(request)
            window = int(time.time() // seconds)
            count = hit(request.META.get("REMOTE_ADDR", ""), window, seconds)
            if count > requests:
                retry = str(seconds - int(time.time()) % seconds)
                if request.path.startswith("/api/"):
                    response = JsonResponse({"detail": MESSAGE}, status=429, json_dumps_params={"ensure_ascii": False})
                else:
                    response = HttpResponse(
                        f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>请求过于频繁</title>'
                        f"<p>{MESSAGE}（{retry} 秒后可再次访问）</p></html>",
                        status=429,
                        content_type="text/html; charset=utf-8",
                    )
                response["Retry-After"] = retry
                return response
        return self.get_response(request)
