"""A ledger's cells read a column at a time, each check made once per distinct cell text.

A ledger repeats units, platforms, levels, dates and phones down the sheet, and every
check of a cell is a function of the cell alone, so ``ColumnReader`` remembers each
check's result per field and cell text. A check that may refuse a cell gives an
*outcome*: ``(True, value)`` or ``(False, the NmdeskError raised)``, which
``value_or_issue`` turns into the value or the row's ``RowIssue``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from operator import itemgetter
from typing import Any

from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.excel import normalize
from nmdesk.excel.mapping import field_label
from nmdesk.excel.plan import RowIssue
from nmdesk.excel.reader import CellValue
from nmdesk.text_rules import field_issue

Outcome = tuple[bool, Any]
Rows = Sequence[tuple[int, Sequence[CellValue]]]  # (grid row index, the row's values)

_MISSING = object()
_SECOND = itemgetter(1)


def cell_key(value: CellValue) -> Any:
    """A cell's value as a key for remembered checks: text only (1, 1.0 and True are equal
    keys but read differently); None: not remembered."""
    return value if value.__class__ is str else None


def outcome(check: Callable[..., Any], *args: Any) -> Outcome:
    """``check(*args)`` as an outcome: (True, its value) or (False, the NmdeskError)."""
    try:
        return True, check(*args)
    except NmdeskError as error:
        return False, error


def value_or_issue(found: Outcome | None, errors: list[RowIssue], column: str) -> Any:
    """The checked value, or None with the error added as the row's issue in ``column``
    (a ValidationError without a column names its own field)."""
    if found is None:
        return None
    ok, result = found
    if ok:
        return result
    if isinstance(result, ValidationError):
        errors.append(RowIssue(column or result.field, result.reason))
    else:
        errors.append(RowIssue(column, str(result)))
    return None


class ColumnReader:
    """The ledger's columns (field key per column) and the checks already made on them."""

    def __init__(self, headers: list[str], columns: list[str], limits: dict[str, int]) -> None:
        self.headers = headers
        self.columns = columns
        self.limits = limits
        self.index: dict[str, int] = {}  # field key → its first column
        for index, key in enumerate(columns):
            self.index.setdefault(key, index)
        self._labels = {
            key: headers[index] or field_label(key) for key, index in self.index.items()
        }
        # results of checks already made on the same cell text, per field
        self.memo: dict[str, dict[Any, Any]] = defaultdict(dict)

    def label(self, key: str) -> str:
        """The field's column as the ledger heads it ("" when no column is mapped to it)."""
        return self._labels.get(key, "")

    def column(self, rows: Rows, key: str) -> list[Any]:
        """A field's cells down the rows; "" where no column is mapped or a row is short."""
        index = self.index.get(key, -1)
        if index < 0:
            return [""] * len(rows)
        cells = list(map(_SECOND, rows))
        if index < min(map(len, cells), default=0):  # every row reaches it (the usual case)
            return list(map(itemgetter(index), cells))
        return [values[index] if index < len(values) else "" for values in cells]

    def texts(self, cells: list[CellValue]) -> list[str]:
        """``normalize.text`` of each cell."""
        return self.mapped("text", cells, normalize.text)

    def issues(self, table: str, field: str, values: list[Any]) -> list[str | None]:
        """``field_issue`` (the text rules: length, control characters) of each value, once
        per distinct text."""
        return self.mapped(
            f"{table}.{field} issue", values, partial(field_issue, self.limits, table, field)
        )

    def issue(self, table: str, field: str, value: Any) -> str | None:
        """``field_issue`` of one value, remembered as ``issues`` remembers it."""
        memo = self.memo[f"{table}.{field} issue"]
        if value.__class__ is str:
            found = memo.get(value, _MISSING)
            if found is _MISSING:
                found = memo[value] = field_issue(self.limits, table, field, value)
            return found  # type: ignore[no-any-return]
        return field_issue(self.limits, table, field, value)

    def mapped(self, name: str, cells: list[CellValue], func: Callable[[Any], Any]) -> list[Any]:
        """``func`` (which never raises a user's error) of each cell, once per distinct text."""
        memo = self.memo[name]
        out = []
        for value in cells:
            if value.__class__ is str:
                found = memo.get(value, _MISSING)
                if found is _MISSING:
                    found = memo[value] = func(value)
                out.append(found)
            else:
                out.append(func(value))
        return out

    def outcomes(
        self,
        name: str,
        cells: list[CellValue],
        check: Callable[[Any], Any],
        only: list[str] | None = None,
    ) -> list[Outcome | None]:
        """The outcome of ``check`` on each cell, once per distinct text (1, 1.0 and True
        are equal keys but read differently: only text is remembered); None for a cell
        whose ``only`` entry is empty."""
        memo = self.memo[name]
        out: list[Outcome | None] = []
        for index, value in enumerate(cells):
            if only is not None and not only[index]:
                out.append(None)
                continue
            key = cell_key(value)
            found = memo.get(key) if key is not None else None
            if found is None:
                found = outcome(check, value)
                if key is not None:
                    memo[key] = found
            out.append(found)
        return out
