"""The audit trail is append-only and hash-chained; tampering is caught by audit_verify."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.models import AppendOnlyError, AuditEntry
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.orgs.models import DepartmentKind

pytestmark = pytest.mark.django_db


def _make_entries(n=5):
    start = DepartmentKind.objects.filter(code__startswith="k").count()
    with acting(actor_name="测试", reason="测试"):
        for i in range(start, start + n):
            DepartmentKind.objects.create(code=f"k{i}", name=f"类别{i}")


def _verify_exit(capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("audit_verify")
    return exc.value.code, capsys.readouterr()


def test_create_update_delete_are_recorded_with_before_and_after():
    kind = DepartmentKind.objects.create(code="tax", name="税务")
    kind.name = "税务局"
    kind.save()
    kind.delete()
    entries = list(AuditEntry.objects.filter(object_type="orgs.departmentkind").order_by("seq"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert entries[0].after["name"] == "税务"
    assert entries[1].before == {"name": "税务"} and entries[1].after == {"name": "税务局"}
    assert entries[2].before["name"] == "税务局"


def test_saving_without_change_records_nothing():
    kind = DepartmentKind.objects.create(code="tax", name="税务")
    before = AuditEntry.objects.count()
    kind.save()
    assert AuditEntry.objects.count() == before


def test_verify_ok(capsys):
    _make_entries()
    call_command("audit_verify")
    assert capsys.readouterr().out.splitlines()[0] == f"OK {AuditEntry.objects.count()} entries"


def test_entries_cannot_be_changed_through_the_orm():
    _make_entries(1)
    entry = AuditEntry.objects.first()
    entry.action = "x"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(action="x")


def test_edited_row_is_caught(capsys):
    _make_entries()
    table = AuditEntry._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET object_repr = %s WHERE seq = %s", ["篡改", 3])
    report = verify_chain()
    assert report.broken_seq == 3
    code, out = _verify_exit(capsys)
    assert code == 1
    assert "entry 3" in out.err


def test_deleted_middle_row_is_caught(capsys):
    _make_entries()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = %s", [2])
    code, out = _verify_exit(capsys)
    assert code == 1
    assert "entry 2" in out.err


def test_deleted_last_row_is_caught(capsys):
    _make_entries()
    last = AuditEntry.objects.order_by("-seq").first().seq
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = %s", [last])
    code, out = _verify_exit(capsys)
    assert code == 1
    assert f"entry {last}" in out.err


def test_rehashed_forgery_breaks_the_next_link():
    """Recomputing one entry's hash after editing it still breaks the next entry's link."""
    from shuangsuiji.audit.chain import entry_hash
    from shuangsuiji.audit.services import entry_content

    _make_entries()
    entry = AuditEntry.objects.get(seq=2)
    content = entry_content(entry)
    content["object_repr"] = "伪造"
    forged = entry_hash(content)
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET object_repr = %s, hash = %s WHERE seq = %s", ["伪造", forged, 2]
        )
    assert verify_chain().broken_seq == 3


def test_context_supplies_request_id_ip_and_actor(demo):
    user = demo.users["admin"]
    with acting(request_id="req-12345678", ip="10.0.0.9", actor=user):
        DepartmentKind.objects.create(code="tax", name="税务")
    entry = AuditEntry.objects.filter(object_type="orgs.departmentkind").latest("seq")
    assert entry.request_id == "req-12345678"
    assert entry.ip == "10.0.0.9"
    assert entry.actor_id == user.pk
    assert "admin" in entry.actor_name


def test_http_login_is_recorded_with_request_id_and_ip(client, demo):
    response = client.post("/login/", {"username": "sw_admin", "password": "Qinghe@2026"}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="auth.login").latest("seq")
    assert entry.ip == "192.0.2.7"
    assert entry.request_id == response["X-Request-ID"]
    assert entry.organisation_id == demo.department("water").pk


# --- Point 6 and 7 of issue 17: a trail that cannot be wiped, anchors outside the database ----


def _table(model):
    return model._meta.db_table


def _rewrite_and_rehash(seq: int, text: str) -> None:
    """The insider's forgery: change entry ``seq`` and recompute every later hash and the head."""
    from shuangsuiji.audit.chain import entry_hash
    from shuangsuiji.audit.models import AuditHead
    from shuangsuiji.audit.services import entry_content

    prev = AuditEntry.objects.get(seq=seq).prev_hash
    with connection.cursor() as cur:
        for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
            content = entry_content(entry)
            content["prev_hash"] = prev
            if entry.seq == seq:
                content["object_repr"] = text
            forged = entry_hash(content)
            cur.execute(
                f"UPDATE {_table(AuditEntry)} SET object_repr = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [content["object_repr"], prev, forged, entry.seq],
            )
            prev = forged
        cur.execute(f"UPDATE {_table(AuditHead)} SET hash = %s WHERE id = 1", [prev])


def test_the_migration_wrote_a_genesis_record_the_orm_refuses_to_lose():
    from shuangsuiji.audit.models import AuditGenesis

    genesis = AuditGenesis.objects.get(id=1)
    assert len(genesis.nonce) == 32
    with pytest.raises(AppendOnlyError):
        genesis.delete()
    with pytest.raises(AppendOnlyError):
        AuditGenesis.objects.all().delete()
    genesis.nonce = "0" * 32
    with pytest.raises(AppendOnlyError):
        genesis.save()


def test_wiping_every_entry_and_the_head_is_caught(capsys):
    from shuangsuiji.audit.models import AuditHead

    _make_entries()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {_table(AuditEntry)}")
        cur.execute(f"DELETE FROM {_table(AuditHead)}")
    report = verify_chain()
    assert not report.ok and "链头缺失" in report.problem
    code, out = _verify_exit(capsys)
    assert code == 1 and "OK" not in out.out and "链头缺失" in out.err


def test_wiping_the_genesis_record_too_is_caught(capsys):
    from shuangsuiji.audit.models import AuditGenesis, AuditHead

    _make_entries()
    with connection.cursor() as cur:
        for model in (AuditEntry, AuditHead, AuditGenesis):
            cur.execute(f"DELETE FROM {_table(model)}")
    code, out = _verify_exit(capsys)
    assert code == 1 and "创世记录缺失" in out.err


def test_the_application_refuses_to_append_after_the_head_was_deleted():
    from shuangsuiji.audit.models import AuditHead, ChainStateError

    _make_entries(2)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {_table(AuditHead)}")
    with pytest.raises(ChainStateError), transaction.atomic():
        DepartmentKind.objects.create(code="late", name="迟到")
    assert not DepartmentKind.objects.filter(code="late").exists()  # the change went with its missing entry


def test_audit_verify_and_audit_anchor_append_one_json_line_per_new_head(capsys, settings):
    import json
    from pathlib import Path

    from shuangsuiji.audit.models import AuditGenesis

    _make_entries(3)
    call_command("audit_verify")
    call_command("audit_verify")  # the same head: no second line
    _make_entries(1)
    call_command("audit_anchor")
    lines = Path(settings.SHUANGSUIJI_AUDIT_ANCHOR_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["genesis"] == AuditGenesis.objects.get().nonce
    assert second["seq"] == AuditEntry.objects.count() == first["seq"] + 1
    assert second["hash"] == AuditEntry.objects.order_by("-seq").first().hash
    assert first["prev"] == "0" * 64 and len(second["prev"]) == 64 and second["at"]
    assert "已核对 1 个锚点" in capsys.readouterr().out


def test_the_daily_task_writes_an_anchor(settings):
    from pathlib import Path

    from shuangsuiji.audit.tasks import anchor_daily

    _make_entries(2)
    assert anchor_daily.call_local() is True
    assert len(Path(settings.SHUANGSUIJI_AUDIT_ANCHOR_FILE).read_text().splitlines()) == 1


def test_rewrite_and_recompute_is_caught_by_the_anchor(capsys):
    _make_entries(3)
    call_command("audit_verify")  # anchor 1: entries 1..n
    anchored = AuditEntry.objects.count()
    _make_entries(2)
    call_command("audit_verify")  # anchor 2
    capsys.readouterr()
    _rewrite_and_rehash(2, "伪造")
    assert verify_chain().ok  # the chain alone cannot see it: every hash and the head were recomputed
    code, out = _verify_exit(capsys)
    assert code == 1
    assert "anchor line 1" in out.err and f"第 {anchored} 条" in out.err and "重算" in out.err


def test_wipe_and_restart_is_caught_by_the_anchor(capsys):
    """All entries, the head and the genesis deleted, and a fresh chain started: the anchors
    name a chain of another genesis."""
    from shuangsuiji.audit.models import AuditGenesis, AuditHead
    from shuangsuiji.audit.services import start_chain

    _make_entries(3)
    call_command("audit_verify")
    capsys.readouterr()
    with connection.cursor() as cur:
        for model in (AuditEntry, AuditHead, AuditGenesis):
            cur.execute(f"DELETE FROM {_table(model)}")
    start_chain()
    _make_entries(1)
    code, out = _verify_exit(capsys)
    assert code == 1 and "anchor line 1" in out.err and "另一条审计链" in out.err


def test_deleting_the_tail_below_an_anchor_is_caught_even_with_the_head_fixed(capsys):
    from shuangsuiji.audit.models import AuditHead

    _make_entries(4)
    call_command("audit_verify")
    capsys.readouterr()
    last = AuditEntry.objects.order_by("-seq").first()
    new_head = AuditEntry.objects.get(seq=last.seq - 1)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {_table(AuditEntry)} WHERE seq = %s", [last.seq])
        cur.execute(f"UPDATE {_table(AuditHead)} SET seq = %s, hash = %s WHERE id = 1", [new_head.seq, new_head.hash])
    code, out = _verify_exit(capsys)
    assert code == 1 and "anchor line 1" in out.err and "记录被删除" in out.err


def test_an_edited_anchor_file_is_caught(capsys, settings):
    from pathlib import Path

    _make_entries(2)
    call_command("audit_verify")
    _make_entries(1)
    call_command("audit_verify")
    path = Path(settings.SHUANGSUIJI_AUDIT_ANCHOR_FILE)
    lines = path.read_text().splitlines()
    path.write_text(lines[1] + "\n")  # the first line removed
    capsys.readouterr()
    code, out = _verify_exit(capsys)
    assert code == 1 and "锚点文件第 1 行的前一行哈希不符" in out.err


def test_a_broken_chain_is_not_anchored(capsys, settings):
    from pathlib import Path

    _make_entries(3)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {_table(AuditEntry)} SET object_repr = %s WHERE seq = %s", ["篡改", 2])
    code, _ = _verify_exit(capsys)
    assert code == 1
    with pytest.raises(SystemExit):
        call_command("audit_anchor")
    assert not Path(settings.SHUANGSUIJI_AUDIT_ANCHOR_FILE).exists()


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abcdefgh\n", "abcdefgh?"),  # re.match with $ accepted a trailing newline
        ("x" * 65, "x" * 64),
        ("见<script>alert(1)</script>", "?<script>alert(1)</script>"),
        ("req id with spaces", "req id with spaces"),
    ],
)
def test_a_malformed_request_id_is_replaced_and_kept_aside(client, demo, sent, kept):
    response = client.post(
        "/login/", {"username": "sw_admin", "password": "Qinghe@2026"}, headers={"X-Request-ID": sent}
    )
    assert response.status_code == 302
    generated = response["X-Request-ID"]
    assert generated != sent and len(generated) == 32
    entry = AuditEntry.objects.filter(action="auth.login").latest("seq")
    assert (entry.request_id, entry.client_request_id) == (generated, kept)
    assert verify_chain().ok  # the client's value is part of the hashed content


def test_a_well_formed_request_id_is_used_and_echoed(client, demo):
    response = client.post(
        "/login/", {"username": "sw_admin", "password": "Qinghe@2026"}, headers={"X-Request-ID": "a1"}
    )
    assert response["X-Request-ID"] == "a1"
    entry = AuditEntry.objects.filter(action="auth.login").latest("seq")
    assert (entry.request_id, entry.client_request_id) == ("a1", "")


def test_entries_without_the_optional_fields_keep_their_old_hash():
    """The hash rule of entries written before client_request_id existed is unchanged."""
    from shuangsuiji.audit.chain import HASHED_FIELDS, canonical_json, entry_hash

    content = dict.fromkeys(HASHED_FIELDS, "") | {"seq": 1, "prev_hash": "0" * 64, "client_request_id": ""}
    import hashlib

    old = hashlib.sha256(
        content["prev_hash"].encode() + canonical_json({k: content[k] for k in HASHED_FIELDS}).encode()
    )
    assert entry_hash(content) == old.hexdigest()
    assert entry_hash(content | {"client_request_id": "x"}) != old.hexdigest()
