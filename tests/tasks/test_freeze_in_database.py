"""On PostgreSQL the freeze has population.csv written by the database
(`population.build_population_file`, `draw.postgres.population_csv_in_postgres`): the same
bytes, counts and exclusions as the frame built in Python and frozen by the engine
(`population.build_population`), which SQLite uses — for exclusions, a stratum left empty by
them, unclassified targets mapped to a stratum, raised weights and an unstratified task."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.draw import DrawParams, StratumRule, freeze
from shuangsuiji.followups import services as followups
from shuangsuiji.targets.choices import RiskClass
from shuangsuiji.targets.models import LastInspection, Target
from shuangsuiji.tasks import drawday
from shuangsuiji.tasks import population as pop
from tests.followups.helpers import determined_part, drawn_target, world_with_task
from tests.tasks.helpers import joint_task, seed_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the database writes population.csv on PostgreSQL"),
]


def both_ways(task, today):
    """(engine's commitment, database's commitment, the database's exclusions) for the task."""
    strata = {k: StratumRule.from_json(v) for k, v in task.strata.items()}
    built = pop.build_population(task, today)
    params = DrawParams(draw_id="T-1", strata=strata, weighted=bool(built.weights), meta={})
    by_engine = freeze(built.frame(), built.exclusions, params, "0" * 64, nonce="n")
    frozen = pop.build_population_file(task, today)
    assert frozen.weighted == bool(built.weights)
    assert frozen.exclusions == built.exclusions
    by_db = freeze(frozen.file, frozen.exclusions, params, "0" * 64, nonce="n")
    assert by_db.files == by_engine.files
    assert by_db.sha256 == by_engine.sha256
    assert by_db.counts() == by_engine.counts()
    return by_engine, by_db


def test_exclusions_an_emptied_stratum_and_unclassified_targets(demo):
    world = seed_world(demo)
    today = timezone.localdate()
    projects = Target.objects.filter(target_type="project")
    a = list(projects.filter(risk_class="A").order_by("code"))
    d = list(projects.filter(risk_class="D"))
    assert len(a) > 3 and d
    with acting(actor_name="测试"):
        for t in [*a[:3], *d]:  # three of A and every D inspected a month ago
            LastInspection.objects.create(target=t, department=world.water, inspected_on=today - dt.timedelta(days=30))
        projects.filter(risk_class="C").update(risk_class=RiskClass.UNCLASSIFIED)
    task = joint_task(
        world, population={"target_types": ["project"], "exclude_inspected_months": 6, "unclassified_as": "C"}
    )
    by_engine, _ = both_ways(task, today)
    counts = by_engine.counts()
    assert counts["D"] == 0 and counts["C"] > 0  # D emptied by the exclusions, still named
    assert len(by_engine.files["exclusions.csv"].splitlines()) == 1 + 3 + len(d)

    draw = drawday.freeze_targets(task, world.users["sw_operator"], today=today)
    assert draw.stratum_counts == counts
    assert draw.population_count == sum(counts.values()) and draw.excluded_count == 3 + len(d)
    assert drawday.input_files(draw)["population.csv"] == by_engine.files["population.csv"]


def test_raised_weights(demo):
    world = world_with_task(demo)
    target = drawn_target(world, world.water)
    part = determined_part(world, world.water, target)
    followups.open_followups(
        part, world.users["sw_admin"], type_code="02", rectify_workdays=10, today=part.determined_on
    )
    task = joint_task(world)
    by_engine, _ = both_ways(task, part.determined_on)
    assert f"\n{target.code},".encode() in by_engine.files["population.csv"]
    assert by_engine.frame.weights is not None  # the weighted path was taken


def test_an_unstratified_task(demo):
    world = seed_world(demo)
    task = joint_task(world, stratify=False, strata={pop.ALL: {"ratio": "0.2", "reserves": 2}})
    by_engine, _ = both_ways(task, timezone.localdate())
    assert list(by_engine.counts()) == [pop.ALL]


def test_the_register_keeps_its_codes_in_the_draws_order():
    """targets migration 0012: the freeze reads the population in code order from this index
    (bytewise, draw-spec §2.1) with the usual filters' columns, instead of sorting it."""
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'target_code_c_idx'")
        [(definition,)] = cur.fetchall()
    assert '(code COLLATE "C")' in definition
    assert "INCLUDE (region_id, target_type, registration_status, risk_class)" in definition
