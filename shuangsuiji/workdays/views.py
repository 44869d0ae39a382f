from __future__ import annotations

import calendar as pycal
from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from shuangsuiji.workdays.models import CalendarOverride
from shuangsuiji.workdays.services import PROVISIONAL_NOTE, CalendarDataMissing, WorkdayCalendar, deadline


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return min(max(int(value or default), lo), hi)
    except ValueError:
        return default


@login_required
def calendar_view(request):
    today = timezone.localdate()
    year = _int(request.GET.get("year"), today.year, 2004, 2100)
    month = _int(request.GET.get("month"), today.month, 1, 12)
    cal = WorkdayCalendar(provisional=True)
    error = ""
    weeks = []
    try:
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            weeks.append(
                [
                    {
                        "date": d,
                        "in_month": d.month == month,
                        "workday": cal.is_workday(d),
                        "weekend": d.weekday() >= 5,
                    }
                    for d in week
                ]
            )
    except CalendarDataMissing as exc:  # pragma: no cover - the provisional calendar never raises
        error = str(exc)
        weeks = []
    provisional = PROVISIONAL_NOTE if year in cal.missing_years else ""

    compute = {"start": request.GET.get("start", ""), "n": request.GET.get("n", ""), "result": None, "error": ""}
    if compute["start"] and compute["n"]:
        try:
            d = deadline(date.fromisoformat(compute["start"]), int(compute["n"]))
            compute["result"], compute["provisional"] = d.day, d.provisional
        except ValueError:
            compute["error"] = "请输入有效的日期（YYYY-MM-DD）和非负整数工作日数。"

    prev_year, prev_month = (year, month - 1) if month > 1 else (year - 1, 12)
    next_year, next_month = (year, month + 1) if month < 12 else (year + 1, 1)
    context = {
        "year": year,
        "month": month,
        "weeks": weeks,
        "error": error,
        "provisional": provisional,
        "compute": compute,
        "prev": (prev_year, prev_month),
        "next": (next_year, next_month),
        "overrides": CalendarOverride.objects.filter(date__year=year).order_by("date"),
        "active_section": "calendar",
    }
    return render(request, "workdays/calendar.html", context)
