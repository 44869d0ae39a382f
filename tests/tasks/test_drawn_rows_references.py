"""The draw's index rows (drawn targets, group places) check their references once per
statement on PostgreSQL without locking each referenced target (tasks migration 0005,
shuangsuiji/references.py ``lock_rows=False``): a missing target, inspector or draw is still
refused; a drawn target or assigned inspector cannot be deleted or renumbered; a delete racing
a draw waits for it and is refused, as with an ordinary foreign key; the register's ordinary
updates are untouched. SQLite keeps Django's ordinary foreign keys: PostgreSQL only.
"""

from __future__ import annotations

import importlib

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks.models import Assignment, DrawnTarget
from tests.races import delete_racing_insert
from tests.tasks.helpers import confirmed_with_inspectors, seed_world

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="statement-level checks are PostgreSQL's")

MIGRATION = importlib.import_module("shuangsuiji.tasks.migrations.0005_drawn_rows_statement_reference_checks")


def refused(action) -> str:
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        action()
    return str(info.value)


@pytest.fixture
def drawn(demo):
    world = seed_world(demo)
    _task, draw, idraws = confirmed_with_inspectors(world)
    return draw, idraws[world.water.pk]


@pytest.mark.django_db
def test_the_ordinary_constraints_are_replaced_by_the_triggers():
    with connection.cursor() as cur:
        for table, refs in MIGRATION.REFERENCES.items():
            for ref in refs:
                cur.execute(
                    """SELECT count(*) FROM pg_constraint c JOIN pg_attribute a
                       ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
                       WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s""",
                    [table, ref.column],
                )
                assert cur.fetchone()[0] == 0, (table, ref)
        cur.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cur.fetchall()}
    for table, refs in MIGRATION.REFERENCES.items():
        assert {f"{table}_refs_insert", f"{table}_refs_update"} <= names
        for ref in refs:
            assert {f"{table}_{ref.column}_guard_delete", f"{table}_{ref.column}_guard_update"} <= names


@pytest.mark.django_db
def test_a_missing_reference_is_refused_on_insert_and_update(drawn):
    draw, idraw = drawn
    row = DrawnTarget.objects.filter(draw=draw).first()
    place = Assignment.objects.filter(draw=idraw).first()
    missing = 987_654_321
    assert f"tasks_drawntarget.target_id = {missing}" in refused(
        lambda: DrawnTarget.objects.create(draw=draw, target_id=missing, stratum="A", ticket="x", position=99_999)
    )
    assert f"tasks_assignment.inspector_id = {missing}" in refused(
        lambda: Assignment.objects.create(draw=idraw, target_id=place.target_id, inspector_id=missing)
    )
    assert f"tasks_assignment.draw_id = {missing}" in refused(
        lambda: Assignment.objects.filter(pk=place.pk).update(draw_id=missing)
    )
    assert f"tasks_drawntarget.target_id = {missing}" in refused(
        lambda: DrawnTarget.objects.filter(pk=row.pk).update(target_id=missing)
    )


@pytest.mark.django_db
def test_a_drawn_target_or_assigned_inspector_cannot_be_deleted_or_renumbered(drawn):
    draw, idraw = drawn
    target_id = DrawnTarget.objects.filter(draw=draw).values_list("target_id", flat=True).first()
    inspector_id = Assignment.objects.filter(draw=idraw).values_list("inspector_id", flat=True).first()
    with connection.cursor() as cur:
        for sql, params in [
            ("DELETE FROM targets_target WHERE id = %s", [target_id]),
            ("UPDATE targets_target SET id = 987654321 WHERE id = %s", [target_id]),
            ("DELETE FROM inspectors_inspector WHERE id = %s", [inspector_id]),
            ("UPDATE inspectors_inspector SET id = 987654321 WHERE id = %s", [inspector_id]),
        ]:
            message = refused(lambda sql=sql, p=params: cur.execute(sql, p))
            assert "is still referenced from tasks_" in message, sql
    # the register's ordinary updates (which never name the key) are untouched
    Target.objects.filter(pk=target_id).update(name="改名后的企业")
    Inspector.objects.filter(pk=inspector_id).update(position="科员")
    # a target nobody drew can go
    spare = Target.objects.create(
        code="91110000600037341L", name="新登记企业", target_type="enterprise", region_id="130534"
    )
    with connection.cursor() as cur:
        cur.execute("DELETE FROM targets_target WHERE id = %s", [spare.pk])
    assert not Target.objects.filter(pk=spare.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_delete_racing_a_draw_waits_for_it_and_is_refused(drawn):
    """No row lock is taken by the insert: the delete locks the referencing table, so it waits
    for the drawing transaction and then sees its rows."""
    draw, _idraw = drawn
    free = Target.objects.create(
        code="91110000600037341L", name="新登记企业", target_type="enterprise", region_id="130534"
    ).pk
    outcome = delete_racing_insert(
        (
            "INSERT INTO tasks_drawntarget (draw_id, target_id, stratum, ticket, position, from_reserve, "
            "replaced_reason) VALUES (%s, %s, 'A', 'x', 99999, false, '')",
            [draw.pk, free],
        ),
        ("DELETE FROM targets_target WHERE id = %s", [free]),
    )
    assert len(outcome) == 1 and isinstance(outcome[0], psycopg.errors.ForeignKeyViolation), outcome
    assert Target.objects.filter(pk=free).exists()
