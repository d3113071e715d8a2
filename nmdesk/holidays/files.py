"""Files for holiday schedules: a notice from .txt or .docx, and the exchange file.

A .docx is a zip holding ``word/document.xml``; its paragraphs become lines, read
with the standard library (no Word library for one file of a page). The exchange
file is a small JSON one office hands to another: the year, its named days (休 or
班, festival, note) and where the schedule came from.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from nmdesk.errors import NmdeskError
from nmdesk.holidays.notice import MAX_NOTICE_CHARS
from nmdesk.holidays.schedule import EntryInfo, HolidaySchedule, ScheduledDay

EXCHANGE_FORMAT = "nmdesk-holiday-schedule"
EXCHANGE_VERSION = 1
MAX_FILE_BYTES = 5_000_000
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class HolidayFileError(NmdeskError):
    """A notice or exchange file that cannot be read; the message names the file."""


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise HolidayFileError(f"{path.name} 有 {size // 1024} KB，不像一份节假日通知")
        return path.read_bytes()
    except OSError as error:
        raise HolidayFileError(f"无法读取 {path.name}：{error.strerror or error}") from None


def read_notice_file(path: str | Path) -> str:
    """The notice's text from a .txt (UTF-8 or GB18030) or a .docx file."""
    path = Path(path)
    data = _read_bytes(path)
    if path.suffix.lower() == ".docx" or data[:2] == b"PK":
        text = _docx_text(path, data)
    else:
        text = _decode(path, data)
    if len(text) > MAX_NOTICE_CHARS:
        raise HolidayFileError(f"{path.name} 的文字过长，不像一份节假日通知")
    return text


def _decode(path: Path, data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HolidayFileError(f"{path.name} 不是文本文件（应为 UTF-8 或 GBK 编码）")


def _docx_text(path: Path, data: bytes) -> str:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_FILE_BYTES * 4:
                raise HolidayFileError(f"{path.name} 的正文过大，不像一份节假日通知")
            root = ElementTree.fromstring(archive.read(info))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        raise HolidayFileError(f"{path.name} 不是有效的 Word 文档（.docx）") from None
    lines = []
    for paragraph in root.iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t":
                parts.append(node.text or "")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
            elif node.tag == f"{_W}tab":
                parts.append(" ")
        lines.append("".join(parts))
    return "\n".join(lines)


def export_schedule(schedule: HolidaySchedule, source: str, path: str | Path) -> None:
    """Write the exchange file for one year."""
    entry = schedule.entry or EntryInfo()
    document = {
        "format": EXCHANGE_FORMAT,
        "version": EXCHANGE_VERSION,
        "year": schedule.year,
        "title": schedule.title,
        "source": {
            "kind": source,
            "entered_at": entry.entered_at,
            "entered_by": entry.entered_by,
            "origin": entry.origin,
        },
        "days": [
            {"date": d.day.isoformat(), "mark": d.mark, "festival": d.festival, "note": d.note}
            for d in schedule.days
        ],
    }
    text = json.dumps(document, ensure_ascii=False, indent=1)
    try:
        Path(path).write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        raise HolidayFileError(f"无法写入 {Path(path).name}：{error.strerror or error}") from None


def import_schedule(path: str | Path) -> HolidaySchedule:
    """Read an exchange file back; every field is checked, nothing is guessed."""
    path = Path(path)
    try:
        document = json.loads(_decode(path, _read_bytes(path)))
    except json.JSONDecodeError:
        raise HolidayFileError(f"{path.name} 不是节假日安排交换文件（JSON 格式有误）") from None
    if not isinstance(document, dict) or document.get("format") != EXCHANGE_FORMAT:
        raise HolidayFileError(f"{path.name} 不是 nmdesk 的节假日安排交换文件")
    if document.get("version") != EXCHANGE_VERSION:
        raise HolidayFileError(f"{path.name} 的版本 {document.get('version')} 无法识别")
    year = document.get("year")
    days = document.get("days")
    if not isinstance(year, int) or not 1990 <= year <= 2200 or not isinstance(days, list):
        raise HolidayFileError(f"{path.name} 缺少年份或日期列表")
    items = [_day(path, year, raw) for raw in days]
    source = document.get("source") if isinstance(document.get("source"), dict) else {}
    assert isinstance(source, dict)
    origin = str(source.get("origin") or "")
    entry = EntryInfo(
        str(source.get("entered_at") or ""),
        str(source.get("entered_by") or ""),
        origin,
        str(document.get("title") or ""),
    )
    try:
        schedule = HolidaySchedule.of(year, items, str(document.get("title") or ""))
    except NmdeskError as error:
        raise HolidayFileError(f"{path.name}：{error}") from None
    return HolidaySchedule(schedule.year, schedule.days, schedule.title, entry)


def _day(path: Path, year: int, raw: Any) -> ScheduledDay:
    if not isinstance(raw, dict):
        raise HolidayFileError(f"{path.name} 的日期列表有误")
    try:
        day = dt.date.fromisoformat(str(raw.get("date")))
    except ValueError:
        raise HolidayFileError(f"{path.name}：“{raw.get('date')}”不是日期") from None
    if abs(day.year - year) > 1:  # 元旦 may begin on the 31st of December before
        raise HolidayFileError(f"{path.name}：{day.isoformat()} 不属于 {year} 年的安排")
    mark = raw.get("mark")
    if mark not in ("休", "班"):
        raise HolidayFileError(f"{path.name}：{day.isoformat()} 应标为“休”或“班”")
    return ScheduledDay(
        day, mark == "班", str(raw.get("festival") or ""), str(raw.get("note") or "")
    )
