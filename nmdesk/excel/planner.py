"""Planning a ledger's rows: read and normalise their cells, then match them to the register.

Every problem becomes a ``RowIssue`` naming the column as the ledger heads it,
with the reason in Chinese; nothing is written here. The pieces, each in its module:

- ``column_reader``: cells read a column at a time, each check once per distinct text;
- ``role_holders``: the role holders and their contacts;
- ``unit_tree``: the units the register lacks, their 上级单位 and kinds;
- ``matching``: a read row against the register's accounts (new, update, unchanged,
  duplicate).

``Planner`` reads the account's own columns and puts the pieces together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from nmdesk.excel import normalize
from nmdesk.excel.column_reader import ColumnReader, Outcome, Rows, value_or_issue
from nmdesk.excel.mapping import ROLE_LABELS, field_label
from nmdesk.excel.matching import Matcher
from nmdesk.excel.plan import NewUnit, PlannedRow, RowIssue, Verdict
from nmdesk.excel.reader import CellValue, display
from nmdesk.excel.role_holders import HolderReader, RoleColumns
from nmdesk.excel.unit_tree import UnitTree

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

_TOTAL_WORDS = ("合计", "总计", "小计", "共计")
_TEXT_FIELDS = ("account_type", "platform_id", "purpose", "note")  # name: checked with the unit


def is_total_row(values: Sequence[CellValue]) -> bool:
    """A 合计 / 总计 … row under the accounts (its first filled cell says so)."""
    for cell in values:
        shown = display(cell).replace(" ", "").replace("\u3000", "")
        if shown:
            return shown.startswith(_TOTAL_WORDS)
    return False


def _platform(known: list[str], aliases: dict[str, str], value: CellValue) -> tuple[str, str]:
    return normalize.platform(value, known, aliases)


def _partial_date(column: str, value: CellValue) -> Any:
    return normalize.partial_date(value, column)


def _last_post(column: str, value: CellValue) -> dt.date | None:
    """A last-post date; a ledger that gives only 2026年10月 (or a year) counts the
    period's last day, so an account is never called inactive earlier than it is."""
    partial_date = normalize.partial_date(value, column)
    if partial_date is None:
        return None
    if partial_date.day is not None:
        return dt.date(partial_date.year, partial_date.month or 1, partial_date.day)
    if partial_date.month is None:
        return dt.date(partial_date.year, 12, 31)
    after = dt.date(partial_date.year + partial_date.month // 12, partial_date.month % 12 + 1, 1)
    return after - dt.timedelta(days=1)


class _AccountColumns(NamedTuple):
    """The account's own columns of a chunk of rows, read and checked (``Planner._columns``):
    text, outcomes (see ``column_reader``) and the text rules' issues, one entry per row."""

    units: list[str]
    unit_issues: list[str | None]
    parents: list[Any]
    parent_issues: list[str | None]
    kinds: list[Outcome | None]
    names: list[str]
    name_issues: list[str | None]
    platforms: list[Outcome | None]
    account_types: list[Any]
    platform_ids: list[Any]
    id_issues: list[str | None]
    serials: list[str]
    purposes: list[Any]
    purpose_issues: list[str | None]
    notes: list[Any]
    note_issues: list[str | None]
    opened: list[Outcome | None]
    levels: list[Outcome | None]
    statuses: list[Outcome | None]
    last_posts: list[Outcome | None]
    people: list[RoleColumns]


class Planner:
    def __init__(self, register: Register, headers: list[str], columns: list[str]) -> None:
        self.r = register
        self.headers = headers
        self.columns = columns
        self.profile = register.profile
        self.platforms = register.accounts.platforms()
        self.reader = ColumnReader(headers, columns, self.profile.text_limits)
        self.holders = HolderReader(self.reader)
        self.tree = UnitTree(self.profile, self.reader.label)
        level_column = headers[columns.index("level")] if "level" in columns else ""
        self.matcher = Matcher(register, level_column, self.tree)

    @property
    def new_units(self) -> dict[str, NewUnit]:
        """The units the matched rows open accounts in and the register lacks."""
        return self.tree.new_units

    def plan_row(
        self, row_index: int, values: Sequence[CellValue], formulas: dict[tuple[int, int], bool]
    ) -> PlannedRow:
        """Read one row and match it to the register."""
        row = self.read_row(row_index, values, formulas)
        if row.verdict is not Verdict.ERROR:
            self.match(row)
        return row

    def prefetch(self, rows: Sequence[PlannedRow]) -> None:
        """What the read rows name in the register, in a few queries (``Matcher.prefetch``)."""
        self.matcher.prefetch(rows)

    def plan_units(self, rows: Sequence[PlannedRow]) -> None:
        """The unit tree the ledger describes, for the units the register lacks
        (``UnitTree.plan``)."""
        self.tree.plan(rows, self.matcher.unit_id)

    def units_to_create(self) -> list[NewUnit]:
        """The new units the commit creates, each after its 上级单位."""
        return self.tree.units_to_create()

    def match(self, row: PlannedRow) -> None:
        """Give a read row without errors its verdict against the register and the file."""
        self.matcher.match(row)

    def read_row(
        self, row_index: int, values: Sequence[CellValue], formulas: dict[tuple[int, int], bool]
    ) -> PlannedRow:
        """Read and check one row's cells (verdict ERROR when any is wrong); no matching."""
        return self.read_rows([(row_index, values)], formulas)[0]

    def read_rows(self, rows: Rows, formulas: dict[tuple[int, int], bool]) -> list[PlannedRow]:
        """``read_row`` for many (grid row index, values) pairs, column by column.

        Each column is normalised and checked in one pass, and a check is made once per
        distinct cell text (a ledger repeats units, platforms, levels, dates and phones
        down the sheet; every check is a function of the cell alone); then each row is
        assembled with its errors in the order the columns are checked: formulas, unit
        (its 上级单位 and 单位类别), name, platform, opened, level, status, then each
        role's phones, email and name."""
        return self._assemble(rows, formulas, self._columns(rows))

    def _columns(self, rows: Rows) -> _AccountColumns:
        """Every mapped column of these rows read and checked, once per distinct text."""
        reader = self.reader
        column, text, has = reader.column, reader.texts, reader.index
        blanks: list[Any] = [None] * len(rows)

        def mapped(key: str, func: Any) -> list[Any]:
            return reader.mapped(key, column(rows, key), func) if key in has else blanks

        def checked(key: str, check: Any) -> list[Outcome | None]:
            """Checked only where the cell shows some text."""
            if key not in has:
                return blanks
            cells = column(rows, key)
            return reader.outcomes(key, cells, check, only=text(cells))

        units = text(column(rows, "unit"))
        parents = text(column(rows, "unit_parent")) if "unit_parent" in has else blanks
        names = text(column(rows, "name"))
        platform_ids = mapped("platform_id", normalize.identifier)
        purposes = mapped("purpose", normalize.long_text)
        notes = mapped("note", normalize.long_text)
        last_label = reader.label("last_post_on")
        issues = reader.issues
        return _AccountColumns(
            units=units,
            unit_issues=issues("units", "name", units),
            parents=parents,
            parent_issues=issues("units", "name", parents) if "unit_parent" in has else blanks,
            kinds=checked("unit_kind", partial(normalize.unit_kind, profile=self.profile)),
            names=names,
            name_issues=issues("accounts", "name", names),
            platforms=reader.outcomes(
                "platform",
                column(rows, "platform"),
                partial(_platform, self.platforms, self.profile.platform_aliases),
            ),
            account_types=text(column(rows, "account_type")) if "account_type" in has else blanks,
            platform_ids=platform_ids,
            id_issues=issues("accounts", "platform_id", platform_ids),
            serials=text(column(rows, "serial_no")),
            purposes=purposes,
            purpose_issues=issues("accounts", "purpose", purposes),
            notes=notes,
            note_issues=issues("accounts", "note", notes),
            opened=reader.outcomes(
                "opened_on",
                column(rows, "opened_on"),
                partial(_partial_date, reader.label("opened_on")),
            ),
            levels=checked("level", partial(normalize.level, profile=self.profile)),
            statuses=checked("status", normalize.status),
            last_posts=(
                reader.outcomes(
                    "last_post_on", column(rows, "last_post_on"), partial(_last_post, last_label)
                )
                if "last_post_on" in has
                else blanks
            ),
            people=[
                self.holders.role_columns(role, rows)
                for role in ROLE_LABELS
                if f"{role}.name" in has
            ],
        )

    def _assemble(
        self, rows: Rows, formulas: dict[tuple[int, int], bool], c: _AccountColumns
    ) -> list[PlannedRow]:
        """Each row from its checked columns, with its errors in the columns' order."""
        label = self.reader.label
        unit_label, name_label = label("unit"), label("name")
        parent_label, kind_label = label("unit_parent"), label("unit_kind")
        platform_label, opened_label = label("platform"), label("opened_on")
        level_label, status_label = label("level"), label("status")
        last_label = label("last_post_on")
        text_labels = [label(key) for key in _TEXT_FIELDS]
        type_issue, read_person = self.reader.issue, self.holders.read_person
        planned: list[PlannedRow] = []
        for i, (row_index, values) in enumerate(rows):
            row = PlannedRow(row_number=row_index + 1, values=list(values))
            errors = row.errors
            if formulas:
                self._formula_errors(row, row_index, formulas)
            unit = row.unit_name = c.units[i]
            if not unit:
                errors.append(RowIssue(unit_label, "为必填项"))
            elif issue := c.unit_issues[i]:
                errors.append(RowIssue(unit_label, issue))
            parent = c.parents[i] or ""
            if parent and parent == unit:
                errors.append(RowIssue(parent_label, "不能是开设单位自己"))
            elif issue := c.parent_issues[i]:
                errors.append(RowIssue(parent_label, issue))
            unit_kind = value_or_issue(c.kinds[i], errors, kind_label)
            name = c.names[i]
            if not name:
                errors.append(RowIssue(name_label, "为必填项"))
            elif issue := c.name_issues[i]:
                errors.append(RowIssue(name_label, issue))
            # a platform cell may say the type too (订阅号: 微信, 订阅号)
            platform, implied_type = value_or_issue(c.platforms[i], errors, platform_label) or (
                None,
                "",
            )
            account_type = c.account_types[i] or implied_type or c.account_types[i]
            row.fields = {
                "name": name,
                "platform": platform,
                "account_type": account_type,
                "platform_id": c.platform_ids[i],
                "serial_no": c.serials[i],
                "purpose": c.purposes[i],
                "note": c.notes[i],
                "opened_on": value_or_issue(c.opened[i], errors, opened_label),
                "level": value_or_issue(c.levels[i], errors, level_label),
                "status": value_or_issue(c.statuses[i], errors, status_label),
                "last_post_on": value_or_issue(c.last_posts[i], errors, last_label),
                "unit_parent": parent,
                "unit_kind": unit_kind,
            }
            # the text rules of _TEXT_FIELDS, in their order
            text_found = (
                type_issue("accounts", "account_type", account_type),
                c.id_issues[i],
                c.purpose_issues[i],
                c.note_issues[i],
            )
            if any(text_found):
                for text_label, issue in zip(text_labels, text_found, strict=True):
                    if issue:
                        errors.append(RowIssue(text_label, issue))
            for role_columns in c.people:
                read_person(row, i, role_columns)
            if errors:
                row.verdict = Verdict.ERROR
            planned.append(row)
        return planned

    def _formula_errors(
        self, row: PlannedRow, row_index: int, formulas: dict[tuple[int, int], bool]
    ) -> None:
        for column, key in enumerate(self.columns):
            if key and formulas.get((row_index, column)) is False:
                row.errors.append(
                    RowIssue(
                        self.headers[column] or field_label(key),
                        "公式没有计算结果（不会计算公式），请改为直接填写值，"
                        "或在 Excel 中打开并保存后再导入",
                    )
                )
