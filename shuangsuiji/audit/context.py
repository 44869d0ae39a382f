"""Who is acting, from where: the request (or command) context of an audit entry."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class AuditContext:
    request_id: str = ""
    client_request_id: str = ""  # a malformed X-Request-ID as the client sent it (sanitised)
    ip: str = ""
    request: Any = None  # the HttpRequest; its user is read lazily
    actor: Any = None  # an explicit actor (commands, tasks) wins over the request's user
    actor_name: str = ""
    reason: str = ""
    action: str = ""

    @property
    def user(self):
        if self.actor is not None:
            return self.actor
        user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("audit_context", default=AuditContext())  # noqa: B039 (frozen)


def current() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def acting(**changes):
    """Run a block with a changed audit context, e.g. ``with acting(actor=user, reason="…")``.

    ``action`` names the domain action (``plan.publish``) that model changes inside the
    block are recorded under instead of the generic create/update/delete.
    """
    token = _current.set(replace(_current.get(), **changes))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex
