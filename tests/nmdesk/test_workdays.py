"""Working days against the State Council's published 2025 and 2026 schedules."""

from __future__ import annotations

import datetime as dt

import pytest

from nmdesk.workdays import WorkdayCalendar

D = dt.date

# (event day, working days, due day) — the event day itself does not count.
REAL_CASES = [
    # 2025 National Day + Mid-Autumn: Oct 1–8 off, Sun Sep 28 and Sat Oct 11 are workdays.
    (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Friday → the 调休 Sunday
    (D(2025, 9, 30), 3, D(2025, 10, 11)),  # Oct 9, Oct 10, then the 调休 Saturday
    (D(2025, 9, 30), 1, D(2025, 10, 9)),
    # 2025 Spring Festival: Jan 28–Feb 4 off, Sun Jan 26 and Sat Feb 8 are workdays.
    (D(2025, 1, 24), 1, D(2025, 1, 26)),
    (D(2025, 1, 27), 3, D(2025, 2, 7)),
    (D(2025, 2, 7), 1, D(2025, 2, 8)),
    # 2025 Labour Day: May 1–5 off, Sun Apr 27 is a workday.
    (D(2025, 4, 25), 1, D(2025, 4, 27)),
    (D(2025, 4, 30), 1, D(2025, 5, 6)),
    # 2025 Dragon Boat: May 31–Jun 2 off.
    (D(2025, 5, 30), 1, D(2025, 6, 3)),
    # An ordinary week: Monday + 3 = Thursday; Friday + 3 = Wednesday.
    (D(2025, 3, 10), 3, D(2025, 3, 13)),
    (D(2025, 3, 14), 3, D(2025, 3, 19)),
    # 2026 New Year: Jan 1–3 off, Sun Jan 4 is a workday.
    (D(2025, 12, 31), 1, D(2026, 1, 4)),
    # 2026 Spring Festival: Feb 15–23 off, Sat Feb 14 and Sat Feb 28 are workdays.
    (D(2026, 2, 13), 1, D(2026, 2, 14)),
    (D(2026, 2, 13), 5, D(2026, 2, 27)),
    (D(2026, 2, 27), 1, D(2026, 2, 28)),
    # 2026 Labour Day: May 1–5 off, Sat May 9 is a workday.
    (D(2026, 4, 30), 3, D(2026, 5, 8)),
    (D(2026, 5, 8), 1, D(2026, 5, 9)),
    # 2026 National Day: Oct 1–7 off, Sat Oct 10 is a workday.
    (D(2026, 9, 30), 3, D(2026, 10, 10)),
    # 2026 Mid-Autumn Sep 25–27 off and the 调休 Sunday Sep 20.
    (D(2026, 9, 18), 1, D(2026, 9, 20)),
    (D(2026, 9, 24), 1, D(2026, 9, 28)),
    # PKU-CoE closure deadline: 10 working days across Mid-Autumn and National Day.
    (D(2026, 9, 21), 10, D(2026, 10, 12)),
]


@pytest.mark.parametrize(("start", "days", "due"), REAL_CASES)
def test_real_schedule(start: dt.date, days: int, due: dt.date) -> None:
    result = WorkdayCalendar().add_working_days(start, days)
    assert result.date == due
    assert not result.is_estimate


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (D(2025, 9, 28), True),
        (D(2025, 10, 11), True),
        (D(2026, 2, 14), True),
        (D(2026, 2, 28), True),
        (D(2026, 10, 1), False),
        (D(2026, 2, 16), False),
        (D(2026, 5, 9), True),
        (D(2026, 6, 19), False),
        (D(2026, 11, 23), True),
    ],
)
def test_make_up_workdays_and_holidays(day: dt.date, workday: bool) -> None:
    assert WorkdayCalendar().is_workday(day) is workday


def test_zero_days_is_the_event_day() -> None:
    assert WorkdayCalendar().add_working_days(D(2026, 3, 2), 0).date == D(2026, 3, 2)


def test_unknown_year_is_an_estimate_not_a_crash() -> None:
    result = WorkdayCalendar().add_working_days(D(2026, 12, 30), 3)
    # Dec 31 (Thu), then 2027: Jan 1 is a fixed-date holiday, Jan 2–3 weekend, Jan 4, Jan 5.
    assert result.date == D(2027, 1, 5)
    assert result.is_estimate
    assert result.estimated_years == (2027,)
    assert "估算" in result.describe()


def test_far_future_year_estimates_weekends() -> None:
    result = WorkdayCalendar().add_working_days(D(2031, 3, 6), 2)  # Thursday
    assert (result.date, result.is_estimate) == (D(2031, 3, 10), True)


def test_overrides_win_and_a_confirmed_year_is_official() -> None:
    overrides = {D(2027, 1, 4): False, D(2027, 1, 9): True}
    calendar = WorkdayCalendar(overrides, official_years=[2027])
    result = calendar.add_working_days(D(2027, 1, 1), 2)
    assert result.date == D(2027, 1, 6)  # Jan 4 is off per the override
    assert not result.is_estimate
    assert calendar.is_workday(D(2027, 1, 9))


def test_register_calendar_uses_clerk_overrides(register) -> None:  # type: ignore[no-untyped-def]
    assert register.calendar.add_working_days(D(2027, 2, 5), 1).is_estimate
    register.calendar_overrides.set_day(D(2027, 2, 8), False, "春节")
    register.calendar_overrides.confirm_year(2027, "国务院办公厅通知")
    due = register.calendar.add_working_days(D(2027, 2, 5), 1)
    assert (due.date, due.is_estimate) == (D(2027, 2, 9), False)


def test_working_days_between() -> None:
    calendar = WorkdayCalendar()
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert calendar.working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == -3
