"""Published plan versions, their lines, waivers and participants: refused by the ORM and by
the database (a raw UPDATE through a cursor)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from shuangsuiji.plans.models import Plan, PlanLine, PlanStatus
from tests.immutability.helpers import accepted_by_database, postgresql_only, refused_by_database
from tests.plans.helpers import department_plan, published_plan, seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(demo):
    seed_items(demo)
    return published_plan(demo)


def test_model_level(demo, published):
    with pytest.raises(ValidationError, match="计划名称"):
        Plan.objects.filter(pk=published.pk).update(title="改名")
    with pytest.raises(ValidationError, match="不可退回草稿"):
        Plan.objects.filter(pk=published.pk).update(status=PlanStatus.DRAFT)
    with pytest.raises(ValidationError, match="不可删除"):
        Plan.objects.filter(pk=published.pk).delete()
    line = published.lines.first()
    with pytest.raises(ValidationError, match="已发布的计划版本不可修改"):
        PlanLine.objects.filter(pk=line.pk).update(ratio=1)
    with pytest.raises(ValidationError, match="已发布的计划版本不可修改"):
        PlanLine.objects.filter(plan=published).delete()
    with pytest.raises(ValidationError, match="已发布的计划版本不可修改"), transaction.atomic():
        published.participants.add(demo.department("market"))
    assert Plan.objects.filter(pk=published.pk).update(status=PlanStatus.SUPERSEDED) == 1


def test_database_level(demo, published):
    t = Plan._meta.db_table
    assert "计划名称" in refused_by_database(f"UPDATE {t} SET title = %s WHERE id = %s", ["改名", published.pk])
    assert "不可退回草稿" in refused_by_database(f"UPDATE {t} SET status = 'draft' WHERE id = %s", [published.pk])
    line = published.lines.first()
    assert "已发布的计划版本不可修改" in refused_by_database(
        "UPDATE plans_planline SET ratio = 1 WHERE id = %s", [line.pk]
    )
    assert "已发布的计划版本不可修改" in refused_by_database(
        "INSERT INTO plans_plan_participants (plan_id, organisation_id) VALUES (%s, %s)",
        [published.pk, demo.department("market").pk],
    )
    # Moving a line of a draft onto the published plan is refused too.
    draft = department_plan(demo, key="market", user="sc_operator")
    other = draft.lines.first()
    assert "已发布的计划版本不可修改" in refused_by_database(
        "UPDATE plans_planline SET plan_id = %s WHERE id = %s", [published.pk, other.pk]
    )
    assert accepted_by_database("UPDATE plans_planline SET ratio = 1 WHERE id = %s", [other.pk]) == 1
    assert accepted_by_database(f"UPDATE {t} SET status = 'superseded' WHERE id = %s", [published.pk]) == 1
    assert "不可再改变状态" in refused_by_database(f"UPDATE {t} SET status = 'published' WHERE id = %s", [published.pk])


def test_database_refuses_deleting_a_published_plan(published):
    postgresql_only()
    assert "不可删除" in refused_by_database(f"DELETE FROM {Plan._meta.db_table} WHERE id = %s", [published.pk])
    assert "已发布的计划版本不可修改" in refused_by_database(
        "DELETE FROM plans_planline WHERE plan_id = %s", [published.pk]
    )
