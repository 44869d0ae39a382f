"""The audit trail is append-only and hash-chained; tampering is caught by audit_verify."""

import pytest
from django.core.management import call_command
from django.db import connection

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.models import AppendOnlyError, AuditEntry
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.orgs.models import DepartmentKind

pytestmark = pytest.mark.django_db


def _make_entries(n=5):
    with acting(actor_name="测试", reason="测试"):
        for i in range(n):
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
    assert capsys.readouterr().out.strip() == f"OK {AuditEntry.objects.count()} entries"


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
