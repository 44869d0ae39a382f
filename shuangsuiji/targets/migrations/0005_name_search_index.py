"""PostgreSQL: a trigram index so that searching a million targets by any part of the name
(Django's icontains: UPPER(name) LIKE …) does not scan the table. pg_trgm is a trusted extension (PostgreSQL ≥ 13): the
database owner may create it. Nothing to do on SQLite."""

from django.db import migrations

from shuangsuiji.pgsql import postgres_only

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS target_name_trgm_idx ON targets_target USING gin ((UPPER(name::text)) gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS target_name_trgm_idx"]


class Migration(migrations.Migration):
    dependencies = [("targets", "0004_single_unique_code")]
    operations = [postgres_only(FORWARD, BACKWARD)]
