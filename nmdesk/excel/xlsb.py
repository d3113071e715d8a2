"""An Excel binary workbook (``.xlsb``) measured before python-calamine reads it.

Its worksheets are ``xl/worksheets/*.bin`` parts made of BIFF12 records (a
variable-length type and size, then the body). Each sheet's ``BrtWsDim`` (its
declared size) is checked first, then the cells it holds: a row header gives the
row, a cell record starts with its column. Formula records (``BrtFmla*``) always
carry their last result, which is what calamine reads. calamine does not report an
.xlsb's merged cells, so its ``BrtMergeCell`` records are read here too.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator

from nmdesk.excel.limits import HEAD_BYTES, LIMITS, check_extent

_ROW_HEADER, _WS_DIM, _MERGE_CELL = 0x00, 0x94, 0xB0
_CELLS = range(0x01, 0x0C)  # BrtCellBlank … BrtFmlaError: a column first
_SHORT_CELLS = range(0x0C, 0x13)  # BrtShortBlank … BrtShortIsst: the next column
_FORMULAS = range(0x08, 0x0C)


def _records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(type, body offset, body length) of every whole record in ``data``."""
    pos, end = 0, len(data)
    while pos < end:
        kind = data[pos]
        pos += 1
        if kind & 0x80:
            if pos >= end:
                return
            kind = (kind & 0x7F) | ((data[pos] & 0x7F) << 7)
            pos += 1
        size = shift = 0
        for _ in range(4):
            if pos >= end:
                return
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if pos + size > end:
            return
        yield kind, pos, size
        pos += size


Merged = list[tuple[tuple[int, int], tuple[int, int]]]


def check_sheet(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, file_name: str, sheet: str
) -> tuple[dict[tuple[int, int], bool], Merged]:
    """Refuse a worksheet part larger than the limits; returns its formula cells and its
    merged ranges ((top, left), (bottom, right)), zero-based."""
    with archive.open(info) as part:
        head = part.read(HEAD_BYTES)
        for kind, at, size in _records(head):
            if kind == _WS_DIM and size >= 16:
                _r0, last_row, _c0, last_column = struct.unpack_from("<IIII", head, at)
                check_extent(file_name, sheet, last_row + 1, last_column + 1, LIMITS)
                break
        data = head + part.read()
    unpack = struct.unpack_from
    rows = columns = row = column = 0
    formulas: dict[tuple[int, int], bool] = {}
    merged: Merged = []
    for kind, at, size in _records(data):
        if kind == _ROW_HEADER and size >= 4:
            row = unpack("<I", data, at)[0]
            rows = max(rows, row + 1)
            column = -1
        elif kind in _CELLS and size >= 4:
            column = unpack("<I", data, at)[0]
        elif kind in _SHORT_CELLS:
            column += 1
        elif kind == _MERGE_CELL and size >= 16:
            top, bottom, left, right = unpack("<IIII", data, at)
            merged.append(((top, left), (bottom, right)))
            continue
        else:
            continue
        columns = max(columns, column + 1)
        if kind in _FORMULAS:
            formulas[(row, column)] = True
    check_extent(file_name, sheet, rows, columns, LIMITS)
    return formulas, merged


_BUNDLE_SHEET = 0x9C
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → the sheet's name, from ``xl/workbook.bin``'s sheet list and its
    relationships (the part's own name where those cannot be read)."""
    import posixpath
    from xml.etree import ElementTree

    labels = {
        info.filename: posixpath.basename(info.filename)
        for info in archive.infolist()
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".bin")
    }
    try:
        if archive.getinfo("xl/workbook.bin").file_size > 4 << 20:
            return labels
        book = archive.read("xl/workbook.bin")
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.bin.rels"))
    except (KeyError, ElementTree.ParseError):
        return labels
    targets = {rel.get("Id", ""): rel.get("Target", "") for rel in rels.iter(_RELS)}
    for kind, at, size in _records(book):
        if kind != _BUNDLE_SHEET or size < 16:
            continue
        count = struct.unpack_from("<I", book, at + 8)[0]
        rel_at = at + 12
        rel_id = book[rel_at : rel_at + 2 * count].decode("utf-16-le", "replace")
        name_at = rel_at + 2 * count
        if name_at + 4 > at + size:
            continue
        length = struct.unpack_from("<I", book, name_at)[0]
        name = book[name_at + 4 : name_at + 4 + 2 * length].decode("utf-16-le", "replace")
        target = targets.get(rel_id, "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        if member in labels:
            labels[posixpath.normpath(member)] = name
    return labels
