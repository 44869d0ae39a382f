"""Excel export of follow-ups with their steps: one row per step, in the user's scope."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shuangsuiji.followups import services
from tests.followups.helpers import determined_part, drawn_target, world_with_task


@pytest.mark.django_db
def test_xlsx_has_every_step_and_only_the_scope(demo, client):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    part = determined_part(world, world.water, drawn_target(world, world.water))
    [fu] = services.open_followups(
        part, sw, type_code="04", case_number="清水罚〔2026〕7号", decision="罚款", fine_wan="1.5"
    )
    services.add_step(fu, sw, text="送达处罚决定书")
    client.force_login(sw)
    r = client.get("/followups/?export=xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "处置编号" and "罚款（万元）" in rows[0]
    body = [row for row in rows[1:] if row[0] == fu.number]
    fine = rows[0].index("罚款（万元）")
    assert [row[rows[0].index("步骤内容")] for row in body] == ["开启后续处置：立案", "送达处罚决定书"]
    assert body[0][fine] == "1.5"
    client.force_login(world.users["sc_admin"])
    r = client.get("/followups/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 1
