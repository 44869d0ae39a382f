"""The hash rule of the audit chain (pure; no database).

``hash = SHA-256( prev_hash || canonical_json(content) )`` in lowercase hex, where
``content`` holds every stored field of the entry except ``hash`` itself, and
``canonical_json`` is JSON with sorted keys, no whitespace and UTF-8 text. The first entry's
``prev_hash`` is :data:`GENESIS`.

Fields added later (:data:`OPTIONAL_HASHED_FIELDS`: the sealed part of an entry and the
client's own request id, issue 17) are part of the hashed content only when set (not None,
not empty text), so entries written before the fields existed keep their hashes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64

HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_name",
    "organisation_id",
    "object_type",
    "object_id",
    "object_repr",
    "action",
    "before",
    "after",
    "reason",
    "request_id",
    "ip",
    "prev_hash",
)
# Hashed only when set (added after the first entries were written): the task whose sealed
# list the entry belongs to, the entry's sealed detail, the client's malformed request id.
OPTIONAL_HASHED_FIELDS = ("sealed_task_id", "sealed", "client_request_id")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(content: dict[str, Any]) -> str:
    body = {name: content[name] for name in HASHED_FIELDS}
    body.update({name: content[name] for name in OPTIONAL_HASHED_FIELDS if content.get(name) not in (None, "")})
    data = content["prev_hash"].encode("ascii") + canonical_json(body).encode("utf-8")
    return hashlib.sha256(data).hexdigest()
