"""The result workflow through the services: draft → submitted → returned → submitted →
determined, the 20-working-day publication deadline, LastInspection fed by determination."""

import datetime as dt

import pytest

from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import PartEvent, PartStatus
from shuangsuiji.targets.models import LastInspection
from shuangsuiji.workdays.services import add_workdays
from tests.inspections.helpers import build, code, visit, water_failed_entry

pytestmark = pytest.mark.django_db


def test_the_whole_way_of_a_department_part(demo):
    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    part = services.save_draft(
        w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=water_failed_entry(w)
    )
    assert part.status == PartStatus.DRAFT
    part = services.submit(w.record, w.water.pk, sw)
    assert part.status == PartStatus.SUBMITTED
    part = services.return_part(part, w.users["sw_admin"], "问题描述不够具体")
    assert part.status == PartStatus.RETURNED and part.return_reason == "问题描述不够具体"
    part = services.save_draft(
        w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=water_failed_entry(w)
    )
    part = services.submit(w.record, w.water.pk, sw)
    # before the National Day holiday (1–7 October 2026, Saturday 10 October a working day):
    # Monday-to-Friday counting would give 28 October
    day = dt.date(2026, 9, 30)
    part = services.determine(part, w.users["sw_admin"], today=day)
    assert part.status == PartStatus.DETERMINED
    assert part.publication_due_on == add_workdays(day, 20) == dt.date(2026, 11, 3)
    actions = list(part.events.values_list("action", flat=True))
    assert actions == ["save", "submit", "return", "save", "submit", "determine"]
    assert LastInspection.objects.get(target=w.target, department=w.water).inspected_on == w.record.visit_date


def test_progress_counts_entered_submitted_determined_of_n(demo):
    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=water_failed_entry(w))
    rows = {r.participant.department_id: r for r in services.progress(w.task)}
    n = len(services.drawn_target_ids(w.task))
    assert (rows[w.water.pk].total, rows[w.water.pk].entered, rows[w.water.pk].submitted) == (n, 1, 0)
    assert rows[w.market.pk].entered == 0
    services.submit(w.record, w.water.pk, sw)
    rows = {r.participant.department_id: r for r in services.progress(w.task)}
    assert rows[w.water.pk].submitted == 1 and rows[w.water.pk].determined == 0
    assert not services.is_complete(w.task)
    assert PartEvent.objects.count() == 2


def test_the_deadline_is_on_the_to_do_and_overdue_is_flagged(demo):
    from shuangsuiji.inspections.templatetags.inspections_tags import inspection_work

    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=water_failed_entry(w))
    part = services.submit(w.record, w.water.pk, sw)
    todo = inspection_work(w.users["sw_admin"])
    assert [t["title"].startswith("审核检查结果") for t in todo] == [True]
    part = services.determine(part, w.users["sw_admin"], today=dt.date(2026, 3, 31))
    todo = inspection_work(w.users["sw_admin"])
    assert todo[0]["due"] == part.publication_due_on == add_workdays(dt.date(2026, 3, 31), 20)
    assert todo[0]["overdue"] is True
