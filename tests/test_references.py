"""The target register's foreign keys, checked per statement on PostgreSQL
(shuangsuiji/references.py): every reference still refuses a missing row, from the ORM and
from COPY, on insert and update; a referenced row cannot be deleted or renumbered; and a
delete racing an import waits for it and is refused, as with an ordinary foreign key.

SQLite keeps Django's ordinary foreign keys, so these tests run on PostgreSQL only.
"""

from __future__ import annotations

import importlib

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shuangsuiji.imports import bulk
from shuangsuiji.imports.models import ImportJob
from shuangsuiji.targets.models import Industry, Target
from tests.races import delete_racing_insert

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="statement-level checks are PostgreSQL's")

MIGRATION = importlib.import_module("shuangsuiji.targets.migrations.0008_statement_reference_checks")
COUNTY = "130534"  # 清河县


def target(**fields) -> Target:
    values = {"code": "91110000600037341L", "name": "测试对象", "target_type": "enterprise", "region_id": COUNTY}
    return Target(**(values | fields))


def refused(action) -> str:
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        action()
    return str(info.value)


@pytest.mark.django_db
def test_the_ordinary_constraints_are_replaced_by_the_triggers():
    with connection.cursor() as cur:
        for ref in MIGRATION.REFERENCES:
            cur.execute(
                """SELECT count(*) FROM pg_constraint c JOIN pg_attribute a
                   ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
                   WHERE c.contype = 'f' AND c.conrelid = 'targets_target'::regclass AND a.attname = %s""",
                [ref.column],
            )
            assert cur.fetchone()[0] == 0, ref
        cur.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cur.fetchall()}
    assert {"targets_target_refs_insert", "targets_target_refs_update"} <= names
    for ref in MIGRATION.REFERENCES:
        assert {f"targets_target_{ref.column}_guard_delete", f"targets_target_{ref.column}_guard_update"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value"),
    [("region_id", "999999"), ("industry_id", "ZZ"), ("import_job_id", 987654), ("risk_recorded_by_id", 987654)],
)
def test_a_missing_reference_is_refused_on_insert(column, value):
    message = refused(lambda: target(**{column: value}).save())
    assert f"targets_target.{column} = {value}" in message


COPY_COLUMNS = [
    "code", "name", "target_type", "region_id", "legal_representative", "business_scope", "address",
    "registration_status", "risk_class", "risk_source", "abnormal_operation", "serious_violation",
    "complaint_count", "created_at", "updated_at",
]  # fmt: skip


def copy_row(code: str, region: str) -> bytes:
    now = timezone.now()
    return bulk.copy_line([code, "甲", "enterprise", region, "", "", "", "active", "B", "", False, False, 0, now, now])


@pytest.mark.django_db
def test_a_missing_reference_is_refused_in_copy_and_nothing_is_kept():
    bulk.copy_lines(Target, COPY_COLUMNS, [copy_row("91110000600037341L", COUNTY)])
    assert Target.objects.filter(code="91110000600037341L").exists()
    lines = [copy_row("91440300708461136T", COUNTY), copy_row("914403001922038216", "999999")]
    assert "targets_target.region_id = 999999" in refused(lambda: bulk.copy_lines(Target, COPY_COLUMNS, lines))
    assert Target.objects.count() == 1


@pytest.mark.django_db
def test_a_missing_reference_is_refused_on_update():
    t = target()
    t.save()
    assert "region_id = 999999" in refused(lambda: Target.objects.filter(pk=t.pk).update(region_id="999999"))
    Target.objects.filter(pk=t.pk).update(industry_id="17")  # an existing one is fine
    assert Target.objects.get(pk=t.pk).industry_id == "17"


@pytest.mark.django_db
def test_a_referenced_row_cannot_be_deleted_or_renumbered():
    job = ImportJob.objects.create(kind="targets", mode="all", file_name="x.csv")
    target(industry_id="17", import_job=job).save()
    with connection.cursor() as cur:
        for sql, params in [
            ("DELETE FROM orgs_region WHERE code = %s", [COUNTY]),
            ("UPDATE orgs_region SET code = '139999' WHERE code = %s", [COUNTY]),
            ("DELETE FROM targets_industry WHERE code = %s", ["17"]),
            ("DELETE FROM imports_importjob WHERE id = %s", [job.pk]),
        ]:
            assert "is still referenced from targets_target" in refused(lambda sql=sql, p=params: cur.execute(sql, p))
    # Rows nobody references can go, and other updates of referenced rows are untouched.
    Industry.objects.filter(code="18").delete()
    ImportJob.objects.filter(pk=job.pk).update(message="已完成")


@pytest.mark.django_db(transaction=True)
def test_a_delete_racing_an_insert_waits_for_it_and_is_refused():
    """The inserter's key-share lock makes the delete wait; once the insert is committed the
    delete's check sees the new row and refuses (as an ordinary foreign key would)."""
    from shuangsuiji.orgs.models import Region
    from shuangsuiji.orgs.regions import load_regions

    if not Region.objects.exists():  # an earlier transactional test's flush emptied it
        load_regions(Region)
    Industry.objects.create(code="99", name="临时大类", level="division")
    outcome = delete_racing_insert(
        (
            "INSERT INTO targets_target (code, name, target_type, region_id, industry_id, legal_representative, "
            "business_scope, address, registration_status, risk_class, risk_source, abnormal_operation, "
            "serious_violation, complaint_count, created_at, updated_at) VALUES ('91110000600037341L', '甲', "
            "'enterprise', %s, '99', '', '', '', 'active', 'B', '', false, false, 0, now(), now())",
            [COUNTY],
        ),
        ("DELETE FROM targets_industry WHERE code = '99'", []),
    )
    assert len(outcome) == 1 and isinstance(outcome[0], psycopg.errors.ForeignKeyViolation), outcome
    assert Industry.objects.filter(code="99").exists()
    Target.objects.filter(industry_id="99").delete()
