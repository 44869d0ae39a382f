"""Raw SQL against the database's own check (the ORM guard is not in the way)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction


def refused_by_database(sql: str, params=()) -> str:
    """Run ``sql`` through a bare cursor; it must fail with the trigger's IntegrityError."""
    with pytest.raises(IntegrityError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(exc.value)


def accepted_by_database(sql: str, params=()) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite guards deletes in the ORM only (its test flush deletes rows one by one)")
