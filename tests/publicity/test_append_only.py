"""Publications, the businesses they name, export batches and their records are append-only
through the shared mechanism (shuangsuiji.immutability): an ORM save, a queryset update, a
delete and a raw SQL UPDATE are all refused; withdrawal and redaction requests are never
deleted."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shuangsuiji.immutability import guarded_models, spec_of
from shuangsuiji.immutability.sql import expected, installed
from shuangsuiji.publicity import exports, services
from shuangsuiji.publicity.models import (
    ExportBatch,
    ExportedRecord,
    Publication,
    PublishedTarget,
    Redaction,
    Withdrawal,
)
from tests.immutability.helpers import accepted_by_database, postgresql_only, refused_by_database
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db

APPEND_ONLY = (Publication, PublishedTarget, ExportBatch, ExportedRecord)


def test_the_write_once_models_are_declared_and_their_triggers_installed():
    guarded = set(guarded_models())
    for model in (*APPEND_ONLY, Withdrawal, Redaction):
        assert model in guarded, model
    for model in APPEND_ONLY:
        assert spec_of(model).append_only and spec_of(model).no_delete
    tables = {t for _, t in installed(connection)}
    for model in APPEND_ONLY:
        assert model._meta.db_table in tables
    assert sorted(installed(connection)) == sorted(expected(connection.vendor))


def test_a_publication_is_refused_by_save_update_delete_and_raw_sql(demo):
    w = public_world.build(demo, results=True)
    pub = Publication.objects.get(pk=w.pub_market.pk)
    pub.title = "改过的标题"
    with pytest.raises(ValidationError, match="已公开的记录不可修改"):
        pub.save()
    with pytest.raises(ValidationError, match="已公开的记录不可修改"):
        Publication.objects.filter(pk=pub.pk).update(late=True)
    with pytest.raises(ValidationError, match="已公开的记录不可删除"):
        Publication.objects.get(pk=pub.pk).delete()
    with pytest.raises(ValidationError, match="已公开的记录不可删除"):
        Publication.objects.filter(pk=pub.pk).delete()
    table = Publication._meta.db_table
    message = refused_by_database(f"UPDATE {table} SET title = %s WHERE id = %s", ["改过的标题", pub.pk])
    assert "不可修改" in message
    refused_by_database(f"UPDATE {table} SET late = %s WHERE id = %s", [True, pub.pk])
    target = PublishedTarget.objects.filter(publication=pub).first()
    with pytest.raises(ValidationError, match="检查对象不可修改"):
        PublishedTarget.objects.filter(pk=target.pk).update(name="改名")
    refused_by_database(f"UPDATE {PublishedTarget._meta.db_table} SET name = %s WHERE id = %s", ["改名", target.pk])
    # nothing changed; inserting (a correction, a new publication) is what the table is for
    pub.refresh_from_db()
    assert pub.title == w.pub_market.title and not pub.late
    assert Publication.objects.filter(corrects=w.pub_water).count() == 1


def test_an_export_batch_and_its_records_are_append_only(demo):
    w = public_world.build(demo, results=True)
    batch = exports.make_batch(w.world.water, w.world.users["sw_admin"])
    record = ExportedRecord.objects.filter(batch=batch).first()
    with pytest.raises(ValidationError, match="报送批次不可修改"):
        batch.save()
    with pytest.raises(ValidationError, match="报送批次不可修改"):
        ExportBatch.objects.filter(pk=batch.pk).update(record_count=0)
    with pytest.raises(ValidationError, match="报送记录不可修改"):
        ExportedRecord.objects.filter(pk=record.pk).update(operation="d")
    with pytest.raises(ValidationError, match="报送记录不可删除"):
        record.delete()
    refused_by_database(f"UPDATE {ExportBatch._meta.db_table} SET record_count = 0 WHERE id = %s", [batch.pk])
    refused_by_database(f"UPDATE {ExportedRecord._meta.db_table} SET operation = 'd' WHERE id = %s", [record.pk])


def test_requests_are_never_deleted_but_still_decided(demo):
    w = public_world.build(demo, results=True)
    users = w.world.users
    wd = services.request_withdrawal(w.pub_other, "误公开", users["sw_admin"])
    with pytest.raises(ValidationError, match="撤回申请不可删除"):
        wd.delete()
    with pytest.raises(ValidationError, match="撤回申请不可删除"):
        Withdrawal.objects.filter(pk=wd.pk).delete()
    r = services.request_redaction("1-1", w.world.water, "remark", "商业秘密", users["sw_admin"])
    with pytest.raises(ValidationError, match="不予公开申请不可删除"):
        Redaction.objects.filter(pk=r.pk).delete()
    # a decision is an update of the request, not of the publication
    assert accepted_by_database(f"UPDATE {Redaction._meta.db_table} SET decision_note = 'x' WHERE id = %s", [r.pk])


def test_a_raw_delete_is_refused_on_postgresql(demo):
    postgresql_only()
    w = public_world.build(demo, results=True)
    message = refused_by_database(f"DELETE FROM {Publication._meta.db_table} WHERE id = %s", [w.pub_other.pk])
    assert "不可删除" in message
