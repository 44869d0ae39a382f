"""The preview: population and sample size per stratum, exclusions of recently inspected
targets (and their absence from the frozen frame), inspectors eligible against needed."""

import csv
import datetime as dt
import io
import math

import pytest
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.tags.models import Tag
from shuangsuiji.targets.models import LastInspection, Target
from shuangsuiji.tasks import drawday, services
from tests.tasks.helpers import joint_task, seed_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    return seed_world(demo)


def rows(data) -> list[dict]:
    return list(csv.DictReader(io.StringIO(bytes(data).decode("utf-8"))))


def test_strata_counts_sample_sizes_and_recent_inspection_exclusions(world):
    today = timezone.localdate()
    a_targets = list(Target.objects.filter(code__startswith="Z130534P", risk_class="A").order_by("code"))
    recent, old = a_targets[:3], a_targets[3]
    with acting(actor_name="测试"):
        for n, t in enumerate(recent):
            department = world.water if n % 2 else world.market  # inspected by any department
            LastInspection.objects.create(target=t, department=department, inspected_on=today - dt.timedelta(days=30))
        LastInspection.objects.create(target=old, department=world.water, inspected_on=today - dt.timedelta(days=300))
    strata = {
        "A": {"ratio": "0.2", "min": 3, "reserves": 2},  # ceil(7 × 0.2) = 2, raised to the minimum 3
        "B": {"ratio": "0.25", "reserves": 1},  # ceil(10 × 0.25) = ceil(2.5) = 3
        "C": {"ratio": "0.4", "max": 3, "reserves": 0},  # 4, capped at 3
        "D": {"ratio": "0.6", "reserves": 2},  # 6
    }
    task = joint_task(world, strata=strata, population={"target_types": ["project"], "exclude_inspected_months": 6})
    pv = services.preview(task, today=today)
    by_key = {s.key: s for s in pv.strata}
    assert {k: (s.population, s.excluded, s.sample, s.reserves) for k, s in by_key.items()} == {
        "A": (7, 3, 3, 2),
        "B": (10, 0, 3, 1),
        "C": (10, 0, 3, 0),
        "D": (10, 0, 6, 2),
    }
    assert by_key["A"].label == "A 低风险"
    assert (pv.population, pv.excluded, pv.sample) == (37, 3, 15)
    assert "排除：近6个月内已被任一部门检查的对象" in pv.conditions
    assert pv.ok, pv.errors

    draw = drawday.freeze_targets(task, world.users["sw_operator"], today=today)
    assert (draw.population_count, draw.excluded_count) == (37, 3)
    frame = {r["id"] for r in rows(draw.population_csv)}
    excluded = {r["id"]: r["reason"] for r in rows(draw.exclusions_csv)}
    recent_codes = {t.code for t in recent}
    assert set(excluded) == recent_codes
    assert not frame & recent_codes
    assert old.code in frame and len(frame) == 37
    day = (today - dt.timedelta(days=30)).isoformat()
    assert all(reason == f"近6个月内已被检查（最近检查日期 {day}）" for reason in excluded.values())


def test_inspectors_eligible_against_needed_and_coverage_warnings(world):
    task = joint_task(world)
    pv = services.preview(task)
    assert pv.ok, pv.errors
    depts = {d.participant.department_id: d for d in pv.departments}
    water = depts[world.water.pk]
    assert water.specialties == ["执法证", "水土保持"]
    assert [name for name, _ in water.stages] == [
        "本部门在册",
        "在岗",
        "执法证在检查期间有效",
        "已参加培训",
        "检查期间不在休假",
        "具备所需专业",
    ]
    counts = [c for _, c in water.stages]
    assert counts == sorted(counts, reverse=True) and water.eligible == counts[-1] >= 2
    assert water.needed == task.group_size == 2
    # SW-001 covers projects; SC-002 (登记事项检查) does not: a warning, not an error.
    assert pv.warnings == [f"{world.market.name}事项“SC-002”的检查对象类型不含：项目。"]

    # A cap of one target per inspector: 15 targets × 2 people need 30 inspectors per department.
    task.inspector_cap = 1
    task.save()
    pv = services.preview(task)
    for d in pv.departments:
        assert d.needed == math.ceil(pv.sample * 2 / 1) == 30
        assert d.eligible < 30
    assert len(pv.errors) == 2 and all("少于所需 30 人" in e for e in pv.errors)
    task.inspector_cap = None
    task.save()

    # Only one water inspector keeps the 水土保持 specialty: a group of two cannot be formed.
    soil = Tag.objects.get(code="specialty-soil-water")
    holders = list(Inspector.objects.filter(specialties=soil).order_by("certificate_no"))
    assert len(holders) > 1
    with acting(actor_name="测试"):
        for inspector in holders:
            inspector.specialties.remove(soil)
        holders[0].specialties.add(soil)
    pv = services.preview(task)
    water = next(d for d in pv.departments if d.participant.department_id == world.water.pk)
    assert water.eligible <= 1 and water.stages[-1] == ("具备所需专业", water.eligible)
    assert not pv.ok
    assert pv.errors == [
        f"{world.water.name}：符合条件的执法检查人员 {water.eligible} 人，少于所需 2 人（卡在“具备所需专业”）"
        "；所需专业：执法证、水土保持。可请上级或相邻地区支援后再抽取。"
    ]


def test_coverage_warning_without_a_target_type_condition(world):
    task = joint_task(world, population={})  # the whole county register: here 40 projects
    assert set(Target.objects.values_list("target_type", flat=True)) == {"project"}
    pv = services.preview(task)
    assert pv.population == 40
    assert any("SC-002" in w and "项目" in w for w in pv.warnings)
