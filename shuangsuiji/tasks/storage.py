"""The stored files of a draw (population.csv, inspectors.json, result.json …) in and out of
the database as they are: bytes, never re-encoded.

A provincial population.csv is 23 MB. Through the ORM on PostgreSQL it travels as a 46 MB
hexadecimal literal each way (Django binds parameters on the client, and reads bytea as
text); here the file goes as a binary parameter and comes back as a binary column, on the
same connection and inside the caller's transaction. The columns are stored compressed
with lz4 (migration ``tasks.0002``). Other databases (SQLite) go through the ORM.

Only the services that create a draw or a result version write files, once, right after
creating the row in the same transaction (the models refuse any later change).
"""

from __future__ import annotations

from django.db import connection

from shuangsuiji.pgsql import server_bound_cursor


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _columns(model, names) -> list[str]:
    return [model._meta.get_field(n).column for n in names]


def write(model, pk: int, files: dict[str, bytes | None]) -> None:
    """Set the file fields of a row just created (same transaction)."""
    if not files:
        return
    if not _pg():
        model.objects.filter(pk=pk).update(**files)
        return
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(c)} = %b" for c in _columns(model, files))
    with server_bound_cursor() as cur:
        cur.execute(
            f"UPDATE {q(model._meta.db_table)} SET {sets} WHERE {q(model._meta.pk.column)} = %s", [*files.values(), pk]
        )


def read(model, pk: int, names: list[str]) -> dict[str, bytes | None]:
    """The file fields of one row."""
    if not _pg():
        row = model._base_manager.filter(pk=pk).values_list(*names).get()
        return {n: (bytes(v) if v is not None else None) for n, v in zip(names, row, strict=True)}
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in _columns(model, names))
    with server_bound_cursor() as cur:
        cur.execute(
            f"SELECT {cols} FROM {q(model._meta.db_table)} WHERE {q(model._meta.pk.column)} = %s", [pk], binary=True
        )
        row = cur.fetchone()
    if row is None:
        raise model.DoesNotExist(f"{model.__name__} {pk}")
    return {n: (bytes(v) if v is not None else None) for n, v in zip(names, row, strict=True)}
