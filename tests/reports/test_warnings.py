"""Supervision warnings on the known fixture: a business whose risk class rose after its
result, a result entered long after the visit, a person with many results returned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.inspections.models import DepartmentPart, PartEvent, PartStatus
from shuangsuiji.reports import supervision
from shuangsuiji.targets.models import RiskClassChange, Target
from tests.reports.helpers import build


@pytest.mark.django_db
def test_warnings(demo, client, login):
    fx = build(demo)
    supervisor = demo.users["qh_supervisor"]
    today = timezone.localdate()
    assert supervision.risk_rose_after_inspection(supervisor) == []
    # target 1's class rose from what it was on the determination day to D
    t = fx.records[0].target
    before = t.risk_class
    RiskClassChange.objects.create(target=t, risk_class="A", effective_on=today - dt.timedelta(days=400), source="旧")
    Target.objects.filter(pk=t.pk).update(
        risk_class="D", risk_effective_on=today + dt.timedelta(days=1), risk_source="新分类"
    )
    rose = supervision.risk_rose_after_inspection(supervisor)
    assert {(r["target"].pk, r["then"], r["now"]) for r in rose} == {(t.pk, "A", "D")}  # both departments' results
    assert len(rose) == 2 and before in "ABCD"

    # a draft entered 30 working days after the visit (visit moved back)
    rec = fx.records[2]
    type(rec).objects.filter(pk=rec.pk).update(visit_date=today - dt.timedelta(days=60))
    part = DepartmentPart.objects.get(record=rec, status=PartStatus.DRAFT)
    DepartmentPart.objects.filter(pk=part.pk).update(entered_at=timezone.now())
    late = supervision.late_entries(supervisor, today)
    assert [(r["task"].pk, r["owner"], r["count"]) for r in late] == [(fx.task.pk, demo.department("market"), 1)]

    op = demo.users["sc_operator"]
    DepartmentPart.objects.filter(pk=part.pk).update(entered_by=op)
    for n in range(3):
        PartEvent.objects.create(part=part, action=PartEvent.Action.RETURN, reason=f"退回{n}")
    assert [(r["user"], r["count"]) for r in supervision.many_returns(supervisor)] == [(op, 3)]

    login("qh_supervisor")
    page = client.get("/reports/supervision/").content.decode()
    assert "被退回 3 次" in page and "（名单公开前不显示）" in page and t.name not in page
