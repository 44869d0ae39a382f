"""After migrate, the database holds exactly the triggers the declarations describe."""

import pytest
from django.db import connection

from shuangsuiji.immutability import guarded_models
from shuangsuiji.immutability.sql import expected, installed, sync

pytestmark = pytest.mark.django_db


def test_every_guarded_table_has_its_triggers():
    want = sorted(expected(connection.vendor))
    assert want, "no declaration produced a trigger"
    assert sorted(installed(connection)) == want


def test_the_three_users_and_their_rows_are_declared():
    labels = {m._meta.label for m in guarded_models()}
    assert {
        "items.ItemVersion",
        "items.FormVersion",
        "items.SubItem",
        "items.LegalBasis",
        "items.FormField",
        "plans.Plan",
        "plans.PlanLine",
        "plans.PlanWaiver",
        "tasks.Draw",
        "tasks.DrawResult",
        # follow-ups (issue 14): written once, only their declared state fields move
        "followups.FollowUp",
        "followups.FollowUpProblem",
        "followups.FollowUpStep",
        "followups.Transfer",
        "followups.ReInspection",
        "followups.ReInspectionItem",
        "followups.CreditRule",
        "followups.CreditConsequence",
        "followups.Objection",
    } <= labels
    tables = {t for _, t in installed(connection)}
    for through in ("items_itemversion_forms", "items_itemversion_inspector_requirements", "plans_plan_participants"):
        assert through in tables


def test_sync_is_idempotent_and_restores_a_dropped_trigger():
    name, table = installed(connection)[0]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER "{name}" ON "{table}"')
        else:
            cursor.execute(f'DROP TRIGGER "{name}"')
    assert (name, table) not in installed(connection)
    sync(connection)
    sync(connection)
    assert sorted(installed(connection)) == sorted(expected(connection.vendor))
