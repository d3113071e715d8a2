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
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, TTFont
from reportlab.platypus import (
    Paragraph,
)

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
# The desk registers the fonts on its warm-up thread (ui/warm_up.py) while the clerk may
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
    face = font.face
    face.get_table = functools.partial(_table_in_place, face, face.get_table)
    face.addSubsetObjects = functools.partial(_add_subset_objects, face)
    face.subset_programs = {}
    pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)


def reserve_first_subset(canvas: Any, text: str) -> None:
    """Give the characters of ``text`` the form font's first codes in the canvas's
    document, in a subset of their own (with ASCII, which reportlab puts there).

    Documents that all start this way with the same text (the fixed wording of
    the review's notices, say) embed the same first subset, so its font program
    is made and compressed once (see ``_add_subset_objects``). Characters met
    later go to the next subsets, as they would anyway. Call it before any text
    is drawn in the form font.
    """
    font = pdfmetrics.getFont(FORM_FONT)
    doc = canvas._doc
    if font.state.get(doc) is not None and font.state[doc].assignments.keys() - {
        0,
        *range(32, 128),
    }:
        raise ValueError("reserve_first_subset: text was drawn in the form font already")
    font.splitString(text, doc)
    state = font.state[doc]
    if state.nextCode < 256:  # the next character opens the second subset
        state.nextCode = 256


# Subset font programs kept per face: {subset: (program, compressed program)}. The
# subsets repeated across documents are few (see ``reserve_first_subset``).
SUBSET_PROGRAMS_KEPT = 16


def clear_subset_programs() -> None:
    """Forget the subset font programs made so far (a benchmark's cold run)."""
    for name in (FORM_FONT, SANS_FONT):
        if name in pdfmetrics.getRegisteredFontNames():
            getattr(pdfmetrics.getFont(name).face, "subset_programs", {}).clear()


def _add_subset_objects(face: Any, doc: Any, fontname: str, subset: list[int]) -> Any:
    """``TTFontFace.addSubsetObjects`` (reportlab 5.1) with each distinct subset's
    font program made and compressed once per process: the same objects, the same
    bytes (``PDFStream.format`` leaves a stream with a ``Filter`` as it is)."""
    key = tuple(subset)
    programs: dict[tuple[int, ...], tuple[bytes, bytes]] = face.subset_programs
    found = programs.get(key)
    if found is None:
        program = face.makeSubset(subset)
        found = (program, pdfdoc.PDFZCompress.encode(program))
        if len(programs) >= SUBSET_PROGRAMS_KEPT:
            del programs[next(iter(programs))]
        programs[key] = found
    program, packed = found
    font_file = pdfdoc.PDFStream()
    font_file.dictionary["Length1"] = len(program)
    if doc.compression:
        font_file.content = packed
        font_file.dictionary["Filter"] = pdfdoc.PDFArray(
            [pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)]
        )
    else:
        font_file.content = program
    font_file_ref = doc.Reference(font_file, f"fontFile:{face.filename}({fontname})")
    flags = (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
    descriptor = pdfdoc.PDFDictionary(
        {
            "Type": "/FontDescriptor",
            "Ascent": face.ascent,
            "CapHeight": face.capHeight,
            "Descent": face.descent,
            "Flags": flags,
            "FontBBox": pdfdoc.PDFArray(face.bbox),
            "FontName": pdfdoc.PDFName(fontname),
            "ItalicAngle": face.italicAngle,
            "StemV": face.stemV,
            "FontFile2": font_file_ref,
            "MissingWidth": face.defaultWidth,
        }
    )
    return doc.Reference(descriptor, "fontDescriptor:" + fontname)


class GlyphTable:
    """A font's ``glyf`` table read in place: slicing copies only the slice.

    reportlab builds each document's font subsets from the whole font
    (``TTFontFile.makeSubset``), and takes the glyph table with ``get_table``,
    a copy of the table: some 14 MB for the bundled Song font, copied for every
    subset of every PDF. ``makeSubset`` only slices the table, one glyph at a
    time, so the face hands it this view instead.
    """

    __slots__ = ("_data", "_length", "_start")

    def __init__(self, data: bytes, start: int, length: int) -> None:
        self._data, self._start, self._length = data, start, length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: slice) -> bytes:
        start, stop, step = index.indices(self._length)
        if step != 1:
            raise ValueError("GlyphTable supports plain slices only")
        return self._data[self._start + start : self._start + max(start, stop)]


def _table_in_place(face: Any, get_table: Any, tag: str) -> Any:
    """``face.get_table`` with the glyph table as a ``GlyphTable``, not a copy."""
    if tag != "glyf":
        return get_table(tag)
    start, length = face.get_table_pos(tag)
    return GlyphTable(face._ttf_data, start, length)


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
