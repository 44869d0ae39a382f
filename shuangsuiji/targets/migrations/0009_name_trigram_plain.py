"""PostgreSQL: the name-search trigram index on the plain name column (was UPPER(name)).

pg_trgm folds case itself; the list's search is written as ``name ILIKE`` (queries.NameContains),
which this index serves. One function call less per indexed row on every import.
"""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS target_name_trgm_idx",
    "CREATE INDEX target_name_trgm_idx ON targets_target USING gin (name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS target_name_trgm_idx",
    "CREATE INDEX target_name_trgm_idx ON targets_target USING gin ((UPPER(name::text)) gin_trgm_ops)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("targets", "0008_statement_reference_checks")]
    operations = [migrations.RunPython(forwards, backwards)]
