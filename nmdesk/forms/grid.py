"""Bordered form grids: group labels in a left column, cells that wrap and grow.

``form_grid`` builds the table of a sheet from groups of rows. Long text that would
make the grid taller than a page is cut into chunks of lines that continue in
rows without a line between them, so nothing overflows or is lost.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.platypus import (
    Flowable,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

if TYPE_CHECKING:
    from nmdesk.profiles import Profile

from nmdesk.forms.text import (
    BODY_LEADING,
    BODY_SIZE,
    FORM_FONT,
    STYLE_RIGHT,
    STYLE_VALUE,
    TextParagraph,
    content_width,
    date_line,
    esc,
    gap,
    label,
    p,
)

GRID_STYLE = [
    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
    ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
    ("FONTNAME", (0, 0), (-1, -1), FORM_FONT),
    ("FONTSIZE", (0, 0), (-1, -1), BODY_SIZE),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ("TOPPADDING", (0, 0), (-1, -1), 5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
]


@dataclass
class GridRow:
    """One row of a form grid (without the group column): cells, horizontal spans as
    (first, last) column indices into ``cells``, and a minimum height."""

    cells: list[Any]
    spans: Sequence[tuple[int, int]] = ()
    min_height: float = BODY_LEADING + 20
    valign: str = "MIDDLE"


@dataclass
class GridGroup:
    """Rows under one group label, printed in a left column spanning them."""

    title: str
    rows: list[GridRow]


CHUNK_LINES = 12


_PAD_X = 8.0


def form_grid(
    groups: Sequence[GridGroup],
    widths: Sequence[float],
    available_height: float,
    *,
    padding: float = 5,
) -> Table:
    """A bordered form grid with group labels in a left column spanning their rows.

    When the grid fits on a page it is one table with spanned cells. When long text
    (a 2,000-character purpose) makes it taller than a page, long cells are cut into
    chunks of lines that continue in rows without a line between them, so that the
    table can break between pages without losing or overflowing any text.
    """
    table = _grid_table(groups, widths, chunked=False, padding=padding)
    if _height_bound(groups, widths, padding) <= available_height:
        return table  # surely fits: no need to lay it out twice
    _, height = table.wrap(sum(widths), available_height)
    if height <= available_height:
        return table
    return _grid_table(groups, widths, chunked=True, padding=padding)


def _height_bound(groups: Sequence[GridGroup], widths: Sequence[float], padding: float) -> float:
    """A cheap upper bound of the grid's height: every character as wide as the font
    size, one extra line per cell, the group labels written one character a line."""
    total = 0.0
    for group in groups:
        group_height = 0.0
        for row in group.rows:
            row_height = row.min_height
            for index, cell in enumerate(row.cells):
                width = _cell_width(widths, row, index)
                items = cell if isinstance(cell, list) else [cell]
                height = sum(_flowable_bound(item, width) for item in items)
                row_height = max(row_height, height + 2 * padding)
            group_height += row_height
        label_height = len(group.title) * BODY_LEADING + 2 * padding
        total += max(group_height, label_height)
    return total


def _flowable_bound(item: Any, width: float) -> float:
    if isinstance(item, Paragraph):
        size = item.style.fontSize
        text = item.getPlainText()
        lines = math.ceil(len(text) * size / max(width, size)) + 1 + text.count("\n")
        return float(lines * item.style.leading)
    if isinstance(item, Spacer):
        return float(item.height)
    if isinstance(item, str):
        return 0.0 if not item else BODY_LEADING
    return math.inf  # anything else: measure it properly


def _cell_width(widths: Sequence[float], row: GridRow, index: int) -> float:
    last = index
    for first, end in row.spans:
        if first == index:
            last = end
    return float(sum(widths[1 + index : 2 + last])) - _PAD_X


def _chunks(cell: Any, width: float) -> list[Any]:
    """A long text cell as several paragraphs of about CHUNK_LINES lines each."""
    raw = getattr(cell, "raw_text", None)
    if raw is None:
        return [cell]
    size = cell.style.fontSize
    per_chunk = max(1, int(width // size)) * CHUNK_LINES
    if len(raw) <= per_chunk * 1.5:
        return [cell]
    return [
        TextParagraph(raw[i : i + per_chunk], cell.style) for i in range(0, len(raw), per_chunk)
    ]


def _grid_table(
    groups: Sequence[GridGroup], widths: Sequence[float], *, chunked: bool, padding: float
) -> Table:
    data: list[list[Any]] = []
    heights: list[float] = []
    commands: list[tuple[Any, ...]] = [("BOX", (0, 0), (-1, -1), 1.2, colors.black)]
    ncols = len(widths)
    for group in groups:
        start = len(data)
        group_rows: list[tuple[list[Any], GridRow, bool]] = []
        for row in group.rows:
            pieces = [
                _chunks(cell, _cell_width(widths, row, i)) if chunked else [cell]
                for i, cell in enumerate(row.cells)
            ]
            count = max(len(piece) for piece in pieces)
            for k in range(count):
                cells = [piece[k] if k < len(piece) else "" for piece in pieces]
                group_rows.append((cells, row, k > 0))
        for cells, row, continued in group_rows:
            r = len(data)
            data.append(["", *cells])
            heights.append(0 if continued else row.min_height)
            for first, last in row.spans:
                commands.append(("SPAN", (1 + first, r), (1 + last, r)))
            if row.valign != "MIDDLE":
                first_col = 1 if isinstance(row.cells[0], list) else 2
                commands.append(("VALIGN", (first_col, r), (-1, r), row.valign))
            if continued:
                commands.append(("TOPPADDING", (1, r), (-1, r), 0))
                commands.append(("BOTTOMPADDING", (1, r - 1), (-1, r - 1), 0))
            if r > 0:
                line_from = None if continued else (1 if r > start else 0)
                if line_from is not None:
                    commands.append(("LINEABOVE", (line_from, r), (-1, r), 0.6, colors.black))
        end = len(data) - 1
        title = label(group.title) if group.title else ""
        continued_rows = [i for i, item in enumerate(group_rows) if item[2]]
        if not continued_rows:
            data[start][0] = title
            commands.append(("SPAN", (0, start), (0, end)))
        else:
            first_long = start + continued_rows[0] - 1
            data[first_long][0] = title
            commands.append(("VALIGN", (0, first_long), (0, first_long), "TOP"))
    for col in range(1, ncols):
        commands.append(("LINEBEFORE", (col, 0), (col, -1), 0.6, colors.black))
    table = Table(data, colWidths=list(widths), minRowHeights=heights, hAlign="CENTER")
    base = [c for c in GRID_STYLE if c[0] not in ("GRID", "BOX")]
    pads = [("TOPPADDING", (0, 0), (-1, -1), padding), ("BOTTOMPADDING", (0, 0), (-1, -1), padding)]
    table.setStyle(TableStyle([*base, *pads, *commands]))
    return table


def signature_block(
    lines: Sequence[str],
    *,
    date: dt.date | None = None,
    space_above: float = 36,
    sign_width: float = 110,
) -> list[Flowable]:
    """Signature lines at the bottom of an opinion cell: blank space, the lines, the date.

    Each line is a sequence of captions separated by ``|``; each caption is followed
    by room to sign.
    """
    items: list[Flowable] = [Spacer(1, space_above)]
    for line in lines:
        markup = "".join(esc(caption) + gap(sign_width) for caption in line.split("|"))
        items.append(Paragraph(markup, STYLE_VALUE))
    items.append(Spacer(1, 10))
    items.append(Paragraph(date_line(date) + gap(12), STYLE_RIGHT))
    return items


SHEET_PARTS = (26, 78, 92, 66, 74, 58, 90)


def sheet_widths(parts: Sequence[float] = SHEET_PARTS) -> list[float]:
    total = content_width()
    return [total * part / sum(parts) for part in parts]


def wide_row(caption: str, value: Any, **row: Any) -> GridRow:
    """A labelled value across the rest of a six-column row (``row``: GridRow's options)."""
    return GridRow([label(caption), value, "", "", "", ""], spans=[(1, 5)], **row)


def two_values_row(
    first: str, first_value: Any, second: str, second_value: Any, **row: Any
) -> GridRow:
    """Two labelled values in a six-column row, the second across the rest of it."""
    return GridRow(
        [label(first), first_value, label(second), second_value, "", ""], spans=[(3, 5)], **row
    )


def account_group(info: dict[str, str], title: str = "账号信息") -> GridGroup:
    """The rows naming an account on change, closure and rectification sheets."""
    return GridGroup(
        title,
        [
            two_values_row(
                "账号名称", p(info["name"]), "账号\u00a0ID\u00a0号", p(info["platform_id"])
            ),
            two_values_row("开设平台", p(info["platform"]), "账号类型", p(info["account_type"])),
            two_values_row("账号开设单位", p(info["unit"]), "开设时间", p(info["opened_on"])),
        ],
    )


def opinion_group(
    profile: Profile, *, unit_caption: str = "负责人（签字）：|单位盖章："
) -> GridGroup:
    """The unit's opinion with signature and stamp, and the filing office's entry."""
    return GridGroup(
        "意见",
        [
            wide_row(
                "单位意见",
                signature_block([unit_caption], space_above=60, sign_width=120),
                valign="BOTTOM",
            ),
            wide_row(
                f"{profile.filing_office}意见",
                signature_block(["经办人（签字）："], space_above=40),
                valign="BOTTOM",
            ),
        ],
    )
