"""Bounds a spreadsheet must keep before any parser sees it.

python-calamine allocates a sheet by its used range: one cell at ``XFD99999``
asks for 52 GB and aborts the process, a zip bomb inflates to gigabytes. So
the file is measured first, from what is cheap to read: the zip directory's
uncompressed sizes, then the first bytes of each worksheet (its
``<dimension ref>``), then, while every part is read once for its checksum,
the cells it actually uses. A file past any limit is refused with one Chinese
sentence, quickly and in little memory.

``SpreadsheetLimits`` is the one place the numbers live; ``check_zip_directory``
and ``SheetExtent`` serve any zip-based format (xlsx today, .ods later), and
``check_extent`` any format that can say its size before reading (.xls, .csv).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from itertools import repeat

from nmdesk.errors import NmdeskError


class ExcelFileError(NmdeskError):
    """The file cannot be read as a spreadsheet (``nmdesk.excel.reader`` raises it)."""


class SpreadsheetTooLargeError(ExcelFileError):
    """The file is larger than nmdesk reads (rows, columns, cells or bytes)."""


@dataclass(frozen=True)
class SpreadsheetLimits:
    """What one imported file may hold. A ledger of 100,000 accounts fits every one."""

    rows: int = 100_000  # rows in one sheet (a sheet of 1,048,576 formatted rows is refused)
    columns: int = 256  # columns in one sheet (a ledger has 20 to 40)
    cells: int = 4_000_000  # rows × columns of one sheet's used range
    part_bytes: int = 128 << 20  # one part of the zip, uncompressed
    total_bytes: int = 256 << 20  # all parts together, uncompressed
    parts: int = 10_000  # entries in the zip directory

    def mib(self, size: int) -> str:
        return f"{size / (1 << 20):.0f} MB"


LIMITS = SpreadsheetLimits()
HEAD_BYTES = 64 << 10  # the <dimension> element sits in a worksheet's first bytes

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']([^\"']*)[\"']")
_RANGE_END = re.compile(r"([A-Za-z]{1,4})?(\d{1,8})?$")
# literal prefixes, so that the scan runs at memchr speed;
# Excel, LibreOffice and openpyxl all write r="…" as a row's first attribute.
# A cell's whole reference (A1) is one group: findall then returns bytes, cheaper to
# build than (letters, digits) pairs, and bytes.rstrip/lstrip split them in C.
_CELL_REF = re.compile(rb" r=[\"']([A-Z]{1,4}\d{1,8})[\"']")
_ROW_REF = re.compile(rb"row r=[\"'](\d{1,8})[\"']")
_DIGITS = b"0123456789"
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def column_number(letters: str) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16384."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def check_zip_directory(
    archive: zipfile.ZipFile, name: str, limits: SpreadsheetLimits = LIMITS
) -> None:
    """Refuse a zip whose directory declares more parts or bytes than ``limits`` allow.

    The sizes are the ones the zip claims; reading a part later stops at its
    claimed size and checks its CRC, so a lying directory is caught as damage."""
    infos = archive.infolist()
    if len(infos) > limits.parts:
        raise SpreadsheetTooLargeError(
            f"{name} 含有 {len(infos)} 个部件，超过导入上限 {limits.parts} 个，"
            "不像是正常的 Excel 台账，请在 Excel 中另存一份后再导入"
        )
    total = 0
    for info in infos:
        if info.file_size > limits.part_bytes:
            raise SpreadsheetTooLargeError(
                f"{name} 中的“{info.filename}”解压后有 {limits.mib(info.file_size)}，"
                f"超过导入上限 {limits.mib(limits.part_bytes)}（可能是压缩炸弹或多余的格式），"
                "请删除多余的内容或拆分成几个文件后再导入"
            )
        total += info.file_size
    if total > limits.total_bytes:
        raise SpreadsheetTooLargeError(
            f"{name} 解压后共有 {limits.mib(total)}，超过导入上限 "
            f"{limits.mib(limits.total_bytes)}（可能是压缩炸弹），请拆分成几个文件后再导入"
        )


def declared_extent(head: bytes) -> tuple[int, int] | None:
    """(rows, columns) a worksheet's ``<dimension ref="A1:C20"/>`` declares, or None."""
    match = _DIMENSION.search(head)
    if match is None:
        return None
    ref = match.group(1).decode("ascii", "replace").replace("$", "").split(":")[-1]
    end = _RANGE_END.search(ref)
    if end is None:
        return None
    letters, digits = end.groups()
    return (int(digits) if digits else 0, column_number(letters) if letters else 0)


@dataclass
class SheetExtent:
    """The used range of one sheet, grown as its XML streams past and checked as it grows.

    Rows and cells are counted from their ``r`` references (the positions
    calamine allocates for); chunks are fed in order and may split an element."""

    file_name: str
    sheet: str
    limits: SpreadsheetLimits = LIMITS
    rows: int = 0
    columns: int = 0
    _tail: bytes = b""
    _row_elements: int = 0

    def feed(self, chunk: bytes) -> None:
        data = self._tail + chunk
        cut = data.rfind(b">") + 1
        data, self._tail = data[:cut], data[cut:][-4096:]
        self._row_elements += data.count(b"<row") + data.count(b":row ")  # rows without r="…"
        rows = max(self._row_elements, max(map(int, set(_ROW_REF.findall(data))), default=0))
        refs = _CELL_REF.findall(data)
        if refs:
            # a sheet names few distinct columns and rows: each is measured once
            columns = set(map(bytes.rstrip, refs, repeat(_DIGITS)))
            widest = max(columns, key=lambda letters: (len(letters), letters))
            rows = max(rows, max(map(int, set(map(bytes.lstrip, refs, repeat(_LETTERS))))))
            self.grow(rows, column_number(widest.decode()))
        else:
            self.grow(rows, 0)

    def grow(self, rows: int, columns: int) -> None:
        self.rows, self.columns = max(self.rows, rows), max(self.columns, columns)
        check_extent(self.file_name, self.sheet, self.rows, self.columns, self.limits)


def check_extent(
    file_name: str, sheet: str, rows: int, columns: int, limits: SpreadsheetLimits = LIMITS
) -> None:
    """Refuse a sheet of more rows, columns or cells than ``limits`` allow."""
    where = f"{file_name} 的工作表“{sheet}”"
    if rows > limits.rows:
        raise SpreadsheetTooLargeError(
            f"{where}有 {rows} 行，超过导入上限 {limits.rows} 行。请删除多余的行"
            "（包括格式化过的空行）或拆分成几个文件后再导入"
        )
    if columns > limits.columns:
        raise SpreadsheetTooLargeError(
            f"{where}用到了第 {columns} 列，超过导入上限 {limits.columns} 列。"
            "请删除右侧多余的列（包括格式化过的空列）后再导入"
        )
    if rows * columns > limits.cells:
        raise SpreadsheetTooLargeError(
            f"{where}有 {rows} 行 × {columns} 列，超过导入上限 {limits.cells} 个单元格。"
            "请删除多余的行和列或拆分成几个文件后再导入"
        )


def read_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The first ``HEAD_BYTES`` of a part, inflated (the rest is never inflated here)."""
    try:
        with archive.open(info) as part:
            return part.read(HEAD_BYTES)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError):
        return b""
