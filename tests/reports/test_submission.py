"""Submission upward (报送): draft → checked → signed off → submitted to the office above,
frozen; a resubmission is a new version with a reason; the office sees what arrived, what is
late (working-day calendar) and the aggregate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangsuiji.reports import services
from shuangsuiji.reports.models import Report, ReportStatus
from shuangsuiji.reports.services import ReportRuleError
from shuangsuiji.workdays.services import WorkdayCalendar


def test_deadlines_on_the_working_day_calendar(db):
    assert services.due_date("monthly", 2026, 3) == dt.date(2026, 4, 20)
    assert services.due_date("monthly", 2026, 12) == dt.date(2027, 1, 20)
    # 3rd working day of the next quarter's first month, on the official calendar
    cal = WorkdayCalendar()
    for year, q, first in ((2026, 1, dt.date(2026, 4, 1)), (2026, 3, dt.date(2026, 10, 1))):
        due = services.due_date("quarterly", year, q)
        days = [first + dt.timedelta(days=n) for n in range((due - first).days + 1)]
        assert sum(cal.is_workday(d) for d in days) == 3 and cal.is_workday(due)
    # National Day week: the 3rd working day of October 2026 is after the holiday
    assert services.due_date("quarterly", 2026, 3) > dt.date(2026, 10, 8)
    assert services.due_date("annual", 2026, 0) is None


def test_workflow_freeze_resubmit_and_arrivals(demo):
    water, office = demo.department("water"), demo.orgs["county_office"]
    operator, admin, supervisor = demo.users["sw_operator"], demo.users["sw_admin"], demo.users["qh_supervisor"]
    r = services.create_report(water, "monthly", 2026, 3, operator, {"meetings": "3月2日 部署会"})
    assert r.recipient == office and r.due_on == dt.date(2026, 4, 20) and r.status == ReportStatus.DRAFT
    with pytest.raises(ReportRuleError):
        services.create_report(water, "monthly", 2026, 3, operator)  # one per period
    with pytest.raises(ReportRuleError, match="只有已签发"):
        services.submit(r, operator)
    services.check(r, operator)
    with pytest.raises(PermissionDenied):
        services.sign_off(r, operator)  # a unit operator does not sign off
    with pytest.raises(PermissionDenied):
        services.check(r, supervisor)
    services.sign_off(r, admin)
    r = services.submit(r, operator)
    assert r.status == ReportStatus.SUBMITTED and r.figures["below"]["inspections"] == 0
    # frozen
    r.entered = {"meetings": "改了"}
    with pytest.raises(ValidationError):
        r.save()
    r.refresh_from_db()
    with pytest.raises(ReportRuleError):
        services.save_entries(r, {"meetings": "改了"}, operator)
    with pytest.raises(ReportRuleError, match="原因"):
        services.resubmit(r, operator, " ")
    v2 = services.resubmit(r, operator, "会议名称填错")
    assert (v2.version, v2.supersedes_id, v2.reason, v2.entered["meetings"]) == (
        2,
        r.pk,
        "会议名称填错",
        "3月2日 部署会",
    )
    assert Report.objects.get(pk=r.pk).status == ReportStatus.SUBMITTED  # the old version stays

    # The office above: 水务局 arrived (v1 counts until v2 is submitted), the others are late.
    today = dt.date(2026, 4, 22)  # two working days after the 20th (a Monday)
    rows = {row["organisation"].pk: row for row in services.arrivals(office, "monthly", 2026, 3, today)}
    assert rows[water.pk]["report"].pk == r.pk
    market = demo.department("market")
    assert rows[market.pk]["report"] is None and rows[market.pk]["late"] == 2
    assert services.aggregate(list(rows.values()))["below"]["inspections"] == 0

    with pytest.raises(ReportRuleError, match="月份"):
        services.create_report(water, "monthly", 2026, 13, operator)
    with pytest.raises(ReportRuleError, match="非负整数"):
        services.create_report(water, "joint", 2026, 0, operator, {"answered": "五"})
