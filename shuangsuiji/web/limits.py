"""Requests beyond Django's size limits answer a clear Chinese 4xx, for pages and API alike.

Django refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (files in multipart uploads do not
count), more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields or ``DATA_UPLOAD_MAX_NUMBER_FILES``
files, and a malformed multipart body — but it raises when the body is first read (in the
CSRF check or the view), which gives an English 400 page, a debug page under ``DEBUG``, or a
500 from the API. This middleware reads the body first and answers instead: 413 for a body
too large, 400 for the others; ``{"detail": …}`` under ``/api/``, a plain page elsewhere
(it runs before sessions and authentication, so the page does not use the site layout).

Two more kinds of bad input get the same treatment, so that no page answers 500 for them:

- a NUL character in a query parameter, a form field or a JSON string (no text of the
  platform contains one; PostgreSQL refuses to store or even compare it) → 400;
- a value the database refuses as data (``DataError``: text longer than its column, a number
  out of range; ``OverflowError`` on SQLite) raised by a page view → 400, as the API
  already answers 422 for it (``shuangsuiji/api.py``).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

from shuangsuiji.web.lengths import TextTooLong

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A JSON escape of NUL (\u0000) not itself escaped (\\u0000 is a backslash and "u0000").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
NUL_MESSAGE = "提交的内容含有空字符（NUL），未被处理。"
DATA_MESSAGE = "提交的内容超出允许的长度或范围（例如文字过长、数字过大），未被保存。请修改后重试。"

log = logging.getLogger(__name__)


def _has_nul(querydict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in querydict.lists())


def _limit_mb() -> str:
    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def refusal(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, RequestDataTooBig):
        return 413, (f"请求内容超过 {_limit_mb()} MB 的上限，未被处理。文件请通过导入页面上传；大量数据请分批提交。")
    if isinstance(exc, TooManyFieldsSent):
        return 400, f"提交的字段数量超过上限（{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个），未被处理。"
    if isinstance(exc, TooManyFilesSent):
        return 400, f"提交的文件数量超过上限（{settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个），未被处理。"
    return 400, "提交的内容格式有误，无法读取，未被处理。"


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            if _has_nul(request.GET):
                return self._refuse(request, 400, NUL_MESSAGE)
        except TooManyFieldsSent as exc:
            return self._refuse(request, *refusal(exc))
        if request.method in BODY_METHODS:
            try:
                if request.content_type == "multipart/form-data":
                    request.POST  # noqa: B018 (parses the form; uploaded files are not held in memory)
                else:
                    body = request.body  # reads at most DATA_UPLOAD_MAX_MEMORY_SIZE
                    if request.content_type == "application/json" and _JSON_NUL.search(body):
                        return self._refuse(request, 400, NUL_MESSAGE)
                if _has_nul(request.POST):
                    return self._refuse(request, 400, NUL_MESSAGE)
            except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError) as exc:
                return self._refuse(request, *refusal(exc))
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A page view's input that the database refused as data: 400 (the API has its own handler)."""
        if isinstance(exception, DataError | OverflowError) and not request.path.startswith("/api/"):
            log.warning("refused as data: %s %s: %s", request.method, request.path, exception)
            if isinstance(exception, TextTooLong):
                return self._refuse(request, 400, f"{exception}未被保存，请修改后重试。")
            return self._refuse(request, 400, DATA_MESSAGE)
        return None

    @staticmethod
    def _refuse(request, status: int, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
        html = render_to_string("web/request_refused.html", {"message": message, "status": status})
        return HttpResponse(html, status=status)
