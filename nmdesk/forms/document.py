"""Laying out sheets: two labelled copies, the trace band with its QR code, page numbers.

A form is a list of ``Sheet`` objects. ``write_pdf`` lays each sheet out once per
copy label (一式两份): each copy starts on a new page, carries its copy label, the
account's serial number, the form's version (the filing it belongs to), the
filing's check code and a QR code holding ``serial|check_code``. Page numbers
count within a copy, so a copy that runs onto a second page stays complete and
recognisable.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
)

from nmdesk.errors import NmdeskError
from nmdesk.forms.fixed import (
    FixedBody,
    FixedSheet,
    SlotFactory,
    draw_frame,
    measure_values,
    template_layout,
)
from nmdesk.forms.qr import qr_matrix
from nmdesk.forms.text import (
    BLANK_LINE,
    BODY_LEADING,
    BODY_SIZE,
    FORM_FONT,
    LANDSCAPE_MARGIN_TOP,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_SIZE,
    STYLE_NOTE,
    STYLE_TITLE,
    content_width,
    esc,
    register_fonts,
)
from nmdesk.models import Filing, FilingKind, FilingStatus


@dataclass(frozen=True)
class Trace:
    """What makes a printed sheet traceable: serial, version (the filing) and check code."""

    serial_no: str = ""
    version: str = ""
    check_code: str = ""
    # Why the sheet has no check code, and what to fill in (the preview shows it).
    note: str = ""

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
    With ``fixed``, the sheet is printed on the fast path (``nmdesk.forms.fixed``) when
    its values fit their cells, else with ``body`` like any other sheet.
    """

    title: str
    body: Callable[[], list[Flowable]]
    trace: Trace = field(default_factory=Trace)
    footnote: str = ""
    copies: bool = True
    landscape: bool = False
    account_id: int | None = None
    traced: bool = True
    fixed: FixedBody | None = None  # a fixed frame with value cells: the fast path


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
        # copy label forms drawn so far; shared by every saved page state (see save)
        self._nm_label_forms: dict[tuple[str, float], str] = {}

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


def _draw_band(canv: _BandCanvas, info: _CopyInfo, page: int, total: int) -> None:
    """The band of a page: the copy label in its box (a form, the same on every page
    of that copy), the trace lines and the page number (one text object), the QR code."""
    width, height = canv._pagesize
    canv.saveState()
    canv.setFillColor(colors.black)
    top = height - 12 * mm
    if info.label:
        canv.doForm(_label_form(canv, info.label, top))
    text = canv.beginText()
    text.setFont(FORM_FONT, 9)

    def put(line: str, right: float, y: float, *, centred: bool = False) -> None:
        line_width = pdfmetrics.stringWidth(line, FORM_FONT, 9)
        text.setTextOrigin(right - (line_width / 2 if centred else line_width), y)
        text.textOut(line)

    qr_size = 20 * mm
    qr_x = width - MARGIN_X - qr_size
    qr_y = top - qr_size + 2 * mm
    trace = info.trace
    if info.traced:
        lines = [
            f"备案编号：{trace.serial_no or BLANK_LINE}",
            f"表单版本：{trace.version or BLANK_LINE}",
            f"校 验 码：{trace.check_code or BLANK_LINE}",
        ]
        for index, line in enumerate(lines):
            put(line, qr_x - 2 * mm, top - index * 4.6 * mm)
    put(f"第 {page} 页　共 {total} 页", width / 2, 9 * mm, centred=True)
    canv.drawText(text)
    if info.traced:
        if trace.qr_payload:
            _draw_qr(canv, trace.qr_payload, qr_x, qr_y, qr_size)
        else:
            canv.setLineWidth(0.4)
            canv.setDash(2, 2)
            canv.rect(qr_x, qr_y, qr_size, qr_size)
            canv.setDash()
    canv.restoreState()


def _label_form(canv: _BandCanvas, label: str, top: float) -> str:
    """The name of the form XObject holding a copy label in its box, drawn once per PDF."""
    key = (label, top)
    name = canv._nm_label_forms.get(key)
    if name is None:
        name = canv._nm_label_forms[key] = f"nmlabel{len(canv._nm_label_forms)}"
        canv.beginForm(name)
        canv.setFont(FORM_FONT, 10.5)
        text_width = pdfmetrics.stringWidth(label, FORM_FONT, 10.5)
        canv.setLineWidth(0.6)
        canv.rect(MARGIN_X, top - 5 * mm, text_width + 6 * mm, 7.5 * mm)
        canv.drawString(MARGIN_X + 3 * mm, top - 2.8 * mm, label)
        canv.endForm()
    return name


@functools.lru_cache(maxsize=256)
def qr_modules(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's module matrix (True: dark), computed once per payload: both copies
    of a sheet carry the same code."""
    return qr_matrix(payload)


def _draw_qr(canv: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as one filled path of dark runs (no renderer, so no stray font)."""
    modules = qr_modules(payload)
    box = size / len(modules)
    canv.saveState()
    canv.transform(box, 0, 0, box, x, y)  # one unit: one module, origin bottom left
    canv.addLiteral(_qr_path(payload))
    canv.restoreState()


@functools.lru_cache(maxsize=256)
def _qr_path(payload: str) -> str:
    """The PDF operators filling the code's dark runs, in module units (both copies
    of a sheet draw the same code)."""
    modules = qr_modules(payload)
    count = len(modules)
    ops = []
    for row_index, row in enumerate(modules):
        y = count - row_index - 1
        for run in _DARK_RUN.finditer(bytes(row)):  # a row's modules as bytes 1/0
            ops.append(f"{run.start()} {y} {run.end() - run.start()} 1 re")
    ops.append("f")
    return "\n".join(ops)


_DARK_RUN = re.compile(b"\x01+")


def page_size(is_landscape: bool) -> tuple[float, float]:
    width, height = landscape(PAGE_SIZE) if is_landscape else PAGE_SIZE
    return float(width), float(height)


def page_frame(is_landscape: bool = False) -> Frame:
    """The frame sheets are laid out in: the page within its margins, below the band."""
    size = page_size(is_landscape)
    top = LANDSCAPE_MARGIN_TOP if is_landscape else MARGIN_TOP
    return Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        size[0] - 2 * MARGIN_X,
        size[1] - top - MARGIN_BOTTOM,
        id="landscape" if is_landscape else "portrait",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )


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
        for name in ("portrait", "landscape"):
            templates.append(
                PageTemplate(
                    id=name,
                    frames=[page_frame(name == "landscape")],
                    pagesize=page_size(name == "landscape"),
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
        fast = fast_copy(sheet)
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
            if fast is not None:
                story.append(fast())
            else:
                story.extend(sheet_flowables(sheet, sheet.body()))
    return story


def sheet_flowables(sheet: Sheet, body: list[Flowable]) -> list[Flowable]:
    """One copy of a sheet as laid out: the title, the body, the foot note."""
    story = [title_paragraph(sheet.title, sheet.landscape), *body]
    if sheet.footnote:
        story.append(Paragraph(esc(sheet.footnote), STYLE_NOTE))
    return story


def fast_copy(sheet: Sheet) -> Callable[[], FixedSheet] | None:
    """A maker of the sheet's copies on the fast path, or None when the sheet has no
    fixed frame or does not fit on one page (then the full layout prints it)."""
    fixed = sheet.fixed
    if fixed is None:
        return None

    def template(cell: SlotFactory) -> list[Flowable]:
        return sheet_flowables(sheet, fixed.template(cell))

    def frame() -> Frame:
        return page_frame(sheet.landscape)

    key = (fixed.key, sheet.title, sheet.footnote, sheet.landscape)
    size = page_size(sheet.landscape)
    # 1. the cells' widths (every value one line), then each value's lines
    one_line = template_layout(key, (), template, frame, size)
    if one_line is None:
        return None
    widths = {name: place.width for name, place in one_line.places.items()}
    lines, items = measure_values(widths, fixed.values)
    # 2. the layout with rows grown for those lines; None: it needs a second page
    found = template_layout(key, lines, template, frame, size)
    if found is None:
        return None
    layout = found  # (narrowed for the closures below)

    def draw_template(canvas: Canvas) -> None:
        draw_frame(canvas, layout, lines, template, frame)  # 3. once per PDF

    return lambda: FixedSheet(layout, items, draw_template)  # 4. values on each copy


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
