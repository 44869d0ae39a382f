"""A part's handling record (PartEvent) is append-only through the shared immutability
mechanism: the ORM refuses save/update/delete of a stored row, the database refuses a raw
UPDATE (and, on PostgreSQL, a raw DELETE)."""

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import PartEvent
from tests.immutability.helpers import postgresql_only, refused_by_database
from tests.inspections.helpers import build, code, visit, water_failed_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(demo):
    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=water_failed_entry(w))
    return PartEvent.objects.get(action=PartEvent.Action.SAVE)


def test_a_new_event_is_still_written(event):
    services.submit(event.part.record, event.part.department_id, event.actor)
    assert list(PartEvent.objects.values_list("action", flat=True)) == ["save", "submit"]


def test_the_orm_refuses_changing_or_removing_an_event(event):
    event.reason = "改"
    with pytest.raises(ValidationError, match="办理记录不可修改"):
        event.save()
    with pytest.raises(ValidationError, match="办理记录不可修改"):
        PartEvent.objects.filter(pk=event.pk).update(reason="改")
    with pytest.raises(ValidationError, match="办理记录不可删除"):
        event.delete()
    with pytest.raises(ValidationError, match="办理记录不可删除"):
        PartEvent.objects.filter(pk=event.pk).delete()
    assert PartEvent.objects.get(pk=event.pk).reason == ""


def test_the_database_refuses_a_raw_update(event):
    t = PartEvent._meta.db_table
    assert "办理记录不可修改" in refused_by_database(f"UPDATE {t} SET reason = %s WHERE id = %s", ["改", event.pk])
    assert "办理记录不可修改" in refused_by_database(
        f"UPDATE {t} SET action = %s WHERE id = %s", ["determine", event.pk]
    )


def test_the_database_refuses_a_raw_delete(event):
    postgresql_only()
    t = PartEvent._meta.db_table
    assert "办理记录不可删除" in refused_by_database(f"DELETE FROM {t} WHERE id = %s", [event.pk])
