"""PostgreSQL: the name-search trigram index on the plain name column (was UPPER(name)).

pg_trgm folds case itself; the list's search is written as ``name ILIKE`` (queries.NameContains),
which this index serves. One function call less per indexed row on every import.
"""

from django.db import migrations

from shuangsuiji.pgsql import postgres_only

FORWARD = [
    "DROP INDEX IF EXISTS target_name_trgm_idx",
    "CREATE INDEX target_name_trgm_idx ON targets_target USING gin (name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS target_name_trgm_idx",
    "CREATE INDEX target_name_trgm_idx ON targets_target USING gin ((UPPER(name::text)) gin_trgm_ops)",
]


class Migration(migrations.Migration):
    dependencies = [("targets", "0008_statement_reference_checks")]
    operations = [postgres_only(FORWARD, BACKWARD)]
