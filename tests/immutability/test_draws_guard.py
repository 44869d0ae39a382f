"""A draw's frozen inputs and drawn entropy, and the append-only result versions: refused by
the ORM and by the database (a raw UPDATE through a cursor)."""

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.tasks.models import Draw, DrawResult, DrawStatus
from tests.immutability.helpers import accepted_by_database, postgresql_only, refused_by_database
from tests.tasks.helpers import drawn_task, seed_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def draw(demo):
    _task, draw = drawn_task(seed_world(demo))
    return draw


def test_model_level(draw):
    with pytest.raises(ValidationError, match="seed"):
        Draw.objects.filter(pk=draw.pk).update(seed="0" * 64)
    with pytest.raises(ValidationError, match="population_csv"):
        Draw.objects.filter(pk=draw.pk).update(population_csv=b"x")
    with pytest.raises(ValidationError, match="不可删除"):
        Draw.objects.filter(pk=draw.pk).delete()
    result = DrawResult.objects.filter(draw=draw).first()
    with pytest.raises(ValidationError, match="抽取结果版本不可修改"):
        DrawResult.objects.filter(pk=result.pk).update(reason="改")
    with pytest.raises(ValidationError, match="抽取结果版本不可删除"):
        DrawResult.objects.filter(pk=result.pk).delete()
    assert Draw.objects.filter(pk=draw.pk).update(excluded_count=draw.excluded_count) == 1


def test_database_level(draw):
    t = Draw._meta.db_table
    assert "seed" in refused_by_database(f"UPDATE {t} SET seed = %s WHERE id = %s", ["0" * 64, draw.pk])
    assert "commitment_sha256" in refused_by_database(
        f"UPDATE {t} SET commitment_sha256 = %s WHERE id = %s", ["f" * 64, draw.pk]
    )
    result = DrawResult.objects.filter(draw=draw).first()
    assert "抽取结果版本不可修改" in refused_by_database(
        f"UPDATE {DrawResult._meta.db_table} SET reason = %s WHERE id = %s", ["改", result.pk]
    )
    # Voiding a drawn draw is a status change the ORM allows; undoing it is not.
    assert accepted_by_database(f"UPDATE {t} SET status = %s WHERE id = %s", [DrawStatus.VOID, draw.pk]) == 1
    assert "不可恢复" in refused_by_database(f"UPDATE {t} SET status = %s WHERE id = %s", [DrawStatus.DRAWN, draw.pk])


def test_database_refuses_deleting_a_draw(draw):
    postgresql_only()
    result = DrawResult.objects.filter(draw=draw).first()
    assert "抽取结果版本不可删除" in refused_by_database(
        f"DELETE FROM {DrawResult._meta.db_table} WHERE id = %s", [result.pk]
    )
    assert "抽取记录不可删除" in refused_by_database(f"DELETE FROM {Draw._meta.db_table} WHERE id = %s", [draw.pk])
