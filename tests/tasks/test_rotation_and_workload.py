"""Earlier draws feed the next one: who was last sent to a target is not sent again
(rotation), and groups already held in overlapping windows count as workload. Both are
frozen with the register, so the bundle still verifies."""

import datetime as dt
import json
import zipfile
from collections import Counter

import pytest

from shuangsuiji.draw import verify_bundle
from shuangsuiji.tasks import drawday, history, services
from shuangsuiji.tasks.models import Assignment, Task, TaskStatus
from tests.tasks.helpers import confirmed_with_inspectors, drawn_task, seed_world, window

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    return seed_world(demo)


def groups(draw) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for code, no in Assignment.objects.filter(draw=draw, ended_at__isnull=True).values_list(
        "target__code", "inspector__certificate_no"
    ):
        out.setdefault(code, set()).add(no)
    return out


def frozen_register(draw, tmp_path) -> dict[str, dict]:
    path = tmp_path / f"{draw.pk}.zip"
    path.write_bytes(drawday.bundle_zip(draw))
    assert verify_bundle(str(path)) == []
    with zipfile.ZipFile(path) as z:
        return {i["id"]: i for i in json.loads(z.read("inspectors.json"))}


def draw_inspectors_of_water(world, task, draw):
    drawday.confirm(draw, world.water.pk, world.users["sw_admin"])
    drawday.confirm(draw, world.market.pk, world.users["sc_admin"])
    water = next(p for p in services.participants_lead_first(task) if p.department_id == world.water.pk)
    return drawday.draw_inspectors(draw, water, world.users["sw_admin"])


def test_second_task_rotates_and_counts_workload(world, tmp_path):
    _task, _draw, by_department = confirmed_with_inspectors(world)
    first = groups(by_department[world.water.pk])
    first_load = Counter(no for members in first.values() for no in members)

    second_task, second_draw = drawn_task(world)
    second_inspectors = draw_inspectors_of_water(world, second_task, second_draw)
    second = groups(second_inspectors)

    register = frozen_register(second_inspectors, tmp_path)
    for no, entry in register.items():
        assert entry["workload"] == first_load.get(no, 0)
        expected = sorted(code for code in second if no in first.get(code, set()))
        assert entry["last_inspected"] == expected
    shared = set(first) & set(second)
    assert shared, "the two samples of 40 projects share targets"
    for code in shared:
        assert not first[code] & second[code], code  # nobody sent to the same target twice in a row


def test_voided_draws_cancelled_tasks_and_other_windows_do_not_count(world):
    task, _draw, by_department = confirmed_with_inspectors(world)
    water_draw = by_department[world.water.pk]
    codes = list(groups(water_draw))
    start, end = window()
    assert history.workload(world.water, (start, end))
    assert history.last_inspected(world.water, codes)
    # a window that does not overlap: no workload, but rotation still applies
    later = (end + dt.timedelta(days=1), end + dt.timedelta(days=30))
    assert history.workload(world.water, later) == {}
    assert history.last_inspected(world.water, codes)
    # the task's own draws are left out when it draws again
    assert history.workload(world.water, (start, end), exclude_task=task) == {}
    # each department counts its own draws only
    water_people = {no for members in groups(water_draw).values() for no in members}
    market_groups = groups(by_department[world.market.pk])
    market_codes = list(market_groups)
    market_people = {no for members in market_groups.values() for no in members}
    assert set(history.workload(world.water, (start, end))) == water_people
    assert set(history.workload(world.market, (start, end))) == market_people
    # a voided inspector draw counts for nothing
    void = drawday.request_void(by_department[world.market.pk], "抽取时人员名录有误", world.users["sc_admin"])
    drawday.decide_void(void, True, world.users["qh_office"], note="同意")
    assert history.workload(world.market, (start, end)) == {}
    assert history.last_inspected(world.market, market_codes) == {}
    # a cancelled task counts for nothing
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.CANCELLED)
    assert history.workload(world.water, (start, end)) == {}
    assert history.last_inspected(world.water, codes) == {}
