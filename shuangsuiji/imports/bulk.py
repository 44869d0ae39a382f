"""Fast bulk inserts for imports: PostgreSQL COPY when available, bulk_create otherwise.

Both paths run inside the caller's transaction, so an import that fails half-way still
leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db import connection, models


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """Take n ids from the table's sequence (PostgreSQL), so rows can be copied with their ids."""
    table = model._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, n],
        )
        return [r[0] for r in cur.fetchall()]


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """COPY rows (tuples in ``columns`` order, database column names) into the model's table."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_text(v) for v in row])


def insert(model: type[models.Model], objs: list[models.Model]) -> list[models.Model]:
    """Insert model instances and give each its primary key."""
    if not objs:
        return objs
    if not is_postgres():
        model.objects.bulk_create(objs, batch_size=1000)
        return objs
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                if getattr(obj, f.attname) is None:
                    setattr(obj, f.attname, f.pre_save(obj, add=True))
    columns = ["id", *[f.column for f in fields]]
    copy_rows(model, columns, ([obj.pk, *[getattr(obj, f.attname) for f in fields]] for obj in objs))
    for obj in objs:
        obj._state.adding = False
    return objs
