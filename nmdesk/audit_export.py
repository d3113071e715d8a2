"""The audit trail written out for an inspection, as CSV or as an Excel workbook.

Every entry is written with its hash and the previous entry's hash, so an
inspector can recompute the chain, and the workbook adds a sheet with the result
of ``verify`` at the time of the export. Strings go through
``nmdesk.excel.cells`` so that nothing a clerk typed becomes a live formula.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NmdeskError
from nmdesk.excel.cells import safe_text, set_text_cell
from nmdesk.files import create_private_file, refuse_register_file
from nmdesk.store import os_reason
from nmdesk.store.anchors import HEAD_LABEL

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

COLUMNS = (
    ("id", "序号"),
    ("at", "时间"),
    ("actor", "操作人"),
    ("action", "操作"),
    ("table_name", "数据表"),
    ("row_id", "记录号"),
    ("before", "修改前"),
    ("after", "修改后"),
    ("prev_hash", "上一条哈希"),
    ("hash", "本条哈希"),
)


def _cell(value: Any) -> Any:
    return "" if value is None else value


def export_audit(register: Register, out: str | Path) -> int:
    """Write the whole audit trail to ``out`` (.csv or .xlsx); returns the number of entries."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise NmdeskError(f"审计记录只能导出为 .csv 或 .xlsx 文件（{out.name} 不是）")
    if out.exists():
        raise NmdeskError(f"文件 {out} 已存在，不会覆盖。请换一个文件名")
    entries = register.audit.all_entries()
    findings = register.verify().findings  # the same checks as verify
    refuse_register_file(out, "导出审计记录")
    part = out.with_name(out.name + ".part")
    try:
        part.unlink(missing_ok=True)
        create_private_file(part)  # every phone number in the history: owner only (0600)
        if suffix == ".csv":
            _write_csv(part, entries)
        else:
            _write_xlsx(part, entries, register, [str(f) for f in findings])
        part.replace(out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise NmdeskError(f"无法写入 {out}：{os_reason(exc)}") from None
    return len(entries)


def _write_csv(path: Path, entries: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([title for _key, title in COLUMNS])
        for entry in entries:
            writer.writerow(
                [
                    safe_text(value) if isinstance(value, str) else _cell(value)
                    for value in (entry.get(key) for key, _title in COLUMNS)
                ]
            )


def _write_xlsx(
    path: Path, entries: list[dict[str, Any]], register: Register, findings: list[str]
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "审计记录"
    sheet.append([title for _key, title in COLUMNS])
    for row_number, entry in enumerate(entries, start=2):
        for column, (key, _title) in enumerate(COLUMNS, start=1):
            value = entry.get(key)
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, str):
                set_text_cell(cell, value)
            else:
                cell.value = _cell(value)
    summary = book.create_sheet("校验结果")
    summary.append(["备案库", register.path.name])
    summary.append(["导出时间", dt.datetime.now().isoformat(timespec="seconds")])
    summary.append(["审计记录条数", len(entries)])
    summary.append(["数据库完整性", "正常" if register.integrity_ok() else "损坏"])
    summary.append(["校验结果", "通过" if not findings else f"未通过：{len(findings)} 处问题"])
    for finding in findings:
        cell = summary.cell(row=summary.max_row + 1, column=2)
        set_text_cell(cell, finding)
    summary.append([HEAD_LABEL, register.chain_head().hash])
    book.save(path)
