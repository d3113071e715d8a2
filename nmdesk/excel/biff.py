"""An Office 97–2003 file (``.xls`` from Excel, LibreOffice or WPS, a WPS ``.et``) measured
before python-calamine reads it.

These files are OLE compound files (CFB); olefile opens the container and the
``Workbook`` stream's BIFF records are walked once, without decoding a value:

- ``FILEPASS`` in the workbook's globals means an opening password (calamine cannot
  decrypt it), an ``EncryptedPackage`` stream a password-protected xlsx;
- each sheet's ``DIMENSIONS`` record (its declared size, which calamine reserves
  memory by) is checked first, then the cells the sheet actually holds, against
  ``nmdesk.excel.limits``;
- every ``FORMULA`` record is noted: BIFF always stores a formula's last result, which
  is what calamine reads, so no formula cell of an .xls lacks a cached value.

A compound file that is not a workbook (a Word or PowerPoint 97–2003 document) is
named as what it is.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from nmdesk.excel.formats import damaged
from nmdesk.excel.limits import LIMITS, ExcelFileError, SpreadsheetTooLargeError, check_extent

_BOF, _EOF, _FILEPASS, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x002F, 0x0085, 0x0200
_FORMULA = 0x0006
# records that start with (row, column) of one cell
_CELL = frozenset({0x0006, 0x00FD, 0x0203, 0x027E, 0x0201, 0x0205, 0x0204, 0x00D6, 0x0406})
_MULTI = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: (row, first column, …, last column)
_BOFS = frozenset({0x0809, 0x0409, 0x0209, 0x0009})


@dataclass
class BiffSheet:
    """One sheet of the workbook: its name and the formula cells (row, column) found."""

    name: str
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)


def check_compound_file(path: Path) -> dict[str, BiffSheet]:
    """Raise ExcelFileError unless ``path`` is an .xls workbook nmdesk can read whole;
    returns its sheets by name (the formula cells of each)."""
    import olefile

    name = path.name
    try:
        ole = olefile.OleFileIO(str(path))
    except (OSError, ValueError, struct.error, IndexError, KeyError, RecursionError):
        if "EncryptedPackage".encode("utf-16-le") in path.read_bytes():
            raise _password(name) from None
        raise ExcelFileError(
            damaged(name, "是 Office 97–2003 格式（.xls）的文件，但已损坏或不完整")
        ) from None
    with ole:
        if ole.exists("EncryptedPackage"):
            raise _password(name)
        stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        if stream is None:
            if name.lower().endswith(".et"):  # a WPS format calamine does not know
                raise ExcelFileError(damaged(name, "其中没有 Excel 97–2003 格式的工作表"))
            raise ExcelFileError(_not_a_workbook(name, ole.listdir()))
        size = ole.get_size(stream)
        if size > LIMITS.part_bytes:
            raise SpreadsheetTooLargeError(
                f"{name} 的工作簿数据有 {LIMITS.mib(size)}，超过导入上限 "
                f"{LIMITS.mib(LIMITS.part_bytes)}，请拆分成几个文件后再导入"
            )
        try:
            data = ole.openstream(stream).read()
        except (OSError, ValueError, struct.error, IndexError):
            raise _damaged(name) from None
    if len(data) < size:
        raise _damaged(name)
    return _walk(name, data)


def _password(name: str) -> ExcelFileError:
    return ExcelFileError(
        f"{name} 设置了打开密码，无法读取。请在 Excel 或 WPS 中取消密码后另存一份再导入"
    )


def _damaged(name: str) -> ExcelFileError:
    return ExcelFileError(damaged(name))


def _not_a_workbook(name: str, streams: list[list[str]]) -> str:
    top = {entry[0] for entry in streams if entry}
    if "WordDocument" in top:
        what = "Word 97–2003 文档（.doc）"
    elif "PowerPoint Document" in top:
        what = "PowerPoint 97–2003 演示文稿（.ppt）"
    else:
        what = "Office 97–2003 格式的文件，但其中没有工作表"
    return f"{name} 是 {what}，不是表格台账，请选择 Excel、WPS、LibreOffice 表格或 CSV 台账文件"


def _walk(name: str, data: bytes) -> dict[str, BiffSheet]:
    """Walk the records once: the globals (password, sheet list), then each sheet's
    substream (declared size first, then every cell's position)."""
    unpack = struct.unpack_from
    end = len(data)
    pos = 0
    sheets_at: dict[int, tuple[str, bool]] = {}  # stream offset → (name, is a worksheet)
    while pos + 4 <= end:  # the globals, up to their EOF
        kind, length = unpack("<HH", data, pos)
        body = pos + 4
        if kind == _FILEPASS:
            raise _password(name)
        if kind == _BOUNDSHEET and length >= 8:
            offset, _state, sheet_type = unpack("<IBB", data, body)
            sheets_at[offset] = (_sheet_name(data, body + 6, length - 6), sheet_type == 0)
        pos = body + length
        if kind == _EOF:
            break
    sheets: dict[str, BiffSheet] = {}
    for offset, (sheet_name, worksheet) in sorted(sheets_at.items()):
        if not worksheet or offset + 4 > end or unpack("<H", data, offset)[0] not in _BOFS:
            continue
        sheet = sheets[sheet_name] = BiffSheet(sheet_name)
        _walk_sheet(name, sheet, data, offset)
    return sheets


_RECORD = struct.Struct("<HHHH")  # a record's type and length, then a cell's row and column


def _walk_sheet(name: str, sheet: BiffSheet, data: bytes, pos: int) -> None:
    """One sheet's records: the declared size checked when its DIMENSIONS passes, every
    cell's position measured (the loop is the cost of the check: about 0.1 s for
    10,000 rows of 17 columns)."""
    record = _RECORD.unpack_from
    unpack = struct.unpack_from
    padded = data + bytes(8)  # a short last record reads zeros, not past the end
    end = len(data)
    rows = columns = 0
    formulas = sheet.formulas
    pos += 4 + unpack("<H", data, pos + 2)[0]  # its BOF
    depth = 1
    while pos < end:
        kind, length, row, column = record(padded, pos)
        body = pos + 4
        pos = body + length
        if kind in _CELL:
            if row >= rows:
                rows = row + 1
            if column >= columns:
                columns = column + 1
            if kind == _FORMULA:
                formulas[(row, column)] = True  # BIFF stores the last result
        elif kind in _MULTI and length >= 6:
            last = unpack("<H", data, body + length - 2)[0]
            rows, columns = max(rows, row + 1), max(columns, last + 1)
        elif kind == _DIMENSIONS:  # what calamine reserves memory by, checked at once
            if length >= 14:
                _first, last_row, _c, last_column = unpack("<IIHH", data, body)
            elif length >= 8:
                _first, last_row, _c, last_column = unpack("<HHHH", data, body)
            else:
                continue
            check_extent(name, sheet.name, last_row, last_column, LIMITS)
        elif kind in _BOFS:  # an embedded chart's substream, inside the sheet's
            depth += 1
        elif kind == _EOF:
            depth -= 1
            if depth == 0:
                break
    check_extent(name, sheet.name, rows, columns, LIMITS)


def _sheet_name(data: bytes, at: int, room: int) -> str:
    """A BOUNDSHEET's name: BIFF8's ShortXLUnicodeString, or BIFF5's 8-bit one."""
    if room < 1:
        return ""
    count = data[at]
    if room >= 2 + count and data[at + 1] in (0, 1) and room in (2 + count, 2 + 2 * count):
        if data[at + 1]:
            return data[at + 2 : at + 2 + 2 * count].decode("utf-16-le", "replace")
        return data[at + 2 : at + 2 + count].decode("latin-1")
    return data[at + 1 : at + 1 + count].decode("gbk", "replace")
