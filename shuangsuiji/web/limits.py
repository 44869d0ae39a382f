"""Requests beyond Django's size limits answer a clear Chinese 4xx, for pages and API alike.

Django refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (files in multipart uploads do not
count), more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields or ``DATA_UPLOAD_MAX_NUMBER_FILES``
files, and a malformed multipart body — but it raises when the body is first read (in the
CSRF check or the view), which gives an English 400 page, a debug page under ``DEBUG``, or a
500 from the API. This middleware reads the body first and answers instead: 413 for a body
too large, 400 for the others; ``{"detail": …}`` under ``/api/``, a plain page elsewhere
(it runs before sessions and authentication, so the page does not use the site layout).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
        if request.method in BODY_METHODS:
            try:
                if request.content_type == "multipart/form-data":
                    request.POST  # noqa: B018 (parses the form; uploaded files are not held in memory)
                else:
                    request.body  # noqa: B018 (reads at most DATA_UPLOAD_MAX_MEMORY_SIZE)
                    request.POST  # noqa: B018
            except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError) as exc:
                return self._refuse(request, *refusal(exc))
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status: int, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
        html = render_to_string("web/request_refused.html", {"message": message, "status": status})
        return HttpResponse(html, status=status)
