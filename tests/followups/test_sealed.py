"""Follow-ups are sealed like the results they come from (issue 17's rule, issue 14's cases):
until the task is published a follow-up, its steps, transfers and exports reach only the owner
department, a receiving department and the region's 双随机办/督查; every such read is a
``tasks.sealed_*`` audit entry. After publication the scope rule alone applies."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.followups import services
from shuangsuiji.followups.todo import todo_for
from tests.followups.helpers import determined_part, drawn_target, world_with_task
from tests.neighbour import neighbour_county

STEP = "封存标记：约谈项目负责人"
URLS = ("/followups/{pk}/", "/followups/{pk}/export/xlsx/", "/followups/{pk}/export/csv/", "/api/followups/{pk}")


def _reads(task, since: int):
    return AuditEntry.objects.filter(seq__gt=since, action__startswith="tasks.sealed_", sealed_task_id=task.pk)


def _last_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _body(r) -> str:
    """The response as text; an xlsx as the text of its cells."""
    data = b"".join(r.streaming_content) if r.streaming else r.content
    if data.startswith(b"PK"):
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True).active
        return "\n".join(" ".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True))
    return data.decode("utf-8", "replace")


@pytest.mark.django_db
def test_a_sealed_follow_up_reaches_only_the_entitled_and_every_read_is_audited(demo, client):
    world = world_with_task(demo)
    assert world.task.is_sealed
    sw = world.users["sw_admin"]
    target = drawn_target(world, world.water)
    part = determined_part(world, world.water, target)
    [fu] = services.open_followups(part, sw, type_code="05")
    services.add_step(fu, sw, text=STEP)
    tr = services.transfer(fu, demo.department("natural_resources"), "属自然资源部门职责", sw)
    lx = neighbour_county(demo).users["lx_sw_admin"]

    # nobody outside: an unrelated department's operator, a participant of the task who is not
    # the follow-up's, the platform administrator, an inspector, the neighbouring county, anonymous
    outsiders = ["sc_operator", "sc_admin", "admin", "sw_inspector", "zr_operator"]
    for who in [*outsiders, lx, None]:
        user = world.users[who] if isinstance(who, str) else who
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in URLS:
            r = client.get(url.format(pk=fu.pk))
            assert r.status_code in ((404,) if user is not None else (302, 401, 404)), (who, url, r.status_code)
        for url in ("/followups/", "/followups/?export=xlsx", "/followups/?export=csv", "/api/followups/"):
            body = _body(client.get(url))
            assert fu.number not in body and target.name not in body and STEP not in body, (who, url)
        if user is not None:
            assert not any(target.name in t["title"] for t in todo_for(user)), who

    # the entitled: each read by page, export and API leaves one sealed-read entry
    for who in ("sw_admin", "sw_operator", "zr_admin", "qh_office", "qh_supervisor"):
        user = world.users[who]
        if who == "sw_operator":  # a unit operator reads what its unit owns: not this one
            client.force_login(user)
            assert client.get(f"/followups/{fu.pk}/").status_code == 404
            continue
        client.force_login(user)
        for url, channel in zip(URLS, ("page", "export", "export", "api"), strict=True):
            since = _last_seq()
            r = client.get(url.format(pk=fu.pk))
            assert r.status_code == 200, (who, url)
            assert fu.number in _body(r)
            [entry] = _reads(world.task, since)
            assert entry.action == f"tasks.sealed_{channel}" and entry.actor_id == user.pk, (who, url)
            assert fu.number in str(entry.sealed)
        since = _last_seq()
        listing = _body(client.get("/followups/"))
        assert fu.number in listing
        assert _reads(world.task, since).filter(action="tasks.sealed_page").count() == 1
        since = _last_seq()
        assert fu.number in _body(client.get("/followups/?export=xlsx"))
        assert _reads(world.task, since).filter(action="tasks.sealed_export").count() == 1
        since = _last_seq()
        assert client.get("/api/followups/").json()["items"][0]["number"] == fu.number
        assert _reads(world.task, since).filter(action="tasks.sealed_api").count() == 1
    assert tr.to_department.name in _body(client.get(f"/followups/{fu.pk}/"))

    # after publication: the scope rule alone (the platform administrator reads it), no audit
    world.task.published_at = timezone.now()
    world.task.save(update_fields=["published_at"])
    client.force_login(world.users["admin"])
    since = _last_seq()
    for url in URLS:
        assert client.get(url.format(pk=fu.pk)).status_code == 200, url
    assert not _reads(world.task, since).exists()
    client.force_login(world.users["sc_operator"])
    assert client.get(f"/followups/{fu.pk}/").status_code == 404  # still out of its scope
