"""The public world: the demo county with one task whose list is published, one drawn task
still sealed (its own 40 projects, so no business of it is named by anything public), and
one task frozen but not drawn. ``sealed_strings`` is what no public page may show."""

from __future__ import annotations

from types import SimpleNamespace

from shuangsuiji.audit.context import acting
from shuangsuiji.publicity import services as publicity
from shuangsuiji.tags.models import Tag
from shuangsuiji.targets.choices import TargetType
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks import drawday
from shuangsuiji.tasks import services as task_services
from shuangsuiji.tasks.models import DrawnTarget
from tests.tasks.helpers import DICE, RISKS, joint_task, seed_world

CHANNELS = ["gsxt", "department"]
SEALED_TAG = "sealed-test-set"


def _sealed_register() -> None:
    tag, _ = Tag.objects.get_or_create(code=SEALED_TAG, defaults={"name": "封存测试对象"})
    Target.objects.bulk_create(
        Target(
            code=f"Z130534S{n:05d}",
            name=f"封存测试企业{n:02d}号",
            target_type=TargetType.PROJECT,
            legal_representative=f"封存负责人{n:02d}",
            region_id="130534",
            risk_class=RISKS[n % 4],
        )
        for n in range(40)
    )
    for t in Target.objects.filter(code__startswith="Z130534S"):
        t.tags.add(tag)


def _drawn(world, tag):
    task = joint_task(world, population={"target_types": ["project"], "tags": [tag]})
    draw = drawday.freeze_targets(task, world.users["sw_operator"])
    drawday.draw_targets(draw, drawday.parse_entropy(DICE), world.users["sw_operator"], witnesses="张三、李四")
    draw.refresh_from_db()
    return task, draw


def with_results(w) -> SimpleNamespace:
    """Results on the published task: two departments' results for the first target (水务局's
    corrected, the original kept), one for the second, a draft and evidence on the third."""
    from tests.publicity import results_world as rw

    users = w.world.users
    targets = [r.target for r in drawday.active_targets(w.draw)]
    first, second, third = targets[:3]
    water_v1 = rw.part(w.task, first, w.world.water, code="02", problem=True)
    market = rw.part(w.task, first, w.world.market, code="01")
    pub_water = publicity.publish_result(water_v1, CHANNELS, users["sw_admin"])
    pub_market = publicity.publish_result(market, ["gsxt", "creditchina"], users["sc_admin"])
    water_v2 = rw.part(w.task, first, w.world.water, code="03", supersedes=water_v1, reason="整改已完成，结果更正")
    pub_correction = publicity.publish_result(water_v2, CHANNELS, users["sw_admin"])
    other = rw.part(w.task, second, w.world.water, code="01")
    pub_other = publicity.publish_result(other, CHANNELS, users["sw_admin"])
    draft = rw.part(w.task, third, w.world.water, note=rw.DRAFT_NOTE, status="draft")
    ev = rw.evidence(draft.record, w.world.water)
    w.__dict__.update(
        first=first,
        second=second,
        third=third,
        pub_water=pub_water,
        pub_market=pub_market,
        pub_correction=pub_correction,
        pub_other=pub_other,
        draft=draft,
        evidence=ev,
    )
    return w


def build(demo, results: bool = False) -> SimpleNamespace:
    world = seed_world(demo)
    with acting(actor_name="测试"):
        _sealed_register()
    users = world.users
    task, draw = _drawn(world, "construction-project")
    for p in task_services.participants_lead_first(task):
        admin = users["sw_admin"] if p.department_id == world.water.pk else users["sc_admin"]
        drawday.confirm(draw, p.department_id, admin)
    pub = publicity.publish_drawn_list(task, CHANNELS, users["sw_admin"])
    task.refresh_from_db()
    sealed_task, sealed_draw = _drawn(world, SEALED_TAG)
    frozen_task = joint_task(world, population={"target_types": ["project"], "tags": [SEALED_TAG]})
    frozen_draw = drawday.freeze_targets(frozen_task, users["sw_operator"])
    w = SimpleNamespace(
        world=world,
        task=task,
        draw=draw,
        list_publication=pub,
        sealed_task=sealed_task,
        sealed_draw=sealed_draw,
        frozen_task=frozen_task,
        frozen_draw=frozen_draw,
    )
    return with_results(w) if results else w


def sealed_strings(w) -> dict[str, str]:
    out = {
        "sealed seed": w.sealed_draw.seed,
        "sealed server secret": w.sealed_draw.server_secret,
        "frozen server secret": w.frozen_draw.server_secret,
        "sealed task title": "",
    }
    out.pop("sealed task title")
    for row in DrawnTarget.objects.filter(draw=w.sealed_draw).select_related("target"):
        out[f"sealed code #{row.position}"] = row.target.code
        out[f"sealed name #{row.position}"] = row.target.name
        out[f"sealed representative #{row.position}"] = row.target.legal_representative
    return out
