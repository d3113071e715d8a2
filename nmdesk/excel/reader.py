"""Reading an office's ledger with python-calamine: one reader for every format.

.xlsx and .xlsm, .xlsb, .ods, .xls (BIFF8, from Excel, LibreOffice or WPS) and a WPS
.et (the same container as an .xls) are read by python-calamine, which tells the
format from the content, not the name; .csv and .txt by ``text_ledger``. Before
calamine sees a file it is measured (``limits``; ``biff`` for .xls/.et, ``ods``,
``xlsb``), because calamine allocates a sheet by its size.

Merged ranges are filled down (calamine reports them for .xlsx and .xls; an .ods's
and an .xlsb's come from ``ods`` and ``xlsb``). Formulas are never evaluated: a
formula cell is read as the result the file stores. An xlsx's sheet XML is scanned for ``<f>`` and an .ods's for
``table:formula``, so that a formula without a stored result is reported and the
import refuses it; .xls and .xlsb always store the result.

A file that is none of these (a PDF, a Word document, a zip of something else), a
truncated download or a password-protected workbook raises ``ExcelFileError`` with one
Chinese sentence saying what it is and what to do.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from nmdesk.excel.formats import damaged, not_a_spreadsheet, zip_kind
from nmdesk.excel.limits import (
    LIMITS,
    SheetExtent,
    check_extent,
    check_zip_directory,
    declared_extent,
    read_head,
)
from nmdesk.excel.limits import (
    ExcelFileError as ExcelFileError,
)
from nmdesk.files import refuse_register_file

CellValue = Any  # str | int | float | bool | date | datetime | time | timedelta

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")
# the end of a formula element's tag name (<f>, <f t="shared"/>, <x:f>): a literal first
# byte, so the scan runs at memchr speed ("<" starts every tag and would not)
_FORMULA_TAG_END = re.compile(rb"f[\s>/]")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ROWS = LIMITS.rows  # rows in one sheet (issue #6: a sheet with 1,048,576 rows is refused)


@dataclass
class SheetGrid:
    """One sheet as a rectangular grid: ``rows[0]`` is Excel row 1, ``rows[r][0]`` column A.

    Merged ranges are filled down (the top-left value copied into the cells below
    it). A formula cell without a cached value holds its formula text (``=…``), so
    previews and the error report can show it; it is never evaluated. ``formulas`` maps
    (row, column), zero-based, of every formula cell to
    whether the file holds a cached value for it.
    """

    name: str
    rows: list[list[CellValue]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)
    # a text ledger's (CSV) detected encoding and delimiter, for the preview; "" for a workbook
    encoding: str = ""
    delimiter: str = ""

    @property
    def read_as(self) -> str:
        """How a text ledger was read, e.g. "GBK/GB18030 编码，逗号分隔"; "" for a workbook."""
        if not self.encoding:
            return ""
        from nmdesk.excel.text_ledger import DELIMITERS, ENCODING_LABELS

        return (
            f"{ENCODING_LABELS.get(self.encoding, self.encoding)} 编码，"
            f"{DELIMITERS.get(self.delimiter, self.delimiter)}分隔"
        )

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1


def check_xlsx(path: Path) -> None:
    """Raise ExcelFileError unless ``path`` is a readable workbook (any format but text)."""
    _check(path)


def check_ledger(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> None:
    """``check_xlsx`` (.xlsx, .xlsm, .xlsb, .ods, .xls, .et), or for a ``.csv``/``.txt``
    ledger that it can be read as text (in ``encoding`` with ``delimiter`` when given)."""
    head = _head(path)
    if _is_text(path, head):
        _read_text(path, encoding, delimiter)
        return
    _check(path, head)


def _head(path: Path) -> bytes:
    """The file's first bytes, which tell its format; a missing file or the register
    itself is refused first."""
    refuse_register_file(path, "导入")  # opening it here would drop SQLite's locks
    if not path.is_file():
        raise ExcelFileError(f"找不到文件 {path}")
    with path.open("rb") as handle:
        return handle.read(8)


def _is_text(path: Path, head: bytes) -> bool:
    from nmdesk.excel.text_ledger import is_text_ledger

    return not head.startswith((b"PK", _CFB_MAGIC)) and is_text_ledger(path, head)


def _read_text(path: Path, encoding: str | None = None, delimiter: str | None = None) -> SheetGrid:
    from nmdesk.excel.text_ledger import read_text_ledger

    rows, encoding, delimiter = read_text_ledger(path, encoding=encoding, delimiter=delimiter)
    return SheetGrid(path.stem, rows, encoding=encoding, delimiter=delimiter)


@dataclass
class _Checked:
    """A workbook that passed the checks: its format and what the checks learnt that
    python-calamine does not report (an xlsx's kept parts, the formula cells and, for an
    .ods or an .xlsb, the merged ranges of each sheet)."""

    kind: str  # "xlsx" (also .xlsm), "xlsb", "ods" or "xls" (also WPS .et)
    parts: dict[str, bytes] = field(default_factory=dict)
    formulas: dict[str, dict[tuple[int, int], tuple[bool, str]]] = field(default_factory=dict)
    merged: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = field(default_factory=dict)


def _check(path: Path, head: bytes | None = None) -> _Checked:
    """Raise ExcelFileError unless ``path`` is a workbook nmdesk can read whole (each
    sheet's size checked before calamine allocates for it). ``head``: the file's first
    bytes (``_head``), when the caller has read them."""
    name = path.name
    if head is None:
        head = _head(path)
    if head.startswith(_CFB_MAGIC):
        from nmdesk.excel.biff import check_compound_file

        sheets = check_compound_file(path)
        return _Checked(
            "xls", formulas={n: {c: (True, "") for c in s.formulas} for n, s in sheets.items()}
        )
    if not head.startswith(b"PK"):
        raise ExcelFileError(not_a_spreadsheet(name, head))
    try:
        with zipfile.ZipFile(path) as archive:
            kind = zip_kind(archive, name)  # refuses a zip that holds no workbook
            if kind == "xlsx":
                return _Checked("xlsx", _checked_xlsx(archive, name))
            check_zip_directory(archive, name)  # a zip bomb is refused before it inflates
            if kind == "ods":
                return _checked_ods(archive, name)
            return _checked_xlsb(archive, name)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError):
        raise ExcelFileError(damaged(name)) from None


def _checked_xlsx(archive: zipfile.ZipFile, name: str) -> dict[str, bytes]:
    sheets = _sheet_labels(archive)
    for info in archive.infolist():  # every sheet's declared size, from its first bytes
        if info.filename in sheets:
            extent = declared_extent(read_head(archive, info))
            if extent is not None:
                check_extent(name, sheets[info.filename], *extent)
    check_zip_directory(archive, name)  # a zip bomb is refused before it inflates
    # every part read to its end, which checks its CRC (as ZipFile.testzip does),
    # and every sheet's used range measured as it passes; those read again later
    # are kept unless huge
    kept: dict[str, bytes] = {}
    for info in archive.infolist():
        sheet = sheets.get(info.filename)
        extent_seen = SheetExtent(name, sheet) if sheet is not None else None
        wanted = info.filename in _REREAD or info.filename.startswith("xl/worksheets/")
        if wanted and info.file_size <= _KEEP_BYTES:
            kept[info.filename] = data = archive.read(info)
            if extent_seen is not None:
                extent_seen.feed(data)
            continue
        with archive.open(info) as part:
            while chunk := part.read(1 << 20):
                if extent_seen is not None:
                    extent_seen.feed(chunk)
    return kept


def _checked_ods(archive: zipfile.ZipFile, name: str) -> _Checked:
    from nmdesk.excel.ods import scan_content

    sheets = scan_content(archive, name)
    for info in archive.infolist():  # every other part's CRC, as for an xlsx
        if info.filename != "content.xml":
            with archive.open(info) as part:
                while part.read(1 << 20):
                    pass
    return _Checked(
        "ods",
        formulas={n: s.formulas for n, s in sheets.items()},
        merged={n: s.merged for n, s in sheets.items()},
    )


def _checked_xlsb(archive: zipfile.ZipFile, name: str) -> _Checked:
    from nmdesk.excel.xlsb import check_sheet, sheet_parts

    checked = _Checked("xlsb")
    labels = sheet_parts(archive)
    for info in archive.infolist():
        sheet = labels.get(info.filename)
        if sheet is not None:
            found, checked.merged[sheet] = check_sheet(archive, info, name, sheet)
            checked.formulas[sheet] = {cell: (True, "") for cell in found}
        else:
            with archive.open(info) as part:
                while part.read(1 << 20):
                    pass
    return checked


def _sheet_labels(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → the sheet's name (or the part's own name when the workbook's
    index is missing or too large to parse)."""
    labels = {
        info.filename: posixpath.basename(info.filename)
        for info in archive.infolist()
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    }
    small = {
        member: archive.read(member)
        for member in _REREAD
        if member in archive.namelist() and archive.getinfo(member).file_size <= _INDEX_BYTES
    }
    try:
        workbook = ElementTree.fromstring(small["xl/workbook.xml"])
        for element in workbook.iter(f"{_MAIN_NS}sheet"):
            member = _sheet_xml_path(small, element.get("name", ""))
            if member is not None:
                labels[member] = element.get("name", "")
    except (KeyError, ElementTree.ParseError):
        pass
    return labels


_INDEX_BYTES = 4 << 20
_REREAD = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_KEEP_BYTES = 64 << 20


def sheet_names(path: str | Path) -> list[str]:
    """The workbook's visible worksheets, in workbook order."""
    from python_calamine import CalamineError, CalamineWorkbook

    path = Path(path)
    head = _head(path)
    if _is_text(path, head):
        return [path.stem]  # a CSV holds one sheet
    _check(path, head)
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            return _visible_sheets(workbook)
    except (CalamineError, OSError):  # calamine raises OSError for a short record
        raise ExcelFileError(damaged(path.name, "已损坏，无法读取其中的工作表")) from None


def _visible_sheets(workbook: Any) -> list[str]:
    from python_calamine import SheetVisibleEnum

    return [
        meta.name for meta in workbook.sheets_metadata if meta.visible == SheetVisibleEnum.Visible
    ] or list(workbook.sheet_names)


def read_sheet(
    path: str | Path,
    sheet: str | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> SheetGrid:
    """Read one worksheet (the first visible one by default) into a filled-down grid.

    A text ledger (CSV) is read in ``encoding`` with ``delimiter`` when given (the clerk
    chose them in the preview), otherwise in the detected ones; a workbook ignores both.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    path = Path(path)
    head = _head(path)
    if _is_text(path, head):
        return _read_text(path, encoding, delimiter)
    checked = _check(path, head)
    listed = False
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            names = _visible_sheets(workbook)
            listed = True
            if sheet is None:
                sheet = names[0]
            if sheet not in workbook.sheet_names:
                raise ExcelFileError(
                    f"{path.name} 中没有名为“{sheet}”的工作表，可选：{'、'.join(names)}"
                )
            data = workbook.get_sheet_by_name(sheet)
            if data.height > MAX_ROWS:  # a runaway sheet would take minutes and gigabytes
                raise ExcelFileError(
                    f"{path.name} 的工作表“{sheet}”有 {data.height} 行，超过导入上限 "
                    f"{MAX_ROWS} 行。请删除多余的行（包括格式化过的空行）或拆分成几个文件后再导入"
                )
            rows = [list(row) for row in data.to_python(skip_empty_area=False)]
            merged = list(data.merged_cell_ranges or [])
    except (CalamineError, OSError):  # calamine raises OSError for a short record
        if not listed:  # the workbook's list of sheets could not be read
            raise ExcelFileError(damaged(path.name, "已损坏，无法读取其中的工作表")) from None
        raise ExcelFileError(damaged(path.name, f"已损坏，无法读取工作表“{sheet}”")) from None
    if checked.kind == "xlsx":
        formula_cells = _formula_cells(path, checked.parts, sheet)
    else:
        formula_cells = checked.formulas.get(sheet, {})
        merged = merged or checked.merged.get(sheet, [])
    formulas = {cell: cached for cell, (cached, _text) in formula_cells.items()}
    width = max([len(row) for row in rows] + [c + 1 for _, c in formulas] + [0])
    height = max([len(rows)] + [r + 1 for r, _ in formulas])
    while len(rows) < height:
        rows.append([])
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    for (top, left), (bottom, _right) in merged:
        if top >= len(rows) or left >= width:
            continue
        value = rows[top][left]
        for r in range(top + 1, min(bottom, len(rows) - 1) + 1):
            rows[r][left] = value
    for (r, c), (cached, text) in formula_cells.items():
        if not cached and text:
            rows[r][c] = "=" + text
    return SheetGrid(sheet, rows, merged, formulas)


def _sheet_xml_path(parts: dict[str, bytes], sheet: str) -> str | None:
    if "xl/workbook.xml" not in parts:
        return None
    workbook = ElementTree.fromstring(parts["xl/workbook.xml"])
    rel_id = None
    for element in workbook.iter(f"{_MAIN_NS}sheet"):
        if element.get("name") == sheet:
            rel_id = element.get(f"{_REL_NS}id")
    if rel_id is None:
        return None
    if "xl/_rels/workbook.xml.rels" not in parts:
        return None
    rels = ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def _formula_cells(
    path: Path, parts: dict[str, bytes], sheet: str
) -> dict[tuple[int, int], tuple[bool, str]]:
    """(row, column) of every formula cell → (whether it has a cached value, formula text);
    ``parts`` are the workbook's parts ``_check`` kept."""
    member = _sheet_xml_path(parts, sheet)
    if member is None:
        return {}
    data = parts.get(member)
    if data is None:  # not kept by the check (too large to hold twice), or missing
        with zipfile.ZipFile(path) as archive:
            if member not in archive.namelist():
                return {}
            data = archive.read(member)
    if not _has_formula_tag(data):
        return {}
    found: dict[tuple[int, int], tuple[bool, str]] = {}
    import io

    for _event, element in ElementTree.iterparse(io.BytesIO(data), events=("end",)):
        if element.tag != f"{_MAIN_NS}c":
            continue
        formula = element.find(f"{_MAIN_NS}f")
        if formula is not None:
            match = _CELL_REF.match(element.get("r", ""))
            if match:
                value = element.find(f"{_MAIN_NS}v")
                inline = element.find(f"{_MAIN_NS}is")
                cached = (value is not None and bool(value.text)) or inline is not None
                cell = (int(match.group(2)) - 1, _column_index(match.group(1)))
                found[cell] = (cached, formula.text or "")
        element.clear()
    return found


def _has_formula_tag(data: bytes) -> bool:
    """Whether a worksheet's XML may hold a formula element (``<f`` or ``:f`` ending a
    tag name); False means it holds none."""
    return any(
        data[match.start() - 1 : match.start()] in (b"<", b":")
        for match in _FORMULA_TAG_END.finditer(data)
    )


def is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def display(value: CellValue) -> str:
    """A cell value as a clerk would read it (for previews and messages)."""
    if value.__class__ is str:  # the common case, first
        return value.strip()
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
