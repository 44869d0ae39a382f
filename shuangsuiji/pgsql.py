"""What only PostgreSQL has, in one place: statements of migrations (trigram and collated or
covering indexes, extensions) run on PostgreSQL and skipped on SQLite, and a cursor that binds
its parameters on the server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, migrations


@contextmanager
def server_bound_cursor() -> Iterator:
    """A psycopg cursor on Django's connection, in the caller's transaction, whose parameters
    the server binds: arrays and bytes travel in binary, not as one huge SQL literal (Django's
    own cursors bind on the client)."""
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cur:
        yield cur


def postgres_only(forward: list[str], backward: list[str]) -> migrations.RunPython:
    """A migration operation that executes ``forward`` on PostgreSQL (``backward`` when the
    migration is reversed) through the schema editor, and does nothing on other databases."""

    def run(statements: list[str]):
        def apply(apps, schema_editor) -> None:
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(forward), run(backward))
