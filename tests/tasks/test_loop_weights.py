"""The credit loop's draw weights go into the task draw (issue 14): a target with an active
weight-raising consequence is frozen with that weight in population.csv, the engine's
weighted draw uses it, the bundle verifies independently, and the preview still reports it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest

from shuangsuiji.draw import Frame
from shuangsuiji.draw.targets import check_candidate, draw_targets, ticket
from shuangsuiji.followups import credit
from shuangsuiji.followups import services as followups
from shuangsuiji.tasks import drawday
from shuangsuiji.tasks import population as pop
from tests.followups.helpers import determined_part, drawn_target, world_with_task
from tests.tasks.helpers import DICE, WITNESSES, joint_task, seed_world

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.django_db
def test_a_loop_weight_is_frozen_drawn_and_verified(demo, tmp_path):
    world = world_with_task(demo)
    target = drawn_target(world, world.water)
    part = determined_part(world, world.water, target)
    # 责令改正 raises the target's draw weight to 2 (credit rule R07)
    followups.open_followups(
        part, world.users["sw_admin"], type_code="02", rectify_workdays=10, today=part.determined_on
    )
    assert credit.draw_weights([target.pk]) == {target.pk: 2}

    task = joint_task(world)
    assert credit.loop_report(task).moved_weight == 1  # the preview's loop report counts it
    assert pop.raised_weights(pop.population_queryset(task), part.determined_on) == {target.code: 2}

    operator = world.users["sw_operator"]
    draw = drawday.freeze_targets(task, operator)
    population = drawday.input_files(draw)["population.csv"].decode()
    weights = {line.split(",")[0]: line.split(",")[2] for line in population.splitlines()[1:]}
    assert weights[target.code] == "2"
    assert {w for code, w in weights.items() if code != target.code} == {"1"}

    drawday.draw_targets(draw, drawday.parse_entropy(DICE), operator, witnesses=WITNESSES)
    draw.refresh_from_db()
    result = drawday.result_of(draw)
    assert drawday.params_of(draw).weighted and result["targets"]["weighted"] is True
    frame = Frame.from_csv(drawday.input_files(draw)["population.csv"])
    seed = bytes.fromhex(draw.seed)
    assert draw_targets(frame, drawday.params_of(draw), seed).to_json() == result["targets"]

    # the weighted ticket (the smaller of its two tickets, draw-spec §8) decides its place
    [stratum] = [s for s, ids in frame.ids.items() if target.code in ids]
    assert frame.weight_list(stratum)[frame.ids[stratum].index(target.code)] == 2
    s = result["targets"]["strata"][stratum]
    listed = {e["id"]: e["ticket"] for e in s["selected"] + s["reserves"]}
    weighted = ticket(seed, target.code, 2).hex()
    if target.code in listed:
        assert listed[target.code] == weighted
    else:
        assert check_candidate(seed, target.code, s["cutoff"], 2) == (weighted, False)

    with zipfile.ZipFile(io.BytesIO(drawday.bundle_zip(draw))) as z:
        z.extractall(tmp_path / "bundle")
    out = subprocess.run(
        [sys.executable, "-I", os.path.join(ROOT, "tools", "verify_draw.py"), str(tmp_path / "bundle")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("OK consistent")


@pytest.mark.django_db
def test_without_a_raised_weight_every_candidate_weighs_one(demo):
    world = seed_world(demo)
    task = joint_task(world)
    draw = drawday.freeze_targets(task, world.users["sw_operator"])
    population = drawday.input_files(draw)["population.csv"].decode()
    assert {line.rsplit(",", 1)[1] for line in population.splitlines()[1:]} == {"1"}
    assert not drawday.params_of(draw).weighted  # the bundle of the same inputs as before
