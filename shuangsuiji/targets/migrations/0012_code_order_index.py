"""PostgreSQL: the register in the draw's order. The freeze writes population.csv sorted by
code bytewise (``COLLATE "C"``, draw-spec §2.1); this index holds the codes in that order with
the columns of the usual population filters (region, type, registration status) and the
stratum (risk class), so the database reads the population in order from the index instead of
sorting a million rows at every freeze (an index-only scan where the visibility map is current,
as autovacuum keeps it). Nothing to do on SQLite, whose freeze sorts in Python."""

from django.db import migrations

from shuangsuiji.pgsql import postgres_only

FORWARD = [
    'CREATE INDEX IF NOT EXISTS target_code_c_idx ON targets_target (code COLLATE "C")'
    " INCLUDE (region_id, target_type, registration_status, risk_class)"
]
BACKWARD = ["DROP INDEX IF EXISTS target_code_c_idx"]


class Migration(migrations.Migration):
    dependencies = [("targets", "0011_target_address_unreachable")]
    operations = [postgres_only(FORWARD, BACKWARD)]
