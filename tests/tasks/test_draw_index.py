"""A draw's index rows (drawn targets, group places) are written by the job queue after the draw
commits, from the draw's own stored result (tasks/indexes.py). Until the index is complete
every reader that needs it is gated: the pages show "名单索引生成中" with the progress, the API
answers 409, the steps that read the rows refuse with a Chinese message, and the access that
comes from the rows (an assigned inspector's) does not exist yet. The job is idempotent.

Where huey runs immediate (the tests) the job runs at once; here it is held back (``held``)
to test the state in between, then run by hand."""

from __future__ import annotations

import contextlib

import pytest
from huey.contrib.djhuey import HUEY

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.services import ensure_user
from shuangsuiji.inspections import services as inspection_services
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.printing.services import request_print
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks import access, drawday, indexes, services
from shuangsuiji.tasks.models import Assignment, Draw, DrawnTarget
from tests.tasks.helpers import DICE, drawn_task, joint_task, seed_world

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def held():
    """The job queue does not run the index job (as between the commit and the worker)."""
    before = HUEY.immediate
    HUEY.immediate = False
    try:
        yield
    finally:
        HUEY.immediate = before


def _draw_held(world):
    task = joint_task(world)
    draw = drawday.freeze_targets(task, world.users["sw_operator"])
    with held():
        drawday.draw_targets(draw, drawday.parse_entropy(DICE), world.users["sw_operator"], witnesses="张三")
    return task, Draw.objects.get(pk=draw.pk)


def test_a_drawn_list_is_gated_until_its_index_is_written(demo, client, login):
    world = seed_world(demo)
    task, draw = _draw_held(world)
    assert draw.status == "drawn" and draw.index_total > 0
    assert draw.index_done == 0 and not draw.index_complete
    assert not DrawnTarget.objects.filter(draw=draw).exists()
    names = list(Target.objects.filter(code__in=_codes(draw)).values_list("name", flat=True))
    assert names

    login("sw_admin")
    page = client.get(f"/tasks/draws/{draw.pk}/targets/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "名单索引生成中" in text and 'data-testid="index-pending"' in text
    assert f"已生成 0 / {draw.index_total} 行" in text
    assert 'hx-get="/tasks/draws/' in text  # polled, as the print job's progress
    assert "no-store" in page["Cache-Control"]
    for name in names:
        assert name not in text
    assert client.get(f"/tasks/draws/{draw.pk}/targets.xlsx").status_code == 200  # the same page
    api = client.get(f"/api/tasks/draws/{draw.pk}/targets")
    assert api.status_code == 409 and "名单索引生成中" in api.json()["detail"][0]
    with pytest.raises(indexes.IndexPending, match="名单索引生成中"):
        drawday.confirm(draw, world.water.pk, world.users["sw_admin"])
    progress = client.get(f"/tasks/draws/{draw.pk}/index/")
    assert progress.status_code == 200 and "HX-Refresh" not in progress

    # someone outside the task still gets 404, not the progress page
    login("zr_operator")
    assert client.get(f"/tasks/draws/{draw.pk}/targets/").status_code == 404
    assert client.get(f"/tasks/draws/{draw.pk}/index/").status_code == 404

    # the entry progress counts no drawn target yet, and keeps no count that is not final
    assert {p.total for p in inspection_services.progress(task)} == {0}

    assert indexes.complete(draw.pk) == draw.index_total
    draw.refresh_from_db()
    assert draw.index_complete
    assert {p.total for p in inspection_services.progress(task)} == {draw.index_total}
    rows = list(DrawnTarget.objects.filter(draw=draw).order_by("position").values_list("position", flat=True))
    assert rows == list(range(1, draw.index_total + 1))
    login("sw_admin")
    assert client.get(f"/tasks/draws/{draw.pk}/index/")["HX-Refresh"] == "true"
    page = client.get(f"/tasks/draws/{draw.pk}/targets/")
    assert "名单索引生成中" not in page.content.decode()
    assert page.content.decode().count('data-testid="target-row"') == min(draw.index_total, 50)
    drawday.confirm(draw, world.water.pk, world.users["sw_admin"])


def _codes(draw):
    result = drawday.result_of(draw)
    return [sel["id"] for s in result["targets"]["strata"].values() for sel in s["selected"]]


def test_the_index_equals_what_the_draw_wrote_in_the_request_before(demo):
    """The rows from the stored result are the rows of the engine's result: same targets,
    strata, tickets and positions (strata in key order, each in ticket order, spec §9)."""
    world = seed_world(demo)
    _task, draw = drawn_task(world)  # immediate: the job ran at once
    assert draw.index_complete
    result = drawday.result_of(draw)
    expected = [
        (sel["id"], s, sel["ticket"])
        for s in sorted(result["targets"]["strata"], key=str.encode)
        for sel in result["targets"]["strata"][s]["selected"]
    ]
    got = list(
        DrawnTarget.objects.filter(draw=draw).order_by("position").values_list("target__code", "stratum", "ticket")
    )
    assert got == expected
    # each row keeps the code as drawn (what the inspector draw freezes, in list order)
    kept = list(DrawnTarget.objects.filter(draw=draw).order_by("position").values_list("code", "stratum", "ticket"))
    assert kept == expected


def test_the_inspector_draw_freezes_the_drawn_codes_a_reserve_included(demo):
    """A reserve's row keeps its code too; the inspector draw's population is the current
    rows' codes (the replaced one excluded), each once."""
    world = seed_world(demo)
    _task, draw = drawn_task(world)
    replaced = drawday.active_targets(draw).first().target
    new_row = drawday.report_out_of_scope(draw, world.water.pk, replaced, "不属本部门职责", world.users["sw_admin"])
    assert new_row.code == new_row.target.code and new_row.code != replaced.code
    drawday.confirm(draw, world.market.pk, world.users["sc_admin"])
    drawday.confirm(draw, world.water.pk, world.users["sw_admin"])
    participant = draw.task.participants.get(department=world.market)
    idraw = drawday.draw_inspectors(draw, participant, world.users["sc_admin"])
    frozen = bytes(drawday.input_files(idraw)["population.csv"]).decode().splitlines()[1:]
    current = sorted(drawday.active_targets(draw).values_list("target__code", flat=True))
    assert [line.split(",")[0] for line in frozen] == current
    assert replaced.code not in current and new_row.code in current


def test_the_job_is_idempotent_and_resumes_after_a_crash(demo, monkeypatch):
    world = seed_world(demo)
    _task, draw = _draw_held(world)
    total = draw.index_total
    monkeypatch.setattr(indexes, "CHUNK", 3)
    real = indexes._insert_drawn_targets
    calls = []

    def crash_on_second(draw_id, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("worker died")
        real(draw_id, rows)

    monkeypatch.setattr(indexes, "_insert_drawn_targets", crash_on_second)
    with pytest.raises(RuntimeError):
        indexes.complete(draw.pk)
    draw.refresh_from_db()
    assert draw.index_done == 3 and DrawnTarget.objects.filter(draw=draw).count() == 3  # the first chunk only
    assert indexes.pending() == [draw.pk]
    monkeypatch.setattr(indexes, "_insert_drawn_targets", real)
    assert indexes.complete(draw.pk) == total - 3  # resumes where the committed count stands
    assert indexes.complete(draw.pk) == 0  # and a second job writes nothing
    draw.refresh_from_db()
    assert draw.index_done == total and indexes.pending() == []
    assert DrawnTarget.objects.filter(draw=draw).count() == total
    assert sorted(DrawnTarget.objects.filter(draw=draw).values_list("position", flat=True)) == list(range(1, total + 1))


def test_an_inspector_draw_is_gated_and_its_inspectors_gain_access_only_when_complete(demo, client, login):
    world = seed_world(demo)
    task, draw = drawn_task(world)
    drawday.confirm(draw, world.water.pk, world.users["sw_admin"])
    drawday.confirm(draw, world.market.pk, world.users["sc_admin"])
    lead = services.participants_lead_first(task)[0]
    with held():
        idraw = drawday.draw_inspectors(draw, lead, world.users["sw_admin"])
    idraw.refresh_from_db()
    assert idraw.index_total > 0 and not idraw.index_complete
    assert not Assignment.objects.filter(draw=idraw).exists()
    result = drawday.result_of(idraw)
    places = sum(len(g["inspectors"]) + len(g["experts"]) for g in result["assignment"]["groups"])
    assert idraw.index_total == places

    # the lead's list waits for its inspector draw's index; substitutions refuse
    login("sw_admin")
    page = client.get(f"/tasks/draws/{draw.pk}/targets/")
    assert "名单索引生成中" in page.content.decode() and idraw.draw_id in page.content.decode()
    first = result["assignment"]["groups"][0]
    person = Inspector.objects.get(certificate_no=first["inspectors"][0])
    with pytest.raises(indexes.IndexPending):
        drawday.substitute_inspector(
            idraw, Target.objects.get(code=first["target"]), person, "因病", world.users["sw_admin"]
        )
    with pytest.raises(indexes.IndexPending):
        drawday.substitute_everywhere(idraw, person, "请假", world.users["sw_admin"])
    # 一企一表 printing and result entry (谁检查、谁录入 reads the groups) wait too
    with pytest.raises(indexes.IndexPending):
        request_print(world.users["sw_admin"], task, "department")
    with pytest.raises(indexes.IndexPending):
        inspection_services.is_drawn_target(task, Target.objects.get(code=first["target"]).pk)
    assert client.get(f"/tasks/{task.pk}/sheets/").status_code == 200  # the progress page
    assert "名单索引生成中" in client.get(f"/tasks/{task.pk}/sheets/").content.decode()

    # an assigned inspector with a login has no access yet (fail closed) and gets it afterwards
    inspector = Inspector.objects.get(certificate_no=first["inspectors"][0])
    account, _ = ensure_user(
        username="assigned_inspector",
        full_name=inspector.name,
        organisation=inspector.organisation,
        roles=[Role.INSPECTOR],
        password="Qinghe@2026",
    )
    Inspector.objects.filter(user=account).update(user=None)
    Inspector.objects.filter(pk=inspector.pk).update(user=account)
    client.force_login(account)
    assert client.get(f"/tasks/draws/{draw.pk}/targets/").status_code == 404
    assert access.sealed_access(account, task) is None
    indexes.complete(idraw.pk)
    idraw.refresh_from_db()
    assert idraw.index_complete and Assignment.objects.filter(draw=idraw).count() == places
    got = sorted(Assignment.objects.filter(draw=idraw).values_list("target__code", "inspector__certificate_no"))
    assert got == sorted(
        (g["target"], c) for g in result["assignment"]["groups"] for c in g["inspectors"] + g["experts"]
    )
    assert access.sealed_access(account, task) == access.OWN_TARGETS
    page = client.get(f"/tasks/draws/{draw.pk}/targets/")
    assert page.status_code == 200 and Target.objects.get(code=first["target"]).name in page.content.decode()
    login("sw_admin")
    assert "名单索引生成中" not in client.get(f"/tasks/draws/{draw.pk}/targets/").content.decode()
