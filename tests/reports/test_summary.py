"""The report summary (``reports/summary.py``) against the live computation (``figures.py``):
on the known fixture with publications and follow-ups, the annual table and every dashboard
figure from the summary equal the live ones, for each reporting organisation and on two days;
a change marks its task, a reader sees it at once, and a rebuild from scratch gives the same
rows as the marks kept current."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from shuangsuiji.followups import services as followups
from shuangsuiji.inspections.models import DepartmentPart, PartStatus
from shuangsuiji.publicity import services as publicity
from shuangsuiji.reports import annex, dashboard, figures, summary
from shuangsuiji.reports.models import DirtyTask, InspectorLoad, TargetLead, TaskDue, TaskFigures
from tests.reports.test_publication_figures import publish


def _with_follow_ups(demo):
    """The publication fixture, and: a 立案 with a fine of 1.5 万元 on 水务's target 2 (open),
    a 行政指导 on 市场监管's target 1 (closed)."""
    fx = publish(demo)
    water, market = demo.department("water"), demo.department("market")
    r1, r2, _r3 = fx.records
    w2 = DepartmentPart.objects.get(record=r2, department=water, status=PartStatus.DETERMINED)
    m1 = DepartmentPart.objects.get(record=r1, department=market, status=PartStatus.DETERMINED)
    followups.open_followups(
        w2, demo.users["sw_admin"], type_code="04", case_number="清水罚〔2026〕1号", decision="罚款", fine_wan="1.5"
    )
    [fu] = followups.open_followups(m1, demo.users["sc_admin"], type_code="01")
    followups.close(fu, "已整改", demo.users["sc_admin"])
    return fx


def _live_rows(org):
    table = figures.annual_table(org, 2026)
    return {key: {**table[(j, lv)], "fines": str(table[(j, lv)]["fines"])} for key, _a, _b, j, lv in annex.ANNUAL_ROWS}


def _board(org, day, *, live):
    data = dashboard.build(org, 2026, day, live=live)
    kpis = [(k.key, k.numerator, k.denominator) for k in data["kpis"]]
    return data["batches"], kpis, data["coverage"], data["workload"]


def _orgs(demo):
    return [demo.department("water"), demo.department("market"), demo.orgs["county_office"]]


@pytest.mark.django_db
def test_summary_equals_live(demo):
    _with_follow_ups(demo)
    today = timezone.localdate()
    for org in _orgs(demo):
        assert annex.compute("annual", org, 2026)["rows"] == _live_rows(org), org.name
        for day in (today, today + dt.timedelta(days=60)):
            assert _board(org, day, live=False) == _board(org, day, live=True), (org.name, day)
    # by hand: the 立案 of 水务's result counts for 水务 (and the office), in the county joint row
    water = annex.compute("annual", demo.department("water"), 2026)["rows"]["county_joint"]
    assert (water["cases"], Decimal(water["fines"])) == (1, Decimal("1.5"))
    office = {k.key: k for k in dashboard.build(demo.orgs["county_office"], 2026, today)["kpis"]}
    assert (office["follow_up_closure"].numerator, office["follow_up_closure"].denominator) == (1, 2)


@pytest.mark.django_db
def test_a_change_marks_its_task_and_readers_see_it(demo):
    fx = publish(demo)
    water = demo.department("water")
    assert DirtyTask.objects.filter(task=fx.task).exists()  # the fixture's saves marked it
    summary.flush()
    assert not DirtyTask.objects.exists()
    before = annex.compute("annual", water, 2026)["rows"]["county_joint"]["gsxt"]
    _r1, _r2, r3 = fx.records
    part = DepartmentPart.objects.get(record=r3, department=water, status=PartStatus.DETERMINED)
    publicity.publish_result(part, ["gsxt"], demo.users["sw_admin"])
    assert DirtyTask.objects.filter(task=fx.task).exists()
    assert annex.compute("annual", water, 2026)["rows"]["county_joint"]["gsxt"] == before + 1
    assert not DirtyTask.objects.exists()
    assert annex.compute("annual", water, 2026)["rows"] == _live_rows(water)


def _snapshot():
    return (
        sorted(TaskFigures.objects.values_list("task_id", "department_id", "draws", "targets", "best_targets",
                                               "best_population", "gsxt", "professional", "department_site",
                                               "results", "problems", "on_time_entry", "published_on_time",
                                               "published", "follow_ups", "closed", "cases", "fines")),
        sorted(TaskDue.objects.values_list("task_id", "department_id", "what", "due_on", "n")),
        sorted(InspectorLoad.objects.values_list("year", "department_id", "inspector_id", "targets")),
        sorted(TargetLead.objects.values_list("year", "lead_id", "target_id")),
    )  # fmt: skip


@pytest.mark.django_db
def test_rebuild_gives_the_rows_kept_current(demo, capsys):
    _with_follow_ups(demo)
    summary.flush()
    kept = _snapshot()
    assert kept[0] and kept[1] and kept[2] and kept[3]
    call_command("rebuild_report_summary")
    assert "汇总已重建" in capsys.readouterr().out
    assert _snapshot() == kept


@pytest.mark.django_db
def test_a_voided_draw_leaves_every_figure_of_its_task(demo):
    """The market task's draw voided: its batch, its drawn targets, the businesses both lead
    departments drew (the kept repeat figure of the office, read once before) and the market
    inspectors' workload leave the summary, as they leave the live figures."""
    from shuangsuiji.tasks import drawday

    fx = _with_follow_ups(demo)
    office, today = demo.orgs["county_office"], timezone.localdate()
    before = {k.key: k for k in dashboard.build(office, 2026, today)["kpis"]}
    assert before["repeat_inspections"].numerator > 0
    request = drawday.request_void(fx.market_draw, "抽查范围条件设置错误", demo.users["sc_operator"])
    drawday.decide_void(request, True, demo.users["sc_admin"], note="同意")
    after = {k.key: k for k in dashboard.build(office, 2026, today)["kpis"]}
    assert after["repeat_inspections"].numerator == 0
    assert after["joint_share"].denominator == before["joint_share"].denominator - 1
    for org in _orgs(demo):
        assert annex.compute("annual", org, 2026)["rows"] == _live_rows(org), org.name
        assert _board(org, today, live=False) == _board(org, today, live=True), org.name


@pytest.mark.django_db
def test_a_draft_or_a_submission_marks_nothing_a_determination_marks_its_task(demo):
    """Every figure counts determined parts only: the entry's draft and submission steps leave
    the summary as it is (no mark), the determination marks the task, and summary == live."""
    from shuangsuiji.inspections import services as results
    from tests.inspections.helpers import build, code, visit, water_passed_entry

    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    items = water_passed_entry(w)
    summary.flush()
    assert not DirtyTask.objects.exists()
    results.save_draft(w.record, w.water.pk, sw, code_ids=[code("未发现问题").pk], items=items)
    part = results.submit(w.record, w.water.pk, sw)
    assert not DirtyTask.objects.exists()
    results.determine(part, w.users["sw_admin"])
    assert DirtyTask.objects.filter(task=w.task).exists()
    for org in (w.water, demo.orgs["county_office"]):
        assert annex.compute("annual", org, 2026)["rows"] == _live_rows(org), org.name
