"""The foreign keys of a draw's index rows (drawn targets, inspector assignments) checked
once per statement on PostgreSQL.

A provincial draw writes 50,000 drawn targets and 100,000 assignments per department in one
statement each (``tasks/indexes.py``); ordinary foreign keys checked them one row at a time
at commit (about 2 s of a draw, 4 s of an inspector draw on the 2-core bench machine). See
shuangsuiji/references.py: the same guarantee and the same locks, checked per statement.
The self-reference ``replaced_by`` and ``replaced_department`` (set one row at a time) keep
their ordinary constraints. SQLite keeps its ordinary constraints.
"""

from django.db import migrations

from shuangsuiji.references import Reference, install, uninstall

TABLES = {
    "tasks_drawntarget": (
        Reference("draw_id", "tasks_draw", "id"),
        Reference("target_id", "targets_target", "id"),
    ),
    "tasks_assignment": (
        Reference("draw_id", "tasks_draw", "id"),
        Reference("target_id", "targets_target", "id"),
        Reference("inspector_id", "inspectors_inspector", "id"),
    ),
}


def forwards(apps, schema_editor):
    for table, references in TABLES.items():
        install(schema_editor, table, references)


def backwards(apps, schema_editor):
    for table, references in TABLES.items():
        uninstall(schema_editor, table, references)


class Migration(migrations.Migration):
    dependencies = [
        ("inspectors", "0001_initial"),
        ("targets", "0008_statement_reference_checks"),
        ("tasks", "0002_draw_stratum_counts_and_list_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
