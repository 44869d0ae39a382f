"""The audit append on PostgreSQL: one compare-and-set statement per entry against the head the
connection remembers (``audit.services._append_pg``). Whatever makes that memory stale — a
rolled-back savepoint or transaction, another connection, a deleted or rewritten head, a
deleted genesis record — must still give a valid chain, or the old refusal."""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.models import AuditEntry, AuditGenesis, AuditHead, ChainStateError
from shuangsuiji.audit.services import record, verify_chain

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the compare-and-set append is PostgreSQL's")


def _entry(i) -> AuditEntry:
    with acting(actor_name="测试"):
        return record(action="test", object_type="test.thing", object_id=str(i), object_repr=f"第 {i} 件")


def _last() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq").first()


def _follows(entry: AuditEntry, prev: AuditEntry) -> bool:
    return entry.seq == prev.seq + 1 and entry.prev_hash == prev.hash


@pytest.mark.django_db
def test_after_the_first_entry_of_a_transaction_each_entry_is_one_statement():
    _entry(0)
    with CaptureQueriesContext(connection) as q:
        for i in range(1, 6):
            _entry(i)
    assert len(q) == 5 and all(s["sql"].startswith("WITH moved AS (UPDATE") for s in q.captured_queries)
    assert verify_chain().ok


@pytest.mark.django_db
def test_an_entry_after_a_rolled_back_savepoint_follows_the_head_as_it_is():
    a = _entry(1)
    try:
        with transaction.atomic():
            _entry(2)
            _entry(3)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    with CaptureQueriesContext(connection) as q:
        c = _entry(4)
    assert _follows(c, a) and _last().pk == c.pk
    # the memory of the rolled-back savepoint is known stale: the head is read (locked) first
    assert "FOR UPDATE" in q.captured_queries[0]["sql"] and len(q) == 2
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_released_savepoint_keeps_the_memory():
    _entry(1)
    with transaction.atomic():
        b = _entry(2)
    with CaptureQueriesContext(connection) as q:
        c = _entry(3)
    assert _follows(c, b) and len(q) == 1
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_head_rewound_behind_the_connections_back_is_followed():
    """The remembered head no longer matches (an insider deleted the last entry and set the head
    back): no row moves, nothing is inserted, the head is read and the entry follows what it
    says, as before the compare-and-set (audit_verify's anchors catch the deleted entry)."""
    a = _entry(1)
    b = _entry(2)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = %s", [b.seq])
        cur.execute(f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1", [a.seq, a.hash])
    c = _entry(3)
    assert _follows(c, a)
    assert verify_chain().ok


@pytest.mark.django_db
@pytest.mark.parametrize("model", [AuditHead, AuditGenesis], ids=["head", "genesis record"])
def test_no_entry_after_the_head_or_the_genesis_record_was_deleted_even_with_a_memory(model):
    _entry(1)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {model._meta.db_table}")
    with pytest.raises(ChainStateError), transaction.atomic():
        _entry(2)
    assert AuditEntry.objects.filter(object_id="2").count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_entry_after_a_rolled_back_transaction_follows_the_committed_head():
    with transaction.atomic():
        a = _entry(1)
    try:
        with transaction.atomic():
            _entry(2)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    with transaction.atomic():
        c = _entry(3)
    assert _follows(c, a)
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_a_committed_memory_is_used_by_the_next_transaction():
    with transaction.atomic():
        a = _entry(1)
    with CaptureQueriesContext(connection) as q, transaction.atomic():
        b = _entry(2)
    statements = [s["sql"][:4] for s in q.captured_queries if s["sql"] not in ("BEGIN", "COMMIT")]
    assert _follows(b, a) and statements == ["WITH"]


def _in_thread(fn):
    errors = []

    def run():
        try:
            fn()
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    t.join(60)
    assert not t.is_alive() and not errors, errors


@pytest.mark.django_db(transaction=True)
def test_two_connections_appending_alternately_make_one_valid_chain():
    """Each connection's memory is stale at every turn (the other appended meanwhile)."""
    for turn in range(4):
        with transaction.atomic():
            _entry(f"main{turn}")
            _entry(f"main{turn}b")

        def other(turn=turn):
            with transaction.atomic():
                _entry(f"other{turn}")
                _entry(f"other{turn}b")

        _in_thread(other)
    with transaction.atomic():
        _entry("last")
    report = verify_chain()
    assert report.ok, report.problem
    assert AuditEntry.objects.filter(object_type="test.thing").count() == 17


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_one_valid_chain():
    before = AuditEntry.objects.count()
    barrier = threading.Barrier(3)
    errors = []

    def writer(k):
        try:
            barrier.wait(timeout=30)
            for i in range(15):
                with transaction.atomic():
                    _entry(f"{k}-{i}")
                    _entry(f"{k}-{i}b")
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    report = verify_chain()
    assert report.ok, report.problem
    assert AuditEntry.objects.count() == before + 90
