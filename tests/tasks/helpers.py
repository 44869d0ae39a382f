"""Builders for the task and draw-day tests: the demo county with its published item lists,
its inspector register, and a small register of production-construction projects; a joint
task (水务局 lead, 市场监管局 cooperating) made through the services as the pages do."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.demo import inspectors as demo_inspectors
from shuangsuiji.items import demo as items_demo
from shuangsuiji.items.services import published_items
from shuangsuiji.tags.models import Tag
from shuangsuiji.targets.choices import TargetType
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks import drawday, services
from shuangsuiji.tasks.services import ItemChoice, ParticipantSpec, TaskSpec

# 40 projects: 10 per credit-risk class
RISKS = "ABCD"
PROJECTS = 40

STRATA = {
    "A": {"ratio": "0.2", "reserves": 2},
    "B": {"ratio": "0.25", "reserves": 2},
    "C": {"ratio": "0.4", "reserves": 2},
    "D": {"ratio": "0.6", "reserves": 2},
}


def seed_world(demo) -> SimpleNamespace:
    """Items, inspectors and 40 projects in 清河县; returns handles the tests use."""
    holder = SimpleNamespace(jurisdiction=demo)
    with acting(actor_name="测试"):
        items_demo.seed(holder, lambda *_: None)
        tag, _ = Tag.objects.get_or_create(code="construction-project", defaults={"name": "生产建设项目"})
        targets = []
        for n in range(PROJECTS):
            targets.append(
                Target(
                    code=f"Z130534P{n:05d}",
                    name=f"清河县测试建设项目{n:02d}号",
                    target_type=TargetType.PROJECT,
                    legal_representative=f"项目负责人{n:02d}",
                    address=f"清河县葛仙庄镇{n}号",
                    region_id="130534",
                    risk_class=RISKS[n % 4],
                )
            )
        Target.objects.bulk_create(targets)
        for t in Target.objects.filter(code__startswith="Z130534P"):
            t.tags.add(tag)
        demo_inspectors.seed(holder, lambda *_: None)
    water, market = demo.department("water"), demo.department("market")
    return SimpleNamespace(
        j=demo,
        users=demo.users,
        water=water,
        market=market,
        sw1=published_items(water).get(item__code="SW-001"),
        sc2=published_items(market).get(item__code="SC-002"),
    )


def window() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today + dt.timedelta(days=7), today + dt.timedelta(days=21)


def joint_spec(world, **overrides) -> TaskSpec:
    start, end = window()
    fields = {
        "title": "生产建设项目部门联合抽查",
        "lead": ParticipantSpec(
            world.water, [ItemChoice(world.sw1, ["on_site"])], unit=world.users["sw_operator"].organisation
        ),
        "cooperating": [ParticipantSpec(world.market, [ItemChoice(world.sc2, ["on_site"])])],
        "window_from": start,
        "window_to": end,
        "strata": {k: dict(v) for k, v in STRATA.items()},
        "population": {"target_types": ["project"]},
        "source": "temporary",
        "justification": "测试：县双随机办部署的联合抽查",
    }
    fields.update(overrides)
    return TaskSpec(**fields)


def joint_task(world, user="sw_operator", **overrides):
    return services.create_task(joint_spec(world, **overrides), world.users[user])


# 25 dice digits: the platform minimum of public entropy (tasks/entropy.py, draw-spec §7.3)
DICE_DIGITS = "3 1 6 6 2 5 4 1 3 2 6 5 5 2 1 4 6 3 3 1 2 5 6 4 2"
DICE = [{"kind": "dice", "value": DICE_DIGITS, "source": "见证人 张三、李四"}]
WITNESSES = "张三、李四"


def drawn_task(world, user="sw_operator"):
    """A joint task frozen and drawn; returns (task, target draw)."""
    task = joint_task(world, user=user)
    draw = drawday.freeze_targets(task, world.users[user])
    drawday.draw_targets(draw, drawday.parse_entropy(DICE), world.users[user], witnesses="张三、李四")
    draw.refresh_from_db()
    return task, draw


def confirmed_with_inspectors(world):
    """Drawn, confirmed and inspectors drawn by both departments.

    Returns (task, draw, {department pk: inspector draw})."""
    task, draw = drawn_task(world)
    drawday.confirm(draw, world.water.pk, world.users["sw_admin"])
    drawday.confirm(draw, world.market.pk, world.users["sc_admin"])
    out = {}
    for p in services.participants_lead_first(task):
        admin = world.users["sw_admin" if p.department_id == world.water.pk else "sc_admin"]
        out[p.department_id] = drawday.draw_inspectors(draw, p, admin)
    return task, draw, out
