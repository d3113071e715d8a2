"""Chinese working days: weekends and statutory holidays are off, 调休 Saturdays are on.

Deadlines in the policies are counted in working days (BIT: changes within 3,
PKU-CoE: personnel changes within 5, closures within 10). The rule used
throughout: the day of the event does not count; the deadline is the n-th
working day after it.

The official schedule for a year is published late in the previous year. The
bundled data comes from the ``chinese_calendar`` package. The clerk can add
overrides in the register (a date, whether it is a working day, a note) and
mark a year's schedule as entered. For a year neither source knows, the
calendar falls back to weekends plus the fixed-date holidays and marks every
result that depended on it as an *estimate*; it never crashes and never
silently pretends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

# Fixed-date statutory holidays used for estimates (lunar holidays cannot be guessed
# reliably without the State Council's schedule, which is why estimates are flagged).
_FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))


@dataclass(frozen=True)
class DueDate:
    """A deadline, and whether any day on the way was guessed rather than known."""

    date: dt.date
    is_estimate: bool
    estimated_years: tuple[int, ...] = ()

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
        return DueDate(day, bool(estimated), tuple(sorted(estimated)))

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
