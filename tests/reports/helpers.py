"""A known fixture for the report forms, computed by hand in the tests.

The demo county with a joint task (清河县水务局 lead, 清河县市场监督管理局 cooperating) drawn,
confirmed and with inspectors drawn, plus a market-only task drawn; three results of the
joint task entered and determined:

- target 1: 水务 "01 未发现问题" (item passed); 市场监管 "03 发现问题经责令已改正" (1 problem item)
- target 2: 水务 "02 发现问题待后续处理" (1 problem item); 市场监管 "01 未发现问题"
- target 3: 水务 "07 通过登记的住所（经营场所）无法联系" (no items); 市场监管 still a draft (not counted)
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.inspections.models import (
    DepartmentPart,
    InspectionRecord,
    ItemOutcome,
    ItemResult,
    PartResultCode,
    PartStatus,
    ResultCode,
)
from shuangsuiji.tasks import drawday, services
from shuangsuiji.tasks.services import ItemChoice, ParticipantSpec
from tests.tasks.helpers import DICE, confirmed_with_inspectors, seed_world


def _part(record, participant, code, items, *, determined=True):
    today = timezone.localdate()
    part = DepartmentPart.objects.create(
        record=record,
        participant=participant,
        department=participant.department,
        status=PartStatus.DRAFT,
    )
    rc = ResultCode.objects.get(codebook_version="2026", code=code)
    PartResultCode.objects.create(part=part, code=rc)
    for task_item, outcome in items:
        ItemResult.objects.create(
            part=part,
            task_item=task_item,
            method="on_site",
            outcome=outcome,
            problem="台账不全" if outcome == ItemOutcome.PROBLEM else "",
        )
    if determined:
        part.status = PartStatus.DETERMINED
        part.determined_at = timezone.now()
        part.determined_on = today
        part.publication_due_on = today + dt.timedelta(days=28)
        part.save()
    return part


def build(demo) -> SimpleNamespace:
    world = seed_world(demo)
    with acting(actor_name="测试"):
        task, draw, idraws = confirmed_with_inspectors(world)
        market_task = services.create_task(_market_spec(world), world.users["sc_operator"])
        mdraw = drawday.freeze_targets(market_task, world.users["sc_operator"])
        drawday.draw_targets(mdraw, drawday.parse_entropy(DICE), world.users["sc_operator"], witnesses="张三")
        targets = list(drawday.active_targets(draw)[:3])
        lead, coop = services.participants_lead_first(task)
        w_item = lead.items.get()
        m_item = coop.items.get()
        records = []
        for drawn in targets:
            records.append(
                InspectionRecord.objects.create(task=task, target=drawn.target, visit_date=timezone.localdate())
            )
        P, OK = ItemOutcome.PROBLEM, ItemOutcome.PASSED
        _part(records[0], lead, "01", [(w_item, OK)])
        _part(records[0], coop, "03", [(m_item, P)])
        _part(records[1], lead, "02", [(w_item, P)])
        _part(records[1], coop, "01", [(m_item, OK)])
        _part(records[2], lead, "07", [])
        _part(records[2], coop, "01", [(m_item, OK)], determined=False)
    return SimpleNamespace(
        world=world, task=task, draw=draw, idraws=idraws, market_task=market_task, market_draw=mdraw, records=records
    )


def _market_spec(world):
    from tests.tasks.helpers import joint_spec

    return joint_spec(
        world,
        title="市场监管局本部门抽查",
        lead=ParticipantSpec(world.market, [ItemChoice(world.sc2, ["on_site"])]),
        cooperating=[],
    )
