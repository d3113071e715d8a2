"""An OpenDocument spreadsheet (``.ods``, saved by LibreOffice or WPS) measured and mapped
before python-calamine reads it.

python-calamine reads an .ods's values but reports neither its merged cells nor its
formulas, and it materialises a row written once with ``number-rows-repeated="N"``
N times. So ``content.xml`` is streamed once (after the zip directory's sizes are
checked) and, for each sheet, yields:

- the used range, counted the way it will be allocated (a repeated row or cell that
  holds something counts as many times as it repeats), checked against the limits;
- the merged ranges (``number-rows-spanned``/``number-columns-spanned``), which the
  reader fills down as it does for an xlsx;
- the formula cells (``table:formula``) and whether each has a stored result (LibreOffice
  always stores one; a generated file may not).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from nmdesk.excel.limits import LIMITS, SheetExtent

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT_P = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
_SHEET = _TABLE + "table"
_ROW = _TABLE + "table-row"
_CELLS = (_TABLE + "table-cell", _TABLE + "covered-table-cell")
_VALUE_TYPE = _OFFICE + "value-type"
_FORMULA = _TABLE + "formula"
_ROWS_REPEATED = _TABLE + "number-rows-repeated"
_COLUMNS_REPEATED = _TABLE + "number-columns-repeated"
_ROWS_SPANNED = _TABLE + "number-rows-spanned"
_COLUMNS_SPANNED = _TABLE + "number-columns-spanned"


@dataclass
class OdsSheet:
    """What calamine does not say about one sheet: merged ranges ((top, left), (bottom,
    right)), zero-based, and formula cells (row, column) → (has a stored result, text)."""

    name: str
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    formulas: dict[tuple[int, int], tuple[bool, str]] = field(default_factory=dict)


def scan_content(archive: zipfile.ZipFile, file_name: str) -> dict[str, OdsSheet]:
    """Every sheet of ``content.xml``, its size checked as it streams past (raises
    ``SpreadsheetTooLargeError``); ``ElementTree.ParseError`` if the XML is damaged."""
    sheets: dict[str, OdsSheet] = {}
    sheet: OdsSheet | None = None
    extent: SheetExtent | None = None
    row = column = 0
    row_repeat = 1
    with archive.open("content.xml") as part:
        for event, element in ElementTree.iterparse(part, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == _SHEET:
                    name = element.get(_TABLE + "name", "")
                    sheet = sheets[name] = OdsSheet(name)
                    extent = SheetExtent(file_name, name, LIMITS)
                    row = 0
                elif tag == _ROW:
                    column = 0
                    row_repeat = _count(element.get(_ROWS_REPEATED))
                continue
            if tag in _CELLS and sheet is not None and extent is not None:
                repeat = _count(element.get(_COLUMNS_REPEATED))
                formula = element.get(_FORMULA)
                stored = element.get(_VALUE_TYPE) is not None or element.find(_TEXT_P) is not None
                if stored or formula:
                    extent.grow(row + row_repeat, column + repeat)
                    if formula:
                        text = formula.split(":", 1)[-1].lstrip("=")
                        for r in range(row, row + row_repeat):  # bounded by the check above
                            for c in range(column, column + repeat):
                                sheet.formulas[(r, c)] = (stored, text)
                down = _count(element.get(_ROWS_SPANNED))
                across = _count(element.get(_COLUMNS_SPANNED))
                if (down > 1 or across > 1) and tag == _CELLS[0]:
                    sheet.merged.append(((row, column), (row + down - 1, column + across - 1)))
                column += repeat
                element.clear()
            elif tag == _ROW:
                row += row_repeat  # an empty run of rows counts only if a used row follows
                element.clear()
            elif tag == _SHEET:
                sheet, extent = None, None
                element.clear()
    return sheets


def _count(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1
