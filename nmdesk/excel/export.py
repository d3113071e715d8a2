"""The register, or any filtered view of it, to xlsx or CSV.

The xlsx is written by xlsxwriter in its constant-memory mode, so 100,000
accounts stream to disk without holding a workbook in memory (it replaced
openpyxl's write-only mode in issue 16, for the bench row "导出 100,000 个账号到
xlsx"). It has a styled, frozen header row, an autofilter and column widths;
day-precise dates are real Excel dates, a date known only to the month or year is
written as text (``2019年3月``, ``2017年``) so that its precision survives a round trip.
Every string a user typed is written as text: a value starting with ``=``
never becomes a formula, and the CSV neutralises ``= + - @`` as spreadsheet
programs read them.

The file is written next to the target and renamed into place at the end, so
a cancelled or failed export leaves no half-written file.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nmdesk.dates import Precision, partial_from_iso
from nmdesk.errors import NmdeskError
from nmdesk.excel.cells import cell_text, safe_text
from nmdesk.excel.mapping import ROLE_LABELS
from nmdesk.files import create_private_file, refuse_register_file
from nmdesk.models import AccountStatus
from nmdesk.store import os_reason
from nmdesk.store.mappings import EXPORT_ROLES
from nmdesk.store.search import AccountQuery
from nmdesk.text_rules import EXCEL_CELL_LIMIT, check_excel_cell, printable

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


def _role_columns(role: str) -> tuple[tuple[str, str, int], ...]:
    """A role holder's name and contacts, each contact headed as the import reads it
    (a contact column belongs to the person column to its left)."""
    return (
        (ROLE_LABELS[role], f"{role}.name", 11 if role != "operator" else 18),
        ("职务", f"{role}.title", 12),
        ("办公电话", f"{role}.office_phone", 15),
        ("手机", f"{role}.mobile", 13),
        ("邮箱", f"{role}.email", 22),
    )


# (header, field key, column width). Headers are words the import recognises, so an
# exported register imports back unchanged: the unit's 上级单位 and 单位类别 rebuild the
# unit tree, and every role holder comes with every contact the register keeps.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("备案编号", "serial_no", 17),
    ("开设平台", "platform", 10),
    ("账号类型", "account_type", 10),
    ("账号名称", "name", 26),
    ("账号ID号", "platform_id", 20),
    ("开设单位", "unit", 24),
    ("上级单位", "unit_parent", 24),
    ("单位类别", "unit_kind", 12),
    ("账号级别", "level", 10),
    ("状态", "status", 9),
    ("开设时间", "opened_on", 12),
    ("账号主要用途", "purpose", 40),
    *(column for role in EXPORT_ROLES for column in _role_columns(role)),
    ("备注", "note", 30),
)
_CHUNK = 1000
_KEYS = [key for _header, key, _width in COLUMNS]
_VALUES = itemgetter(*_KEYS)  # every key is in an export row (ExcelStore.export_rows)
_LEVEL, _STATUS, _OPENED = _KEYS.index("level"), _KEYS.index("status"), _KEYS.index("opened_on")
_KIND = _KEYS.index("unit_kind")
_NAME_AT = _KEYS.index("name")


class ExcelWriteError(NmdeskError):
    """The target file cannot be written (no such folder, no permission, open in Excel)."""


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an OSError while writing ``path`` into one Chinese sentence."""
    try:
        yield
    except OSError as exc:
        reason = os_reason(exc)
        raise ExcelWriteError(
            f"无法写入文件 {path}：{reason}。请确认文件夹存在、有写入权限，且该文件没有在 Excel 中打开"
        ) from None


class ExportCancelled(NmdeskError):
    def __init__(self) -> None:
        super().__init__("导出已取消，没有写入文件")


def export_ids(register: Register, query: AccountQuery | None = None) -> list[int]:
    """The ids of a filtered view (all accounts by default), in the view's order."""
    if query is None:
        query = AccountQuery(rotation_days=register.profile.deadlines["password_rotation_days"])
    return register.accounts.ids(query)


def _records(
    register: Register, ids: list[int], progress: Progress | None, cancelled: Cancelled | None
) -> Iterator[list[Any]]:
    """One list of display values per account, in COLUMNS order; None for an empty cell."""
    levels = {level.level: level.name for level in register.profile.levels}
    statuses = {status.value: status.label for status in AccountStatus}
    kinds = register.profile.unit_kinds  # kind id → the profile's name for it
    total = len(ids)
    for start in range(0, total, _CHUNK):
        if cancelled is not None and cancelled():
            raise ExportCancelled()
        for row in register.excel.export_rows(ids[start : start + _CHUNK]):
            values: list[Any] = list(_VALUES(row))
            values[_LEVEL] = levels.get(values[_LEVEL], values[_LEVEL])
            values[_STATUS] = statuses.get(values[_STATUS], values[_STATUS])
            values[_KIND] = kinds.get(values[_KIND], values[_KIND])
            values[_OPENED] = _date_value(values[_OPENED])
            yield [None if value == "" else value for value in values]
        if progress is not None:
            progress(min(start + _CHUNK, total), total)


def _date_value(text: str | None) -> dt.date | str:
    partial = partial_from_iso(text)
    if partial is None:
        return ""
    if partial.precision is Precision.DAY:
        return partial.first_day()
    return partial.chinese()


def _write_rows(sheet: Any, date_format: Any, records: Iterator[list[Any]]) -> None:
    """Write the rows from the second on: strings always as text (a value starting
    with ``=`` never becomes a formula), without the control characters an xlsx
    cannot hold; dates as dates shown ``yyyy-mm-dd``; numbers as numbers."""
    write_string, write_datetime, write_number = (
        sheet.write_string, sheet.write_datetime, sheet.write_number
    )  # fmt: skip
    for row, values in enumerate(records, start=1):
        texts = "".join([value for value in values if isinstance(value, str)])
        if len(texts) > EXCEL_CELL_LIMIT:  # rare: never cut a value without a word
            for value in values:
                if isinstance(value, str):
                    check_excel_cell(
                        value, f"账号“{printable(str(values[_NAME_AT])[:50])}”的一项内容"
                    )
        clean = not texts.isprintable()  # rare: look at each value
        for column, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                write_string(row, column, cell_text(value) if clean else value)
            elif isinstance(value, dt.date):
                write_datetime(row, column, value, date_format)
            else:
                write_number(row, column, value)


def _target(
    register: Register, path: str | Path, ids: list[int] | None, query: AccountQuery | None
) -> tuple[Path, list[int]]:
    """The export's file, never one of the register's own (refused by name, opening
    nothing), and the accounts it writes: ``ids``, else those ``query`` finds."""
    path = Path(path)
    refuse_register_file(path, "导出")
    return path, export_ids(register, query) if ids is None else ids


@contextmanager
def _private_temp(path: Path) -> Iterator[Path]:
    """The file the export is written to before it replaces ``path``: beside it, made
    private (0600) before the first byte (personal data), removed on the way out
    when it did not replace ``path`` (an error, a cancel)."""
    temp = path.with_name(f".{path.name}.part")
    try:
        with writing(path):
            temp.unlink(missing_ok=True)
            create_private_file(temp)
        yield temp
    finally:
        temp.unlink(missing_ok=True)


def writer_for(path: str | Path) -> Callable[..., int]:
    """``export_xlsx`` or ``export_csv`` by the file's extension; any other is refused
    (an ``.xls`` name would otherwise get xlsx bytes that Excel refuses to open)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return export_xlsx
    if suffix == ".csv":
        return export_csv
    raise ExcelWriteError(
        f"{Path(path).name}：只能导出为 .xlsx（Excel 工作簿）或 .csv 文件，请改用其中一种扩展名"
    )


def export_xlsx(
    register: Register,
    path: str | Path,
    *,
    ids: list[int] | None = None,
    query: AccountQuery | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write accounts to an xlsx; returns how many. ``ids`` wins over ``query``.

    xlsxwriter streams the rows (``constant_memory``) into its temporary files,
    kept in a private folder removed at the end, cancelled or not."""
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    from nmdesk.excel.styles import HEADER_FORMAT

    path, ids = _target(register, path, ids, query)
    with (
        tempfile.TemporaryDirectory(prefix="nmdesk-export-") as rows_folder,
        _private_temp(path) as temp,
    ):
        workbook = xlsxwriter.Workbook(
            str(temp),
            {
                "constant_memory": True,
                "tmpdir": rows_folder,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        sheet = workbook.add_worksheet("账号台账")
        for index, (_header, _key, width) in enumerate(COLUMNS):
            sheet.set_column_pixels(index, index, width * 7)  # 7 px a character
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(ids), len(COLUMNS) - 1)
        header = workbook.add_format(HEADER_FORMAT)
        for index, (title, _key, _width) in enumerate(COLUMNS):
            sheet.write_string(0, index, title, header)
        _write_rows(sheet, workbook.add_format({"num_format": "yyyy-mm-dd"}),
                        _records(register, ids, progress, cancelled))  # fmt: skip
        if cancelled is not None and cancelled():
            raise ExportCancelled()
        with writing(path):
            try:
                workbook.close()
            except FileCreateError as error:
                raise error.args[0] if error.args else OSError(str(error)) from None
            os.replace(temp, path)
    return len(ids)


def export_csv(
    register: Register,
    path: str | Path,
    *,
    ids: list[int] | None = None,
    query: AccountQuery | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write accounts to a UTF-8 CSV (with BOM, so Excel reads the Chinese); returns how many."""
    path, ids = _target(register, path, ids, query)
    with _private_temp(path) as temp:
        with writing(path), temp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([title for title, _key, _width in COLUMNS])
            for values in _records(register, ids, progress, cancelled):
                writer.writerow(
                    [
                        ""
                        if value is None
                        else value.isoformat()
                        if isinstance(value, dt.date)
                        else safe_text(printable(value))
                        if isinstance(value, str)
                        else value
                        for value in values
                    ]
                )
        with writing(path):
            os.replace(temp, path)
    return len(ids)
