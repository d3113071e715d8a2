"""The error report: the ledger's rejected rows as they were, plus a reason column.

The office sends it back to the unit, which fixes the rows and returns them;
the fixed file imports with the same mapping.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.excel.cells import set_text_cell
from nmdesk.excel.styles import style_header_row

if TYPE_CHECKING:
    from nmdesk.excel.ledger_import import ImportPlan, PlannedRow

REASON_HEADER = "错误原因"
ROW_HEADER = "原行号"


def write_error_report(
    plan: ImportPlan, path: str | Path, rows: list[PlannedRow] | None = None
) -> int:
    """Write the error rows (or ``rows``) to an xlsx; returns how many rows were written."""
    import openpyxl

    chosen = plan.error_rows() if rows is None else rows
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "错误行"
    headers = [ROW_HEADER, *plan.headers, REASON_HEADER]
    for column, header in enumerate(headers, start=1):
        set_text_cell(sheet.cell(row=1, column=column), header)
    for index, planned in enumerate(chosen, start=2):
        sheet.cell(row=index, column=1, value=planned.row_number)
        for column, value in enumerate(planned.values[: len(plan.headers)], start=2):
            cell = sheet.cell(row=index, column=column)
            if isinstance(value, str):
                set_text_cell(cell, value)
            elif isinstance(value, dt.date | dt.datetime | int | float | bool):
                cell.value = value
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
            elif value is not None:
                set_text_cell(cell, str(value))
        set_text_cell(sheet.cell(row=index, column=len(headers)), planned.reason)
    style_header_row(sheet, len(headers))
    sheet.column_dimensions["A"].width = 8
    from openpyxl.utils import get_column_letter

    sheet.column_dimensions[get_column_letter(len(headers))].width = 60
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(chosen) + 1)}"
    from nmdesk.excel.export import writing
    from nmdesk.files import private_output, refuse_register_file

    refuse_register_file(path, "错误报告")
    with writing(Path(path)), private_output(Path(path)) as temp:  # personal data: 0600
        workbook.save(temp)
    return len(chosen)
