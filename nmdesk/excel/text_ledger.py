"""Ledgers saved as text: ``.csv`` and ``.txt`` in the encodings offices use.

Excel on a Chinese Windows saves "CSV (逗号分隔)" in GBK, "CSV UTF-8" with a BOM,
and "Unicode 文本" as UTF-16 with tabs; WPS and LibreOffice write UTF-8. The
encoding is detected (a BOM first, then strict UTF-8, then charset-normalizer
among the encodings a Chinese office can produce), and so is the delimiter
(``csv.Sniffer`` over the first lines, among comma, tab, semicolon and |). Both
are reported on the grid, so the preview can show them, and either can be given
instead of detected.

The file is bounded before it is decoded: the same row, column and cell limits as a
workbook (``nmdesk.excel.limits``), and a byte limit for the file itself.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from nmdesk.excel.limits import LIMITS, ExcelFileError, check_extent

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
# what a Chinese office's programs write; GB18030 is GBK's superset (and reads GB2312)
ENCODINGS = ("utf-8-sig", "utf-8", "gb18030", "utf-16", "big5")
ENCODING_LABELS = {
    "utf-8-sig": "UTF-8（带 BOM）",
    "utf-8": "UTF-8",
    "gb18030": "GBK/GB18030",
    "utf-16": "UTF-16（Unicode 文本）",
    "big5": "Big5（繁体）",
}
DELIMITERS = {",": "逗号", "\t": "制表符", ";": "分号", "|": "竖线"}
# the names a clerk types on the command line (``import --encoding/--delimiter``)
ENCODING_NAMES = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "utf-16": "utf-16",
    "big5": "big5",
}
DELIMITER_NAMES = {",": ",", "comma": ",", "tab": "\t", ";": ";", "semicolon": ";", "|": "|"}
MAX_TEXT_BYTES = 64 << 20  # a 100,000-row ledger as CSV is about 20 MB


def is_text_ledger(path: Path, head: bytes) -> bool:
    """A ``.csv``/``.txt`` file, or any file whose first bytes are a text BOM."""
    return path.suffix.lower() in TEXT_SUFFIXES or head.startswith(
        (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    )


def detect_encoding(data: bytes) -> str:
    """The encoding of a text ledger's bytes (one of ``ENCODINGS``)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # the encodings the bytes can be, as charset-normalizer finds them; GB18030 (what
    # Excel on a mainland Windows writes) wins whenever it is one of them
    found = [
        match.encoding.replace("_", "-")
        for match in from_bytes(data[: 1 << 20], cp_isolation=["gb18030", "big5", "utf_16"])
    ]
    if "gb18030" in found or not found:
        return "gb18030"
    return found[0] if found[0] in ENCODINGS else "gb18030"


def detect_delimiter(text: str) -> str:
    """The delimiter of the first lines (a comma when nothing else is evident)."""
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_text_ledger(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None
) -> tuple[list[list[str]], str, str]:
    """The rows of a text ledger, and the encoding and delimiter used."""
    name = path.name
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise ExcelFileError(
            f"{name} 有 {size // (1 << 20)} MB，超过文本台账的上限 {MAX_TEXT_BYTES >> 20} MB，"
            "请拆分成几个文件后再导入"
        )
    data = path.read_bytes()
    chosen = encoding or detect_encoding(data)
    try:
        text = data.decode(chosen)
    except (UnicodeDecodeError, LookupError):
        label = ENCODING_LABELS.get(chosen, chosen)
        raise ExcelFileError(
            f"{name} 不能按 {label} 编码读取，请换一种编码，或在 Excel 中另存为 xlsx 后再导入"
        ) from None
    if "\x00" in text:
        raise ExcelFileError(f"{name} 不是文本台账（含有二进制内容），请选择 Excel 或 CSV 台账文件")
    sep = delimiter or detect_delimiter(text)
    rows: list[list[str]] = []
    width = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        for row in reader:
            rows.append(row)
            width = max(width, len(row))
            if len(rows) > LIMITS.rows or width > LIMITS.columns:
                check_extent(name, name, len(rows), width)
    except csv.Error as exc:
        raise ExcelFileError(f"{name} 第 {reader.line_num} 行无法按 CSV 读取：{exc}") from None
    check_extent(name, name, len(rows), width)
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    return rows, chosen, sep
