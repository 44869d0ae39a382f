"""Fast bulk inserts for imports: PostgreSQL COPY when available, bulk_create otherwise.

Both paths run inside the caller's transaction, so an import that fails half-way still
leaves nothing behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date

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


@contextmanager
def _copy(model: type[models.Model], columns: Sequence[str]) -> Iterator:
    """A COPY into the model's table; a refused row raises Django's IntegrityError, as the
    ORM would (wrap_database_errors)."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cur,
        connection.wrap_database_errors,
        cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
    ):
        yield copy


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """COPY rows (tuples in ``columns`` order, database column names) into the model's table."""
    with _copy(model, columns) as copy:
        for row in rows:
            copy.write_row(row)


def copy_lines(model: type[models.Model], columns: Sequence[str], lines: Sequence[bytes]) -> None:
    """COPY rows already encoded as COPY text lines (see :func:`copy_line`)."""
    with _copy(model, columns) as copy:
        copy.write(b"".join(lines))


# --- COPY text format ---------------------------------------------------------------------
# A row encoded once, where it is validated, travels to the writer as one bytes object and
# goes into COPY as it is; the writer decodes only the rows it has to compare (updates).

_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_ESCAPED = re.compile(r"\\(.)")
NULL = "\\N"


def copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _SPECIAL.sub(lambda m: _ESCAPES[m.group()], value) if _SPECIAL.search(value) else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def copy_line(values: Sequence) -> bytes:
    """One row as a COPY text line. Fast path: convert without escaping, then check the whole
    line at once (no tab, newline or backslash came from a value: the line has one tab less
    than values and exactly one backslash per NULL); otherwise escape value by value."""
    parts = [
        v
        if type(v) is str
        else NULL
        if v is None
        else "t"
        if v is True
        else "f"
        if v is False
        else v.isoformat()
        if isinstance(v, date)
        else str(v)
        for v in values
    ]
    line = "\t".join(parts)
    if line.count("\t") != len(parts) - 1 or line.count("\\") != values.count(None) or "\n" in line or "\r" in line:
        line = "\t".join([copy_text(v) for v in values])
    return (line + "\n").encode()


def text_value(text: str) -> str:
    return _ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(1)), text) if "\\" in text else text


def bool_value(text: str) -> bool:
    return text == "t"


def parse_copy_line(line: bytes, converters: Sequence[Callable[[str], object]]) -> list:
    """The values of a line made by :func:`copy_line`, each through its column's converter
    (``text_value``, ``int``, ``date.fromisoformat``, ``bool_value`` …); ``\\N`` is None."""
    fields = line.decode().rstrip("\n").split("\t")
    return [None if f == NULL else convert(f) for f, convert in zip(fields, converters, strict=True)]


def insert_dicts(model: type[models.Model], rows: list[dict]) -> list[int]:
    """Insert rows given as {attname: value} dicts (all with the same keys); return their ids.

    On PostgreSQL the rows never become model instances: ids come from the sequence and the
    tuples go straight into COPY, which is what keeps a million-row import close to COPY speed.
    """
    if not rows:
        return []
    if not is_postgres():
        objs = model.objects.bulk_create([model(**r) for r in rows], batch_size=1000)
        return [o.pk for o in objs]
    keys = list(rows[0])
    ids = reserve_ids(model, len(rows))
    column_of = {f.attname: f.column for f in model._meta.concrete_fields}
    columns = ["id", *[column_of[k] for k in keys]]
    copy_rows(model, columns, ([pk, *[r[k] for k in keys]] for pk, r in zip(ids, rows, strict=True)))
    return ids


_SEP = "\x1f"  # ASCII unit separator: never part of a code


def in_list(column: str, values: list) -> tuple[str, list]:
    """``column IN (…)`` for any number of values: one parameter on PostgreSQL (no per-value
    placeholders to build and parse), placeholders elsewhere. Strings travel as one joined
    text split by the server, which is cheaper to send than an array of 10,000 strings."""
    if is_postgres():
        if values and all(type(v) is str and _SEP not in v for v in values):
            return f"{column} = ANY(string_to_array(%s, E'\\x1f'))", [_SEP.join(values)]
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def existing_values(model: type[models.Model], field: str, values: list) -> set:
    """Which of ``values`` already stand in ``model.field`` (one query)."""
    if not values:
        return set()
    column = model._meta.get_field(field).column
    where, params = in_list(connection.ops.quote_name(column), values)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE {where}", params)
        return {row[0] for row in cur.fetchall()}
