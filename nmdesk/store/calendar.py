"""The register's part of the working-day calendar: days the clerk set, years entered.

A year entered from the State Council's notice is stored as its named days
(``calendar_overrides``) plus one row in ``calendar_years`` saying who entered
it, when and from what. Every other day of an entered year follows the weekday
rule; an entered year takes precedence over the bundled data.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from nmdesk.holidays.schedule import EntryInfo, HolidaySchedule, ScheduledDay
from nmdesk.workdays import WorkdayCalendar

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore


class CalendarStore:
    """The clerk's corrections to the working-day calendar, and years entered in full."""

    def __init__(self, register: StoreCore) -> None:
        self.r = register

    def set_day(self, day: dt.date, is_workday: bool, note: str = "") -> None:
        """One day set by hand, outside a year's full entry."""
        existing = self.r.scalar(
            "SELECT id FROM calendar_overrides WHERE day = ?", [day.isoformat()]
        )
        with self.r.transaction():
            if existing is None:
                self.r.insert_row(
                    "calendar_overrides",
                    {"day": day.isoformat(), "is_workday": int(is_workday), "note": note},
                )
            else:
                self.r.update_row(
                    "calendar_overrides",
                    int(existing),
                    {"is_workday": int(is_workday), "note": note},
                )
        self.r.invalidate_calendar()

    def confirm_year(self, year: int, note: str = "") -> None:
        """Declare that the overrides now hold the year's official schedule: no more estimates."""
        if self.r.scalar("SELECT id FROM calendar_years WHERE year = ?", [year]) is None:
            self.r.insert_row("calendar_years", {"year": year, "note": note})
        self.r.invalidate_calendar()

    def replace_year(self, schedule: HolidaySchedule, entry: EntryInfo) -> None:
        """The year's days replaced by ``schedule``'s, audited, in the caller's transaction."""
        year = schedule.year
        first, last = dt.date(year, 1, 1).isoformat(), dt.date(year, 12, 31).isoformat()
        with self.r.transaction():
            for row_id in [
                int(row[0])
                for row in self.r.db.execute(
                    "SELECT id FROM calendar_overrides WHERE day BETWEEN ? AND ? "
                    f"OR day IN ({self.r.sql.text_list})",
                    [first, last, json.dumps([d.day.isoformat() for d in schedule.days])],
                )
            ]:
                self.r.delete_row("calendar_overrides", row_id, action="calendar-year-replaced")
            for item in schedule.days:
                self.r.insert_row(
                    "calendar_overrides",
                    {
                        "day": item.day.isoformat(),
                        "is_workday": int(item.is_workday),
                        "note": item.note,
                        "festival": item.festival,
                    },
                    action="calendar-year-entered",
                )
            values = {
                "note": entry.origin,
                "entered_at": entry.entered_at,
                "entered_by": entry.entered_by,
                "origin": entry.origin,
                "title": schedule.title or entry.title,
            }
            existing = self.r.scalar("SELECT id FROM calendar_years WHERE year = ?", [year])
            if existing is None:
                self.r.insert_row(
                    "calendar_years", {"year": year, **values}, action="calendar-year-entered"
                )
            else:
                self.r.update_row(
                    "calendar_years", int(existing), values, action="calendar-year-entered"
                )
        self.r.invalidate_calendar()

    def entered_years(self) -> list[int]:
        return [int(row[0]) for row in self.r.db.execute("SELECT year FROM calendar_years")]

    def entered_schedule(self, year: int) -> HolidaySchedule | None:
        """The year as the clerk entered it, with who and when; None if it was not entered."""
        rows = self.r.query("SELECT * FROM calendar_years WHERE year = ?", [year])
        if not rows:
            return None
        info = rows[0]
        first, last = dt.date(year, 1, 1).isoformat(), dt.date(year, 12, 31).isoformat()
        days = [
            ScheduledDay(dt.date.fromisoformat(row[0]), bool(row[1]), row[2], row[3])
            for row in self.r.db.execute(
                "SELECT day, is_workday, festival, note FROM calendar_overrides "
                "WHERE day BETWEEN ? AND ? ORDER BY day",
                [first, last],
            )
        ]
        entry = EntryInfo(
            info["entered_at"], info["entered_by"], info["origin"] or info["note"], info["title"]
        )
        schedule = HolidaySchedule.of(year, days, info["title"])
        return HolidaySchedule(schedule.year, schedule.days, schedule.title, entry)

    def days(self) -> list[tuple[dt.date, bool, str]]:
        return [
            (dt.date.fromisoformat(row[0]), bool(row[1]), row[2])
            for row in self.r.db.execute(
                "SELECT day, is_workday, note FROM calendar_overrides ORDER BY day"
            )
        ]

    def build_calendar(self) -> WorkdayCalendar:
        overrides = {day: workday for day, workday, _ in self.days()}
        return WorkdayCalendar(overrides, self.entered_years())
