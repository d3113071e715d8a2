"""reportlab: the few places nmdesk reaches into its internals, for speed.

Written for reportlab 5.1 (``WRITTEN_FOR``); on other versions each falls back
to reportlab's public API, which gives the same pages (tests compare them):

- ``CellWriter``: the review's table cells written as PDF text operators into a
  text object (``PDFTextObject._code``, ``_curSubset``), each distinct text
  encoded once. Fallback: ``setFillColor``, ``setTextOrigin``, ``textOut``.
  Needed by the bench row "发布 10,000 个账号的年度审核": with the listing
  written by xlsxwriter that row is at its target's edge without it (issue 16
  measured both ways; the figures are in docs/performance.md).
- ``tune_font_face``: a TrueType face whose subsets read the glyph table in place
  (``face._ttf_data``) instead of copying 14.7 MB per subset, and whose subset
  font programs are made and compressed once per process
  (``TTFontFace.addSubsetObjects`` replaced). Fallback: the face as it is.
  ``reserve_first_subset`` gives a text the first subset in a document
  (``canvas._doc``, ``font.state``), so that the notices share it. Fallback:
  nothing reserved (the same text, in other subsets). They serve the publish
  row (the 40 notices) and the print row.
- ``frame_used_height``: how much of a frame a template used (``Frame._y``),
  for the fixed-layout fast path of printed forms. Fallback: None, and the
  sheet is laid out in full (the same words at the same places, tested).
"""

from __future__ import annotations

import functools
from typing import Any

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC

from nmdesk.compat import installed_version, written_for

WRITTEN_FOR = ("5.1",)


def reportlab_version() -> str:
    return installed_version("reportlab")


def internals_known() -> bool:
    return written_for(reportlab_version(), WRITTEN_FOR)


# -- table cells as text operators ----------------------------------------------------


class CellText:
    """Cell texts as PDF text operators, in one font at one size on one canvas.

    The operators are exactly those ``PDFTextObject.textOut`` writes after
    ``setFont(font, size)``: for each run of characters in one font subset,
    the subset's font selection (when it changes) and the run as a string.
    reportlab works them out glyph by glyph on every call (``_formatText``);
    here each character's subset and code is looked up once per document
    (reportlab never changes a code once assigned in a document), and each
    distinct cell text is encoded once: most cells repeat.
    """

    def __init__(self, canvas: Any, font_name: str, size: float) -> None:
        self.font = pdfmetrics.getFont(font_name)
        self.doc = canvas._doc
        self.select = f" {fp_str(size)} Tf {fp_str(size * 1.2)} TL"
        self.subset = -1  # the subset selected in the text object, none yet
        self._chars: dict[str, tuple[int, str]] = {}  # {character: (subset, escaped code)}
        self._texts: dict[tuple[str, int], tuple[str, int]] = {}
        self._names: dict[int, str] = {}  # {subset: the font resource selecting it}

    def encode(self, text: str) -> str:
        """The operators showing ``text`` after what was encoded before."""
        key = (text, self.subset)
        hit = self._texts.get(key)
        if hit is None:
            hit = self._texts[key] = self._encode(text)
        self.subset = hit[1]
        return hit[0]

    def _encode(self, text: str) -> tuple[str, int]:
        chars, current = self._chars, self.subset
        parts: list[str] = []
        run: list[str] = []
        for char in text:
            found = chars.get(char)
            if found is None:
                found = chars[char] = self._learn(char)
            subset, code = found
            if subset != current:
                if run:
                    parts.append(f"({''.join(run)}) Tj")
                    run = []
                parts.append(self._name(subset) + self.select)
                current = subset
            run.append(code)
        if run:
            parts.append(f"({''.join(run)}) Tj")
        return " ".join(parts), current

    def _learn(self, char: str) -> tuple[int, str]:
        ((subset, code),) = self.font.splitString(char, self.doc)
        return subset, escapePDF(code)

    def _name(self, subset: int) -> str:
        name = self._names.get(subset)
        if name is None:
            name = self._names[subset] = self.font.getSubsetInternalName(subset, self.doc)
        return name


class CellWriter:
    """Writes cells into a text object just begun with ``setFont(font_name, size)``:
    ``colour`` when it changes, ``put`` each cell at its origin, then ``finish``
    before ``canvas.drawText``."""

    def __init__(
        self, canvas: Any, text: Any, font_name: str, size: float, encoders: dict[Any, Any]
    ) -> None:
        self.text = text
        self.fast = internals_known()
        if self.fast:
            key = (font_name, size)
            cells = encoders.get(key)
            if cells is None:
                cells = encoders[key] = CellText(canvas, font_name, size)
            cells.subset = -1  # as setFont leaves a text object
            self.cells = cells
            self.code: list[str] = text._code
            self.fills: dict[int, str] = {}  # {id(colour): its rg operator}

    def colour(self, colour: Any) -> None:
        if not self.fast:
            self.text.setFillColor(colour)
            return
        fill = self.fills.get(id(colour))
        if fill is None:
            fill = self.fills[id(colour)] = f"{fp_str(colour.red, colour.green, colour.blue)} rg"
        self.code.append(fill)

    def put(self, x: float, y: float, text: str) -> None:
        if not self.fast:
            self.text.setTextOrigin(x, y)
            self.text.textOut(text)
            return
        self.code.append(f"1 0 0 1 {fp_str(x, y)} Tm {self.cells.encode(text)}")

    def finish(self) -> None:
        if self.fast:
            self.text._curSubset = self.cells.subset


# -- font subsets -------------------------------------------------------------------

# Subset font programs kept per face: {subset: (program, compressed program)}. The
# subsets repeated across documents are few (see ``reserve_first_subset``).
SUBSET_PROGRAMS_KEPT = 16


def tune_font_face(font: Any) -> None:
    """Make a ``TTFont``'s subsets cheaper (see the module's docstring); before it is
    registered."""
    if not internals_known():
        return
    face = font.face
    face.get_table = functools.partial(_table_in_place, face, face.get_table)
    face.addSubsetObjects = functools.partial(_add_subset_objects, face)
    face.subset_programs = {}


def clear_subset_programs(font_names: tuple[str, ...]) -> None:
    """Forget the subset font programs made so far (a benchmark's cold run)."""
    for name in font_names:
        if name in pdfmetrics.getRegisteredFontNames():
            getattr(pdfmetrics.getFont(name).face, "subset_programs", {}).clear()


def reserve_first_subset(canvas: Any, font_name: str, text: str) -> None:
    """Give the characters of ``text`` the font's first codes in the canvas's
    document, in a subset of their own (with ASCII, which reportlab puts there).

    Documents that all start this way with the same text (the fixed wording of
    the review's notices, say) embed the same first subset, so its font program
    is made and compressed once (see ``_add_subset_objects``). Characters met
    later go to the next subsets, as they would anyway. Call it before any text
    is drawn in the font.
    """
    if not internals_known():
        return
    font = pdfmetrics.getFont(font_name)
    doc = canvas._doc
    if font.state.get(doc) is not None and font.state[doc].assignments.keys() - {
        0,
        *range(32, 128),
    }:
        raise ValueError("reserve_first_subset: text was drawn in the font already")
    font.splitString(text, doc)
    state = font.state[doc]
    if state.nextCode < 256:  # the next character opens the second subset
        state.nextCode = 256


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


# -- frames -------------------------------------------------------------------------


def frame_used_height(frame: Any) -> float | None:
    """How far down from its top a frame's flowables reached, or None where
    reportlab's frame bookkeeping is not the one this was written for."""
    if not internals_known():
        return None
    top = frame._y2 - frame._topPadding  # where drawing started
    return float(top - frame._y)
