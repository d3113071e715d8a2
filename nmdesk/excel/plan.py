"""The import plan: what each ledger row will do, shown to the clerk before the commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from nmdesk.errors import NmdeskError
from nmdesk.excel.reader import CellValue


class Verdict(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    ERROR = "error"

    @property
    def label(self) -> str:
        return {
            "new": "新增",
            "update": "更新",
            "unchanged": "无变化",
            "duplicate": "重复",
            "error": "错误",
        }[self.value]


class ImportCancelled(NmdeskError):
    def __init__(self) -> None:
        super().__init__("导入已取消，备案库未作任何改动")


class ImportRefused(NmdeskError):
    """Strict mode: the file has error rows, so nothing is imported."""


@dataclass
class RowIssue:
    column: str
    reason: str

    def __str__(self) -> str:
        return f"“{self.column}”列：{self.reason}" if self.column else self.reason


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class PlannedRow:
    row_number: int  # as Excel shows it (1-based)
    values: list[CellValue]
    verdict: Verdict = Verdict.NEW
    fields: dict[str, Any] = field(default_factory=dict)
    # (role id, person) in ledger order; a multi-holder role (operator) may appear repeatedly
    people: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    unit_name: str = ""
    account_id: int | None = None
    changes: list[Change] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    duplicate_of: int | None = None
    # What the clerk should see although the row imports (没有账号ID号).
    warnings: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        """What the preview and the error report say about this row."""
        if self.errors:
            return f"第 {self.row_number} 行 " + "；".join(str(issue) for issue in self.errors)
        if self.duplicate_of is not None:
            return f"与第 {self.duplicate_of} 行重复"
        parts = [f"{c.field}：{c.before or '（空）'} → {c.after}" for c in self.changes]
        return "；".join([*parts, *(f"注意：{w}" for w in self.warnings)])


@dataclass
class NewUnit:
    """A unit the import will create; the clerk reviews its kind before the commit.

    ``rows`` is how many rows open an account in it: 0 for a 上级单位 that only other
    units name, created so that the tree is whole."""

    name: str
    kind: str
    rows: int = 0
    parent: str = ""  # its 上级单位 by name ("" at the top), from the ledger
    kind_from_ledger: bool = False  # the ledger's 单位类别, not guessed from the name


@dataclass
class ImportPlan:
    source: Path
    sheet: str
    sha256: str
    header_row: int  # 0-based index into the grid
    headers: list[str]
    mapping: list[str]
    rows: list[PlannedRow]
    new_units: list[NewUnit]
    # Columns that look like a field but are not imported (``mapping.unmapped_warnings``).
    column_warnings: list[str] = field(default_factory=list)
    read_as: str = ""  # a CSV's detected encoding and delimiter (``SheetGrid.read_as``)
    # a CSV's blank unit cells filled with the unit above (``fill_down_text_units``)
    units_filled_down: list[int] = field(default_factory=list)

    def rows_without_id(self) -> list[PlannedRow]:
        return [row for row in self.rows if "没有账号ID号" in row.warnings]

    def warnings(self) -> list[str]:
        """Everything the clerk should read before importing: unmapped columns, a CSV's
        unit cells filled down, rows without a platform ID (their row numbers, the first
        ten)."""
        found = list(self.column_warnings)
        if self.units_filled_down:
            rows = _first_rows(self.units_filled_down)
            found.append(
                f"单位列有 {len(self.units_filled_down)} 个空格（第 {rows} 行）"
                "已按上一行的单位填入，如同合并单元格，请核对"
            )
        missing = self.rows_without_id()
        if missing:
            numbers = _first_rows([row.row_number for row in missing])
            found.append(f"{len(missing)} 个账号没有账号ID号（第 {numbers} 行）")
        return found

    def counts(self) -> dict[str, int]:
        result = {verdict.value: 0 for verdict in Verdict}
        for row in self.rows:
            result[row.verdict.value] += 1
        return result

    def summary(self) -> str:
        """新增 N，更新 N，重复 N，错误 N"""
        c = self.counts()
        return f"新增 {c['new']}，更新 {c['update']}，重复 {c['duplicate']}，错误 {c['error']}"

    def error_rows(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.verdict is Verdict.ERROR]


def _first_rows(numbers: list[int]) -> str:
    """ "3、5、8" for the first ten row numbers, then " 等 N" when there are more."""
    text = "、".join(str(number) for number in numbers[:10])
    return text + (f" 等 {len(numbers)}" if len(numbers) > 10 else "")


@dataclass
class ImportResult:
    created: list[int]
    updated: list[int]
    new_unit_ids: list[int]
    import_id: int | None
