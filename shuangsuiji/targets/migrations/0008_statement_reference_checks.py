"""The target register's foreign keys checked once per statement on PostgreSQL.

See shuangsuiji/references.py: the same guarantee as the ordinary constraints (and the same
locks), without one lookup per imported row. SQLite keeps its ordinary constraints.
"""

from django.db import migrations

from shuangsuiji.references import Reference, install, uninstall

TABLE = "targets_target"
REFERENCES = (
    Reference("region_id", "orgs_region", "code"),
    Reference("industry_id", "targets_industry", "code"),
    Reference("import_job_id", "imports_importjob", "id"),
    Reference("risk_recorded_by_id", "accounts_user", "id"),
)


def forwards(apps, schema_editor):
    install(schema_editor, TABLE, REFERENCES)


def backwards(apps, schema_editor):
    uninstall(schema_editor, TABLE, REFERENCES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("imports", "0002_import_kind_items"),
        ("orgs", "0002_load_regions"),
        ("targets", "0007_current_risk_class"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
