"""Overdue (issue 14 "Done means"): a follow-up past its working-day deadline shows as
overdue to its owner (to-do and list) and to the supervisor (督查)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.followups import services
from shuangsuiji.followups.todo import todo_for
from tests.followups.helpers import determined_part, drawn_target, world_with_task


@pytest.mark.django_db
def test_overdue_shows_to_owner_and_supervisor(demo, client):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    part = determined_part(world, world.water, drawn_target(world, world.water))
    opened = timezone.localdate() - dt.timedelta(days=45)
    [late] = services.open_followups(part, sw, type_code="01", today=opened)
    assert late.due_on == services.add_workdays(opened, 20) < timezone.localdate()
    part2 = determined_part(world, world.market, drawn_target(world, world.market), problem="未公示年度报告")
    [fresh] = services.open_followups(part2, world.users["sc_admin"], type_code="01")

    owner = [t for t in todo_for(sw) if late.number in t["title"]]
    assert owner and owner[0]["overdue"] and owner[0]["due"] == late.due_on
    assert not any(fresh.number in t["title"] for t in todo_for(sw))
    assert not [t for t in todo_for(world.users["sc_admin"]) if fresh.number in t["title"] and t["overdue"]]

    sup = world.users["qh_supervisor"]
    lines = [t for t in todo_for(sup) if t["title"].startswith("督查：逾期")]
    assert lines and "1 件" in lines[0]["title"] and lines[0]["overdue"]

    for user in (sw, sup):
        client.force_login(user)
        page = client.get("/followups/?overdue=1").content.decode()
        assert late.number in page and 'data-testid="overdue"' in page
        assert fresh.number not in page
        assert 'data-testid="overdue"' in client.get(f"/followups/{late.pk}/").content.decode()
        home = client.get("/").content.decode()
        assert "逾期" in home
