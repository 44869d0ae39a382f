"""What the provincial-scale changes of the draw day keep: a fetched draw leaves its files out
yet bundles are the same bytes, the counts stored at the freeze are the frame's, the preview
counted by the database agrees with the freeze, the index rows are the result's, the sealed
list pages in position order, and an inspector's tasks are each listed once."""

import hashlib
import zipfile
from io import BytesIO

import pytest
from django.db.models import Count, Q

from shuangsuiji.draw import Frame
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.tasks import access, drawday, services
from shuangsuiji.tasks.models import DRAW_FILES, Assignment, Draw, DrawnTarget, DrawResult, Task
from tests.tasks.helpers import confirmed_with_inspectors, drawn_task, joint_task, seed_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    return seed_world(demo)


def zip_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_fetched_draws_leave_their_files_out_and_bundles_stay_byte_identical(world):
    _task, draw, idraws = confirmed_with_inspectors(world)
    for d in [draw, *idraws.values()]:
        fetched = Draw.objects.get(pk=d.pk)
        assert set(DRAW_FILES) <= fetched.get_deferred_fields()
        assert "result_json" in DrawResult.objects.filter(draw=d).first().get_deferred_fields()
        full = Draw.objects.with_files().get(pk=d.pk)
        assert not full.get_deferred_fields()
        deferred_zip = drawday.bundle_zip(fetched)
        assert deferred_zip == drawday.bundle_zip(full)
        files = zip_files(deferred_zip)
        # the files are the stored bytes, and the commitment covers them
        assert files["population.csv"] == bytes(full.population_csv)
        commitment = drawday.commitment_of(Draw.objects.get(pk=d.pk))
        assert commitment.population_sha256 == hashlib.sha256(files["population.csv"]).hexdigest()
        assert files["result.json"] == bytes(DrawResult.objects.with_files().get(draw=d, version=1).result_json)
    # a draw reached through a foreign key leaves its files out too
    assert set(DRAW_FILES) <= Assignment.objects.filter(draw=idraws[world.water.pk]).first().draw.get_deferred_fields()


def test_stratum_counts_stored_at_freeze_are_the_frame_and_match_the_preview(world):
    task = joint_task(world)
    preview = services.preview(task)
    draw = drawday.freeze_targets(task, world.users["sw_operator"])
    stored = Draw.objects.get(pk=draw.pk)
    frame = Frame.from_csv(bytes(Draw.objects.with_files().get(pk=draw.pk).population_csv))
    assert stored.stratum_counts == frame.counts() == {s.key: s.population for s in preview.strata if s.population}
    assert stored.population_count == sum(frame.counts().values())


def test_index_rows_are_the_result_in_order(world):
    _task, draw, idraws = confirmed_with_inspectors(world)
    result = drawday.result_of(draw)
    expected = [
        (sel["id"], s, sel["ticket"])
        for s in sorted(result["targets"]["strata"], key=str.encode)
        for sel in result["targets"]["strata"][s]["selected"]
    ]
    rows = list(draw.drawn_targets.order_by("position").values_list("target__code", "stratum", "ticket", "position"))
    assert rows == [(*e, n) for n, e in enumerate(expected, start=1)]
    for d in idraws.values():
        groups = drawday.result_of(d)["assignment"]["groups"]
        expected = []
        for g in groups:
            expected += [(g["target"], c, False) for c in g["inspectors"]]
            expected += [(g["target"], c, True) for c in g["experts"]]
        got = list(d.assignments.order_by("id").values_list("target__code", "inspector__certificate_no", "is_expert"))
        assert got == expected


def test_sealed_list_pages_follow_the_position_order(world, client, monkeypatch):
    from shuangsuiji.web import pagination

    _task, draw = drawn_task(world)
    monkeypatch.setattr(pagination.paginate, "__defaults__", (4,))  # 4 rows a page
    client.force_login(world.users["sw_admin"])
    names = list(drawday.active_targets(draw).values_list("target__name", flat=True))
    assert len(names) == 15
    seen = []
    for page in (1, 2, 3, 4):
        html = client.get(f"/tasks/draws/{draw.pk}/targets/", {"page": page}).content.decode()
        on_page = sorted((html.index(n), n) for n in names if n in html)
        assert len(on_page) == (4 if page < 4 else 3)
        seen += [n for _i, n in on_page]
    assert seen == names  # every target once, pages and rows in position order


def test_an_inspectors_tasks_are_listed_once_and_as_before(world):
    task, draw, idraws = confirmed_with_inspectors(world)
    user = world.users["sw_inspector"]
    # the inspector with the most targets (the draw's seed is fresh each run)
    busiest = (
        Assignment.objects.filter(draw=idraws[world.water.pk])
        .values("inspector")
        .annotate(n=Count("pk"))
        .order_by("-n", "inspector")
        .first()
    )
    inspector = Inspector.objects.get(pk=busiest["inspector"])
    inspector.user = user
    inspector.save(update_fields=["user"])
    user.refresh_from_db()
    # the inspector has several targets in the task: the old join listed the task once per row
    assert Assignment.objects.filter(inspector=inspector).count() > 1
    visible = list(access.visible_tasks(user).values_list("pk", flat=True))
    assert visible.count(task.pk) == 1
    before = set(
        Task.objects.filter(
            Q(pk__in=access.visible_tasks(user).values("pk")) | Q(draws__assignments__inspector=inspector)
        ).values_list("pk", flat=True)
    )
    assert set(visible) == before
    assert DrawnTarget.objects.filter(draw=draw).exists()


def test_shortfalls_of_a_fetched_draw_are_its_current_results_and_are_read_once(world):
    from django.core.cache import cache

    _task, _draw, idraws = confirmed_with_inspectors(world)
    for d in idraws.values():
        fetched = Draw.objects.get(pk=d.pk)
        expected = drawday.result_of(fetched)["assignment"]["shortfalls"]
        assert drawday.shortfalls(fetched) == expected
        sha = DrawResult.objects.filter(draw=d).order_by("-version").values_list("result_sha256", flat=True).first()
        assert cache.get(f"tasks:shortfalls:{sha}") == expected  # kept under the version's hash
        cache.set(f"tasks:shortfalls:{sha}", [{"marker": 1}])  # a second call does not parse the file again
        assert drawday.shortfalls(Draw.objects.get(pk=d.pk)) == [{"marker": 1}]
        cache.delete(f"tasks:shortfalls:{sha}")


def test_an_inspectors_to_do_asks_as_many_queries_for_three_tasks_as_for_one(world):
    """The home page's to-do reads each task's participants and live draw with the tasks (an
    inspector in 20 provincial tasks: 144 queries before, a handful now)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shuangsuiji.tasks.todo import todo_for

    user = world.users["sw_inspector"]
    _task, _draw, idraws = confirmed_with_inspectors(world)
    inspector = Assignment.objects.filter(draw=idraws[world.water.pk]).first().inspector
    inspector.user = user
    inspector.save(update_fields=["user"])

    def queries():
        user.refresh_from_db()
        with CaptureQueriesContext(connection) as q:
            items = todo_for(user)
        return len(q.captured_queries), items

    queries()  # what a first call caches (the calendar) is not counted
    one, items = queries()
    assert any(i["title"].startswith("检查：") for i in items)
    for _ in range(2):
        confirmed_with_inspectors(world)
    # the inspector works in 水务局, which takes part in every task: all three are looked at
    assert access.visible_tasks(user).count() == 3
    three, _more = queries()
    assert three == one
