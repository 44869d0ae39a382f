"""The working-day calendar on real dates of 2024–2026 (State Council schedules)."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from shuangsuiji.workdays.models import CalendarOverride, CalendarYear
from shuangsuiji.workdays.services import CalendarDataMissing, add_workdays, is_workday, workdays_between

pytestmark = pytest.mark.django_db

# Weekend days that were official working days (调休上班).
ADJUSTED_WORKING_WEEKENDS = [
    date(2024, 2, 4),  # Sunday before Spring Festival
    date(2024, 2, 18),
    date(2024, 4, 7),
    date(2024, 4, 28),
    date(2024, 5, 11),  # Saturday
    date(2024, 9, 14),  # Saturday
    date(2024, 9, 29),
    date(2024, 10, 12),  # Saturday
    date(2025, 1, 26),
    date(2025, 2, 8),  # Saturday
    date(2025, 4, 27),
    date(2025, 9, 28),
    date(2025, 10, 11),  # Saturday
    date(2026, 1, 4),
    date(2026, 2, 14),  # Saturday
    date(2026, 2, 28),  # Saturday
    date(2026, 5, 9),  # Saturday
    date(2026, 9, 20),
    date(2026, 10, 10),  # Saturday
]

HOLIDAYS_ON_WEEKDAYS = [
    date(2024, 10, 1),
    date(2024, 10, 7),
    date(2025, 1, 28),
    date(2025, 5, 5),
    date(2026, 10, 1),
    date(2026, 10, 7),
    date(2026, 2, 17),
]


@pytest.mark.parametrize("day", ADJUSTED_WORKING_WEEKENDS)
def test_adjusted_weekend_days_are_working_days(day):
    assert day.weekday() >= 5
    assert is_workday(day)


@pytest.mark.parametrize("day", HOLIDAYS_ON_WEEKDAYS)
def test_statutory_holidays_are_not_working_days(day):
    assert day.weekday() < 5
    assert not is_workday(day)


def test_ordinary_weekend_is_not_a_working_day():
    assert not is_workday(date(2026, 11, 21))  # Saturday
    assert is_workday(date(2026, 11, 23))  # Monday


def test_the_documented_example_across_national_day():
    # 2026-09-25 (Fri); 10-01..10-07 off; 09-20 and 10-10 are adjusted working days.
    assert add_workdays(date(2026, 9, 25), 20) == date(2026, 10, 29)


def test_start_day_never_counts():
    assert add_workdays(date(2026, 11, 23), 1) == date(2026, 11, 24)
    assert add_workdays(date(2026, 11, 21), 1) == date(2026, 11, 23)  # from a Saturday
    assert add_workdays(date(2026, 11, 23), 0) == date(2026, 11, 23)


def test_adjusted_saturday_counts_as_a_working_day():
    # Friday 2024-10-11 + 1 working day = Saturday 2024-10-12 (调休上班).
    assert add_workdays(date(2024, 10, 11), 1) == date(2024, 10, 12)


def test_spring_festival_2025_gap():
    # 2025-01-27 (Mon) is a working day; 01-28..02-04 off; 02-08 (Sat) on.
    assert add_workdays(date(2025, 1, 27), 1) == date(2025, 2, 5)
    assert add_workdays(date(2025, 2, 7), 1) == date(2025, 2, 8)


def test_workdays_between_is_half_open():
    assert workdays_between(date(2026, 9, 25), date(2026, 10, 29)) == 20
    assert workdays_between(date(2026, 10, 29), date(2026, 9, 25)) == -20


def test_year_without_calendar_data_raises_naming_the_year():
    with pytest.raises(CalendarDataMissing) as exc:
        add_workdays(date(2026, 12, 20), 20)
    assert exc.value.year == 2027
    assert "2027年" in str(exc.value)
    with pytest.raises(CalendarDataMissing):
        is_workday(date(2027, 3, 1))  # never silently weekends-only


def test_override_table_supplies_a_missing_year():
    CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知（测试录入）")
    CalendarOverride.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    assert not is_workday(date(2027, 1, 1))  # Friday, holiday per override
    assert is_workday(date(2027, 1, 4))  # Monday
    assert not is_workday(date(2027, 1, 2))  # Saturday
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_override_wins_over_the_library():
    CalendarOverride.objects.create(date=date(2026, 11, 23), is_workday=False, name="测试更正")
    assert not is_workday(date(2026, 11, 23))


def test_management_command_prints_the_date(capsys):
    call_command("workdays", "add", "2026-09-25", "20")
    assert capsys.readouterr().out.strip() == "2026-10-29"


def test_management_command_error_names_the_year():
    with pytest.raises(CommandError, match="2027年"):
        call_command("workdays", "add", "2026-12-30", "10")
