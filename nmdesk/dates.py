"""Dates as clerks write them: a full day, or only a month, or only a year.

An opening date on paper is often ``2019年3月`` or just ``2017年``; the register
keeps the precision it was given instead of inventing a day. A partial date is
stored as ISO text of its precision: ``2019``, ``2019-03`` or ``2019-03-01``,
which also sorts correctly as text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from nmdesk.errors import ValidationError


def deadline_text(day: dt.date | str) -> str:
    """How every deadline reads, on screen, on paper and in the CLI: the last day
    counts ("须于 2026-10-10 前" could be read as "by the 9th")."""
    text = day if isinstance(day, str) else day.isoformat()
    return f"截止 {text}（含当日）"


class Precision(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    def iso(self) -> str:
        """The storage form: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def chinese(self) -> str:
        """The form printed on sheets: ``2019年``, ``2019年3月`` or ``2019年3月1日``."""
        if self.month is None:
            return f"{self.year}年"
        if self.day is None:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年{self.month}月{self.day}日"

    def first_day(self) -> dt.date:
        """The earliest day the date can mean, for comparisons and sorting."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        return self.iso()


_SEPARATED = re.compile(
    r"^\s*(\d{4})\s*(?:[年./\-]\s*(\d{1,2})\s*(?:[月./\-]\s*(\d{1,2})\s*日?)?\s*月?)?\s*年?\s*$"
)
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})?\s*$")


def parse_partial_date(text: str, field: str = "日期") -> PartialDate:
    """Read a date the way clerks type it, keeping its precision.

    Accepts ``2019``, ``2017年``, ``2019年3月``, ``2019.03``, ``2020/10``, ``2016-9-1``,
    ``2019年3月1日``, ``20190301`` and ISO forms. Raises ValidationError naming
    ``field`` for anything else, including impossible dates like ``2015-13-40``.
    """
    raw = (text or "").strip()
    if not raw:
        raise ValidationError(field, "不能为空")
    match = _SEPARATED.match(raw) or _COMPACT.match(raw)
    if not match:
        raise ValidationError(
            field, f"“{raw}”不是可识别的日期，应写作 2019-03-01、2019年3月 或 2019年"
        )
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if not 1900 <= year <= 2100:
        raise ValidationError(field, f"年份 {year} 超出范围（1900–2100）")
    if month is not None and not 1 <= month <= 12:
        raise ValidationError(field, f"“{raw}”中的月份 {month} 不存在")
    if month is not None and day is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            raise ValidationError(field, f"“{raw}”不是真实存在的日期") from None
    return PartialDate(year, month, day)


def parse_day(text: str, field: str = "日期") -> dt.date:
    """Read a date that must be exact to the day."""
    partial = parse_partial_date(text, field)
    if partial.precision is not Precision.DAY:
        raise ValidationError(field, "须精确到日，例如 2026-03-01")
    return partial.first_day()


def partial_from_iso(text: str | None) -> PartialDate | None:
    """Read the storage form back; None for an empty value."""
    if not text:
        return None
    parts = [int(p) for p in text.split("-")]
    return PartialDate(*parts)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the month's last day where it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(candidate, day.day))
        except ValueError:
            continue
    return dt.date(year, month, 28)


def today() -> dt.date:
    """Today's date. One place, so that tests and the demo can reason about it."""
    return dt.date.today()
