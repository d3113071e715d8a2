"""Chinese working days: weekends and statutory holidays are off, 调休 Saturdays are on.

Deadlines in the policies are counted in working days (BIT: changes within 3,
PKU-CoE: personnel changes within 5, closures within 10). The rule used
throughout: the day of the event does not count; the deadline is the n-th
working day after it.

The official schedule for a year is published late in the previous year. The
bundled data comes from the ``chinese_calendar`` package (this module is the one
place that reads its internals). The clerk enters a year's schedule from the
State Council's notice (``nmdesk.holidays``); its days are the register's
overrides, and an entered year takes precedence over the bundled data. For a
year neither source knows, the calendar falls back to weekends plus the
fixed-date holidays and marks every result that depended on it as an
*estimate*; it never crashes and never silently pretends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as _bundled

from nmdesk.holidays.schedule import HolidaySchedule, ScheduledDay, YearSource

# Fixed-date statutory holidays used for estimates (lunar holidays cannot be guessed
# reliably without the State Council's schedule, which is why estimates are flagged).
_FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))
_FIXED_NAMES = {1: "元旦", 5: "劳动节", 10: "国庆节"}
# chinese_calendar's short Chinese names, as the notices write them
_NOTICE_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


@dataclass(frozen=True)
class DueDate:
    """A deadline, and whether any day on the way was guessed rather than known."""

    date: dt.date
    is_estimate: bool
    estimated_years: tuple[int, ...] = ()
    years: tuple[int, ...] = ()  # every year whose days were counted

    def describe(self) -> str:
        if not self.is_estimate:
            return self.date.isoformat()
        years = "、".join(str(y) for y in self.estimated_years)
        return f"{self.date.isoformat()}（估算：{years} 年的法定节假日安排尚未录入）"


@lru_cache(maxsize=64)
def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _estimated_workday(day: dt.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


def _festival_name(value: str) -> str:
    try:
        chinese = str(_bundled.Holiday(value).chinese)
    except ValueError:
        return value
    return _NOTICE_NAMES.get(chinese, chinese)


def bundled_schedule(year: int) -> HolidaySchedule | None:
    """The year as ``chinese_calendar`` ships it, or None for a year it does not know."""
    if not _library_knows(year):
        return None
    days = [
        ScheduledDay(day, False, _festival_name(name))
        for day, name in _bundled.holidays.items()
        if day.year == year
    ] + [
        ScheduledDay(day, True, _festival_name(name))
        for day, name in _bundled.workdays.items()
        if day.year == year
    ]
    return HolidaySchedule.of(year, days)


def bundled_source_name() -> str:
    """The bundled data's name and version, as the calendar window shows it."""
    return f"chinese_calendar {chinese_calendar.__version__}"


def estimated_schedule(year: int) -> HolidaySchedule:
    """What the calendar assumes for a year nobody knows: the fixed-date holidays only."""
    return HolidaySchedule.of(
        year,
        [ScheduledDay(dt.date(year, m, d), False, _FIXED_NAMES[m]) for m, d in _FIXED_HOLIDAYS],
        "估算",
    )


class WorkdayCalendar:
    """Answers "is this a working day?" from the bundled data plus the register's overrides."""

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        official_years: Iterable[int] = (),
    ) -> None:
        self.overrides = dict(overrides or {})
        self.official_years = frozenset(official_years)

    def year_is_known(self, year: int) -> bool:
        """True when the year's official schedule is bundled or was entered by the clerk."""
        return year in self.official_years or _library_knows(year)

    def source_of(self, year: int) -> YearSource:
        """录入 wins over 内置; a year neither knows is 估算."""
        if year in self.official_years:
            return YearSource.ENTERED
        return YearSource.BUNDLED if _library_knows(year) else YearSource.ESTIMATE

    def check_day(self, day: dt.date) -> tuple[bool, bool]:
        """Return (is_workday, is_estimate) for one day."""
        if day in self.overrides:
            return self.overrides[day], False
        if day.year in self.official_years:
            return day.weekday() < 5, False
        if _library_knows(day.year):
            return bool(chinese_calendar.is_workday(day)), False
        return _estimated_workday(day), True

    def is_workday(self, day: dt.date) -> bool:
        return self.check_day(day)[0]

    def add_working_days(self, start: dt.date, n: int) -> DueDate:
        """The n-th working day after ``start``; the day of the event itself does not count."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        estimated: set[int] = set()
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            workday, guess = self.check_day(day)
            if guess:
                estimated.add(day.year)
            if workday:
                counted += 1
        first = min(start + dt.timedelta(days=1), day)
        years = tuple(range(first.year, day.year + 1))
        return DueDate(day, bool(estimated), tuple(sorted(estimated)), years)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count
