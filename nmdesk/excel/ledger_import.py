"""Importing an office's ledger: a plan the clerk previews, then one commit.

``plan_import`` reads the sheet, finds the header row, maps the columns,
normalises every row and gives it a verdict: new, update (with the field
changes), unchanged, duplicate within the file, or error (row, column and a
Chinese reason). Nothing is written while planning.

``commit_import`` writes the plan in one transaction through the store:
new units first, each after its 上级单位 (the clerk reviewed them and their
kinds), then accounts and their role holders, then one ``imports`` row naming
the source file.

A new account takes the ledger's 状态 as it is (运行中 where the cell is blank,
since a ledger lists accounts that already exist). The status is stored directly
with the account's row, audited like every other field of it: the ledger, often
a register's own export, records where each account stands, and replaying the
lifecycle's steps (application, approval, closure filings) that led there would
invent filings nobody made. An account the register already has keeps its
status: a change of status is a step of the lifecycle (``AccountStore.transition``,
closure filings, sanctions), never a side effect of an import. A cancel or any failure rolls the
whole transaction back, so the register stays byte-for-byte as it was.
Re-importing the same file finds every row unchanged and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nmdesk.errors import ValidationError
from nmdesk.excel import normalize
from nmdesk.excel.mapping import (
    ACCOUNT_FIELDS,
    LedgerLayout,
    apply_saved,
    auto_mapping,
    find_layout,
    is_blank_row,
    unmapped_warnings,
)
from nmdesk.excel.matching import COMPARED
from nmdesk.excel.plan import (
    Change,
    ImportCancelled,
    ImportPlan,
    ImportRefused,
    ImportResult,
    NewUnit,
    PlannedRow,
    RowIssue,
    Verdict,
)
from nmdesk.excel.planner import Planner, is_total_row
from nmdesk.excel.reader import CellValue, ExcelFileError, SheetGrid, is_blank, read_sheet
from nmdesk.excel.role_holders import matching_holder, missing_contacts
from nmdesk.excel.unit_tree import guess_unit_kind
from nmdesk.models import Account, AccountStatus, Person, PersonKind, Unit
from nmdesk.runtime import collections_paused
from nmdesk.services.accounts import assign_role, create_account, edit_account

if TYPE_CHECKING:
    from nmdesk.store.interfaces import ImportBatch, Register

__all__ = [
    "Change",
    "ImportCancelled",
    "ImportPlan",
    "ImportRefused",
    "ImportResult",
    "NewUnit",
    "PlannedRow",
    "RowIssue",
    "Verdict",
    "commit_import",
    "guess_unit_kind",
    "import_file",
    "plan_import",
    "read_ledger",
]

Progress = Callable[[int, int], None]
_CHUNK_ROWS = 1000  # rows read between two progress reports (and cancel checks)
Cancelled = Callable[[], bool]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- planning ------------------------------------------------------------------------


def read_ledger(
    path: str | Path,
    sheet: str | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> tuple[SheetGrid, LedgerLayout]:
    """The sheet, and where its header and data are (a CSV read in ``encoding`` with
    ``delimiter`` when the clerk chose them, see ``read_sheet``)."""
    grid = read_sheet(path, sheet, encoding=encoding, delimiter=delimiter)
    layout = find_layout(grid.rows, grid.merged)
    if layout is None:
        raise ExcelFileError(
            f"在工作表“{grid.name}”的前 30 行中找不到表头（应有“账号名称”“开设平台”等列名）"
        )
    return grid, layout


def plan_import(
    register: Register,
    path: str | Path,
    *,
    sheet: str | None = None,
    mapping: Sequence[str] | dict[str, str] | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> ImportPlan:
    """Read and check a ledger without writing anything.

    ``mapping`` is a list of field keys per column (from the wizard) or a saved
    mapping (header text → key); by default the synonym table decides. ``encoding``
    and ``delimiter`` override what is detected for a CSV.
    Raises ImportCancelled when ``cancelled()`` turns true.
    """
    with collections_paused():
        grid, layout = read_ledger(path, sheet, encoding=encoding, delimiter=delimiter)
        return _plan_import(register, Path(path), grid, layout, mapping, progress, cancelled)


def _plan_import(
    register: Register,
    path: Path,
    grid: SheetGrid,
    layout: LedgerLayout,
    mapping: Sequence[str] | dict[str, str] | None,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> ImportPlan:
    headers = layout.headers
    if mapping is None:
        columns = auto_mapping(headers)
    elif isinstance(mapping, dict):
        columns = apply_saved(headers, mapping)
    else:
        columns = list(mapping) + [""] * (len(headers) - len(mapping))
    missing = [ACCOUNT_FIELDS[key] for key in ("name", "platform", "unit") if key not in columns]
    if missing:
        raise ValidationError("列对应", f"没有对应到“{'、'.join(missing)}”的列，请在列对应中指定")
    filled_down = fill_down_text_units(grid, layout, columns.index("unit")) if grid.encoding else []
    planner = Planner(register, headers, columns)
    normalize.start_ledger()
    rows: list[PlannedRow] = []
    data = grid.rows[layout.data_start :]
    for start in range(0, len(data), _CHUNK_ROWS):  # read column by column, a chunk at a time
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        if progress is not None:
            progress(start, len(data))
        chunk = [
            (layout.data_start + start + offset, values)
            for offset, values in enumerate(data[start : start + _CHUNK_ROWS])
            if not (is_blank_row(values) or is_total_row(values))
        ]
        rows += planner.read_rows(chunk, grid.formulas)
    planner.prefetch(rows)  # the register's side of the matching, in a few queries
    planner.plan_units(rows)  # the units the register lacks, their parents and kinds
    for row in rows:
        if row.verdict is not Verdict.ERROR:
            planner.match(row)
    if progress is not None:
        progress(len(data), len(data))
    for row in rows:
        if row.verdict is not Verdict.ERROR and not row.fields.get("platform_id"):
            row.warnings.append("没有账号ID号")
    return ImportPlan(
        source=path,
        sheet=grid.name,
        sha256=file_sha256(path),
        header_row=layout.header_row,
        headers=headers,
        mapping=columns,
        rows=rows,
        new_units=planner.units_to_create(),
        column_warnings=unmapped_warnings(headers, columns),
        read_as=grid.read_as,
        units_filled_down=filled_down,
    )


def fill_down_text_units(grid: SheetGrid, layout: LedgerLayout, unit_column: int) -> list[int]:
    """Fill a CSV's blank unit cells with the unit above; returns their row numbers.

    A ledger typed in Excel merges a unit's cell down over its accounts; saved as CSV,
    the merge leaves the unit in its first row only. So a blank unit cell in a row that
    has other values takes the unit of the row above, as a merged cell would. A blank or
    total row ends the run: the next unit must be written again.
    """
    filled: list[int] = []
    above: CellValue = ""
    for index in range(layout.data_start, len(grid.rows)):
        values = grid.rows[index]
        if is_blank_row(values) or is_total_row(values):
            above = ""
        elif unit_column < len(values) and is_blank(values[unit_column]):
            if not is_blank(above):
                values[unit_column] = above
                filled.append(index + 1)
        elif unit_column < len(values):
            above = values[unit_column]
    return filled


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
    with collections_paused():
        return _commit_import(register, plan, skip_errors, progress, cancelled, today)


def _commit_import(
    register: Register,
    plan: ImportPlan,
    skip_errors: bool,
    progress: Progress | None,
    cancelled: Cancelled | None,
    today: dt.date | None,
) -> ImportResult:
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
    default_level = _default_level(register)
    created: list[int] = []
    updated: list[int] = []
    unit_ids: dict[str, int] = {}
    new_unit_ids: list[int] = []
    new_unit_names: list[str] = []
    kinds = {unit.name: unit.kind for unit in plan.new_units}
    total = len(todo)
    step = max(1, total // 200)  # at most ~200 progress reports (a signal to the UI each)
    # New units, people, accounts and roles are queued in a batch and written with one
    # executemany per table (every row audited; units first, then people, accounts and
    # roles, which refer to them); an update writes at once, after a flush.
    batch = register.import_batch()
    with register.transaction():
        for unit in plan.new_units:  # the new units first, each after its parent
            if batch.find_unit(unit.name) is None:
                parent_id = batch.find_unit(unit.parent) if unit.parent else None
                created_id = batch.add_unit(Unit(None, unit.name, unit.kind, parent_id))
                new_unit_ids.append(created_id)
                new_unit_names.append(batch.unit_name(created_id))  # as it is stored
        for row in todo:  # the accounts and people refer to their units
            if row.unit_name not in unit_ids:
                unit_id = batch.find_unit(row.unit_name)
                if unit_id is None:
                    kind = kinds.get(row.unit_name) or guess_unit_kind(
                        row.unit_name, list(register.profile.unit_kinds)
                    )
                    unit_id = batch.add_unit(Unit(None, row.unit_name, kind))
                    new_unit_ids.append(unit_id)
                    new_unit_names.append(batch.unit_name(unit_id))  # as it is stored
                unit_ids[row.unit_name] = unit_id
        for done, row in enumerate(todo):
            if cancelled is not None and cancelled():
                raise ImportCancelled()
            unit_id = unit_ids[row.unit_name]
            if row.verdict is Verdict.NEW:
                created.append(_create(register, batch, row, unit_id, today, default_level))
            else:
                batch.flush()
                _update(register, row, unit_id, today)
                assert row.account_id is not None
                updated.append(row.account_id)
            if progress is not None and ((done + 1) % step == 0 or done + 1 == total):
                progress(done + 1, total)
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        batch.flush()
        counts = plan.counts()
        import_id = register.excel.record_import(
            plan.source.name,
            sheet=plan.sheet,
            sha256=plan.sha256,
            counts=counts,
            new_units=new_unit_names,
        )
    return ImportResult(created, updated, new_unit_ids, import_id)


def _default_level(register: Register) -> int:
    """The level of a new account whose row gives none: 二级 where the profile has it."""
    levels = register.profile.levels
    return 2 if any(lv.level == 2 for lv in levels) else levels[0].level


def _create(
    register: Register,
    batch: ImportBatch,
    row: PlannedRow,
    unit_id: int,
    today: dt.date,
    default_level: int,
) -> int:
    f = row.fields
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
        last_post_on=f.get("last_post_on"),
        status=f["status"] or AccountStatus.RUNNING,
        note=f["note"] or "",
    )
    account_id = create_account(register, account, batch=batch)
    for role, person in row.people:
        holder = _holder(batch, person, unit_id)
        assert holder.id is not None
        batch.assign_role(account_id, role, holder.id, holder.kind, today)
    return account_id


def _holder(batch: ImportBatch, person: dict[str, str], unit_id: int) -> Person:
    """The person of that name in the unit (their missing contacts filled in from the
    ledger), or a new staff member with the ledger's contacts, queued in the batch."""
    found = batch.find_person(person["name"], unit_id)
    if found is not None:
        filled = missing_contacts(vars(found), person)  # a Person: its contacts are fields
        if filled:
            batch.fill_contacts(found, filled)
        return found
    new = Person(
        id=None,
        name=person["name"],
        kind=PersonKind.STAFF,
        unit_id=unit_id,
        title=person.get("title", ""),
        office_phone=person.get("office_phone", ""),
        mobile=person.get("mobile", ""),
        email=person.get("email", ""),
    )
    new.id = batch.add_person(new)
    return new


def _update(register: Register, row: PlannedRow, unit_id: int, today: dt.date) -> None:
    assert row.account_id is not None
    f = row.fields
    existing = register.accounts.get(row.account_id)
    changes: dict[str, Any] = {}
    for key in COMPARED:
        new = f.get(key)
        old = getattr(existing, key)
        if key == "last_post_on" and old is not None and new is not None and new <= old:
            continue  # as the plan shows it: an older ledger never moves the last post back
        if new is not None and new != "" and old != new:
            changes[key] = new
    if unit_id != existing.unit_id:
        changes["unit_id"] = unit_id
    if changes:
        edit_account(register, row.account_id, changes, event_on=today, note="台账导入")
    holders = register.excel.current_holders(row.account_id)
    for role, person in row.people:
        current = matching_holder(role, person["name"], holders.get(role, []))
        if current is None:
            person_id = _person_id(register, person, unit_id)
            assign_role(register, row.account_id, role, person_id, today)
        else:
            _fill_contacts(register, register.people.get(int(current["id"])), person)


def _fill_contacts(register: Register, known: Person, ledger: dict[str, str]) -> None:
    """Fill in the contacts a known person lacks; never overwrite one."""
    filled = missing_contacts(
        {key: getattr(known, key) for key in ("title", "office_phone", "mobile", "email")}, ledger
    )
    if filled:
        updated = replace(known)
        for key, value in filled.items():
            setattr(updated, key, value)
        register.people.update(updated)


def _person_id(register: Register, person: dict[str, str], unit_id: int) -> int:
    """The person of that name in the unit (their missing contacts filled in from the
    ledger), or a new staff member with the ledger's contacts."""
    found = register.people.find(person["name"], unit_id)
    if found:
        assert found[0].id is not None
        _fill_contacts(register, found[0], person)
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
