"""The look shared by every sheet nmdesk writes: a bold shaded header, frozen."""

from __future__ import annotations

from typing import Any

HEADER_FILL = "DDEBF7"
HEADER_BORDER = "999999"
# the header's look as an xlsxwriter format (the export): as ``header_style``
HEADER_FORMAT = {
    "bold": True,
    "bg_color": f"#{HEADER_FILL}",
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
    "bottom": 1,
    "bottom_color": f"#{HEADER_BORDER}",
}


def header_style() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color=HEADER_BORDER)
    return {
        "font": Font(bold=True),
        "fill": PatternFill("solid", fgColor=HEADER_FILL),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "border": Border(bottom=thin),
    }


def style_header_row(sheet: Any, width: int) -> None:
    """Style row 1 of a normal (not write-only) worksheet and freeze it."""
    style = header_style()
    for column in range(1, width + 1):
        cell = sheet.cell(row=1, column=column)
        for name, value in style.items():
            setattr(cell, name, value)
    sheet.freeze_panes = "A2"
