"""The public listing's workbook: sheets of text and numbers, a few styles, by xlsxwriter.

Every value is a string or an integer, written as such (text starting with
``=`` stays text), without the control characters an xlsx cannot hold; column
widths, a frozen header, an auto filter and four cell styles. It was
hand-written SpreadsheetML until issue 16: with xlsxwriter the bench row
"发布 10,000 个账号的年度审核" is still met.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Cell styles
PLAIN, TITLE, HEADER, MARKED = 0, 1, 2, 3

Cell = str | int | tuple[str | int, int] | None  # a value, or (value, style); None: no cell


@dataclass
class Sheet:
    """One worksheet: rows of cells, column widths, and optionally frozen rows and a filter."""

    title: str
    widths: Sequence[float]
    rows: list[Sequence[Cell]] = field(default_factory=list)
    frozen_rows: int = 0
    auto_filter: str = ""


def _legal(text: str) -> str:
    """Without the control characters an xlsx cannot hold (as ``nmdesk.excel.cells.cell_text``)."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", text))


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> Path:
    """Write the sheets as one xlsx file."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    border = "#999999"
    formats = {
        PLAIN: None,
        TITLE: book.add_format({"bold": True, "font_size": 14}),
        HEADER: book.add_format(
            {"bold": True, "bg_color": "#DDE6F0", "bottom": 1, "bottom_color": border}
        ),
        MARKED: book.add_format({"bg_color": "#FDE2E1"}),
    }
    for sheet in sheets:
        out = book.add_worksheet(sheet.title)
        for index, width in enumerate(sheet.widths):
            out.set_column_pixels(
                index, index, round(width * 7)
            )  # 7 px a character: stored as ``width``
        write_string, write_number = out.write_string, out.write_number
        for number, row in enumerate(sheet.rows):
            for column, cell in enumerate(row):
                if cell is None:
                    continue
                value, style = cell if isinstance(cell, tuple) else (cell, PLAIN)
                if isinstance(value, int):
                    write_number(number, column, value, formats[style])
                else:
                    write_string(number, column, _legal(value), formats[style])
        if sheet.frozen_rows:
            out.freeze_panes(sheet.frozen_rows, 0)
        if sheet.auto_filter:
            out.autofilter(sheet.auto_filter)
    book.close()
    return path
