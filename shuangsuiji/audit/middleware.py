"""Give every request an id and make it the audit context of whatever the request changes.

A client may send its own ``X-Request-ID`` (a proxy's or a caller's correlation id). Only a
well-formed one is used as the request's id (letters, digits, ``._-``, at most 64); anything
else is replaced by a generated id, and what the client sent is kept beside it in the audit
entries (``client_request_id``: control and non-printable characters replaced, at most 64).
"""

from __future__ import annotations

import re

from shuangsuiji.audit import context

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
CLIENT_ID_LENGTH = 64


def sanitise_client_id(raw: str) -> str:
    return "".join(c if c.isprintable() and c.isascii() else "?" for c in raw[:CLIENT_ID_LENGTH])


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        client = ""
        if _REQUEST_ID.fullmatch(incoming):
            request.id = incoming
        else:
            request.id = context.new_request_id()
            client = sanitise_client_id(incoming)
        ip = request.META.get("REMOTE_ADDR", "")
        with context.acting(request_id=request.id, client_request_id=client, ip=ip, request=request):
            response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response
