"""Rate limiting of the public portal and the public API per client address (cache-based).

A fixed window per address: at most ``SHUANGSUIJI_PUBLIC_RATE_LIMIT`` = (requests, seconds)
under ``/gongshi/`` and ``/api/public/``; beyond it a 429 with ``Retry-After`` and a Chinese
message (JSON under the API). The client address is ``REMOTE_ADDR`` (behind a proxy, the
proxy must set it, e.g. gunicorn's ``--forwarded-allow-ips``).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse

PREFIXES = ("/gongshi/", "/api/public/")
MESSAGE = "请求过于频繁，请稍后再试。"


def limit() -> tuple[int, int]:
    return tuple(getattr(settings, "SHUANGSUIJI_PUBLIC_RATE_LIMIT", (300, 60)))


class PublicRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PREFIXES):
            requests, seconds = limit()
            window = int(time.time() // seconds)
            key = f"publicity:rate:{request.META.get('REMOTE_ADDR', '')}:{window}"
            cache.add(key, 0, timeout=seconds + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=seconds + 1)
                count = 1
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
