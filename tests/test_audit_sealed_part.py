"""The sealed part of audit entries (issue 17) is covered by the hash chain, and entries
without one hash exactly as before the part existed (old trails still verify)."""

import hashlib

import pytest
from django.db import connection

from shuangsuiji.audit.chain import HASHED_FIELDS, canonical_json, entry_hash
from shuangsuiji.audit.context import acting
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.audit.services import entry_content, record, verify_chain

pytestmark = pytest.mark.django_db


def _old_rule(content: dict) -> str:
    """The hash rule before the sealed part existed."""
    body = {name: content[name] for name in HASHED_FIELDS}
    return hashlib.sha256(content["prev_hash"].encode("ascii") + canonical_json(body).encode("utf-8")).hexdigest()


def _entries():
    with acting(actor_name="测试"):
        plain = record(action="test.plain", object_type="t", object_id="1", object_repr="一", after={"n": 1})
        sealed = record(
            action="test.sealed",
            object_type="t",
            object_id="2",
            object_repr="二",
            after={"n": 2},
            sealed_task_id=7,
            sealed={"after": {"seed": "ab" * 32}, "reason": "对象“甲”不属本部门监管"},
        )
        record(action="test.plain", object_type="t", object_id="3", object_repr="三")
    return plain, sealed


def test_entries_without_a_sealed_part_hash_as_before():
    plain, sealed = _entries()
    plain.refresh_from_db()
    assert plain.sealed is None and plain.sealed_task_id is None
    assert plain.hash == _old_rule(entry_content(plain))
    sealed.refresh_from_db()
    assert sealed.hash == entry_hash(entry_content(sealed)) != _old_rule(entry_content(sealed))
    assert verify_chain().ok


@pytest.mark.parametrize(
    ("column", "value"),
    [("sealed", '{"after": {"seed": "00"}}'), ("sealed", None), ("sealed_task_id", 8), ("sealed_task_id", None)],
)
def test_changing_or_dropping_the_sealed_part_is_caught(column, value):
    _plain, sealed = _entries()
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {AuditEntry._meta.db_table} SET {column} = %s WHERE seq = %s", [value, sealed.seq])
    report = verify_chain()
    assert report.broken_seq == sealed.seq and "内容与其哈希不符" in report.problem
