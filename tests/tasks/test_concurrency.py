"""Two operators pressing 冻结 or 抽取 at the same moment produce exactly one draw
(PostgreSQL only: SQLite serialises every writer and cannot show the race)."""

import threading

import pytest
from django.db import connection

from shuangsuiji.tasks import drawday
from shuangsuiji.tasks.drawday import DrawRuleError
from shuangsuiji.tasks.models import Confirmation, Draw, DrawnTarget, DrawResult, DrawStatus, Task
from tests.tasks.helpers import DICE, joint_task, seed_world

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and the race need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def race(action, args: list) -> tuple[list, list[BaseException]]:
    """Run ``action(arg)`` for each of two args in two threads released together."""
    barrier = threading.Barrier(2)
    results, errors = [], []
    lock = threading.Lock()

    def run(arg):
        try:
            barrier.wait(timeout=30)
            value = action(arg)
            with lock:
                results.append(value)
        except BaseException as exc:  # reported to the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(arg,)) for arg in args]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results, errors


def test_two_operators_drawing_at_once_make_one_draw(demo):
    world = seed_world(demo)
    operator = world.users["sw_operator"]
    task = joint_task(world)
    draw = drawday.freeze_targets(task, operator)
    public = drawday.parse_entropy(DICE)

    def press(loaded: Draw):
        return drawday.draw_targets(loaded, public, operator, witnesses="张三")

    # Each operator's page loaded the frozen draw before either pressed 抽取.
    results, errors = race(press, [Draw.objects.get(pk=draw.pk), Draw.objects.get(pk=draw.pk)])
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], DrawRuleError) and "已由他人完成" in str(errors[0]), errors
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN
    assert Draw.objects.filter(task=task).count() == 1
    assert DrawResult.objects.filter(draw=draw).count() == 1
    targets = list(DrawnTarget.objects.filter(draw=draw).values_list("target_id", flat=True))
    assert len(targets) == len(set(targets)) == 15
    assert Confirmation.objects.filter(draw=draw).count() == 2
    assert drawday.result_of(draw)["seed"] == draw.seed


def test_two_operators_freezing_at_once_make_one_commitment(demo):
    world = seed_world(demo)
    task = joint_task(world)
    operator = world.users["sw_operator"]
    results, errors = race(lambda t: drawday.freeze_targets(t, operator), [task, Task.objects.get(pk=task.pk)])
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], DrawRuleError), errors
    assert "已有冻结或已完成的抽取" in str(errors[0])
    draws = list(Draw.objects.filter(task=task))
    assert len(draws) == 1 and draws[0].pk == results[0].pk
    assert (draws[0].status, draws[0].attempt) == (DrawStatus.FROZEN, 1)
