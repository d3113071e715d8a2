"""Conversions between stored text and domain values."""

from __future__ import annotations

import datetime as dt


def date_or_none(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def iso_or_none(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
