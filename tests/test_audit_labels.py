"""Everything a user reads in the audit trail is Chinese: every action the code records and every
object kind has a label (shuangsuiji/audit/labels.py); the pages show the labels, not the codes."""

import ast
import re
from pathlib import Path

import pytest

from shuangsuiji.audit.labels import action_labels, object_label
from shuangsuiji.audit.models import AuditEntry
from tests.test_fuzz_writes import drawn  # noqa: F401 (fixture)

CODE = Path(__file__).resolve().parent.parent / "shuangsuiji"
APPS = (
    "auth|tasks|plans|items|inspectors|targets|printing|imports|orgs|accounts|workdays|tags|audit|demo|web"
    "|inspections|followups|publicity|reports|immutability"
)
ACTION = re.compile(rf"^({APPS})\.[a-z_]+$")
NOT_ACTIONS = {"audit.anchor_daily"}  # a periodic task's name


def recorded_in_code() -> set[str]:
    """String constants shaped like an action, outside the draw engine (its verification steps)
    and model labels (object kinds)."""
    from django.apps import apps

    found = set()
    for path in CODE.rglob("*.py"):
        if "migrations" in path.parts or path.relative_to(CODE).parts[0] == "draw" or path.name == "labels.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ACTION.match(node.value):
                found.add(node.value)
    models = {m._meta.label_lower for m in apps.get_models()}
    return {a for a in found if a not in models and not a.endswith(("_", ".json")) and a not in NOT_ACTIONS}


def test_every_action_in_the_code_has_a_chinese_label():
    actions = recorded_in_code()
    assert len(actions) > 50
    labels = action_labels()
    missing = sorted(a for a in actions if a not in labels)
    assert not missing, f"audit actions without a Chinese label (shuangsuiji/audit/labels.py): {missing}"
    from shuangsuiji.imports.runner import IMPORTERS

    assert all(f"{kind}.import" in labels for kind in IMPORTERS)
    assert all(re.search("[\u4e00-\u9fff]", label) for label in labels.values())


@pytest.mark.django_db
def test_every_recorded_entry_reads_in_chinese(drawn, client, login):  # noqa: F811
    labels = action_labels()
    recorded = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"tasks.draw", "tasks.freeze"} <= recorded
    assert not sorted(a for a in recorded if a not in labels)
    kinds = set(AuditEntry.objects.values_list("object_type", flat=True))
    assert not sorted(k for k in kinds if object_label(k) == k)

    login("admin")
    body = client.get("/audit/").content.decode()
    cells = re.findall(r'<td title="([a-z_.]+)">([^<]*)</td>', body)
    assert cells and all(label != code and re.search("[\u4e00-\u9fff]", label) for code, label in cells)
    entry = AuditEntry.objects.filter(action="tasks.draw").first()
    detail = client.get(f"/audit/{entry.seq}/").content.decode()
    assert "抽取检查对象" in detail and ">tasks.draw<" not in detail


@pytest.mark.django_db
def test_the_admin_speaks_chinese(client, login, demo):
    from shuangsuiji.accounts.models import User

    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    login("admin")
    body = client.get("/admin/").content.decode()
    assert "系统后台管理" in body and "Site administration" not in body and "Log out" not in body
