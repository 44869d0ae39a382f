"""Give every request an id and make it the audit context of whatever the request changes."""

from __future__ import annotations

import re

from shuangsuiji.audit import context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _REQUEST_ID.match(incoming) else context.new_request_id()
        ip = request.META.get("REMOTE_ADDR", "")
        with context.acting(request_id=request.id, ip=ip, request=request):
            response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response
