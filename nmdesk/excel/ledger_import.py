"""Importing an office's ledger: a plan the clerk previews, then one commit.

``plan_import`` reads the sheet, finds the header row, maps the columns,
normalises every row and gives it a verdict: new, update (with the field
changes), unchanged, duplicate within the file, or error (row, column and a
Chinese reason). Nothing is written while planning.

``commit_import`` writes the plan in one transaction through the store:
new units first (the clerk reviewed them and their kinds), then accounts
(status 运行中, since they already exist) and their role holders, then one
``imports`` row naming the source file. A cancel or any failure rolls the
whole transaction back, so the register stays byte-for-byte as it was.
Re-importing the same file finds every row unchanged and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.excel import normalize
from nmdesk.excel.mapping import (
    ACCOUNT_FIELDS,
    ROLE_LABELS,
    apply_saved,
    auto_mapping,
    detect_header_row,
    field_label,
    headers_of,
    is_blank_row,
)
from nmdesk.excel.reader import CellValue, ExcelFileError, SheetGrid, display, read_sheet
from nmdesk.models import Account, AccountStatus, Person, PersonKind, Unit
from nmdesk.validation import normalize_email

if TYPE_CHECKING:
    from nmdesk.store.register import Register

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

_TOTAL_WORDS = ("合计", "总计", "小计", "共计")
_UNIT_KIND_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("学生会", "研究生会", "学生联合会", "学生组织"), "student_org"),
    (("协会", "社团", "俱乐部", "社"), "student_club"),
    (("校友",), "alumni_org"),
    (("团委", "工会", "妇委会", "群团"), "mass_org"),
    (("研究院", "研究所", "实验室", "研究中心"), "research_institute"),
    (("学院", "书院", "系"), "college"),
    (("党委", "纪委", "组织部", "宣传部", "统战部"), "party_office"),
    (("图书馆", "医院", "出版社", "档案馆", "博物馆"), "support_unit"),
    (("处", "办公室", "部", "中心"), "admin_dept"),
)
# Account fields compared with the register to decide "update"; unit is compared by name.
_COMPARED = ("account_type", "name", "platform_id", "purpose", "opened_on", "level", "note")


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
    people: dict[str, dict[str, str]] = field(default_factory=dict)
    unit_name: str = ""
    account_id: int | None = None
    changes: list[Change] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    duplicate_of: int | None = None

    @property
    def reason(self) -> str:
        """What the preview and the error report say about this row."""
        if self.errors:
            return f"第 {self.row_number} 行 " + "；".join(str(issue) for issue in self.errors)
        if self.duplicate_of is not None:
            return f"与第 {self.duplicate_of} 行重复"
        if self.changes:
            return "；".join(f"{c.field}：{c.before or '（空）'} → {c.after}" for c in self.changes)
        return ""


@dataclass
class NewUnit:
    """A unit the import will create; the clerk reviews its kind before the commit."""

    name: str
    kind: str
    rows: int = 0


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


@dataclass
class ImportResult:
    created: list[int]
    updated: list[int]
    new_unit_ids: list[int]
    import_id: int | None


def guess_unit_kind(name: str, kinds: Sequence[str]) -> str:
    """A likely unit kind from its name (学院 → college …), among the profile's kinds."""
    for words, kind in _UNIT_KIND_HINTS:
        if kind in kinds and any(word in name for word in words):
            return kind
    for fallback in ("admin_dept", "college"):
        if fallback in kinds:
            return fallback
    return kinds[0]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- planning ------------------------------------------------------------------------


def read_ledger(path: str | Path, sheet: str | None = None) -> tuple[SheetGrid, int]:
    """The sheet and the index of its header row."""
    grid = read_sheet(path, sheet)
    header_row = detect_header_row(grid.rows)
    if header_row is None:
        raise ExcelFileError(
            f"在工作表“{grid.name}”的前 30 行中找不到表头（应有“账号名称”“开设平台”等列名）"
        )
    return grid, header_row


def plan_import(
    register: Register,
    path: str | Path,
    *,
    sheet: str | None = None,
    mapping: Sequence[str] | dict[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read and check a ledger without writing anything.

    ``mapping`` is a list of field keys per column (from the wizard) or a saved
    mapping (header text → key); by default the synonym table decides.
    """
    path = Path(path)
    grid, header_row = read_ledger(path, sheet)
    headers = headers_of(grid.rows, header_row)
    if mapping is None:
        columns = auto_mapping(headers)
    elif isinstance(mapping, dict):
        columns = apply_saved(headers, mapping)
    else:
        columns = list(mapping) + [""] * (len(headers) - len(mapping))
    missing = [ACCOUNT_FIELDS[key] for key in ("name", "platform", "unit") if key not in columns]
    if missing:
        raise ValidationError("列对应", f"没有对应到“{'、'.join(missing)}”的列，请在列对应中指定")
    planner = _Planner(register, headers, columns)
    rows: list[PlannedRow] = []
    data = grid.rows[header_row + 1 :]
    for offset, values in enumerate(data):
        row_index = header_row + 1 + offset
        if progress is not None and offset % 200 == 0:
            progress(offset, len(data))
        if is_blank_row(values) or _is_total_row(values):
            continue
        rows.append(planner.plan_row(row_index, values, grid.formulas))
    if progress is not None:
        progress(len(data), len(data))
    return ImportPlan(
        source=path,
        sheet=grid.name,
        sha256=file_sha256(path),
        header_row=header_row,
        headers=headers,
        mapping=columns,
        rows=rows,
        new_units=list(planner.new_units.values()),
    )


def _is_total_row(values: Sequence[CellValue]) -> bool:
    for cell in values:
        shown = display(cell).replace(" ", "").replace("\u3000", "")
        if shown:
            return shown.startswith(_TOTAL_WORDS)
    return False


class _Planner:
    def __init__(self, register: Register, headers: list[str], columns: list[str]) -> None:
        self.r = register
        self.headers = headers
        self.columns = columns
        self.profile = register.profile
        self.platforms = register.accounts.platforms()
        self.unit_kinds = list(self.profile.unit_kinds)
        self.new_units: dict[str, NewUnit] = {}
        self.seen: dict[tuple[str, ...], int] = {}

    def _cell(self, values: Sequence[CellValue], key: str) -> tuple[CellValue, str, int]:
        try:
            index = self.columns.index(key)
        except ValueError:
            return "", "", -1
        value = values[index] if index < len(values) else ""
        return value, self.headers[index] or field_label(key), index

    def plan_row(
        self, row_index: int, values: Sequence[CellValue], formulas: dict[tuple[int, int], bool]
    ) -> PlannedRow:
        row = PlannedRow(row_number=row_index + 1, values=list(values))
        for column, key in enumerate(self.columns):
            if key and formulas.get((row_index, column)) is False:
                row.errors.append(
                    RowIssue(
                        self.headers[column] or field_label(key),
                        "公式没有计算结果（不会计算公式），请改为直接填写值，"
                        "或在 Excel 中打开并保存后再导入",
                    )
                )
        self._read_account(row, values)
        self._read_people(row, values)
        if row.errors:
            row.verdict = Verdict.ERROR
            return row
        self._match(row)
        return row

    def _guard(self, row: PlannedRow, column: str, func: Callable[[], Any]) -> Any:
        try:
            return func()
        except ValidationError as error:
            row.errors.append(RowIssue(column or error.field, error.reason))
        except NmdeskError as error:
            row.errors.append(RowIssue(column, str(error)))
        return None

    def _read_account(self, row: PlannedRow, values: Sequence[CellValue]) -> None:
        f = row.fields
        value, column, _ = self._cell(values, "unit")
        row.unit_name = normalize.text(value)
        if not row.unit_name:
            row.errors.append(RowIssue(column, "为必填项"))
        elif len(row.unit_name) > 200:
            row.errors.append(RowIssue(column, "过长，最多 200 字"))
        value, column, _ = self._cell(values, "name")
        f["name"] = normalize.text(value)
        if not f["name"]:
            row.errors.append(RowIssue(column, "为必填项"))
        elif len(f["name"]) > 100:
            row.errors.append(RowIssue(column, f"过长（{len(f['name'])} 字），最多 100 字"))
        value, column, _ = self._cell(values, "platform")
        f["platform"] = self._guard(row, column, lambda: normalize.platform(value, self.platforms))
        value, _, index = self._cell(values, "account_type")
        f["account_type"] = normalize.text(value) if index >= 0 else None
        value, _, index = self._cell(values, "platform_id")
        f["platform_id"] = normalize.identifier(value) if index >= 0 else None
        value, _, index = self._cell(values, "serial_no")
        f["serial_no"] = normalize.text(value)
        for key in ("purpose", "note"):
            value, _, index = self._cell(values, key)
            f[key] = normalize.long_text(value) if index >= 0 else None
        value, column, index = self._cell(values, "opened_on")
        f["opened_on"] = self._guard(row, column, lambda: normalize.partial_date(value, column))
        value, column, index = self._cell(values, "level")
        if index >= 0 and normalize.text(value):
            f["level"] = self._guard(row, column, lambda: normalize.level(value, self.profile))
        else:
            f["level"] = None
        value, column, index = self._cell(values, "status")
        if index >= 0 and normalize.text(value):
            f["status"] = self._guard(row, column, lambda: normalize.status(value))
        else:
            f["status"] = None

    def _read_people(self, row: PlannedRow, values: Sequence[CellValue]) -> None:
        for role, role_label in ROLE_LABELS.items():
            if f"{role}.name" not in self.columns:
                continue
            name_value, _, _ = self._cell(values, f"{role}.name")
            name = normalize.text(name_value)
            person = {"name": name}
            title, _, _ = self._cell(values, f"{role}.title")
            person["title"] = normalize.text(title)
            mobile, mobile_col, _ = self._cell(values, f"{role}.mobile")
            office, office_col, _ = self._cell(values, f"{role}.office_phone")
            generic, generic_col, _ = self._cell(values, f"{role}.phone")
            email, email_col, _ = self._cell(values, f"{role}.email")
            columns = (mobile_col, office_col, generic_col)
            phone_pair = self._guard(
                row, "", partial(normalize.phones, mobile, office, generic, columns)
            )
            person["mobile"], person["office_phone"] = phone_pair or ("", "")
            email_text = normalize.text(email)
            person["email"] = self._guard(row, "", partial(normalize_email, email_text, email_col))
            person["email"] = person["email"] or ""
            if name:
                if len(name) > 50:
                    row.errors.append(RowIssue(role_label, "姓名过长，最多 50 字"))
                row.people[role] = person
            elif any(person[k] for k in ("title", "mobile", "office_phone", "email")):
                row.errors.append(RowIssue(role_label, "填写了联系方式但没有填写姓名"))

    # -- matching ----------------------------------------------------------------------

    def _unit_id(self, row: PlannedRow) -> int | None:
        unit = self.r.units.find_by_name(row.unit_name)
        if unit is not None:
            return unit.id
        if row.unit_name not in self.new_units:
            self.new_units[row.unit_name] = NewUnit(
                row.unit_name, guess_unit_kind(row.unit_name, self.unit_kinds)
            )
        return None

    def _match(self, row: PlannedRow) -> None:
        f = row.fields
        unit_id = self._unit_id(row)
        level = f["level"]
        if level is not None and self.profile.level(level).requires_parent_unit:
            parent = self.r.units.get(unit_id).parent_id if unit_id is not None else None
            if parent is None:
                row.errors.append(
                    RowIssue(
                        self.headers[self.columns.index("level")],
                        f"{self.profile.level(level).name}须由有上级单位的机构开设，请先在单位树中为"
                        f"“{row.unit_name}”指定上级单位",
                    )
                )
                row.verdict = Verdict.ERROR
                return
        if f["platform_id"]:
            key: tuple[str, ...] = ("id", f["platform"], f["platform_id"])
        else:
            key = ("name", f["platform"], f["name"], row.unit_name)
        if key in self.seen:
            row.verdict = Verdict.DUPLICATE
            row.duplicate_of = self.seen[key]
            return
        self.seen[key] = row.row_number
        if row.unit_name in self.new_units:
            self.new_units[row.unit_name].rows += 1
        existing = None
        if f["platform_id"]:
            existing = self.r.accounts.by_platform_id(f["platform"], f["platform_id"])
        if existing is None and f["serial_no"]:
            found = self.r.excel.find_account_by_serial(f["serial_no"])
            if (
                found is not None
                and found.platform == f["platform"]
                and (not f["platform_id"] or not found.platform_id)
            ):
                existing = found
        if existing is None and not f["platform_id"] and unit_id is not None:
            account_id = self.r.excel.find_account_by_name(f["platform"], f["name"], unit_id)
            existing = self.r.accounts.get(account_id) if account_id is not None else None
        if existing is None:
            row.verdict = Verdict.NEW
            return
        row.account_id = existing.id
        row.changes = self._changes(row, existing, unit_id)
        row.verdict = Verdict.UPDATE if row.changes else Verdict.UNCHANGED

    def _changes(self, row: PlannedRow, existing: Account, unit_id: int | None) -> list[Change]:
        changes: list[Change] = []
        f = row.fields
        labels = {
            "opened_on": "开设时间",
            "level": "账号级别",
            "account_type": "账号类型",
            "name": "账号名称",
            "platform_id": "账号ID号",
            "purpose": "账号主要用途",
            "note": "备注",
        }
        for key in _COMPARED:
            new = f.get(key)
            if new is None or new == "":
                continue  # a blank cell never clears what the register holds
            old = getattr(existing, key)
            if key == "level":
                if new != old:
                    changes.append(
                        Change(
                            labels[key], self.profile.level(old).name, self.profile.level(new).name
                        )
                    )
            elif key == "opened_on":
                if old != new:
                    changes.append(Change(labels[key], old.chinese() if old else "", new.chinese()))
            elif str(old or "") != str(new):
                changes.append(Change(labels[key], str(old or ""), str(new)))
        if unit_id != existing.unit_id:
            changes.append(
                Change("账号开设单位", self.r.units.get(existing.unit_id).name, row.unit_name)
            )
        assert existing.id is not None
        holders = self.r.excel.current_holders(existing.id)
        for role, person in row.people.items():
            current = holders.get(role)
            if current is None or current["name"] != person["name"]:
                changes.append(
                    Change(ROLE_LABELS[role], current["name"] if current else "", person["name"])
                )
        return changes


# -- committing ----------------------------------------------------------------------


def commit_import(
    register: Register,
    plan: ImportPlan,
    *,
    skip_errors: bool = True,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Write the plan's new and changed rows in one transaction.

    With ``skip_errors=False`` a plan with any error row is refused as a whole.
    Raises ImportCancelled when ``cancelled()`` turns true; the transaction is
    rolled back, as it is on any other failure.
    """
    errors = plan.error_rows()
    if errors and not skip_errors:
        raise ImportRefused(
            f"{plan.source.name} 中有 {len(errors)} 行错误（首个：{errors[0].reason}），"
            "已按要求拒绝整个文件，备案库未作任何改动"
        )
    todo = [row for row in plan.rows if row.verdict in (Verdict.NEW, Verdict.UPDATE)]
    if not todo:
        return ImportResult([], [], [], None)
    today = today or dt.date.today()
    created: list[int] = []
    updated: list[int] = []
    unit_ids: dict[str, int] = {}
    new_unit_ids: list[int] = []
    kinds = {unit.name: unit.kind for unit in plan.new_units}
    total = len(todo)
    with register.transaction():
        for done, row in enumerate(todo):
            if cancelled is not None and cancelled():
                raise ImportCancelled()
            unit_id = unit_ids.get(row.unit_name)
            if unit_id is None:
                unit = register.units.find_by_name(row.unit_name)
                if unit is None:
                    kind = kinds.get(row.unit_name) or guess_unit_kind(
                        row.unit_name, list(register.profile.unit_kinds)
                    )
                    unit_id = register.units.add(Unit(None, row.unit_name, kind))
                    new_unit_ids.append(unit_id)
                else:
                    assert unit.id is not None
                    unit_id = unit.id
                unit_ids[row.unit_name] = unit_id
            if row.verdict is Verdict.NEW:
                created.append(_create(register, row, unit_id, today))
            else:
                _update(register, row, unit_id, today)
                assert row.account_id is not None
                updated.append(row.account_id)
            if progress is not None:
                progress(done + 1, total)
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        counts = plan.counts()
        register.excel.record_import(
            plan.source.name,
            sheet=plan.sheet,
            sha256=plan.sha256,
            counts=counts,
            new_units=[register.units.get(uid).name for uid in new_unit_ids],
        )
        import_id = int(register.scalar("SELECT max(id) FROM imports"))
    return ImportResult(created, updated, new_unit_ids, import_id)


def _create(register: Register, row: PlannedRow, unit_id: int, today: dt.date) -> int:
    f = row.fields
    default_level = (
        2
        if any(lv.level == 2 for lv in register.profile.levels)
        else register.profile.levels[0].level
    )
    account = Account(
        id=None,
        platform=f["platform"],
        account_type=f["account_type"] or "",
        name=f["name"],
        unit_id=unit_id,
        level=f["level"] or default_level,
        platform_id=f["platform_id"] or "",
        purpose=f["purpose"] or "",
        opened_on=f["opened_on"],
        status=f["status"] or AccountStatus.RUNNING,
        note=f["note"] or "",
    )
    account_id = register.accounts.create(account)
    for role, person in row.people.items():
        person_id = _person_id(register, person, unit_id)
        register.accounts.assign_role(account_id, role, person_id, today, file_change=False)
    return account_id


def _update(register: Register, row: PlannedRow, unit_id: int, today: dt.date) -> None:
    assert row.account_id is not None
    f = row.fields
    existing = register.accounts.get(row.account_id)
    changes: dict[str, Any] = {}
    for key in _COMPARED:
        new = f.get(key)
        if new is not None and new != "" and getattr(existing, key) != new:
            changes[key] = new
    if unit_id != existing.unit_id:
        changes["unit_id"] = unit_id
    if changes:
        register.accounts.update(row.account_id, changes, event_on=today, note="台账导入")
    holders = register.excel.current_holders(row.account_id)
    for role, person in row.people.items():
        current = holders.get(role)
        if current is None or current["name"] != person["name"]:
            person_id = _person_id(register, person, unit_id)
            register.accounts.assign_role(row.account_id, role, person_id, today)


def _person_id(register: Register, person: dict[str, str], unit_id: int) -> int:
    """The person of that name in the unit, or a new staff member with the ledger's contacts."""
    found = register.people.find(person["name"], unit_id)
    if found:
        assert found[0].id is not None
        return found[0].id
    return register.people.add(
        Person(
            id=None,
            name=person["name"],
            kind=PersonKind.STAFF,
            unit_id=unit_id,
            title=person.get("title", ""),
            office_phone=person.get("office_phone", ""),
            mobile=person.get("mobile", ""),
            email=person.get("email", ""),
        )
    )


def import_file(
    register: Register,
    path: str | Path,
    *,
    sheet: str | None = None,
    mapping: Sequence[str] | dict[str, str] | None = None,
    skip_errors: bool = True,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> tuple[ImportPlan, ImportResult]:
    """Plan and commit in one call (the CLI and tests)."""
    plan = plan_import(register, path, sheet=sheet, mapping=mapping)
    return plan, commit_import(
        register, plan, skip_errors=skip_errors, progress=progress, cancelled=cancelled
    )
