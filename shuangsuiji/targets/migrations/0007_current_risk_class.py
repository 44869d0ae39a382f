"""The current credit-risk classification moves onto the target; RiskClassChange keeps the earlier ones.

For every target, its latest RiskClassChange row becomes the target's current fields
(risk_source, risk_effective_on, risk_recorded_at, risk_recorded_by) and the row is deleted:
the information moves, nothing is lost. "Latest" is the newest row (effective_on desc, id desc)
among those whose class is the target's ``risk_class``: in the old design that is the row
written when the current class was set, and the migration never changes a target's class
(which the draw's strata use) — a back-dated entry that left an older-dated row for the current
class keeps its later-dated, superseded rows in the history. Targets without such a row keep
a blank source and get created_at's local date as the effective date.

Set-based: on PostgreSQL one DISTINCT ON query into a temporary table, one UPDATE … FROM, one
DELETE and one UPDATE for the rest; elsewhere (SQLite) batches of targets, a constant number
of queries per batch.

The reverse does the opposite: a history row (INSERT … SELECT) for every target whose current
classification has a source, i.e. exactly the rows the forward step moved (plus those recorded
since); the new columns are then dropped by the reversed AddField operations.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

BATCH = 2000


def move_latest_risk_to_target(Target, RiskClassChange, connection, *, use_sql: bool | None = None) -> None:
    """Forward step, on the given (historical or current) models; ``use_sql`` forces or
    forbids the PostgreSQL statements (default: PostgreSQL only)."""
    if use_sql is None:
        use_sql = connection.vendor == "postgresql"
    if use_sql:
        _move_sql(Target._meta.db_table, RiskClassChange._meta.db_table, connection)
    else:
        _move_python(Target, RiskClassChange)


def _move_sql(target_table: str, history_table: str, connection) -> None:
    qn = connection.ops.quote_name
    t, h, latest = qn(target_table), qn(history_table), qn("targets_0007_latest_risk")
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {latest}")
        cur.execute(
            f"CREATE TEMPORARY TABLE {latest} AS "
            "SELECT DISTINCT ON (h.target_id) h.id, h.target_id, h.source, h.effective_on, h.recorded_at, "
            f"h.recorded_by_id FROM {h} h JOIN {t} t ON t.id = h.target_id AND t.risk_class = h.risk_class "
            "ORDER BY h.target_id, h.effective_on DESC, h.id DESC"
        )
        cur.execute(
            f"UPDATE {t} t SET risk_source = l.source, risk_effective_on = l.effective_on, "
            "risk_recorded_at = l.recorded_at, risk_recorded_by_id = l.recorded_by_id "
            f"FROM {latest} l WHERE t.id = l.target_id"
        )
        cur.execute(f"DELETE FROM {h} h USING {latest} l WHERE h.id = l.id")
        cur.execute(
            f"UPDATE {t} SET risk_effective_on = (created_at AT TIME ZONE %s)::date WHERE risk_effective_on IS NULL",
            [settings.TIME_ZONE],
        )
        cur.execute(f"DROP TABLE {latest}")


def _move_python(Target, RiskClassChange) -> None:
    last_id = 0
    while True:
        targets = list(
            Target.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .only("pk", "risk_class", "created_at", "risk_effective_on")[:BATCH]
        )
        if not targets:
            return
        last_id = targets[-1].pk
        by_id = {t.pk: t for t in targets}
        latest: dict[int, object] = {}
        rows = RiskClassChange.objects.filter(target_id__gte=targets[0].pk, target_id__lte=last_id).order_by(
            "target_id", "-effective_on", "-id"
        )
        for row in rows:
            target = by_id.get(row.target_id)
            if target is not None and row.target_id not in latest and row.risk_class == target.risk_class:
                latest[row.target_id] = row
        for target in targets:
            row = latest.get(target.pk)
            if row is not None:
                target.risk_source, target.risk_effective_on = row.source, row.effective_on
                target.risk_recorded_at, target.risk_recorded_by_id = row.recorded_at, row.recorded_by_id
            elif target.risk_effective_on is None:
                target.risk_effective_on = timezone.localdate(target.created_at)
        Target.objects.bulk_update(
            targets, ["risk_source", "risk_effective_on", "risk_recorded_at", "risk_recorded_by"], batch_size=500
        )
        moved = [row.pk for row in latest.values()]
        for start in range(0, len(moved), 500):
            RiskClassChange.objects.filter(pk__in=moved[start : start + 500]).delete()


def restore_current_risk_rows(Target, RiskClassChange, connection) -> None:
    """Reverse step: the current classification back into a history row."""
    qn = connection.ops.quote_name
    t, h = qn(Target._meta.db_table), qn(RiskClassChange._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {h} (target_id, risk_class, effective_on, source, recorded_at, recorded_by_id) "
            "SELECT id, risk_class, risk_effective_on, risk_source, COALESCE(risk_recorded_at, created_at), "
            f"risk_recorded_by_id FROM {t} WHERE risk_source <> '' AND risk_effective_on IS NOT NULL"
        )


def forward(apps, schema_editor):
    move_latest_risk_to_target(
        apps.get_model("targets", "Target"), apps.get_model("targets", "RiskClassChange"), schema_editor.connection
    )


def backward(apps, schema_editor):
    restore_current_risk_rows(
        apps.get_model("targets", "Target"), apps.get_model("targets", "RiskClassChange"), schema_editor.connection
    )


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0006_code_plain_unique_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="target",
            name="risk_effective_on",
            field=models.DateField(blank=True, null=True, verbose_name="风险分类生效日期"),
        ),
        migrations.AddField(
            model_name="target",
            name="risk_recorded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="风险分类记录时间"),
        ),
        migrations.AddField(
            model_name="target",
            name="risk_recorded_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="风险分类记录人",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="risk_source",
            field=models.CharField(blank=True, max_length=200, verbose_name="风险分类来源"),
        ),
        migrations.AlterField(
            model_name="riskclasschange",
            name="recorded_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="记录时间"),
        ),
        migrations.RunPython(forward, backward),
    ]
