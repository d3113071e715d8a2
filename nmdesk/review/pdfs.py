"""The review's PDFs: the listing, one rectification notice per unit, and the summary.

Text is set in the bundled TrueType font (embedded), registered through the
forms package when it is present. The listing is laid out in page-sized table
chunks, so that ten thousand rows do not make reportlab re-split one huge table.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import itertools
import operator
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import instanceStringWidthTTF
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

# Only the Song font: these PDFs set no user text in the sans fallback.
from nmdesk.compat.reportlab import CellWriter
from nmdesk.forms.text import FORM_FONT, printable, reserve_first_subset
from nmdesk.forms.text import register_form_font as _register_form_fonts
from nmdesk.models import Verdict
from nmdesk.review.listing import (
    LISTING_HEADERS,
    Breakdown,
    Listing,
    ListingRow,
    Summary,
)
from nmdesk.store.anchors import ChainHead

CHART_TOP = 12
NOTICE_VERDICTS = (Verdict.RECTIFY, Verdict.SUSPEND, Verdict.ORDER_CLOSE, Verdict.NOT_SUBMITTED)
REQUIREMENTS = {
    Verdict.RECTIFY: "按期完成整改，并将整改报告报送{office}",
    Verdict.SUSPEND: "立即暂停运行，整改合格并经{office}同意后方可恢复",
    Verdict.ORDER_CLOSE: "自通知之日起按规定向平台申请注销，并将注销结果报{office}",
    Verdict.NOT_SUBMITTED: "立即补交年审材料；逾期仍未提交的，将责令暂停运行或注销",
}


def _style(
    name: str, size: float = 10.5, align: int = 0, leading: float | None = None, **extra: Any
) -> ParagraphStyle:
    _register_form_fonts()
    return ParagraphStyle(
        name,
        fontName=FORM_FONT,
        fontSize=size,
        leading=leading or size * 1.45,
        alignment=align,
        wordWrap="CJK",
        **extra,
    )


def _p(text: object, st: ParagraphStyle) -> Paragraph:
    text = printable("" if text is None else str(text))
    return Paragraph(escape(text).replace("\n", "<br/>"), st)


def _fit(text: str, width: float, size: float) -> str:
    """Shorten plain cell text to the column width with an ellipsis (fast, no Paragraph)."""
    width_of = pdfmetrics.getFont(FORM_FONT).stringWidth
    if width_of(text, size) <= width:
        return text
    while text and width_of(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _footer(label: str, head: ChainHead):  # type: ignore[no-untyped-def]
    """Every page's footer: the document and page on the right, and on the left the
    audit chain's head the document was made from (``verify --anchor`` takes the PDF)."""

    def draw(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(FORM_FONT, 8)
        canvas.drawRightString(doc.pagesize[0] - 15 * mm, 8 * mm, f"{label}　第 {doc.page} 页")
        canvas.setFont(FORM_FONT, 6.5)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(15 * mm, 8 * mm, head.describe())
        canvas.restoreState()

    return draw


# -- listing --------------------------------------------------------------------------


@dataclass(frozen=True)
class TableLook:
    """How a ``RuledTable`` looks: what a Platypus ``TableStyle`` said for it."""

    widths: tuple[float, ...]
    size: float  # cell text, in points
    pad_top: float
    pad_bottom: float
    header_fill: colors.Color
    grid: colors.Color
    grid_width: float
    right: frozenset[int] = frozenset()  # right-aligned columns
    right_header: bool = False  # the header cells of ``right`` too
    pad: float = 6  # left and right

    @property
    def row(self) -> float:
        """One line's height: a Table row of one line at leading 1.2 × size."""
        return self.size * 1.2 + self.pad_top + self.pad_bottom

    @functools.cached_property
    def _room(self) -> tuple[float, ...]:
        return tuple(width - 2 * self.pad for width in self.widths)

    def fit(self, values: Sequence[str]) -> tuple[str, ...]:
        """Each cell's text, with what the font cannot draw named, shortened to its column."""
        if len(values) != len(self.widths):
            raise ValueError(f"{len(values)} cells for {len(self.widths)} columns")
        values = [printable(value) for value in values]
        size = itertools.repeat(self.size)
        if all(map(operator.le, map(_measure(), values, size), self._room)):
            return tuple(values)  # the usual row: everything fits (measured in C)
        return tuple(map(_fit_cached, values, self._room, size))


@dataclass(frozen=True)
class Cells:
    """One printed row: each cell's text (already fitted) and, where not black, its colour."""

    texts: tuple[str, ...]
    colours: tuple[tuple[int, colors.Color], ...] = ()


@functools.lru_cache(maxsize=4096)
def _fit_cached(text: str, width: float, size: float) -> str:
    """``_fit`` for the many repeated cells (platforms, levels, units, results, marks)."""
    if len(text) * size * _widest() <= width:  # fits however wide its characters are
        return text
    return _fit(text, width, size)


@functools.lru_cache(maxsize=1)
def _measure() -> Callable[[str, float], float]:
    """``stringWidth(text, FORM_FONT, size)`` as one C call."""
    _register_form_fonts()
    return functools.partial(instanceStringWidthTTF, pdfmetrics.getFont(FORM_FONT))


@functools.lru_cache(maxsize=1)
def _widest() -> float:
    """The widest character of the form font, in ems."""
    _register_form_fonts()
    face = pdfmetrics.getFont(FORM_FONT).face
    return float(max([face.defaultWidth, *face.charWidths.values()])) / 1000


# The cell encoders (CellText) of each canvas, by font and text size, for the tables drawn on it.
_CELL_TEXT: weakref.WeakKeyDictionary[Any, dict[Any, Any]] = weakref.WeakKeyDictionary()


class RuledTable(Flowable):  # type: ignore[misc]
    """A one-line-per-row table drawn straight on the canvas, a page at a time.

    It looks like the Platypus table it replaces (header row repeated on every
    page, grid, aligned and coloured cells) but costs a few canvas operations
    per cell: a Platypus ``Table`` measures and styles every cell, which over
    hundreds of pages was most of the publishing time. Platypus splits it at
    page ends like any flowable.
    """

    def __init__(self, look: TableLook, header: Sequence[str], rows: Sequence[Cells]) -> None:
        super().__init__()
        self.look = look
        self.header = tuple(header)
        self.rows = rows
        self.width = sum(look.widths)
        self.height = look.row * (len(rows) + 1)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        fit = int(avail_height // self.look.row) - 1  # rows below the header
        if fit < 1:
            return []
        if fit >= len(self.rows):
            return [self]
        return [
            RuledTable(self.look, self.header, self.rows[:fit]),
            RuledTable(self.look, self.header, self.rows[fit:]),
        ]

    def draw(self) -> None:
        look, canvas = self.look, self.canv
        row_h, top = look.row, self.height
        edges = [0.0]
        for width in look.widths:
            edges.append(edges[-1] + width)
        canvas.saveState()
        canvas.setFillColor(look.header_fill)
        canvas.rect(0, top - row_h, self.width, row_h, stroke=0, fill=1)
        canvas.setStrokeColor(look.grid)
        canvas.setLineWidth(look.grid_width)
        rows = range(len(self.rows) + 2)
        canvas.lines(
            [(0, top - i * row_h, self.width, top - i * row_h) for i in rows]
            + [(edge, 0, edge, top) for edge in edges]
        )
        text = canvas.beginText()
        text.setFont(FORM_FONT, look.size)
        # cell texts written fast (nmdesk/compat/reportlab.py: the publish row needs it)
        cells = CellWriter(canvas, text, FORM_FONT, look.size, _CELL_TEXT.setdefault(canvas, {}))
        # the baseline of middle-aligned text, as a Table places one line of it
        rise = (look.pad_bottom + row_h - look.pad_top + 1.2 * look.size) / 2 - look.size
        lefts = [edge + look.pad for edge in edges[:-1]]
        right = look.right
        width_of = _measure()
        black = colors.black
        current = None
        starts: dict[tuple[int, float], float] = {}  # {(column, text width): x} right-aligned
        for line, row in enumerate([Cells(self.header), *self.rows]):
            y = top - (line + 1) * row_h + rise
            special = dict(row.colours) if row.colours else None
            aligned = line or look.right_header
            for column, cell in enumerate(row.texts):
                if not cell:
                    continue
                colour = special.get(column, black) if special else black
                if colour is not current:
                    cells.colour(colour)
                    current = colour
                if aligned and column in right:
                    width = width_of(cell, look.size)
                    x = starts.get((column, width))
                    if x is None:
                        x = starts[column, width] = edges[column + 1] - look.pad - width
                else:
                    x = lefts[column]
                cells.put(x, y, cell)
        cells.finish()
        canvas.drawText(text)
        canvas.restoreState()


# -- listing --------------------------------------------------------------------------

LISTING_LOOK = TableLook(
    widths=(13 * mm, 56 * mm, 19 * mm, 19 * mm, 48 * mm, 66 * mm, 46 * mm),
    size=9.5,
    pad_top=2,
    pad_bottom=3,
    header_fill=colors.HexColor("#DDE6F0"),
    grid=colors.HexColor("#999999"),
    grid_width=0.4,
    right=frozenset({0}),
    right_header=True,
)
MARK_COLOR = colors.HexColor("#B3261E")
RESULT_COLOR = colors.HexColor("#A65F00")


def write_listing_pdf(listing: Listing, path: Path) -> Path:
    _register_form_fonts()
    title = _style("title", 16, TA_CENTER, spaceAfter=2)
    meta = _style("meta", 9.5, TA_CENTER, spaceAfter=6)
    body = _style("body", 10.5)
    day = (listing.campaign.published_on or dt.date.today()).isoformat()
    story: list[Any] = [
        _p(listing.title, title),
        _p(f"{listing.office}　发布日期：{day}　共 {len(listing.rows)} 个账号", meta),
    ]
    if any(names for _, names in listing.unit_sections):
        for mark, names in listing.unit_sections:
            if names:
                story.append(_p(f"【{mark}】{'、'.join(names)}", body))
        story.append(Spacer(1, 4 * mm))
    rows = [_listing_cells(row) for row in listing.rows]
    story.append(RuledTable(LISTING_LOOK, LISTING_HEADERS, rows))
    doc = SimpleDocTemplate(
        str(path),
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=listing.title,
        author=listing.office,
    )
    footer = _footer(listing.title, listing.chain_head)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


def _listing_cells(row: ListingRow) -> Cells:
    """The row's cells; a failing result in amber, a marked unit in red."""
    texts = LISTING_LOOK.fit(
        (
            str(row.index),
            row.name,
            row.platform,
            row.level_name,
            row.unit_name,
            row.result_text,
            row.unit_mark,
        )
    )
    colours = []
    if row.verdict is not Verdict.PASS:
        colours.append((5, RESULT_COLOR))
    if row.unit_mark:
        colours.append((6, MARK_COLOR))
    return Cells(texts, tuple(colours))


# -- rectification notices ------------------------------------------------------------


NOTICE_LOOK = TableLook(
    widths=(12 * mm, 62 * mm, 26 * mm, 70 * mm),
    size=10,
    pad_top=3,
    pad_bottom=3,
    header_fill=colors.HexColor("#EEEEEE"),
    grid=colors.black,
    grid_width=0.5,
    right=frozenset({0}),
)


def notice_units(listing: Listing) -> dict[int, list[ListingRow]]:
    """Units that get a rectification notice, with their accounts concerned."""
    units: dict[int, list[ListingRow]] = {}
    for row in listing.rows:
        if row.verdict in NOTICE_VERDICTS:
            units.setdefault(row.unit_id, []).append(row)
    return units


NOTICE_HEADER = ("序号", "账号名称", "平台", "年审结果")
NOTICE_CLOSING = "逾期未整改或整改不到位的，将按规定予以通报批评、责令暂停运行或注销账号。"
NOTICE_SIGNATURE = "单位负责人（签收）：＿＿＿＿＿＿　　签收日期：＿＿＿＿＿＿"


@functools.cache
def _notice_styles() -> dict[str, ParagraphStyle]:
    return {
        "title": _style("ntitle", 18, TA_CENTER, leading=26, spaceAfter=10),
        "body": _style("nbody", 12, leading=22, firstLineIndent=24),
        "plain": _style("nplain", 12, leading=22),
        "right": _style("nright", 12, TA_RIGHT, leading=22),
    }


_FIXED_PARAGRAPHS: dict[tuple[str, str], Paragraph] = {}


def _fixed_p(text: str, style: str) -> Paragraph:
    """A paragraph every notice prints: parsed once, then copied (as ``forms.text.label``)."""
    prototype = _FIXED_PARAGRAPHS.get((text, style))
    if prototype is None:
        if len(_FIXED_PARAGRAPHS) > 64:
            _FIXED_PARAGRAPHS.clear()
        prototype = _FIXED_PARAGRAPHS[(text, style)] = _p(text, _notice_styles()[style])
    return copy.copy(prototype)


def write_notice_pdf(listing: Listing, unit_id: int, rows: list[ListingRow], path: Path) -> Path:
    """One unit's rectification notice (整改通知) for its failing or unsubmitted accounts.

    What every notice of the campaign prints the same (all but the unit's name,
    its accounts and its requirements) takes the first font subset of each
    notice (``reserve_first_subset``), so that subset's font program is made
    and compressed once for all the notices, not once per notice.
    """
    _register_form_fonts()
    year = listing.campaign.year
    unit = listing.unit_names.get(unit_id, rows[0].unit_name if rows else "")
    styles = _notice_styles()
    day = (listing.campaign.published_on or dt.date.today()).isoformat()
    title = f"{year} 年度新媒体公共账号年审整改通知"
    intro = (
        f"根据《{listing.policy_title}》及 {year} 年度年审结果，你单位下列新媒体公共账号"
        "未通过年审或未提交年审材料，现通知如下，请按要求办理："
    )
    story: list[Any] = [
        _fixed_p(title, "title"),
        _p(f"{unit}：", styles["plain"]),
        _fixed_p(intro, "body"),
        Spacer(1, 3 * mm),
    ]
    rows_cells = [
        Cells(NOTICE_LOOK.fit((str(number), row.name, row.platform, row.result_text)))
        for number, row in enumerate(rows, start=1)
    ]
    table = RuledTable(NOTICE_LOOK, NOTICE_HEADER, rows_cells)
    verdicts = [v for v in NOTICE_VERDICTS if any(row.verdict is v for row in rows)]
    requirements = [
        _fixed_p(f"{v.label}：{REQUIREMENTS[v].format(office=listing.office)}。", "plain")
        for v in verdicts
    ]
    story += [
        table,
        Spacer(1, 4 * mm),
        _fixed_p("办理要求：", "plain"),
        *requirements,
        Spacer(1, 5 * mm),
        _fixed_p(NOTICE_CLOSING, "body"),
        Spacer(1, 12 * mm),
        _fixed_p(listing.office, "right"),
        _fixed_p(day, "right"),
        Spacer(1, 10 * mm),
        _fixed_p(NOTICE_SIGNATURE, "plain"),
    ]
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
        title=f"{year}年度年审整改通知-{unit}",
        author=listing.office,
    )
    footer = _footer(f"{unit}　整改通知", listing.chain_head)
    # every notice prints these, whatever the unit (the footer's page number is ASCII)
    fixed = "".join([title, "：", intro, *NOTICE_HEADER, "办理要求：", NOTICE_CLOSING])
    fixed += f"{listing.office}{day}{NOTICE_SIGNATURE}　整改通知　第 页"
    fixed += listing.chain_head.describe()

    def first_page(canvas: Any, doc: Any) -> None:
        reserve_first_subset(canvas, fixed)
        footer(canvas, doc)

    doc.build(story, onFirstPage=first_page, onLaterPages=footer)
    return path


# -- summary --------------------------------------------------------------------------

BAR_NOW = colors.HexColor("#3B6EA5")
BAR_PREV = colors.HexColor("#B8C7DA")


def bar_chart(
    breakdown: Breakdown,
    year: int,
    previous_year: int | None,
    *,
    width: float = 170 * mm,
    height: float = 70 * mm,
    top: int = 12,
) -> Drawing:
    """A vertical bar chart of one breakdown, this year against last year when there is one."""
    _register_form_fonts()
    rows = breakdown.rows[:top]
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 22 * mm
    chart.width, chart.height = width - 20 * mm, height - 32 * mm
    series = [[count for _, count, _ in rows]]
    if previous_year is not None:
        series.append([prev or 0 for _, _, prev in rows])
    chart.data = series or [[0]]
    chart.categoryAxis.categoryNames = [
        key if len(key) <= 6 else key[:5] + "…" for key, _, _ in rows
    ]
    chart.categoryAxis.labels.fontName = FORM_FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(rows) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 6 else "n"
    chart.valueAxis.labels.fontName = FORM_FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    peak = max([1, *[max(c, p or 0) for _, c, p in rows]])
    step = _nice_step(peak)
    chart.valueAxis.valueMax = (int(peak * 1.1 / step) + 1) * step
    chart.valueAxis.valueStep = step
    chart.bars[0].fillColor = BAR_NOW
    if previous_year is not None:
        chart.bars[1].fillColor = BAR_PREV
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FORM_FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 5
    drawing.add(chart)
    legend = Legend()
    legend.fontName = FORM_FONT
    legend.fontSize = 8
    legend.x, legend.y = width - 50 * mm, height - 4
    legend.alignment = "right"
    legend.columnMaximum = 1
    pairs = [(BAR_NOW, f"{year} 年")]
    if previous_year is not None:
        pairs.append((BAR_PREV, f"{previous_year} 年"))
    legend.colorNamePairs = pairs
    drawing.add(legend)
    return drawing


def _nice_step(peak: float) -> int:
    raw = max(1.0, peak / 5)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


def write_summary_pdf(summary: Summary, office: str, path: Path) -> Path:
    _register_form_fonts()
    year = summary.campaign.year
    prev_year = summary.previous.year if summary.previous else None
    title = _style("stitle", 16, TA_CENTER, leading=24, spaceAfter=4)
    meta = _style("smeta", 10, TA_CENTER, spaceAfter=8)
    heading = _style("shead", 12, leading=18, spaceBefore=8, spaceAfter=4)
    plain = _style("splain", 10.5)
    cell = _style("scell", 9, leading=12)
    intro = f"参加年审账号 {summary.total} 个" + (
        f"，上年（{prev_year} 年）{summary.previous_total} 个"
        if prev_year
        else "；没有上年已发布的年审可比较"
    )
    story: list[Any] = [
        _p(f"{year} 年度新媒体公共账号年审汇总报告", title),
        _p(f"{office}　{intro}", meta),
    ]
    for mark, names in summary.unit_sections:
        story.append(_p(f"{mark}的单位（{len(names)} 个）：{'、'.join(names) or '无'}", plain))
    for breakdown in summary.breakdowns:
        head = ["项目", "本年"] + (["上年", "变化"] if prev_year else [])
        data: list[list[Any]] = [[_p(h, cell) for h in head]]
        for key, count, prev in breakdown.rows:
            line = [_p(key, cell), str(count)]
            if prev_year:
                line += [str(prev), breakdown.delta(count, prev)]
            data.append(line)
        widths = [80 * mm, 25 * mm] + ([25 * mm, 25 * mm] if prev_year else [])
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FORM_FONT, 9),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE6F0")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ]
            )
        )
        chart = bar_chart(breakdown, year, prev_year, top=CHART_TOP)
        title = breakdown.title
        if len(breakdown.rows) > CHART_TOP:
            title += f"（图中为前 {CHART_TOP} 项，表中为全部 {len(breakdown.rows)} 项）"
        story += [
            KeepTogether([_p(title, heading), chart]),
            Spacer(1, 2 * mm),
            table,
            Spacer(1, 4 * mm),
        ]
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{year}年度年审汇总",
        author=office,
    )
    label = f"{year} 年度年审汇总"
    footer = _footer(label, summary.chain_head)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return path
