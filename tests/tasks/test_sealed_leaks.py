"""Issue 17, "the sealed list leaks": the seed through the inspector draw (1), the audit
trail (2) and the reopened confirmation note (3). Non-participants see that something
happened, never what; participants and, after publication, everyone see the detail."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.tasks.models import Confirmation
from tests.tasks.sealed_world import CONFIRM_NOTE, build, sealed_strings

pytestmark = pytest.mark.django_db

OUTSIDERS = ("admin", "qh_supervisor", "sc_inspector", "zr_admin")
REDACTED = "已封存：名单公开前仅参与人员可见"


@pytest.fixture
def w(demo):
    return build(demo)


def _leaks(body: str, strings: dict[str, str]) -> list[str]:
    return [label for label, s in strings.items() if s and s in body]


def text(r) -> str:
    """The body as a reader sees it (JSON with its \\u escapes undone)."""
    if r.get("Content-Type", "").startswith("application/json"):
        return json.dumps(r.json(), ensure_ascii=False)
    return r.content.decode("utf-8", "replace")


def _get(client, user, url) -> str:
    client.force_login(user)
    r = client.get(url)
    assert r.status_code == 200, (user.username, url, r.status_code)
    return text(r)


# --- 1. The seed through the inspector draw ------------------------------------------------------


def test_inspector_draw_hides_the_target_draws_seed_from_non_participants(w, client):
    users = w.world.users
    seed = w.draw.seed
    for idraw in w.inspector_draws.values():
        for username in ("admin", "qh_supervisor", "sc_inspector"):
            for url in (f"/tasks/draws/{idraw.pk}/", f"/api/tasks/draws/{idraw.pk}"):
                body = _get(client, users[username], url)
                assert seed not in body, (username, url)
                assert idraw.seed not in body and idraw.server_secret not in body, (username, url)
        # The same rule as the target draw: participants see it.
        for url in (f"/tasks/draws/{idraw.pk}/", f"/api/tasks/draws/{idraw.pk}"):
            assert seed in _get(client, users["sc_admin"], url)
        api = client.get(f"/api/tasks/draws/{idraw.pk}").json()
        assert [e["value"] for e in api["public_entropy"] if e["kind"] == "target_draw_seed"] == [seed]


def test_after_publication_everyone_who_sees_the_task_sees_the_seed(w, client):
    w.task.published_at = timezone.now()
    w.task.save(update_fields=["published_at"])
    idraw = next(iter(w.inspector_draws.values()))
    body = _get(client, w.world.users["qh_supervisor"], f"/api/tasks/draws/{idraw.pk}")
    assert w.draw.seed in body


# --- 2. The audit trail ------------------------------------------------------------------------------


def _audit_bodies(client, user) -> dict[str, str]:
    bodies = {}
    page = 1
    while True:
        r = client.get(f"/api/audit/entries?page={page}&page_size=500")
        bodies[f"api page {page}"] = text(r)
        if page * 500 >= r.json()["count"]:
            break
        page += 1
    for e in AuditEntry.objects.filter(action__startswith="tasks."):
        r = client.get(f"/audit/{e.seq}/")
        if r.status_code == 200:
            bodies[f"/audit/{e.seq}/ {e.action}"] = r.content.decode()
        r = client.get(f"/api/audit/entries/{e.seq}")
        if r.status_code == 200:
            bodies[f"/api/audit/entries/{e.seq} {e.action}"] = text(r)
    bodies["list"] = client.get("/audit/").content.decode()
    return bodies


def test_audit_trail_keeps_sealed_detail_from_non_participants(w, client):
    strings = sealed_strings(w, register=False)
    strings.update(
        {
            "replaced code": w.replaced.code,
            "replaced name": w.replaced.name,
            "replacement code": w.replacement.code,
            "replacement name": w.replacement.name,
            "sheet target code": w.sheet_target.code,
            "substitute target code": w.substituted.target.code,
        }
    )
    for username in ("admin", "qh_supervisor"):
        client.force_login(w.world.users[username])
        bodies = _audit_bodies(client, w.world.users[username])
        leaks = {where: _leaks(body, strings) for where, body in bodies.items()}
        assert {k: v for k, v in leaks.items() if v} == {}, username
        # They see that something happened: who, when, which task.
        reserve = AuditEntry.objects.get(action="tasks.reserve")
        page = client.get(f"/audit/{reserve.seq}/").content.decode()
        assert REDACTED in page and reserve.actor_name in page
        assert reserve.sealed_task_id == w.task.pk
    assert verify_chain().ok


def test_sealed_audit_detail_is_read_by_participants_and_the_supervisor_and_that_read_is_audited(w, client):
    reserve = AuditEntry.objects.get(action="tasks.reserve")
    for username in ("qh_office", "qh_supervisor"):
        user = w.world.users[username]
        body = _get(client, user, f"/audit/{reserve.seq}/?sealed=1")
        assert w.replaced.code in body and w.replacement.code in body, username
        read = AuditEntry.objects.filter(action="tasks.sealed_audit", actor=user).latest("seq")
        assert read.after["entry"] == reserve.seq and read.sealed_task_id == w.task.pk
        api = client.get(f"/api/audit/entries/{reserve.seq}?sealed=true").json()
        assert api["sealed"]["after"]["replacement"] == w.replacement.code
        assert AuditEntry.objects.filter(action="tasks.sealed_audit", actor=user).count() == 2
    # The platform administrator is no participant: the detail stays sealed until publication.
    admin = w.world.users["admin"]
    body = _get(client, admin, f"/audit/{reserve.seq}/?sealed=1")
    assert w.replaced.code not in body and REDACTED in body
    assert client.get(f"/api/audit/entries/{reserve.seq}?sealed=true").status_code == 404
    assert not AuditEntry.objects.filter(action="tasks.sealed_audit", actor=admin).exists()
    # After publication everyone in scope reads it, without a sealed read.
    w.task.published_at = timezone.now()
    w.task.save(update_fields=["published_at"])
    body = _get(client, admin, f"/audit/{reserve.seq}/")
    assert w.replaced.code in body and w.replacement.code in body
    assert not AuditEntry.objects.filter(action="tasks.sealed_audit", actor=admin).exists()
    assert verify_chain().ok


# --- 3. The reopened confirmation note ---------------------------------------------------------------


def test_reopened_confirmation_note_is_shown_only_with_sealed_access(w, client):
    conf = Confirmation.objects.get(draw=w.draw, department=w.world.water)
    # Reopen again so that the note naming both targets is the current one.
    Confirmation.objects.filter(pk=conf.pk).update(
        status="pending", note=f"对象“{w.replaced.name}”已由备选对象“{w.replacement.name}”递补，请重新确认。"
    )
    names = {"replaced": w.replaced.name, "replacement": w.replacement.name, "note": CONFIRM_NOTE}
    for username in ("admin", "qh_supervisor", "sc_inspector", "zr_admin"):
        user = w.world.users[username]
        client.force_login(user)
        for url in (f"/tasks/{w.task.pk}/", f"/api/tasks/draws/{w.draw.pk}/confirmations"):
            r = client.get(url)
            if r.status_code == 404:  # the task is not in this user's scope at all
                continue
            body = text(r)
            assert _leaks(body, names) == [], (username, url)
            assert "已有对象递补，确认重新开启" in body, (username, url)
    body = _get(client, w.world.users["sw_admin"], f"/tasks/{w.task.pk}/")
    assert w.replacement.name in body
    api = client.get(f"/api/tasks/draws/{w.draw.pk}/confirmations").json()
    assert any(w.replacement.name in c["note"] for c in api)
    # The trail keeps the note in the entry's sealed part, its public part is neutral.
    reopened = AuditEntry.objects.get(action="tasks.reconfirm")
    assert w.replaced.name in reopened.sealed["after"]["note"] and w.replaced.name not in str(reopened.after)


# --- Cache-Control: no-store on every sealed response ------------------------------------------------


def test_every_sealed_response_is_no_store(w, client):
    task, draw = w.task, w.draw
    idraw = next(iter(w.inspector_draws.values()))
    target = w.sheet_target
    urls = [
        f"/tasks/draws/{draw.pk}/targets/",
        f"/tasks/draws/{draw.pk}/targets.xlsx",
        f"/tasks/draws/{draw.pk}/bundle.zip",
        f"/tasks/draws/{idraw.pk}/bundle.zip",
        f"/tasks/{task.pk}/sheets/",
        f"/tasks/{task.pk}/sheets/{target.pk}/",
        f"/api/tasks/draws/{draw.pk}/targets",
        f"/api/tasks/draws/{draw.pk}/assignments",
        f"/api/tasks/draws/{idraw.pk}/assignments",
        f"/api/tasks/draws/{draw.pk}/bundle",
    ]
    client.force_login(w.world.users["sw_admin"])
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        assert "no-store" in r.get("Cache-Control", ""), (url, r.get("Cache-Control"))
    reserve = AuditEntry.objects.get(action="tasks.reserve")
    client.force_login(w.world.users["qh_office"])
    for url in (f"/audit/{reserve.seq}/?sealed=1", f"/api/audit/entries/{reserve.seq}?sealed=true"):
        r = client.get(url)
        assert r.status_code == 200 and "no-store" in r.get("Cache-Control", ""), url


def test_a_sheet_refused_to_a_non_participant_does_not_say_whether_the_target_was_drawn(w, rf):
    from django.http import Http404

    from shuangsuiji.targets.models import Target
    from shuangsuiji.tasks import sheet_views

    undrawn = Target.objects.exclude(pk__in=w.draw.drawn_targets.values("target_id")).first()
    for username in OUTSIDERS:
        messages = set()
        for target in (w.sheet_target, undrawn):
            for view in (sheet_views.sheet_detail, sheet_views.sheet_pdf):
                request = rf.get("/")
                request.user = w.world.users[username]
                try:
                    view(request, w.task.pk, target.pk)
                except Http404 as exc:
                    messages.add(str(exc))
                else:
                    pytest.fail(f"{username} opened a sheet")
        assert len(messages) == 1, (username, messages)
