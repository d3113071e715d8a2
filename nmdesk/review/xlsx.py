"""A small xlsx writer for the public listing: sheets of text and numbers, a few styles.

openpyxl, even in write-only mode, serialises every cell through an XML tree
API: ten thousand listing rows took most of a second of publishing. The
listing's sheets have a fixed, simple shape, so they are written here as
SpreadsheetML text directly: shared strings (every value is a string or an
integer, so nothing becomes a formula or a date), column widths, a frozen
header, an auto filter and four cell styles. openpyxl reads the result back in
the tests like any workbook.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Cell styles (indexes into styles.xml's cellXfs below).
PLAIN, TITLE, HEADER, MARKED = 0, 1, 2, 3

_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="3">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="4">'
    '<fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00DDE6F0"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00FDE2E1"/></patternFill></fill>'
    "</fills>"
    '<borders count="2">'
    "<border><left/><right/><top/><bottom/><diagonal/></border>"
    '<border><left/><right/><top/><bottom style="thin"><color rgb="00999999"/></bottom>'
    "<diagonal/></border>"
    "</borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

Cell = str | int | tuple[str | int, int] | None  # a value, or (value, style); None: no cell


@dataclass
class Sheet:
    """One worksheet: rows of cells, column widths, and optionally frozen rows and a filter."""

    title: str
    widths: Sequence[float]
    rows: list[Sequence[Cell]] = field(default_factory=list)
    frozen_rows: int = 0
    auto_filter: str = ""


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


class _Strings:
    """The shared string table: each distinct text once, without the control
    characters an xlsx cannot hold."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def __call__(self, text: str) -> int:
        self.count += 1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def xml(self) -> str:
        items = "".join(
            f'<si><t xml:space="preserve">{escape(_legal(text))}</t></si>' for text in self.index
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>'
        )


def _legal(text: str) -> str:
    """Without the control characters an xlsx cannot hold (as ``nmdesk.excel.cells.cell_text``)."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", text))


def _sheet_xml(sheet: Sheet, strings: _Strings) -> str:
    letters = [_column(i) for i in range(max([len(sheet.widths), *map(len, sheet.rows)]))]
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    ]
    if sheet.frozen_rows:
        top = f"A{sheet.frozen_rows + 1}"
        parts.append(
            '<sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{sheet.frozen_rows}" topLeftCell="{top}" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="'
            f'{top}" sqref="{top}"/></sheetView></sheetViews>'
        )
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
        for i, w in enumerate(sheet.widths, start=1)
    )
    parts.append(f"<cols>{cols}</cols><sheetData>")
    for number, row in enumerate(sheet.rows, start=1):
        cells = []
        for letter, cell in zip(letters, row, strict=False):
            if cell is None:
                continue
            value, style = cell if isinstance(cell, tuple) else (cell, PLAIN)
            styled = f' s="{style}"' if style else ""
            if isinstance(value, int):
                cells.append(f'<c r="{letter}{number}"{styled}><v>{value}</v></c>')
            else:
                index = strings(value)
                cells.append(f'<c r="{letter}{number}"{styled} t="s"><v>{index}</v></c>')
        parts.append(f'<row r="{number}">{"".join(cells)}</row>')
    parts.append("</sheetData>")
    if sheet.auto_filter:
        parts.append(f'<autoFilter ref="{sheet.auto_filter}"/>')
    parts.append("</worksheet>")
    return "".join(parts)


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> Path:
    """Write the sheets as one xlsx file."""
    sheets = list(sheets)
    strings = _Strings()
    bodies = [_sheet_xml(sheet, strings) for sheet in sheets]
    main = "http://schemas.openxmlformats.org"
    rel = f"{main}/officeDocument/2006/relationships"
    names = "".join(
        f'<sheet name="{escape(s.title)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, s in enumerate(sheets, start=1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"'{escape(s.title)}'!{_absolute(s.auto_filter)}</definedName>"
        for i, s in enumerate(sheets)
        if s.auto_filter
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{main}/spreadsheetml/2006/main" xmlns:r="{rel}">'
        f"<sheets>{names}</sheets>"
        + (f"<definedNames>{filters}</definedNames>" if filters else "")
        + "</workbook>"
    )
    count = len(sheets)
    workbook_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    workbook_rels += (
        f'<Relationship Id="rId{count + 1}" Type="{rel}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{count + 2}" Type="{rel}/sharedStrings" '
        'Target="sharedStrings.xml"/>'
    )
    package = "http://schemas.openxmlformats.org/package/2006"
    sml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sml}.worksheet+xml"/>'
        for i in range(1, count + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Types xmlns="{package}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{sml}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{sml}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{sml}.sharedStrings+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{package}/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{package}/relationships">{workbook_rels}</Relationships>',
        )
        archive.writestr("xl/styles.xml", _STYLES)
        archive.writestr("xl/sharedStrings.xml", strings.xml())
        for i, body in enumerate(bodies, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", body)
    return path


def _absolute(ref: str) -> str:
    """``A3:G10`` as ``$A$3:$G$10``."""
    corners = []
    for corner in ref.split(":"):
        letters = corner.rstrip("0123456789")
        corners.append(f"${letters}${corner[len(letters) :]}")
    return ":".join(corners)
