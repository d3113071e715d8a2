"""Excel binary workbooks (.xlsb), written at test time record by record.

No Python library writes .xlsb and LibreOffice only reads it, so this writes the
smallest workbook the format allows ([MS-XLSB]): a workbook part listing the sheets,
and per sheet its declared size (``BrtWsDim``), its rows and cells, and its merged
ranges (``BrtMergeCell``). python-calamine reads these files as Excel's own.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import Any

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
    '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/>'
    "</Relationships>"
)


def _size(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | 0x80 if n else byte)
        if not n:
            return bytes(out)


def record(kind: int, body: bytes = b"") -> bytes:
    """One BIFF12 record: its type (one or two bytes), its size, its body."""
    head = bytes([kind]) if kind < 0x80 else bytes([(kind & 0x7F) | 0x80, kind >> 7])
    return head + _size(len(body)) + body


def _wide(text: str) -> bytes:
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data) // 2) + data


def write_xlsb(
    path: Path,
    rows: list[list[Any]],
    *,
    sheet: str = "台账",
    merged: tuple[tuple[int, int, int, int], ...] = (),
    declared: tuple[int, int] | None = None,
    far_cell: tuple[int, int] | None = None,
) -> Path:
    """An .xlsb of one sheet: ``rows`` of str/float/None; ``merged`` (top, bottom, left,
    right) zero-based; ``declared`` (rows, columns) in BrtWsDim, else the true size;
    ``far_cell`` (row, column) of one more text cell far away."""
    book = (
        record(0x83)
        + record(0x8F)
        + record(0x9C, struct.pack("<II", 0, 1) + _wide("rId1") + _wide(sheet))
        + record(0x90)
        + record(0x84)
    )
    height, width = declared or (len(rows), max(len(row) for row in rows))
    data = record(0x81) + record(0x94, struct.pack("<IIII", 0, height - 1, 0, width - 1))
    data += record(0x91)
    cells = [(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row)]
    if far_cell is not None:
        cells.append((*far_cell, "远处的格"))
    current = None
    for r, c, value in cells:
        if r != current:
            data += record(0x00, struct.pack("<IIHHBI", r, 0, 0x12C, 0, 0, 0))
            current = r
        if value is None:
            continue
        if isinstance(value, str):
            data += record(0x06, struct.pack("<II", c, 0) + _wide(value))
        else:
            data += record(0x05, struct.pack("<IId", c, 0, float(value)))
    data += record(0x92)
    if merged:
        data += record(0xB1, struct.pack("<I", len(merged)))
        for top, bottom, left, right in merged:
            data += record(0xB0, struct.pack("<IIII", top, bottom, left, right))
        data += record(0xB2)
    data += record(0x82)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.bin", book)
        archive.writestr("xl/_rels/workbook.bin.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.bin", data)
    return path
