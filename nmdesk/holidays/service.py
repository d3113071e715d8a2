"""A year's holiday schedule in the register: which one is in force, and saving one.

Saving a year is one audited transaction: the year's days are replaced, the
year is marked as entered (录入 then wins over the bundled data), and every
open filing's due date is recomputed with the new calendar, so the board, the
account details and forms printed afterwards all show the exact date. A
failure leaves the register as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nmdesk.holidays.schedule import (
    DayDifference,
    EntryInfo,
    HolidaySchedule,
    YearSource,
)
from nmdesk.workdays import bundled_schedule, bundled_source_name, estimated_schedule

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

NEXT_YEAR_REMINDER_MONTH = 11  # the notice usually comes out in late October or November


@dataclass(frozen=True)
class YearInForce:
    """The schedule the register counts with for a year, and where it comes from."""

    schedule: HolidaySchedule
    source: YearSource

    def describe_source(self) -> str:
        """内置（chinese_calendar 1.10.0）, 录入（2026-12-07 09:30，张三，…） or 估算（…）."""
        if self.source is YearSource.ENTERED:
            return (self.schedule.entry or EntryInfo()).describe()
        if self.source is YearSource.BUNDLED:
            return f"内置（{bundled_source_name()}）"
        return "估算（尚未录入官方安排，只按周末和元旦、劳动节、国庆节的固定日期计算）"


@dataclass(frozen=True)
class SavedYear:
    """What saving a year changed: the days that moved and the due dates recomputed."""

    year: int
    differences: tuple[DayDifference, ...]
    moved_due_dates: int


def year_in_force(register: Register, year: int) -> YearInForce:
    """录入 if the clerk entered the year, else 内置 if bundled, else 估算."""
    entered = register.calendar_overrides.entered_schedule(year)
    if entered is not None:
        return YearInForce(entered, YearSource.ENTERED)
    bundled = bundled_schedule(year)
    if bundled is not None:
        return YearInForce(bundled, YearSource.BUNDLED)
    return YearInForce(estimated_schedule(year), YearSource.ESTIMATE)


def differences_from_force(register: Register, schedule: HolidaySchedule) -> list[DayDifference]:
    """Days on which ``schedule`` differs from the one in force for its year."""
    return year_in_force(register, schedule.year).schedule.differences(schedule)


def save_year(
    register: Register,
    schedule: HolidaySchedule,
    origin: str,
    *,
    now: dt.datetime | None = None,
) -> SavedYear:
    """Store the year (one audited transaction) and recompute every running clock."""
    differences = tuple(differences_from_force(register, schedule))
    stamp = (now or dt.datetime.now()).isoformat(timespec="seconds")
    entry = EntryInfo(stamp, register.actor, origin, schedule.title)
    try:
        with register.transaction():
            register.calendar_overrides.replace_year(schedule, entry)
            moved = register.filings.refresh_due_dates()
    finally:
        register.invalidate_calendar()  # rebuilt from what was committed, or kept
    return SavedYear(schedule.year, differences, moved)


def next_year_missing(register: Register, today: dt.date) -> int | None:
    """From 1 November: next year, while its schedule is neither bundled nor entered."""
    if today.month < NEXT_YEAR_REMINDER_MONTH:
        return None
    year = today.year + 1
    return year if register.calendar.source_of(year) is YearSource.ESTIMATE else None


def missing_next_year(register: Register, today: dt.date) -> str | None:
    """The board's sentence about next year's missing schedule, or None."""
    year = next_year_missing(register, today)
    if year is None:
        return None
    return f"{year}年节假日安排尚未录入，涉及{year}年的截止日期为估算"
