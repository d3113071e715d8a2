"""A year's schedule saved in the register, in force, exchanged (nmdesk/holidays/service.py)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from fixtures_notices import MADE_UP_2027, notice_text

from nmdesk.dates import PartialDate
from nmdesk.deadlines import running_clocks
from nmdesk.holidays.files import (
    HolidayFileError,
    export_schedule,
    import_schedule,
    read_notice_file,
)
from nmdesk.holidays.notice import parse_notice
from nmdesk.holidays.schedule import YearSource
from nmdesk.holidays.service import missing_next_year, save_year, year_in_force
from nmdesk.models import Account, AccountStatus, Unit
from nmdesk.services.filings import start_closure

D = dt.date


def _account(register, platform_id: str = "bitcs") -> int:  # type: ignore[no-untyped-def]
    unit = register.units.find_by_name("计算机学院")
    unit_id = unit.id if unit else register.units.add(Unit(None, "计算机学院", "college"))
    return int(
        register.accounts.create(
            Account(
                None,
                "微信",
                "订阅号",
                f"北理工计算机{platform_id}",
                unit_id,
                2,
                platform_id=platform_id,
                opened_on=PartialDate(2019, 3),
                status=AccountStatus.RUNNING,
            )
        )
    )


def _made_up_2027():  # type: ignore[no-untyped-def]
    return parse_notice(notice_text(MADE_UP_2027), 2027).schedule


def test_saving_2027_makes_running_clocks_exact_across_the_new_year(register) -> None:
    account_id = _account(register)
    across = start_closure(register, account_id, D(2026, 12, 28), "停止运营")
    before = register.filings.get(across)
    assert before.due_is_estimate  # 10 working days reach into 2027
    other = _account(register, "bitme")
    spring = start_closure(register, other, D(2027, 2, 5), "停止运营")
    assert register.filings.get(spring).due_on == D(2027, 2, 19)  # estimated: no Spring Festival
    today = D(2026, 12, 7)
    assert any(c.is_estimate for c in running_clocks(register, today))

    saved = save_year(register, _made_up_2027(), "国务院办公厅通知（测试用）")

    assert saved.moved_due_dates == 2
    assert register.filings.get(across).due_on == D(2027, 1, 12)  # same date, now exact
    assert not register.filings.get(across).due_is_estimate
    # 2月7日 (Sunday) and 2月20日 (Saturday) are worked, 2月11日 to 17日 are off
    assert register.filings.get(spring).due_on == D(2027, 2, 24)
    assert not any(c.is_estimate for c in running_clocks(register, today))
    assert register.calendar.source_of(2027) is YearSource.ENTERED


def test_closure_form_printed_afterwards_shows_the_exact_date(register, tmp_path: Path) -> None:
    from pypdf import PdfReader

    from nmdesk.forms import render_form

    def printed() -> str:
        out = render_form(register, "closure", account_id, tmp_path / "closure.pdf")
        return "".join(page.extract_text() for page in PdfReader(out).pages).replace(" ", "")

    account_id = _account(register)
    start_closure(register, account_id, D(2027, 2, 5), "停止运营")
    assert "估算" in printed()
    save_year(register, _made_up_2027(), "国务院办公厅通知（测试用）")
    text = printed()
    assert "估算" not in text and "2027年2月24日" in text


def test_saved_year_is_audited_and_shows_who_entered_it(register) -> None:
    save_year(register, _made_up_2027(), "国务院办公厅通知", now=dt.datetime(2026, 12, 7, 9, 30))
    in_force = year_in_force(register, 2027)
    assert in_force.source is YearSource.ENTERED
    assert in_force.describe_source() == "录入（2026-12-07 09:30，tester，国务院办公厅通知）"
    assert in_force.schedule.day_lines() == _made_up_2027().day_lines()
    actions = {row["action"] for row in register.query("SELECT action FROM audit_log")}
    assert "calendar-year-entered" in actions


def test_entered_year_takes_precedence_over_bundled_and_differences_are_shown(register) -> None:
    schedule = parse_notice(notice_text("2026")).schedule
    assert year_in_force(register, 2026).source is YearSource.BUNDLED
    assert year_in_force(register, 2026).describe_source().startswith("内置（chinese_calendar")
    corrected = schedule.corrected(D(2026, 12, 31), False, festival="校历", note="学校停课")
    saved = save_year(register, corrected, "国务院办公厅通知")
    assert [d.describe() for d in saved.differences] == ["2026-12-31（周四）：原为上班，现为休息"]
    assert not register.calendar.is_workday(D(2026, 12, 31))
    assert year_in_force(register, 2026).schedule.get(D(2026, 12, 31)).note == "学校停课"  # type: ignore[union-attr]


def test_estimate_year_source_and_next_year_reminder(register) -> None:
    assert year_in_force(register, 2027).source is YearSource.ESTIMATE
    assert missing_next_year(register, D(2026, 10, 31)) is None
    assert missing_next_year(register, D(2026, 11, 1)) == (
        "2027年节假日安排尚未录入，涉及2027年的截止日期为估算"
    )
    save_year(register, _made_up_2027(), "测试")
    assert missing_next_year(register, D(2026, 12, 7)) is None


def test_exchange_file_round_trip(register, tmp_path: Path) -> None:
    schedule = _made_up_2027().corrected(D(2027, 12, 31), False, note="校历调整")
    save_year(register, schedule, "国务院办公厅通知")
    path = tmp_path / "2027.json"
    in_force = year_in_force(register, 2027)
    export_schedule(in_force.schedule, in_force.source.value, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["year"] == 2027 and document["source"]["entered_by"] == "tester"
    back = import_schedule(path)
    assert back.day_lines() == schedule.day_lines()
    assert back.get(D(2027, 12, 31)).note == "校历调整"  # type: ignore[union-attr]
    document["days"][0]["mark"] = "假"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(HolidayFileError, match="应标为“休”或“班”"):
        import_schedule(path)


def test_notice_from_docx_and_gbk_text(tmp_path: Path) -> None:
    text = notice_text("2025")
    paragraphs = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{line}</w:t></w:r></w:p>'
        for line in text.splitlines()
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{paragraphs}</w:body></w:document>"
    )
    docx = tmp_path / "通知.docx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", document)
    assert parse_notice(read_notice_file(docx)).schedule == parse_notice(text).schedule
    gbk = tmp_path / "通知.txt"
    gbk.write_bytes(text.encode("gb18030"))
    assert read_notice_file(gbk) == text
    bad = tmp_path / "坏.docx"
    bad.write_bytes(b"PK not a zip")
    with pytest.raises(HolidayFileError, match="不是有效的 Word 文档"):
        read_notice_file(bad)
