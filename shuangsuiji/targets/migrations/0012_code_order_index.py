"""PostgreSQL: the register in the draw's order. The freeze writes population.csv sorted by
code bytewise (``COLLATE "C"``, draw-spec §2.1); this index holds the codes in that order with
the columns of the usual population filters (region, type, registration status) and the
stratum (risk class), so the database reads the population in order from the index instead of
sorting a million rows at every freeze (an index-only scan where the visibility map is current,
as autovacuum keeps it). Nothing to do on SQLite, whose freeze sorts in Python."""

from django.db import migrations

FORWARD = [
    'CREATE INDEX IF NOT EXISTS target_code_c_idx ON targets_target (code COLLATE "C")'
    " INCLUDE (region_id, target_type, registration_status, risk_class)"
]
BACKWARD = ["DROP INDEX IF EXISTS target_code_c_idx"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("targets", "0011_target_address_unreachable")]
    operations = [migrations.RunPython(forwards, backwards)]
