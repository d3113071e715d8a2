"""The register listing (台账): every account as a landscape table over many pages.

The header row repeats on each page and each page says 第 n 页 共 m 页. The rows
come from the store 500 at a time, in the store's order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.platypus import LongTable, Paragraph, TableStyle

from nmdesk.forms.common import (
    GRID_STYLE,
    STYLE_SUBTITLE,
    Cancelled,
    Sheet,
    content_width,
    esc,
    form_title,
    style,
)
from nmdesk.models import AccountStatus

Progress = Callable[[int, int], bool]

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from nmdesk.store.interfaces import Register

COLUMNS = (
    ("序号", 4),
    ("备案编号", 11),
    ("账号名称", 13),
    ("开设平台", 7),
    ("账号类型", 7),
    ("账号ID号", 10),
    ("开设单位", 12),
    ("级别", 6),
    ("第一责任人", 8),
    ("具体运营人", 8),
    ("开设时间", 8),
    ("状态", 6),
)
STYLE_CELL = style("ledger-cell", size=8.5, leading=11)
STYLE_HEAD = style("ledger-head", size=9, leading=12, align=1)
BLANK_ROWS = 25


def ledger_rows(register: Register) -> list[list[str]]:
    """One list of printed values per account, in the store's order."""
    profile = register.profile
    ids = register.accounts.ids()
    result: list[list[str]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = register.accounts.rows(chunk)
        for account_id in chunk:
            row = rows[account_id]
            result.append(
                [
                    str(account_id),
                    row["serial_no"],
                    row["name"],
                    row["platform"],
                    row["account_type"],
                    row["platform_id"],
                    row["unit"],
                    profile.level(row["level"]).name,
                    row["first_responsible"] or "",
                    row["operator"] or "",
                    row["opened_on"] or "",
                    AccountStatus(row["status"]).label,
                ]
            )
    return result


class _RowMark(Paragraph):  # type: ignore[misc]
    """The first cell of every PROGRESS_EVERY-th row: reports progress when drawn, and
    lets a long listing be cancelled between rows (the callback raises Cancelled)."""

    def __init__(self, text: str, style: Any, report: Callable[[], None]) -> None:
        super().__init__(esc(text), style)
        self.report = report

    def draw(self) -> None:
        self.report()
        super().draw()


PROGRESS_EVERY = 50


def ledger_body(
    subtitle: str, values: list[list[str]], progress: Progress | None = None
) -> list[Flowable]:
    total = content_width(is_landscape=True)
    parts = [part for _, part in COLUMNS]
    widths = [total * part / sum(parts) for part in parts]
    data: list[list[Any]] = [[Paragraph(esc(name), STYLE_HEAD) for name, _ in COLUMNS]]
    count = len(values)
    for index, row in enumerate(values):
        cells: list[Any] = [Paragraph(esc(v), STYLE_CELL) for v in row]
        if progress is not None and index % PROGRESS_EVERY == 0:
            cells[0] = _RowMark(row[0], STYLE_CELL, _reporter(progress, index, count))
        data.append(cells)
    table = LongTable(
        data,
        colWidths=widths,
        repeatRows=1,
        splitInRow=0,
        hAlign="CENTER",
        minRowHeights=[20] * len(data),
    )
    table.setStyle(
        TableStyle([*GRID_STYLE, ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8"))])
    )
    return [Paragraph(esc(subtitle), STYLE_SUBTITLE), table]


def _reporter(progress: Progress, done: int, total: int) -> Callable[[], None]:
    def report() -> None:
        if not progress(done, total):
            raise Cancelled()

    return report


def ledger_sheets(
    register: Register,
    account_id: int | None = None,
    *,
    blank: bool = False,
    progress: Progress | None = None,
) -> list[Sheet]:
    """The whole register as one landscape listing (not in two copies).

    ``progress(rows_done, rows)`` is called while the rows are laid out and may return
    False to cancel (``Cancelled`` is raised and no file is left).
    """
    profile = register.profile
    title = form_title(profile, "ledger")
    if blank:
        values = [[""] * len(COLUMNS) for _ in range(BLANK_ROWS)]
        subtitle = f"{profile.institution}　　截至　　　　年　　月　　日"
    else:
        values = ledger_rows(register)
        if account_id is not None:
            values = [row for row in values if row[0] == str(account_id)]
        today = dt.date.today()
        subtitle = (
            f"{profile.institution}　截至{today.year}年{today.month}月{today.day}日"
            f"　共 {len(values)} 个账号"
        )
    return [
        Sheet(
            title,
            lambda: ledger_body(subtitle, values, progress),
            copies=False,
            landscape=True,
            traced=False,
        )
    ]
