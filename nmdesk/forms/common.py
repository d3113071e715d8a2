"""What every printed form shares: fonts, styles, the two copies, the trace band and the QR code.

A form is a list of ``Sheet`` objects. ``write_pdf`` lays each sheet out once per
copy label (一式两份): each copy starts on a new page, carries its copy label, the
account's serial number, the form's version (the filing it belongs to), the
filing's check code and a QR code holding ``serial|check_code``. Page numbers
count within a copy, so a copy that runs onto a second page stays complete and
recognisable. Every font is the bundled TrueType font, embedded in the PDF.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from nmdesk.errors import NmdeskError, PolicyError
from nmdesk.models import Filing, FilingKind, FilingStatus, Person
from nmdesk.paths import FORM_FONT_FILE, UI_FONT_FILE

if TYPE_CHECKING:
    from nmdesk.profiles import Profile
    from nmdesk.store.register import Register

FORM_FONT = "NmdeskSong"
SANS_FONT = "NmdeskSans"
PAGE_SIZE = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 36 * mm
MARGIN_BOTTOM = 14 * mm
LANDSCAPE_MARGIN_TOP = 16 * mm  # listings carry no trace band
BODY_SIZE = 10.5  # 五号
BODY_LEADING = 15.0
BLANK_LINE = "＿＿＿＿＿＿＿＿"

FORM_NAMES = {
    "filing": "备案表",
    "approval": "审批表",
    "pledge": "保密及不侵权承诺书",
    "change": "变更备案表",
    "closure": "注销报备表",
    "rectification": "整改通知书",
    "ledger": "账号台账",
}

_fonts_registered = False


def register_fonts() -> None:
    """Register the bundled TrueType fonts with reportlab, once per process."""
    global _fonts_registered
    if _fonts_registered:
        return
    for name, path in ((FORM_FONT, FORM_FONT_FILE), (SANS_FONT, UI_FONT_FILE)):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
            pdfmetrics.registerFontFamily(
                name, normal=name, bold=name, italic=name, boldItalic=name
            )
    _fonts_registered = True


def esc(value: object) -> str:
    """User text made safe for Paragraph markup: ``a<b&c`` prints as typed, newlines kept.

    A rare character the Song font lacks (e.g. 卙) is set in the bundled sans font, so
    that it prints instead of leaving a gap.
    """
    text = "" if value is None else str(value)
    song, sans = _glyph_sets()
    parts: list[str] = []
    for fallback, run in itertools.groupby(
        text, key=lambda c: ord(c) not in song and ord(c) in sans
    ):
        chunk = escape("".join(run))
        parts.append(f'<font name="{SANS_FONT}">{chunk}</font>' if fallback else chunk)
    return "".join(parts).replace("\r\n", "\n").replace("\n", "<br/>")


@functools.lru_cache(maxsize=1)
def _glyph_sets() -> tuple[frozenset[int], frozenset[int]]:
    """The code points each bundled font has a glyph for."""
    register_fonts()
    return (
        frozenset(pdfmetrics.getFont(FORM_FONT).face.charToGlyph),
        frozenset(pdfmetrics.getFont(SANS_FONT).face.charToGlyph),
    )


def style(
    name: str,
    *,
    size: float = BODY_SIZE,
    leading: float | None = None,
    align: int = TA_LEFT,
    font: str = FORM_FONT,
    **extra: Any,
) -> ParagraphStyle:
    """A paragraph style in the bundled font with CJK line breaking (wraps anywhere)."""
    return ParagraphStyle(
        name,
        fontName=font,
        fontSize=size,
        leading=leading or size * 1.45,
        alignment=align,
        wordWrap="CJK",
        **extra,
    )


STYLE_VALUE = style("value")
STYLE_LABEL = style("label", align=TA_CENTER)
STYLE_TITLE = style("title", size=18, leading=26, align=TA_CENTER, spaceAfter=4)
STYLE_SUBTITLE = style("subtitle", size=BODY_SIZE, align=TA_CENTER, spaceAfter=6)
STYLE_NOTE = style("note", size=9.5, spaceBefore=6)
STYLE_RIGHT = style("right", align=TA_RIGHT)
STYLE_BODY = style("body", size=12, leading=22, firstLineIndent=24)
STYLE_SMALL = style("small", size=8, leading=10)


class TextParagraph(Paragraph):  # type: ignore[misc]
    """A paragraph of user text that remembers its raw text, so a long cell can be cut."""

    def __init__(self, text: object, st: ParagraphStyle = STYLE_VALUE) -> None:
        self.raw_text = "" if text is None else str(text)
        super().__init__(esc(self.raw_text), st)


def p(text: object, st: ParagraphStyle = STYLE_VALUE) -> Paragraph:
    """A paragraph of user text (escaped)."""
    return TextParagraph(text, st)


def label(text: str) -> Paragraph:
    """A cell label; labels are program text, not user text, but escaped all the same.

    Labels repeat on every sheet, so each is parsed once and then copied.
    """
    prototype = _LABELS.get(text)
    if prototype is None:
        prototype = _LABELS[text] = Paragraph(esc(text), STYLE_LABEL)
    return copy.copy(prototype)


_LABELS: dict[str, Paragraph] = {}


def chinese_date(day: dt.date | None) -> str:
    """``2026年11月23日``, or the blank ``年　　月　　日`` line for handwriting."""
    if day is None:
        return "　　　　年　　月　　日"
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Trace:
    """What makes a printed sheet traceable: serial, version (the filing) and check code."""

    serial_no: str = ""
    version: str = ""
    check_code: str = ""

    @property
    def qr_payload(self) -> str:
        return f"{self.serial_no}|{self.check_code}" if self.check_code else ""


def version_text(filing: Filing) -> str:
    return f"第{filing.version}版（{filing.kind.label}）"


def pick_filing(filings: Sequence[Filing], kinds: Sequence[FilingKind] = ()) -> Filing | None:
    """The filing a sheet belongs to: the open one of the form's kinds, else the latest
    of those kinds, else any open filing, else the account's latest filing."""

    def latest(items: Sequence[Filing]) -> Filing | None:
        return max(items, key=lambda f: (f.version, f.id or 0)) if items else None

    own = [f for f in filings if f.kind in kinds]
    for group in (
        [f for f in own if f.status is FilingStatus.OPEN],
        own,
        [f for f in filings if f.status is FilingStatus.OPEN],
        list(filings),
    ):
        found = latest(group)
        if found is not None:
            return found
    return None


def trace_for(serial_no: str, filing: Filing | None) -> Trace:
    if filing is None:
        return Trace(serial_no=serial_no)
    return Trace(serial_no, version_text(filing), filing.check_code)


@dataclass
class Sheet:
    """One sheet of a form for one account (or a blank), printed once per copy label.

    ``body`` builds fresh flowables each time it is called: platypus consumes them.
    """

    title: str
    body: Callable[[], list[Flowable]]
    trace: Trace = field(default_factory=Trace)
    footnote: str = ""
    copies: bool = True
    landscape: bool = False
    account_id: int | None = None
    traced: bool = True


@dataclass(frozen=True)
class _CopyInfo:
    group: int
    label: str
    trace: Trace
    traced: bool


class _CopyStart(Flowable):  # type: ignore[misc]
    """A zero-size marker at the top of each copy: switches the page band to this copy."""

    def __init__(self, info: _CopyInfo, on_sheet: Callable[[], None] | None) -> None:
        super().__init__()
        self.info = info
        self.on_sheet = on_sheet
        self.width = self.height = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        doc = self.canv._nm_doc
        doc._nm_copy = self.info
        if self.on_sheet is not None:
            self.on_sheet()


class _BandCanvas(Canvas):  # type: ignore[misc]
    """A canvas that keeps pages until the end, so each page can say 第 n 页 共 m 页
    within its copy, and draws the band (copy label, trace, QR) on every page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._nm_pages: list[dict[str, Any]] = []
        self._nm_info: _CopyInfo | None = None
        self._nm_doc: Any = None

    def showPage(self) -> None:
        self._nm_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        totals: dict[int, int] = {}
        for state in self._nm_pages:
            info = state.get("_nm_info")
            if info is not None:
                totals[info.group] = totals.get(info.group, 0) + 1
        seen: dict[int, int] = {}
        for state in self._nm_pages:
            self.__dict__.update(state)
            info = state.get("_nm_info")
            if info is not None:
                seen[info.group] = seen.get(info.group, 0) + 1
                _draw_band(self, info, seen[info.group], totals[info.group])
            Canvas.showPage(self)
        Canvas.save(self)


def _draw_band(canv: Canvas, info: _CopyInfo, page: int, total: int) -> None:
    width, height = canv._pagesize
    canv.saveState()
    canv.setFillColor(colors.black)
    top = height - 12 * mm
    if info.label:
        canv.setFont(FORM_FONT, 10.5)
        text_width = pdfmetrics.stringWidth(info.label, FORM_FONT, 10.5)
        canv.setLineWidth(0.6)
        canv.rect(MARGIN_X, top - 5 * mm, text_width + 6 * mm, 7.5 * mm)
        canv.drawString(MARGIN_X + 3 * mm, top - 2.8 * mm, info.label)
    if info.traced:
        qr_size = 20 * mm
        qr_x = width - MARGIN_X - qr_size
        qr_y = top - qr_size + 2 * mm
        text_right = qr_x - 2 * mm
        canv.setFont(FORM_FONT, 9)
        trace = info.trace
        lines = [
            f"备案编号：{trace.serial_no or BLANK_LINE}",
            f"表单版本：{trace.version or BLANK_LINE}",
            f"校 验 码：{trace.check_code or BLANK_LINE}",
        ]
        for index, line in enumerate(lines):
            canv.drawRightString(text_right, top - index * 4.6 * mm, line)
        if trace.qr_payload:
            _draw_qr(canv, trace.qr_payload, qr_x, qr_y, qr_size)
        else:
            canv.setLineWidth(0.4)
            canv.setDash(2, 2)
            canv.rect(qr_x, qr_y, qr_size, qr_size)
            canv.setDash()
    canv.setFont(FORM_FONT, 9)
    canv.drawCentredString(width / 2, 9 * mm, f"第 {page} 页　共 {total} 页")
    canv.restoreState()


QR_MASK_PATTERN = 0


@functools.lru_cache(maxsize=256)
def qr_modules(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's module matrix (True: dark), computed once per payload: both copies
    of a sheet carry the same code."""
    widget = QrCodeWidget(payload, barLevel="M")
    encoder = widget.qr
    if encoder.version is None:
        encoder.version = encoder.calculate_version()
    encoder.makeImpl(False, QR_MASK_PATTERN)  # a fixed mask: any of the eight is valid
    return tuple(tuple(bool(module) for module in row) for row in widget.qr.modules)


def _draw_qr(canv: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as one filled path of dark runs (no renderer, so no stray font)."""
    modules = qr_modules(payload)
    box = size / len(modules)
    path = canv.beginPath()
    for row_index, row in enumerate(modules):
        column = 0
        for dark, run in itertools.groupby(row):
            count = len(list(run))
            if dark:
                path.rect(x + column * box, y + size - (row_index + 1) * box, count * box, box)
            column += count
    canv.drawPath(path, stroke=0, fill=1)


class _FormDoc(BaseDocTemplate):  # type: ignore[misc]
    def __init__(self, target: Any, **kwargs: Any) -> None:
        super().__init__(
            target,
            initialFontName=FORM_FONT,
            initialFontSize=BODY_SIZE,
            initialLeading=BODY_LEADING,
            **kwargs,
        )
        self._nm_copy: _CopyInfo | None = None
        templates = []
        for name, size, top in (
            ("portrait", PAGE_SIZE, MARGIN_TOP),
            ("landscape", landscape(PAGE_SIZE), LANDSCAPE_MARGIN_TOP),
        ):
            frame = Frame(
                MARGIN_X,
                MARGIN_BOTTOM,
                size[0] - 2 * MARGIN_X,
                size[1] - top - MARGIN_BOTTOM,
                id=name,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )
            templates.append(
                PageTemplate(
                    id=name,
                    frames=[frame],
                    pagesize=size,
                    onPage=self._page_start,
                    onPageEnd=self._page_end,
                )
            )
        self.addPageTemplates(templates)

    def _page_start(self, canv: Canvas, doc: Any) -> None:
        canv._nm_doc = self

    def _page_end(self, canv: Canvas, doc: Any) -> None:
        canv._nm_info = self._nm_copy


class Cancelled(NmdeskError):
    """The clerk cancelled a long print job; nothing was written."""

    def __init__(self) -> None:
        super().__init__("已取消打印，未生成文件")


def build_story(
    sheets: Sequence[Sheet],
    copy_labels: Sequence[str],
    on_sheet: Callable[[int], None] | None = None,
) -> list[Flowable]:
    """The flowables of every sheet, each copy starting on a new page."""
    from reportlab.platypus.doctemplate import NextPageTemplate

    story: list[Flowable] = []
    group = 0
    current_template = "landscape" if sheets and sheets[0].landscape else "portrait"
    for index, sheet in enumerate(sheets):
        labels = list(copy_labels) if sheet.copies else [""]
        wanted = "landscape" if sheet.landscape else "portrait"
        for copy_number, copy_label in enumerate(labels):
            if story:
                if wanted != current_template:
                    story.append(NextPageTemplate(wanted))
                    current_template = wanted
                story.append(PageBreak())
            group += 1
            callback = None
            if on_sheet is not None and copy_number == 0:
                callback = _bind(on_sheet, index)
            info = _CopyInfo(group, copy_label, sheet.trace, sheet.traced)
            story.append(_CopyStart(info, callback))
            story.append(title_paragraph(sheet.title, sheet.landscape))
            story.extend(sheet.body())
            if sheet.footnote:
                story.append(Paragraph(esc(sheet.footnote), STYLE_NOTE))
    return story


def title_paragraph(title: str, is_landscape: bool = False) -> Paragraph:
    """The sheet title, centred, shrunk to stay on one line when it is long."""
    register_fonts()
    width = content_width(is_landscape)
    size = STYLE_TITLE.fontSize
    while size > 12 and pdfmetrics.stringWidth(title, FORM_FONT, size) > width - 4:
        size -= 0.5
    if size == STYLE_TITLE.fontSize:
        return Paragraph(esc(title), STYLE_TITLE)
    return Paragraph(esc(title), STYLE_TITLE.clone("title-fit", fontSize=size))


def _bind(callback: Callable[[int], None], index: int) -> Callable[[], None]:
    return lambda: callback(index)


def write_pdf(
    sheets: Sequence[Sheet],
    copy_labels: Sequence[str],
    out: str | Path,
    *,
    on_sheet: Callable[[int], None] | None = None,
    title: str = "",
) -> Path:
    """Lay out the sheets (each in every copy) into one PDF at ``out``.

    ``on_sheet(i)`` is called when sheet ``i`` starts; it may raise ``Cancelled``,
    in which case no file is left behind.
    """
    register_fonts()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".part")
    first_landscape = bool(sheets) and sheets[0].landscape
    doc = _FormDoc(
        str(temporary),
        pagesize=landscape(PAGE_SIZE) if first_landscape else PAGE_SIZE,
        title=title or (sheets[0].title if sheets else ""),
        author="nmdesk",
        creator="nmdesk",
    )
    if first_landscape:
        doc.pageTemplates.reverse()
    story = build_story(sheets, copy_labels, on_sheet)
    try:
        doc.build(story, canvasmaker=_BandCanvas)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(out)
    return out


# -- tables ------------------------------------------------------------------------------

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


def grid(
    rows: list[list[Any]],
    widths: Sequence[float],
    commands: Sequence[tuple[Any, ...]] = (),
    min_heights: Sequence[float] | None = None,
    repeat_rows: int = 0,
) -> Table:
    """A bordered form table whose rows grow with their text and may split across pages."""
    table = Table(
        rows,
        colWidths=list(widths),
        splitInRow=1,
        repeatRows=repeat_rows,
        minRowHeights=list(min_heights) if min_heights else None,
        hAlign="CENTER",
    )
    table.setStyle(TableStyle([*GRID_STYLE, *commands]))
    return table


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
_PAD_Y = 10.0


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


def page_body_height(is_landscape: bool = False) -> float:
    """Room for a grid on one page, leaving space for the title and the foot note."""
    size = landscape(PAGE_SIZE) if is_landscape else PAGE_SIZE
    return float(size[1] - MARGIN_TOP - MARGIN_BOTTOM - 70)


def content_width(is_landscape: bool = False) -> float:
    size = landscape(PAGE_SIZE) if is_landscape else PAGE_SIZE
    return float(size[0] - 2 * MARGIN_X)


def gap(width: float, size: float = BODY_SIZE) -> str:
    """Markup for a blank stretch about ``width`` points wide (spaces would collapse)."""
    register_fonts()
    one = pdfmetrics.stringWidth("\u00a0", FORM_FONT, size) or size / 2
    return "&nbsp;" * max(1, round(width / one))


def date_line(day: dt.date | None = None, *, compact: bool = False) -> str:
    """Markup of a date, or of the blank ``年 月 日`` line with room to write."""
    if day is not None:
        return esc(chinese_date(day))
    year, other = (26, 16) if compact else (40, 24)
    return f"{gap(year)}年{gap(other)}月{gap(other)}日"


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


def person_fields(person: Person | None) -> dict[str, str]:
    """Name, title and contacts as printed; empty strings for a missing person."""
    if person is None:
        return {"name": "", "title": "", "office_phone": "", "mobile": "", "email": ""}
    return {
        "name": person.name,
        "title": person.title,
        "office_phone": person.office_phone,
        "mobile": person.mobile,
        "email": person.email,
    }


def first(people: Sequence[Person] | None) -> Person | None:
    return people[0] if people else None


def role_people(register: Register, account_id: int) -> dict[str, list[Person]]:
    """Current holders of each role of the account, in assignment order."""
    holders: dict[str, list[Person]] = {}
    for assignment in register.accounts.current_roles(account_id):
        holders.setdefault(assignment.role, []).append(register.people.get(assignment.person_id))
    return holders


def require_form(profile: Profile, form: str) -> None:
    """Raise PolicyError when the register's profile does not use this form."""
    if form not in FORM_NAMES:
        raise PolicyError(f"没有名为“{form}”的表单，可选：{'、'.join(FORM_NAMES)}")
    if not profile.uses_form(form):
        used = "、".join(f"{f}（{FORM_NAMES[f]}）" for f in profile.forms)
        raise PolicyError(
            f"策略配置“{profile.name}”不使用{FORM_NAMES[form]}（{form}），可打印的表单：{used}"
        )


def form_title(profile: Profile, form: str) -> str:
    """The sheet title: a profile's ``form_titles`` entry, the profile's filing sheet title
    for its main sheet, else the institution's name and the form's name."""
    titles = profile.raw.get("form_titles")
    if isinstance(titles, dict) and isinstance(titles.get(form), str) and titles[form].strip():
        return str(titles[form])
    main_sheet = next((f for f in profile.forms if f in ("filing", "approval")), None)
    if form == main_sheet:
        return profile.filing_sheet_title
    suffix = {
        "filing": "新媒体公共账号备案表",
        "approval": "开设新媒体公共账号审批表",
        "pledge": "开设使用新媒体账号保密及不侵权承诺书",
        "change": "新媒体公共账号变更备案表",
        "closure": "新媒体公共账号注销报备表",
        "rectification": "新媒体公共账号整改通知书",
        "ledger": "新媒体公共账号台账",
    }[form]
    return f"{profile.institution}{suffix}"


SHEET_PARTS = (26, 78, 92, 66, 74, 58, 90)


def sheet_widths(parts: Sequence[float] = SHEET_PARTS) -> list[float]:
    total = content_width()
    return [total * part / sum(parts) for part in parts]


def account_info(register: Register | None, account_id: int | None) -> dict[str, str]:
    """The account's identifying fields as printed (empty strings for a blank form)."""
    keys = ("name", "platform", "account_type", "platform_id", "unit", "opened_on", "serial_no")
    if register is None or account_id is None:
        return dict.fromkeys(keys, "")
    account = register.accounts.get(account_id)
    return {
        "name": account.name,
        "platform": account.platform,
        "account_type": account.account_type,
        "platform_id": account.platform_id,
        "unit": register.units.get(account.unit_id).name,
        "opened_on": account.opened_on.chinese() if account.opened_on else "",
        "serial_no": account.serial_no,
    }


def account_group(info: dict[str, str], title: str = "账号信息") -> GridGroup:
    """The rows naming an account on change, closure and rectification sheets."""
    return GridGroup(
        title,
        [
            GridRow(
                [
                    label("账号名称"),
                    p(info["name"]),
                    label("账号\u00a0ID\u00a0号"),
                    p(info["platform_id"]),
                    "",
                    "",
                ],
                spans=[(3, 5)],
            ),
            GridRow(
                [
                    label("开设平台"),
                    p(info["platform"]),
                    label("账号类型"),
                    p(info["account_type"]),
                    "",
                    "",
                ],
                spans=[(3, 5)],
            ),
            GridRow(
                [
                    label("账号开设单位"),
                    p(info["unit"]),
                    label("开设时间"),
                    p(info["opened_on"]),
                    "",
                    "",
                ],
                spans=[(3, 5)],
            ),
        ],
    )


def opinion_group(
    profile: Profile, *, unit_caption: str = "负责人（签字）：|单位盖章："
) -> GridGroup:
    """The unit's opinion with signature and stamp, and the filing office's entry."""
    return GridGroup(
        "意见",
        [
            GridRow(
                [
                    label("单位意见"),
                    signature_block([unit_caption], space_above=60, sign_width=120),
                    "",
                    "",
                    "",
                    "",
                ],
                spans=[(1, 5)],
                valign="BOTTOM",
            ),
            GridRow(
                [
                    label(f"{profile.filing_office}意见"),
                    signature_block(["经办人（签字）："], space_above=40),
                    "",
                    "",
                    "",
                    "",
                ],
                spans=[(1, 5)],
                valign="BOTTOM",
            ),
        ],
    )
