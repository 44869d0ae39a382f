"""The supervision page's lists: voided draws with reasons and approvers, tasks voided more
than once, confirmations overdue in working days."""

from __future__ import annotations

import datetime as dt

import pytest

from shuangsuiji.reports import supervision
from shuangsuiji.tasks import drawday
from tests.tasks.helpers import DICE, drawn_task, seed_world


@pytest.mark.django_db
def test_voids_and_overdue_confirmations(demo, client, login):
    world = seed_world(demo)
    task, draw = drawn_task(world)
    op, admin = world.users["sw_operator"], world.users["sw_admin"]
    for reason in ("见证人未到场", "抽取参数录入错误"):
        req = drawday.request_void(draw, reason, op)
        drawday.decide_void(req, True, admin, note="同意")
        draw = drawday.freeze_targets(task, op)
        drawday.draw_targets(draw, drawday.parse_entropy(DICE), op, witnesses="张三")
        draw.refresh_from_db()
    supervisor = world.users["qh_supervisor"]
    voided = supervision.voided_draws(supervisor)
    assert len(voided) == 2
    assert {v["void"].reason for v in voided} == {"见证人未到场", "抽取参数录入错误"}
    assert all(v["void"].requested_by == op and v["void"].decided_by == admin for v in voided)
    repeat = supervision.tasks_voided_repeatedly(supervisor)
    assert [(t.pk, t.voids) for t in repeat] == [(task.pk, 2)]

    confirmation = draw.confirmations.order_by("pk").first()
    later = confirmation.due_on + dt.timedelta(days=14)
    rows = supervision.overdue_confirmations(supervisor, later)
    assert {r["owner"] for r in rows} == {world.water, world.market}
    assert all(r["late"] >= 8 for r in rows)  # two calendar weeks: at least 8 working days
    assert supervision.overdue_confirmations(supervisor, confirmation.due_on) == []

    login("qh_supervisor")
    page = client.get("/reports/supervision/").content.decode()
    assert "作废 2 次" in page and "（名单公开前不显示）" in page and "见证人未到场" not in page
    assert 'data-testid="overdue-followups"' in page and "未接入" not in page
