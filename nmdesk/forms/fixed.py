"""The fast path for sheets whose frame never changes: the frame drawn once, the values on top.

A filled filing sheet is the same page for every account except the values in its
cells. Laying out the whole sheet with platypus (a table of paragraphs, measured and
drawn cell by cell) costs about ten times more than drawing the strings, so a sheet
that declares its body as a ``FixedBody`` (a template with named value cells) is
printed like this (``nmdesk.forms.document.fast_copy`` puts it together):

1. **Measure the values.** The template is laid out once with every value cell a
   one-line ``Slot``, which gives each cell's width. A value that surely fits on one
   line and needs no markup (``fits_one_line``) stays a plain string; any other value
   becomes the same ``TextParagraph`` as in the full layout and is wrapped, which gives
   its number of lines.
2. **Lay out the template** with each slot as tall as its value's lines, by platypus
   itself, in the same page frame as the full layout: the table grows the same rows by
   the same amounts, and each slot records where the table put it (page coordinates).
   Layouts are cached per template, title, foot note and line counts, so a batch lays
   out a handful of variants, not one per sheet.
3. **Draw the frame** (grid lines, labels, title, foot note: the template without
   values) into a form XObject (``beginForm``/``doForm``), once per PDF and variant.
4. **Draw the values** on each copy's page: the strings in one text object at the
   baseline a one-line paragraph would have, the paragraphs with ``drawOn`` at their
   slot.

When the template with those line counts does not fit on one page, ``fast_copy``
returns None and the sheet is laid out in full (where long cells are cut into chunks
that continue on the next page); so does a sheet without a ``FixedBody`` (blank forms,
other forms). Both paths print the same words at the same places
(``test_fast_path_prints_what_the_full_layout_prints`` compares them).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame

from nmdesk.compat.reportlab import frame_used_height
from nmdesk.forms.text import (
    FORM_FONT,
    STYLE_VALUE,
    TextParagraph,
    glyph_sets,
)

# How much narrower than its cell a one-line string must be to be drawn directly; a
# string close to the edge goes through the paragraph, which breaks it exactly as the
# full layout does.
FIT_MARGIN = 1.0

SlotFactory = Callable[[str], Flowable]


@dataclass
class FixedBody:
    """A sheet body that is a fixed template with named value cells.

    ``template(cell)`` builds the body's flowables, calling ``cell(key)`` for each value
    cell: the full layout passes a function returning ``TextParagraph(values[key])``,
    the fast path one returning a ``Slot``. ``key`` names the template (with the sheet's
    title and foot note it identifies the frame); every sheet with the same key must
    build the same template.
    """

    key: str
    template: Callable[[SlotFactory], list[Flowable]]
    values: dict[str, str] = field(default_factory=dict)

    def body(self) -> list[Flowable]:
        """The full layout of this body: the template with the values as paragraphs."""
        return self.template(lambda key: TextParagraph(self.values.get(key, "")))


class Slot(Flowable):  # type: ignore[misc]
    """A value cell of a template: as tall as its value's lines, draws nothing, and
    remembers where on the page the table put it and how wide it is."""

    def __init__(self, key: str, lines: int = 1) -> None:
        super().__init__()
        self.key = key
        self.lines = lines
        self.width = 0.0
        self.place: SlotPlace | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.lines * STYLE_VALUE.leading

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)  # platypus only translates
        self.place = SlotPlace(x, y, self.width)


@dataclass(frozen=True)
class SlotPlace:
    """Where a value goes: the left edge and bottom of its paragraph, and its width."""

    x: float
    y: float
    width: float


@dataclass(frozen=True)
class TemplateLayout:
    form_name: str
    places: dict[str, SlotPlace]
    height: float  # of the page frame used, as platypus measured it


StoryBuilder = Callable[[SlotFactory], list[Flowable]]
FrameMaker = Callable[[], Frame]
Lines = tuple[tuple[str, int], ...]  # the values taking more than one line, and how many

_LAYOUTS: dict[tuple[Any, ...], TemplateLayout | None] = {}
_LAYOUTS_LOCK = threading.Lock()


def template_layout(
    key: tuple[Any, ...],
    lines: Lines,
    story: StoryBuilder,
    frame: FrameMaker,
    pagesize: tuple[float, float],
) -> TemplateLayout | None:
    """The template's layout with values of ``lines`` lines (one for the others),
    computed once per ``key`` and ``lines`` by laying ``story`` out in ``frame()`` on a
    scratch canvas; None when it does not fit on one page."""
    with _LAYOUTS_LOCK:  # batches print on a worker thread; form names must stay unique
        if (key, lines) not in _LAYOUTS:
            _LAYOUTS[key, lines] = _lay_out(lines, story, frame, pagesize)
        return _LAYOUTS[key, lines]


def _lay_out(
    lines: Lines, story: StoryBuilder, frame: FrameMaker, pagesize: tuple[float, float]
) -> TemplateLayout | None:
    slots: list[Slot] = []
    flowables = story(_slot_factory(lines, slots))
    page = frame()
    page.addFromList(flowables, Canvas(io.BytesIO(), pagesize=pagesize))
    if flowables or any(s.place is None for s in slots):
        return None  # it runs onto a second page
    used = frame_used_height(page)
    if used is None:
        return None  # another reportlab: the sheet is laid out in full
    return TemplateLayout(
        f"nmfixed{len(_LAYOUTS)}",
        {s.key: s.place for s in slots if s.place is not None},
        used,
    )


def _slot_factory(lines: Lines, slots: list[Slot] | None = None) -> SlotFactory:
    counts = dict(lines)

    def slot(key: str) -> Slot:
        made = Slot(key, counts.get(key, 1))
        if slots is not None:
            slots.append(made)
        return made

    return slot


def draw_frame(
    canvas: Canvas, layout: TemplateLayout, lines: Lines, story: StoryBuilder, frame: FrameMaker
) -> None:
    """Draw the template (without values) into a form XObject of ``canvas``, once per PDF."""
    if canvas.hasForm(layout.form_name):
        return
    canvas.beginForm(layout.form_name)
    frame().addFromList(story(_slot_factory(lines)), canvas)
    canvas.endForm()


def fits_one_line(text: str, width: float) -> bool:
    """Whether ``text`` prints as one plain string: printable characters the form font
    has, single spaces only between words, and narrower than ``width`` (with margin).
    Anything else goes through a paragraph, as in the full layout."""
    if " ".join(text.split()) != text:
        return False
    song = glyph_sets()[0]
    if not all(ord(c) in song and c.isprintable() for c in text):
        return False
    size = STYLE_VALUE.fontSize
    return float(pdfmetrics.stringWidth(text, FORM_FONT, size)) <= width - FIT_MARGIN


def measure_values(
    widths: dict[str, float], values: dict[str, str]
) -> tuple[Lines, dict[str, str | TextParagraph]]:
    """How many lines each value takes in a cell of its width, and what draws it: the
    string when it fits on one line, else the wrapped paragraph of the full layout."""
    lines: list[tuple[str, int]] = []
    items: dict[str, str | TextParagraph] = {}
    for key, text in values.items():
        if not text:
            continue
        width = widths[key]
        if fits_one_line(text, width):
            items[key] = text
            continue
        paragraph = TextParagraph(text)
        paragraph.wrap(width, 1e9)
        items[key] = paragraph
        count = round(paragraph.height / STYLE_VALUE.leading)
        if count > 1:
            lines.append((key, count))
    return tuple(lines), items


class FixedSheet(Flowable):  # type: ignore[misc]
    """One copy of a sheet on the fast path: the frame form, then the values.

    It always starts a fresh page (each copy does) and draws at the places the template
    recorded, which are page coordinates: the frame platypus gives it is the same one.
    """

    def __init__(
        self,
        layout: TemplateLayout,
        items: dict[str, str | TextParagraph],
        draw_template: Callable[[Canvas], None],
    ) -> None:
        super().__init__()
        self.layout = layout
        self.items = items
        self.draw_template = draw_template

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return avail_width, self.layout.height

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        del x, y, _sW  # the places are page coordinates
        self.draw_template(canvas)
        canvas.doForm(self.layout.form_name)
        style = STYLE_VALUE
        text = canvas.beginText()
        text.setFont(FORM_FONT, style.fontSize, style.leading)
        rise = style.leading - style.fontSize  # baseline of a one-line paragraph
        places = self.layout.places
        paragraphs = []
        for key, item in self.items.items():
            place = places[key]
            if isinstance(item, str):
                text.setTextOrigin(place.x, place.y + rise)
                text.textOut(item)
            else:
                paragraphs.append((place, item))
        canvas.drawText(text)
        for place, paragraph in paragraphs:
            paragraph.drawOn(canvas, place.x, place.y)
