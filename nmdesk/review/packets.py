"""The units' packets: the notice and self-check sheet sent out, and the sheet coming back.

Each unit gets one xlsx: a notice sheet (通知) and a self-check sheet (自查表)
listing its accounts, with columns for the unit to fill in. A unit with no
account gets a zero-report sheet (零报告) instead. A returned sheet is read with
python-calamine, compared with what the register holds, and only written after
the clerk has seen the differences (``read_packet`` → ``diff_packet`` →
``apply_packet``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineError, CalamineWorkbook

from nmdesk.dates import deadline_text, parse_day
from nmdesk.errors import NmdeskError, PolicyError, ValidationError
from nmdesk.excel.cells import set_text_cell
from nmdesk.review.campaign import check_self_check, reminder_rows, self_check_changes
from nmdesk.review.records import Campaign, SelfCheck

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

SHEET_NOTICE = "通知"
SHEET_CHECK = "自查表"
SHEET_META = "_nmdesk"
# The self-check columns: the first five are filled in by the office, the rest by the unit.
FIXED_COLUMNS = ("备案编号", "开设平台", "账号名称", "账号ID号", "账号级别")
ANSWER_COLUMNS = (
    "是否仍在运营",
    "最近发布日期",
    "本年度发文数",
    "粉丝数（选填）",
    "内容审核人（先审后发）",
    "舆情及处置情况",
)
ANSWER_FIELDS = (
    "still_operated",
    "last_post_on",
    "posts_in_year",
    "followers",
    "content_reviewer",
    "incident",
)
FIELD_LABELS = dict(zip(ANSWER_FIELDS, ANSWER_COLUMNS, strict=True))
ZERO_REPORT_TEXT = "本单位无以本单位名义开设的新媒体公共账号（零报告）"
YES, NO = "是", "否"


def packet_filename(campaign: Campaign, unit_name: str, unit_id: int) -> str:
    safe = "".join(c for c in unit_name if c not in '\\/:*?"<>|').strip() or "单位"
    return f"{campaign.year}年审-{unit_id:03d}-{safe}.xlsx"


def notice_text(register: Register, campaign: Campaign, unit_name: str) -> list[str]:
    profile = register.profile
    office = profile.filing_office
    return [
        f"关于开展 {campaign.year} 年度新媒体公共账号年审工作的通知",
        f"{unit_name}：",
        f"根据《{profile.policy_title}》，现开展 {campaign.year} 年度新媒体公共账号年审。"
        "请对本单位开设的全部新媒体公共账号逐一自查，填写“自查表”，"
        "经单位负责人审核签字并加盖公章后，连同年审材料一并交回" + office + "。",
        "本单位没有账号的，也须交回零报告。",
        f"交回{deadline_text(campaign.deadline_on)}。"
        "逾期未交或年审不合格的单位将在公示中予以标注，并视情况责令暂停运行或注销账号。",
        f"{office}　{campaign.opened_on.isoformat()}",
    ]


def write_unit_packet(register: Register, campaign: Campaign, unit_id: int, path: Path) -> Path:
    """Write one unit's notice and self-check packet (or zero report) to ``path``."""
    unit = register.units.get(unit_id)
    facts = [f for f in register.reviews.facts(campaign.id) if f["unit_id"] == unit_id]
    wb = Workbook()
    notice = wb.active
    notice.title = SHEET_NOTICE
    _write_notice(notice, notice_text(register, campaign, unit.name))
    sheet = wb.create_sheet(SHEET_CHECK)
    set_text_cell(sheet.cell(row=1, column=1), f"{campaign.year} 年度新媒体公共账号年审自查表")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    set_text_cell(sheet.cell(row=2, column=1), f"单位：{unit.name}")
    set_text_cell(sheet.cell(row=2, column=5), deadline_text(campaign.deadline_on))
    if not facts:
        _write_zero_report(sheet)
    else:
        level_names = {level.level: level.name for level in register.profile.levels}
        _write_self_check(sheet, facts, level_names)
    meta = wb.create_sheet(SHEET_META)
    meta["A1"], meta["B1"] = "year", campaign.year
    meta["A2"], meta["B2"] = "unit_id", unit_id
    meta.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _write_notice(notice: Worksheet, lines: list[str]) -> None:
    """The notice, one paragraph a row, the title in bold."""
    notice.column_dimensions["A"].width = 100
    for row, text in enumerate(lines, start=1):
        cell = notice.cell(row=row, column=1)
        set_text_cell(cell, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1:
            cell.font = Font(bold=True, size=14)


def _write_zero_report(sheet: Worksheet) -> None:
    """The zero report of a unit with no account: a line to confirm, and the signatures."""
    set_text_cell(sheet.cell(row=4, column=1), ZERO_REPORT_TEXT)
    set_text_cell(sheet.cell(row=5, column=1), "确认无账号（填“是”）：")
    set_text_cell(sheet.cell(row=5, column=2), "")
    set_text_cell(sheet.cell(row=7, column=1), "单位负责人（签字）：　　　　　　单位（盖章）：")
    sheet.column_dimensions["A"].width = 60


# The self-check sheet's column widths, from 序号 to the last answer column, and the grey
# of the columns the office fills in.
CHECK_WIDTHS = (6, 16, 10, 24, 18, 8, 12, 14, 12, 12, 20, 30)
OFFICE_FILL = PatternFill("solid", fgColor="EEEEEE")


def _write_self_check(
    sheet: Worksheet, facts: list[dict[str, Any]], level_names: dict[int, str]
) -> None:
    """The self-check table: a header on row 4, then one row per account (the office's
    columns grey, the unit's answers as last recorded), then the notes and signatures."""
    thin = Side(style="thin", color="999999")
    headers = ("序号", *FIXED_COLUMNS, *ANSWER_COLUMNS)
    for col, title in enumerate(headers, start=1):
        cell = sheet.cell(row=4, column=col)
        set_text_cell(cell, title)
        cell.font = Font(bold=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for col, width in enumerate(CHECK_WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=4, column=col).column_letter].width = width
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    for index, fact in enumerate(facts, start=1):
        _write_check_row(sheet, 4 + index, index, fact, level_names)
        yes_no.add(sheet.cell(row=4 + index, column=2 + len(FIXED_COLUMNS)).coordinate)
    sheet.freeze_panes = "A5"
    last = 4 + len(facts) + 2
    set_text_cell(
        sheet.cell(row=last, column=1),
        "说明：灰色列由备案办公室填写，请勿修改；“是否仍在运营”填“是”或“否”，日期写作 2026-11-30。",
    )
    set_text_cell(
        sheet.cell(row=last + 1, column=1),
        "单位负责人（签字）：　　　　　　单位（盖章）：　　　　　　日期：",
    )


def _write_check_row(
    sheet: Worksheet, row: int, index: int, fact: dict[str, Any], level_names: dict[int, str]
) -> None:
    """One account's row of the self-check table."""
    sheet.cell(row=row, column=1, value=index)
    fixed = (
        fact["serial_no"],
        fact["platform"],
        fact["name"],
        fact["platform_id"],
        level_names.get(fact["level"], str(fact["level"])),
    )
    for col, value in enumerate(fixed, start=2):
        cell = sheet.cell(row=row, column=col)
        set_text_cell(cell, value)
        cell.fill = OFFICE_FILL
    answers = _answers_from_fact(fact)
    for col, name in enumerate(ANSWER_FIELDS, start=2 + len(FIXED_COLUMNS)):
        cell = sheet.cell(row=row, column=col)
        value = answers[name]
        if isinstance(value, str):
            set_text_cell(cell, value)
        else:
            cell.value = value
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"


def _answers_from_fact(fact: dict[str, Any]) -> dict[str, Any]:
    operated = fact["still_operated"]
    return {
        "still_operated": "" if operated is None else (YES if operated else NO),
        "last_post_on": dt.date.fromisoformat(fact["r_last_post_on"])
        if fact["r_last_post_on"]
        else None,
        "posts_in_year": fact["posts_in_year"],
        "followers": fact["followers"],
        "content_reviewer": fact["content_reviewer"] or "",
        "incident": fact["incident"] or "",
    }


class PacketsCancelled(NmdeskError):
    """The clerk cancelled writing the packets; the ones already written are removed."""

    def __init__(self) -> None:
        super().__init__("已取消生成通知与自查表，没有留下文件")


def write_all_packets(
    register: Register,
    campaign: Campaign,
    out_dir: Path,
    progress: Callable[[int, int], bool] | None = None,
) -> list[Path]:
    """One packet per unit of the campaign, in ``out_dir``. ``progress(done, total)``
    answers whether to go on; when it says no, the packets written so far are removed
    and ``PacketsCancelled`` is raised."""
    units = register.reviews.units(campaign.id)
    paths: list[Path] = []
    for done, unit in enumerate(units):
        if progress is not None and not progress(done, len(units)):
            for path in paths:
                path.unlink(missing_ok=True)
            raise PacketsCancelled()
        path = out_dir / packet_filename(campaign, unit.unit_name, unit.unit_id)
        paths.append(write_unit_packet(register, campaign, unit.unit_id, path))
    return paths


# -- reading a returned packet ---------------------------------------------------------


@dataclass
class PacketRow:
    row_number: int
    serial_no: str
    name: str
    check: SelfCheck | None  # None when the unit left every answer blank


@dataclass
class ParsedPacket:
    year: int
    unit_id: int
    zero_report: bool
    rows: list[PacketRow]


@dataclass
class FieldDiff:
    account_id: int
    account_name: str
    field: str
    before: str
    after: str


@dataclass
class PacketDiff:
    """What importing a returned packet would change; nothing is written until ``apply_packet``."""

    unit_id: int
    unit_name: str
    zero_report: bool
    changes: list[FieldDiff]
    checks: dict[int, SelfCheck]
    unanswered: list[str] = field(default_factory=list)
    already_returned_on: dt.date | None = None

    @property
    def changed_accounts(self) -> int:
        return len({c.account_id for c in self.changes})


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell_date(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_day(_cell_text(value), where)


def _cell_int(value: Any, where: str) -> int | None:
    text = _cell_text(value).replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValidationError(where, f"“{text}”不是整数") from None
    if not number.is_integer() or number < 0:
        raise ValidationError(where, f"“{text}”应为 0 或正整数")
    return int(number)


def read_packet(path: Path) -> ParsedPacket:
    """Read a returned packet. Raises ValidationError naming the row and column at fault."""
    from nmdesk.excel.reader import ExcelFileError, check_xlsx

    try:  # a returned file is a stranger's: bounded like any import before calamine sees it
        check_xlsx(path)
    except ExcelFileError as exc:
        raise ValidationError("自查表文件", str(exc)) from None
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise ValidationError(
            "自查表文件", f"{path.name} 无法读取（{exc}），应为 nmdesk 生成的 xlsx"
        ) from None
    names = wb.sheet_names
    if SHEET_META not in names or SHEET_CHECK not in names:
        raise ValidationError("自查表文件", f"{path.name} 不是 nmdesk 生成的年审自查表")
    meta = {_cell_text(r[0]): r[1] for r in wb.get_sheet_by_name(SHEET_META).to_python() if r}
    try:
        year, unit_id = int(_cell_text(meta["year"])), int(_cell_text(meta["unit_id"]))
    except (KeyError, TypeError, ValueError):
        raise ValidationError("自查表文件", f"{path.name} 缺少年度或单位信息") from None
    table = wb.get_sheet_by_name(SHEET_CHECK).to_python()
    header_at = next(
        (
            i
            for i, r in enumerate(table)
            if r and _cell_text(r[1] if len(r) > 1 else "") == FIXED_COLUMNS[0]
        ),
        None,
    )
    if header_at is None:
        zero = any(
            _cell_text(r[0]).startswith("确认无账号") and len(r) > 1 and _cell_text(r[1]) == YES
            for r in table
            if r
        )
        return ParsedPacket(year, unit_id, zero, [])
    header = [_cell_text(v) for v in table[header_at]]
    try:
        columns = {name: header.index(name) for name in (*FIXED_COLUMNS, *ANSWER_COLUMNS)}
    except ValueError as exc:
        raise ValidationError(
            "自查表表头", f"缺少列 {exc}；请使用下发的自查表，不要改动表头"
        ) from None
    rows: list[PacketRow] = []
    for offset, raw in enumerate(table[header_at + 1 :], start=header_at + 2):
        values = list(raw) + [None] * (len(header) - len(raw))
        serial = _cell_text(values[columns["备案编号"]])
        if not serial:
            continue
        rows.append(
            PacketRow(
                offset,
                serial,
                _cell_text(values[columns["账号名称"]]),
                _row_check(values, columns, offset),
            )
        )
    return ParsedPacket(year, unit_id, False, rows)


def _row_check(values: list[Any], columns: dict[str, int], row: int) -> SelfCheck | None:
    def at(name: str) -> Any:
        return values[columns[name]]

    def where(name: str) -> str:
        return f"第 {row} 行“{name}”"

    if all(_cell_text(at(name)) == "" for name in ANSWER_COLUMNS):
        return None
    operated_text = _cell_text(at("是否仍在运营"))
    if operated_text not in (YES, NO):
        raise ValidationError(where("是否仍在运营"), f"应填“{YES}”或“{NO}”，现为“{operated_text}”")
    return SelfCheck(
        still_operated=operated_text == YES,
        last_post_on=_cell_date(at("最近发布日期"), where("最近发布日期")),
        posts_in_year=_cell_int(at("本年度发文数"), where("本年度发文数")),
        followers=_cell_int(at("粉丝数（选填）"), where("粉丝数")),
        content_reviewer=_cell_text(at("内容审核人（先审后发）")),
        incident=_cell_text(at("舆情及处置情况")),
    )


def _shown(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "still_operated":
        return YES if value else NO
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def diff_packet(register: Register, campaign: Campaign, packet: ParsedPacket) -> PacketDiff:
    """Compare a returned packet with the register: the preview shown before any write."""
    if packet.year != campaign.year:
        raise PolicyError(f"该自查表属于 {packet.year} 年度年审，不是 {campaign.year} 年度")
    unit = register.reviews.unit(campaign.id, packet.unit_id)
    by_serial = {
        f["serial_no"]: f
        for f in register.reviews.facts(campaign.id)
        if f["unit_id"] == packet.unit_id
    }
    changes: list[FieldDiff] = []
    checks: dict[int, SelfCheck] = {}
    unanswered: list[str] = []
    seen: set[str] = set()
    for row in packet.rows:
        fact = by_serial.get(row.serial_no)
        if fact is None:
            raise ValidationError(
                f"第 {row.row_number} 行“备案编号”",
                f"“{row.serial_no}”不是“{unit.unit_name}”本次年审的账号",
            )
        seen.add(row.serial_no)
        if row.check is None:
            unanswered.append(fact["name"])
            continue
        check_self_check(row.check, campaign.year)
        checks[fact["account_id"]] = row.check
        before = _answers_from_fact(fact)
        before["still_operated"] = fact["still_operated"]
        after = self_check_changes(row.check)
        for name in ANSWER_FIELDS:
            old = _shown(name, before[name] if before[name] != "" else None)
            new = _shown(name, after[name] if after[name] != "" else None)
            if old != new:
                changes.append(
                    FieldDiff(fact["account_id"], fact["name"], FIELD_LABELS[name], old, new)
                )
    unanswered += [f["name"] for s, f in by_serial.items() if s not in seen]
    if packet.zero_report and by_serial:
        raise PolicyError(f"“{unit.unit_name}”有账号参加年审，不能按零报告交回")
    return PacketDiff(
        unit.unit_id,
        unit.unit_name,
        packet.zero_report or not by_serial,
        changes,
        checks,
        unanswered,
        unit.packet_returned_on,
    )


def apply_packet(
    register: Register, campaign: Campaign, diff: PacketDiff, returned_on: dt.date
) -> None:
    """Write the previewed answers and mark the unit's packet returned, in one transaction."""
    with register.transaction():
        for account_id, check in diff.checks.items():
            register.reviews.update_result(campaign.id, account_id, self_check_changes(check))
        register.reviews.set_unit_return(
            campaign.id, diff.unit_id, returned_on, zero_report=diff.zero_report
        )
        register.accounts.record_last_posts(
            {i: c.last_post_on for i, c in diff.checks.items() if c.last_post_on is not None}
        )


def import_packet(register: Register, campaign: Campaign, path: Path) -> PacketDiff:
    """Read and compare in one call (the preview); the caller applies it after confirmation."""
    return diff_packet(register, campaign, read_packet(path))


def write_reminders(
    register: Register, campaign: Campaign, today: dt.date, path: Path
) -> list[dict[str, str]]:
    """The reminder list (催交名单) of units still to respond, as a printable xlsx."""
    rows = reminder_rows(register, campaign, today)
    wb = Workbook()
    sheet = wb.active
    sheet.title = "催交名单"
    set_text_cell(sheet.cell(row=1, column=1), f"{campaign.year} 年度年审催交名单（{today}）")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    headers = list(rows[0]) if rows else ["单位"]
    for col, name in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=col)
        set_text_cell(cell, name)
        cell.font = Font(bold=True)
    for line, row in enumerate(rows, start=3):
        for col, name in enumerate(headers, start=1):
            set_text_cell(sheet.cell(row=line, column=col), row[name])
    for letter, width in zip("ABCDEFGHI", (26, 8, 10, 14, 12, 10, 16, 14, 24), strict=False):
        sheet.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return rows
