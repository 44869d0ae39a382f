"""The draw's index rows check their references once per statement on PostgreSQL, without
locking each referenced row.

A provincial draw writes 50,003 drawn targets, then 100,006 group places per department, each
pointing into the 1,000,000-row target register. Ordinary foreign keys checked each row at
commit with a lookup and a ``FOR KEY SHARE`` lock of the referenced target (measured: 0.99 s of
a 1.48 s insert of 50,003 drawn targets, 1.89 s of a 2.42 s insert of 100,006 group places).
See shuangsuiji/references.py (``lock_rows=False``): the same refusals, the same outcome when a
delete races a draw, with the lock taken by the (rare) delete of a referenced row instead.
SQLite keeps its ordinary constraints.
"""

from django.db import migrations

from shuangsuiji.references import Reference, install, uninstall

DRAWN_TARGETS = "tasks_drawntarget"
ASSIGNMENTS = "tasks_assignment"
REFERENCES = {
    DRAWN_TARGETS: (
        Reference("draw_id", "tasks_draw", "id", lock_rows=False),
        Reference("target_id", "targets_target", "id", lock_rows=False),
    ),
    ASSIGNMENTS: (
        Reference("draw_id", "tasks_draw", "id", lock_rows=False),
        Reference("target_id", "targets_target", "id", lock_rows=False),
        Reference("inspector_id", "inspectors_inspector", "id", lock_rows=False),
    ),
}


def forwards(apps, schema_editor):
    for table, references in REFERENCES.items():
        install(schema_editor, table, references)


def backwards(apps, schema_editor):
    for table, references in REFERENCES.items():
        uninstall(schema_editor, table, references)


class Migration(migrations.Migration):
    dependencies = [
        ("inspectors", "0003_record_corrections"),
        ("targets", "0011_target_address_unreachable"),
        ("tasks", "0004_drawn_rows_fewer_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
