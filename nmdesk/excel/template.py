"""The import template: the ledger's columns with dropdowns a unit fills in.

Dropdown lists (platform, level, status, account type, unit kind) live on a hidden sheet
and are referenced as ranges: Excel silently deletes a literal list longer
than 255 characters, and the platform list is the register's own, editable one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.excel.cells import set_text_cell
from nmdesk.excel.styles import style_header_row
from nmdesk.models import AccountStatus

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

LISTS_SHEET = "选项"
DATA_SHEET = "账号台账"
TEMPLATE_ROWS = 500
# (header, width, dropdown list name or "")
TEMPLATE_COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("开设单位", 24, ""),
    ("开设平台", 10, "platform"),
    ("账号类型", 10, "account_type"),
    ("账号名称", 26, ""),
    ("账号ID号", 20, ""),
    ("开设时间", 12, ""),
    ("账号级别", 10, "level"),
    ("状态", 9, "status"),
    ("账号主要用途", 40, ""),
    ("第一责任人", 11, ""),
    ("职务", 12, ""),
    ("办公电话", 15, ""),
    ("手机", 13, ""),
    ("邮箱", 22, ""),
    ("运维负责人", 11, ""),
    ("职务", 12, ""),
    ("办公电话", 15, ""),
    ("手机", 13, ""),
    ("邮箱", 22, ""),
    ("上级单位", 24, ""),  # a new unit's place in the tree (a 三级账号 needs one)
    ("单位类别", 12, "unit_kind"),  # a new unit's kind; blank: guessed from its name
    ("备注", 30, ""),
)


def template_lists(register: Register) -> dict[str, list[str]]:
    """The dropdown values: the register's platforms, every account type, levels, statuses
    and the profile's unit kinds."""
    platforms = register.accounts.platforms()
    types: list[str] = []
    for platform in platforms:
        for kind in register.accounts.account_types(platform):
            if kind not in types:
                types.append(kind)
    return {
        "platform": platforms,
        "account_type": types,
        "level": [level.name for level in register.profile.levels],
        "status": [status.label for status in AccountStatus],
        "unit_kind": list(register.profile.unit_kinds.values()),
    }


def write_template(register: Register, path: str | Path) -> None:
    """Write the import template (an empty ledger with dropdowns) to ``path``."""
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = template_lists(register)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    hidden = workbook.create_sheet(LISTS_SHEET)
    hidden.sheet_state = "hidden"
    ranges: dict[str, str] = {}
    for column, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(column)
        set_text_cell(hidden.cell(row=1, column=column), name)
        for row, value in enumerate(values, start=2):
            set_text_cell(hidden.cell(row=row, column=column), value)
        ranges[name] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    for column, (header, width, list_name) in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(column)
        set_text_cell(sheet.cell(row=1, column=column), header)
        sheet.column_dimensions[letter].width = width
        if list_name:
            validation = DataValidation(
                type="list",
                formula1=ranges[list_name],
                allow_blank=True,
                showErrorMessage=list_name != "account_type",
                errorTitle="请从列表中选择",
                error=f"请从下拉列表中选择{header}",
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
        if header == "开设时间":
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=column).number_format = "@"
    style_header_row(sheet, len(TEMPLATE_COLUMNS))
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(TEMPLATE_COLUMNS))}1"
    from nmdesk.excel.export import writing

    with writing(Path(path)):
        workbook.save(Path(path))
