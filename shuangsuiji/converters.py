"""URL path converters: ``<id:pk>`` is the one way a URL carries a database id.

Like Django's ``int`` but bounded to what a 64-bit integer column stores: a larger number
does not match the pattern, so the URL answers 404 (as for any id that does not exist)
instead of reaching a query that overflows (SQLite raises ``OverflowError``, PostgreSQL
"bigint out of range"). ``tests/test_fuzz_writes.py`` checks that no URL uses ``int``.
"""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("id out of range")  # Django: no match → 404
        return number

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
