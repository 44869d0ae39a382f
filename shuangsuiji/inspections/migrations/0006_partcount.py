"""The task progress's counts (``PartCount``): per task participant, state and (determined)
publication due date, kept by triggers on ``inspections_departmentpart`` in the transaction of
every change, so the task page reads a few rows instead of counting 100,000 parts. The table is
filled from the existing parts before the triggers are created (same migration transaction)."""

import django.db.models.deletion
from django.db import migrations, models

PART = "inspections_departmentpart"
COUNT = "inspections_partcount"

FILL = (
    f"INSERT INTO {COUNT} (participant_id, status, due_on, n) "
    f"SELECT participant_id, status, publication_due_on, COUNT(*) FROM {PART} "
    "GROUP BY participant_id, status, publication_due_on"
)

# PostgreSQL: ON CONFLICT on the two partial unique indexes (concurrent entries of one
# participant serialise on its counter row until they commit).
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {COUNT}_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.participant_id = NEW.participant_id AND OLD.status = NEW.status
            AND OLD.publication_due_on IS NOT DISTINCT FROM NEW.publication_due_on THEN
        RETURN NULL;
    END IF;
    -- every change of a part is audited, and its entry takes the audit head's lock right after
    -- this trigger: taken first here, the order is always head, then counters (no deadlock of
    -- two entries each holding what the other waits for)
    PERFORM 1 FROM audit_audithead WHERE id = 1 FOR UPDATE;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.publication_due_on IS NULL THEN
            UPDATE {COUNT} SET n = n - 1
             WHERE participant_id = OLD.participant_id AND status = OLD.status AND due_on IS NULL;
        ELSE
            UPDATE {COUNT} SET n = n - 1
             WHERE participant_id = OLD.participant_id AND status = OLD.status
               AND due_on = OLD.publication_due_on;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.publication_due_on IS NULL THEN
            INSERT INTO {COUNT} (participant_id, status, due_on, n) VALUES (NEW.participant_id, NEW.status, NULL, 1)
            ON CONFLICT (participant_id, status) WHERE due_on IS NULL DO UPDATE SET n = {COUNT}.n + 1;
        ELSE
            INSERT INTO {COUNT} (participant_id, status, due_on, n)
            VALUES (NEW.participant_id, NEW.status, NEW.publication_due_on, 1)
            ON CONFLICT (participant_id, status, due_on) WHERE due_on IS NOT NULL DO UPDATE SET n = {COUNT}.n + 1;
        END IF;
    END IF;
    RETURN NULL;
END $$
"""
PG_TRIGGER = (
    f"CREATE TRIGGER {COUNT}_keep AFTER INSERT OR DELETE OR UPDATE OF participant_id, status, publication_due_on "
    f"ON {PART} FOR EACH ROW EXECUTE FUNCTION {COUNT}_keep()"
)
PG_DROP = [f"DROP TRIGGER IF EXISTS {COUNT}_keep ON {PART}", f"DROP FUNCTION IF EXISTS {COUNT}_keep()"]

# SQLite: one writer at a time, so "insert the row if missing, then add" is enough.
_KEY_NEW = "participant_id = NEW.participant_id AND status = NEW.status AND due_on IS NEW.publication_due_on"
_KEY_OLD = "participant_id = OLD.participant_id AND status = OLD.status AND due_on IS OLD.publication_due_on"
_ADD = (
    f"INSERT INTO {COUNT} (participant_id, status, due_on, n) "
    f"SELECT NEW.participant_id, NEW.status, NEW.publication_due_on, 0 "
    f"WHERE NOT EXISTS (SELECT 1 FROM {COUNT} WHERE {_KEY_NEW}); "
    f"UPDATE {COUNT} SET n = n + 1 WHERE {_KEY_NEW};"
)
_SUB = f"UPDATE {COUNT} SET n = n - 1 WHERE {_KEY_OLD};"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER {COUNT}_insert AFTER INSERT ON {PART} BEGIN {_ADD} END",
    f"CREATE TRIGGER {COUNT}_delete AFTER DELETE ON {PART} BEGIN {_SUB} END",
    f"CREATE TRIGGER {COUNT}_update AFTER UPDATE OF participant_id, status, publication_due_on ON {PART} "
    "WHEN OLD.participant_id IS NOT NEW.participant_id OR OLD.status IS NOT NEW.status "
    f"OR OLD.publication_due_on IS NOT NEW.publication_due_on BEGIN {_SUB} {_ADD} END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {COUNT}_{e}" for e in ("insert", "delete", "update")]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FILL)
        if vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            cursor.execute(PG_TRIGGER)
        elif vendor == "sqlite":
            for sql in SQLITE_TRIGGERS:
                cursor.execute(sql)
        else:  # pragma: no cover
            raise RuntimeError(f"PartCount triggers: no SQL for {vendor}")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for sql in PG_DROP if vendor == "postgresql" else SQLITE_DROP:
            cursor.execute(sql)
        cursor.execute(f"DELETE FROM {COUNT}")


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0005_departmentpart_progress_index"),
        ("audit", "0003_sealed_part"),  # the trigger takes the audit head's lock
        ("tasks", "0005_drawn_rows_statement_reference_checks"),
    ]

    operations = [
        migrations.CreateModel(
            name="PartCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "录入中"),
                            ("submitted", "已提交待审核"),
                            ("returned", "已退回修改"),
                            ("determined", "已认定"),
                            ("superseded", "已被更正版本替代"),
                        ],
                        max_length=12,
                        verbose_name="状态",
                    ),
                ),
                ("due_on", models.DateField(blank=True, null=True, verbose_name="公示期限")),
                ("n", models.IntegerField(default=0, verbose_name="数量")),
                (
                    "participant",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tasks.taskparticipant",
                        verbose_name="参与部门",
                    ),
                ),
            ],
            options={
                "verbose_name": "录入进度计数",
                "verbose_name_plural": "录入进度计数",
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("due_on__isnull", False)),
                        fields=("participant", "status", "due_on"),
                        name="partcount_key_due",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("due_on__isnull", True)),
                        fields=("participant", "status"),
                        name="partcount_key",
                    ),
                ],
            },
        ),
        migrations.RunPython(create, drop),
    ]
