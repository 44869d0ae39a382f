"""Statements that only PostgreSQL has (trigram and collated or covering indexes, extensions),
as one migration operation: run on PostgreSQL, nothing on SQLite, whose queries do without them."""

from __future__ import annotations

from django.db import migrations


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
