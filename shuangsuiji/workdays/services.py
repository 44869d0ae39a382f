"""Working days (工作日) for every deadline on the platform.

Convention, used everywhere: **"N working days after date D" is the N-th working day
strictly after D.** D itself never counts, whether or not it is a working day. For N = 0 the
answer is D. Example: ``add_workdays(date(2026, 9, 25), 20) == date(2026, 10, 29)``.

A day is a working day when an administrator's override says so; otherwise as the State
Council's schedule in chinese_calendar says (weekends off, statutory holidays off, adjusted
Saturdays/Sundays on). For a year that neither chinese_calendar nor the override table
(``CalendarYear``) covers, :class:`CalendarDataMissing` is raised, naming the year: the
platform never guesses weekends-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants

from shuangsuiji.workdays.models import CalendarOverride, CalendarYear


class CalendarDataMissing(LookupError):
    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year}年的工作日历数据缺失：请管理员在“工作日历”中录入国务院公布的{year}年节假日安排后再计算期限。"
        )


@lru_cache(maxsize=1)
def library_years() -> frozenset[int]:
    """The years chinese_calendar has the official schedule for."""
    years = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    return frozenset(range(min(years), max(years) + 1))


# Statutory holidays on a fixed Gregorian date (2025 rules); the others move every year.
FIXED_HOLIDAYS = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}
PROVISIONAL_NOTE = (
    "暂定：该年度放假安排尚未录入，按周一至周五并扣除元旦、劳动节、国庆节固定日期计算，春节等节假日及调休待录入后重算"
)


def provisional_workday(day: date) -> bool:
    """Monday–Friday except the fixed-date statutory holidays (no lunar holidays, no adjusted days)."""
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


@dataclass(frozen=True)
class Deadline:
    """A computed deadline; ``provisional`` when a year without its official schedule was used."""

    day: date
    missing_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.missing_years)

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}{'（暂定）' if self.provisional else ''}"


class WorkdayCalendar:
    """A calendar over a loaded window of overrides (one query per window).

    ``provisional=True``: a year without its schedule counts :func:`provisional_workday`
    instead of raising; the years so used are collected in ``missing_years``."""

    def __init__(self, provisional: bool = False) -> None:
        self.provisional = provisional
        self._between: dict[tuple[date, date], int] = {}  # many parts share a due date
        self.missing_years: set[int] = set()
        self._overrides: dict[date, bool] = {}
        self._loaded: tuple[date, date] | None = None
        self._entered_years = set(CalendarYear.objects.values_list("year", flat=True))

    def _ensure(self, day: date) -> None:
        if self._loaded and self._loaded[0] <= day <= self._loaded[1]:
            return
        start, end = day - timedelta(days=7), day + timedelta(days=120)
        self._overrides = dict(
            CalendarOverride.objects.filter(date__range=(start, end)).values_list("date", "is_workday")
        )
        self._loaded = (start, end)

    def covers(self, year: int) -> bool:
        return year in self._entered_years or year in library_years()

    def is_workday(self, day: date) -> bool:
        self._ensure(day)
        if day in self._overrides:
            return self._overrides[day]
        if day.year in self._entered_years:
            return day.weekday() < 5  # the year's holidays and adjusted days are all overrides
        if day.year in library_years():
            return chinese_calendar.is_workday(day)
        if self.provisional:
            self.missing_years.add(day.year)
            return provisional_workday(day)
        raise CalendarDataMissing(day.year)

    def add_workdays(self, start: date, n: int) -> date:
        if n < 0:
            raise ValueError("工作日数不能为负数。")
        day = start
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in the half-open interval (start, end]; negative if end < start."""
        if end < start:
            return -self.workdays_between(end, start)
        known = self._between.get((start, end))
        if known is not None:
            return known
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        self._between[(start, end)] = count
        return count


def is_workday(day: date) -> bool:
    return WorkdayCalendar().is_workday(day)


def add_workdays(start: date, n: int) -> date:
    """The n-th working day strictly after ``start`` (see the module's convention)."""
    return WorkdayCalendar().add_workdays(start, n)


def workdays_between(start: date, end: date) -> int:
    return WorkdayCalendar().workdays_between(start, end)


def deadline(start: date, n: int) -> Deadline:
    """The n-th working day after ``start``; provisional (never refused) for a missing year."""
    cal = WorkdayCalendar(provisional=True)
    day = cal.add_workdays(start, n)
    return Deadline(day, tuple(sorted(cal.missing_years)))


def covers(year: int) -> bool:
    return WorkdayCalendar().covers(year)
