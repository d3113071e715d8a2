"""Hostile spreadsheets, built at test time (issue #12): never committed as binaries.

``write_zip`` writes a zip by hand so that a part can be a genuine zip bomb: a
deflate block of one mebibyte of spaces, compressed once after a full flush
(so it refers to nothing before it), is repeated N times. The file is about a
thousandth of what it inflates to, and writing it takes milliseconds.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
).encode()
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b"</Relationships>"
)
SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>账号名称</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>开设平台</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>开设单位</t></is></c></row>'
).encode()


@dataclass(frozen=True)
class Repeated:
    """A part made of ``head``, then ``block`` ``times`` times, then ``tail``."""

    head: bytes
    block: bytes
    times: int
    tail: bytes

    def deflated(self) -> tuple[bytes, int, int]:
        """(raw deflate stream, CRC-32, inflated size), without inflating it all at once."""
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        start = packer.compress(self.head) + packer.flush(zlib.Z_FULL_FLUSH)
        body = packer.compress(self.block) + packer.flush(zlib.Z_FULL_FLUSH)
        end = packer.compress(self.tail) + packer.flush()
        crc = zlib.crc32(self.head)
        for _ in range(self.times):
            crc = zlib.crc32(self.block, crc)
        crc = zlib.crc32(self.tail, crc)
        size = len(self.head) + len(self.block) * self.times + len(self.tail)
        return start + body * self.times + end, crc, size


def write_zip(path: Path, parts: dict[str, bytes | Repeated]) -> Path:
    """A deflated zip of ``parts`` (each under 4 GiB inflated), written by hand."""
    central = b""
    with path.open("wb") as out:
        for name, content in parts.items():
            if isinstance(content, Repeated):
                data, crc, size = content.deflated()
            else:
                packer = zlib.compressobj(9, zlib.DEFLATED, -15)
                data = packer.compress(content) + packer.flush()
                crc, size = zlib.crc32(content), len(content)
            encoded = name.encode()
            offset = out.tell()
            fields = (20, 0x800, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded + data)
            central += (
                struct.pack("<IH", 0x02014B50, 20)
                + struct.pack("<HHHHHIIIHHHHHII", *fields[:-1], 0, 0, 0, 0, 0, offset)
                + encoded
            )
        start = out.tell()
        out.write(central)
        count = len(parts)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), start, 0))
    return path


def workbook_parts(sheet: bytes | Repeated) -> dict[str, bytes | Repeated]:
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
    }


def one_far_cell(path: Path, ref: str, *, declared: bool = True) -> Path:
    """The 1.9 KB file: a header and one cell at ``ref`` (``XFD99999``, ``ZZ99999``);
    ``declared`` writes the ``<dimension>`` Excel writes, else only the cell says it."""
    number = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    dimension = f'<dimension ref="A1:{ref}"/>'.encode() if declared else b""
    sheet = (
        SHEET_OPEN
        + dimension
        + b"<sheetData>"
        + HEADER_ROW
        + f'<row r="{number}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
        + b"</sheetData></worksheet>"
    )
    return write_zip(path, workbook_parts(sheet))


def zip_bomb(path: Path, mebibytes: int) -> Path:
    """A workbook whose one sheet inflates to ``mebibytes`` MiB of spaces (valid XML)."""
    sheet = Repeated(
        SHEET_OPEN + b'<dimension ref="A1:C1"/><sheetData>' + HEADER_ROW,
        b" " * (1 << 20),
        mebibytes,
        b"</sheetData></worksheet>",
    )
    return write_zip(path, workbook_parts(sheet))


def many_rows(path: Path, rows: int, *, declared: bool = True) -> Path:
    """A header and ``rows`` identical account rows (no ``r`` references, as some
    generators write them); ``declared`` writes the matching ``<dimension>``."""
    row = (
        '<row><c t="inlineStr"><is><t>账号</t></is></c><c t="inlineStr"><is><t>微信</t></is>'
        '</c><c t="inlineStr"><is><t>计算机学院</t></is></c></row>'
    ).encode()
    per_block = 4096
    dimension = f'<dimension ref="A1:C{rows + 1}"/>'.encode() if declared else b""
    sheet = Repeated(
        SHEET_OPEN + dimension + b"<sheetData>" + HEADER_ROW,
        row * per_block,
        rows // per_block,
        row * (rows % per_block) + b"</sheetData></worksheet>",
    )
    return write_zip(path, workbook_parts(sheet))


def repeated_ods_rows(path: Path, rows: int) -> Path:
    """An .ods whose one data row is written once and repeated ``rows`` times
    (``table:number-rows-repeated``): a few hundred bytes that calamine would build
    into ``rows`` rows."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )

    def cell(text: str) -> str:
        return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'

    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body>'
        '<office:spreadsheet><table:table table:name="台账">'
        f"<table:table-row>{cell('账号名称')}{cell('开设平台')}{cell('开设单位')}</table:table-row>"
        f'<table:table-row table:number-rows-repeated="{rows}">'
        f"{cell('账号')}{cell('微信')}{cell('计算机学院')}</table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )
        archive.writestr("content.xml", content)
    return path
