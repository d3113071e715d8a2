"""A year's holiday schedule: its days off (休) and its make-up working days (班).

A schedule lists only the days a notice names. Every other day follows the
weekday rule: Monday to Friday are working days, Saturday and Sunday are not.
That is how the State Council's notice reads, and how ``chinese_calendar``
stores a year, so the two can be compared day by day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property

from nmdesk.errors import ValidationError

WEEKDAY_NAMES = "一二三四五六日"


def weekday_name(day: dt.date) -> str:
    """周一 … 周日, as the notices write it."""
    return "周" + WEEKDAY_NAMES[day.weekday()]


def by_weekday(day: dt.date) -> bool:
    """The weekday rule: Monday to Friday are working days."""
    return day.weekday() < 5


class YearSource(StrEnum):
    """Where a year's working days come from."""

    BUNDLED = "bundled"
    ENTERED = "entered"
    ESTIMATE = "estimate"

    @property
    def label(self) -> str:
        return {"bundled": "内置", "entered": "录入", "estimate": "估算"}[self.value]


@dataclass(frozen=True)
class EntryInfo:
    """Who entered a year's schedule, when, and from what (a notice, an import …)."""

    entered_at: str = ""
    entered_by: str = ""
    origin: str = ""
    title: str = ""

    def describe(self) -> str:
        """录入（2026-12-06 14:03，张三，国务院办公厅通知）, leaving out what is unknown."""
        parts = [
            p for p in (self.entered_at.replace("T", " ")[:16], self.entered_by, self.origin) if p
        ]
        return "录入" + (f"（{'，'.join(parts)}）" if parts else "")


@dataclass(frozen=True)
class ScheduledDay:
    """One day a schedule names: off or a make-up working day, for which festival, and why."""

    day: dt.date
    is_workday: bool
    festival: str = ""
    note: str = ""

    @property
    def mark(self) -> str:
        return "班" if self.is_workday else "休"


@dataclass(frozen=True)
class DayDifference:
    """A day whose working-day status differs between two schedules."""

    day: dt.date
    before: bool
    after: bool

    def describe(self) -> str:
        def word(workday: bool) -> str:
            return "上班" if workday else "休息"

        return (
            f"{self.day.isoformat()}（{weekday_name(self.day)}）："
            f"原为{word(self.before)}，现为{word(self.after)}"
        )


@dataclass(frozen=True)
class FestivalSummary:
    """One festival of a schedule, for a table the clerk checks against the notice."""

    name: str
    off: tuple[dt.date, ...]
    work: tuple[dt.date, ...]

    def describe_off(self) -> str:
        return describe_days(self.off)

    def describe_work(self) -> str:
        return "、".join(f"{d.month}月{d.day}日" for d in self.work)


def describe_days(days: Iterable[dt.date]) -> str:
    """Runs of consecutive days as 2月15日至23日、10月1日."""
    ordered = sorted(days)
    runs: list[list[dt.date]] = []
    for day in ordered:
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        first, last = run[0], run[-1]
        text = f"{first.month}月{first.day}日"
        if last != first:
            text += (
                "至" + (f"{last.month}月" if last.month != first.month else "") + f"{last.day}日"
            )
        parts.append(text)
    return "、".join(parts)


@dataclass(frozen=True)
class HolidaySchedule:
    """The days a year's schedule names, sorted, one entry a day."""

    year: int
    days: tuple[ScheduledDay, ...] = ()
    title: str = ""
    entry: EntryInfo | None = field(default=None, compare=False)

    @classmethod
    def of(cls, year: int, days: Iterable[ScheduledDay], title: str = "") -> HolidaySchedule:
        """A schedule from days in any order; a day named twice is refused."""
        seen: dict[dt.date, ScheduledDay] = {}
        for item in days:
            if item.day in seen:
                raise ValidationError("节假日安排", f"{item.day.isoformat()} 出现了两次")
            seen[item.day] = item
        return cls(year, tuple(seen[d] for d in sorted(seen)), title)

    @cached_property
    def by_day(self) -> dict[dt.date, ScheduledDay]:
        return {item.day: item for item in self.days}

    def get(self, day: dt.date) -> ScheduledDay | None:
        return self.by_day.get(day)

    def is_workday(self, day: dt.date) -> bool:
        item = self.by_day.get(day)
        return item.is_workday if item is not None else by_weekday(day)

    @property
    def off_days(self) -> list[dt.date]:
        return [item.day for item in self.days if not item.is_workday]

    @property
    def work_days(self) -> list[dt.date]:
        return [item.day for item in self.days if item.is_workday]

    def day_lines(self) -> list[str]:
        """``YYYY-MM-DD<TAB>休`` or ``…<TAB>班``, one a day, sorted."""
        return [f"{item.day.isoformat()}\t{item.mark}" for item in self.days]

    def summary(self) -> str:
        """2026年：休 19 天（工作日），调休上班 6 天 — the days off that fall on Monday to Friday."""
        off = sum(1 for day in self.off_days if by_weekday(day))
        return f"{self.year}年：休 {off} 天（工作日），调休上班 {len(self.work_days)} 天"

    def festivals(self) -> list[FestivalSummary]:
        """Each festival with its days off and make-up days, in the order of its first day off."""
        names: dict[str, tuple[list[dt.date], list[dt.date]]] = {}
        for item in sorted(self.days, key=lambda d: (d.is_workday, d.day)):
            off, work = names.setdefault(item.festival, ([], []))
            (work if item.is_workday else off).append(item.day)
        return [
            FestivalSummary(name, tuple(off), tuple(work)) for name, (off, work) in names.items()
        ]

    def corrected(
        self, day: dt.date, is_workday: bool | None, *, festival: str = "", note: str = ""
    ) -> HolidaySchedule:
        """The schedule with one day set to 休 (False), 班 (True) or the weekday rule (None)."""
        kept = [item for item in self.days if item.day != day]
        if is_workday is not None:
            kept.append(ScheduledDay(day, is_workday, festival, note))
        return replace(HolidaySchedule.of(self.year, kept, self.title), entry=self.entry)

    def differences(self, other: HolidaySchedule) -> list[DayDifference]:
        """Days whose status is not the same in ``other`` (self is "before")."""
        named = sorted(set(self.by_day) | set(other.by_day))
        return [
            DayDifference(day, self.is_workday(day), other.is_workday(day))
            for day in named
            if self.is_workday(day) != other.is_workday(day)
        ]
