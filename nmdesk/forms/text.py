"""Text on printed forms: the bundled fonts, paragraph styles, escaping, page geometry.

The fonts are the bundled TrueType fonts (AR PL UMing for the forms, WenQuanYi
Micro Hei as the fallback for rare characters), registered once and embedded in
every PDF. ``esc`` makes user text safe for Paragraph markup.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import itertools
import threading
import unicodedata
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Paragraph,
)

from nmdesk.compat import reportlab as compat_reportlab
from nmdesk.compat.reportlab import tune_font_face
from nmdesk.paths import FORM_FONT_FILE, UI_FONT_FILE

if TYPE_CHECKING:
    pass

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


_fonts_registered = False
# The desk registers the fonts on its warm-up thread (ui/common/warm_up.py) while the clerk may
# already be printing: one registration at a time, and a font is never replaced.
_font_lock = threading.Lock()


def register_form_font() -> None:
    """Register the forms' Song font alone, once per process (for PDFs that need no
    fallback font, such as the review's: the sans font takes as long to load)."""
    with _font_lock:
        if FORM_FONT not in pdfmetrics.getRegisteredFontNames():
            _register(FORM_FONT, str(FORM_FONT_FILE))


def register_fonts() -> None:
    """Register the bundled TrueType fonts with reportlab, once per process; safe
    from any thread."""
    global _fonts_registered
    if _fonts_registered:
        return
    with _font_lock:
        for name, path in ((FORM_FONT, FORM_FONT_FILE), (SANS_FONT, UI_FONT_FILE)):
            if name not in pdfmetrics.getRegisteredFontNames():
                _register(name, str(path))
        _fonts_registered = True


def _register(name: str, path: str) -> None:
    font = TTFont(name, path)
    tune_font_face(font)  # cheaper subsets (nmdesk/compat/reportlab.py)
    pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)


def reserve_first_subset(canvas: Any, text: str) -> None:
    """Give the characters of ``text`` the form font's first subset in the canvas's
    document (``nmdesk.compat.reportlab.reserve_first_subset``): documents that all
    start with the same text embed the same first subset, made once. Call it before
    any text is drawn in the form font."""
    compat_reportlab.reserve_first_subset(canvas, FORM_FONT, text)


def clear_subset_programs() -> None:
    """Forget the subset font programs made so far (a benchmark's cold run)."""
    compat_reportlab.clear_subset_programs((FORM_FONT, SANS_FONT))


def printable(text: str) -> str:
    """``text`` with every character neither bundled font can draw (an emoji, a rare
    symbol) written as its name, ``〔GRINNING FACE〕``, so that paper never shows a
    box or a gap; the invisible joiners and variation selectors of emoji are dropped."""
    song, sans = glyph_sets()
    if song.issuperset(map(ord, text)):  # the usual text: all in the Song font
        return text
    if all(ord(c) in song or ord(c) in sans or c in "\r\n" for c in text):
        return text
    out = []
    for char in text:
        code = ord(char)
        if code in song or code in sans or char in "\r\n":
            out.append(char)
        elif unicodedata.category(char) in ("Cf", "Mn", "Me"):
            continue  # ZWJ, U+FE0F, skin-tone and keycap combiners: nothing to print
        else:
            out.append(f"〔{unicodedata.name(char, f'U+{code:04X}')}〕")
    return "".join(out)


def esc(value: object) -> str:
    """User text made safe for Paragraph markup: ``a<b&c`` prints as typed, newlines kept.

    A rare character the Song font lacks (e.g. 卙) is set in the bundled sans font, so
    that it prints instead of leaving a gap; one neither font has is named (``printable``).
    """
    text = printable("" if value is None else str(value))
    song, sans = glyph_sets()
    parts: list[str] = []
    for fallback, run in itertools.groupby(
        text, key=lambda c: ord(c) not in song and ord(c) in sans
    ):
        chunk = escape("".join(run))
        parts.append(f'<font name="{SANS_FONT}">{chunk}</font>' if fallback else chunk)
    return "".join(parts).replace("\r\n", "\n").replace("\n", "<br/>")


@functools.lru_cache(maxsize=1)
def glyph_sets() -> tuple[frozenset[int], frozenset[int]]:
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
