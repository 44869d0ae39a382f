"""The public portal at province size (bench/portal.py): the lists newest first (all, a
department's, a county's) read an index instead of sorting millions of results, and, on
PostgreSQL, the name-fragment search of published businesses (``name ILIKE '%…%'``,
``targets.queries.NameContains``) reads a trigram index on the published name, like the
register's ``target_name_trgm_idx`` (pg_trgm is a trusted extension, PostgreSQL ≥ 13).
"""

from django.db import migrations, models

from shuangsuiji.pgsql import postgres_only

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS publishedtarget_name_trgm ON publicity_publishedtarget USING gin (name gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS publishedtarget_name_trgm"]


class Migration(migrations.Migration):
    dependencies = [("publicity", "0003_publication_part")]

    operations = [
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(fields=["-published_at", "-id"], name="publication_newest"),
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(fields=["department", "-published_at", "-id"], name="publication_dept_newest"),
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(fields=["region", "-published_at", "-id"], name="publication_region_newest"),
        ),
        postgres_only(FORWARD, BACKWARD),
    ]
