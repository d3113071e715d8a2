"""``nmdesk calendar …`` and ``due`` with an entered year, run as a clerk runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_notices import MADE_UP_2027, notice_text

from nmdesk.cli import main
from nmdesk.store import Register


@pytest.fixture
def office(tmp_path: Path) -> Path:
    path = tmp_path / "office.nmdesk"
    Register.create(path, "bit", actor="tester").close()
    return path


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_notice_dry_run_prints_sorted_days_and_summary_and_stores_nothing(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notice = _write(tmp_path, "2026.txt", notice_text("2026"))
    assert main(["calendar", "notice", str(notice), "--dry-run", "--path", str(office)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2026-01-01\t休" and lines[3] == "2026-01-04\t班"
    assert (
        lines[:-1] == sorted(lines[:-1])
        and len(lines) == 1 + 3 + 1 + 9 + 2 + 3 + 5 + 1 + 3 + 3 + 7 + 2
    )
    assert lines[-1] == "2026年：休 19 天（工作日），调休上班 6 天"
    with Register.open(office) as register:
        assert register.calendar_overrides.entered_years() == []


def test_refused_line_is_quoted_exits_2_and_stores_nothing(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = notice_text(MADE_UP_2027).replace("共7天。9月26日", "共6天。9月26日")
    notice = _write(tmp_path, "bad.txt", text)
    assert main(["calendar", "notice", str(notice), "--year", "2027", "--path", str(office)]) == 2
    captured = capsys.readouterr()
    assert "“10月1日至7日放假调休，共6天。”" in captured.err and captured.out == ""
    with Register.open(office) as register:
        assert register.calendar_overrides.entered_years() == []


def test_entered_year_is_used_by_due_and_shown_with_its_source(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = ["--path", str(office)]
    assert main(["due", "2026-12-30", "30", *path]) == 0
    before = capsys.readouterr().out.splitlines()
    assert before[0] == "2027-02-11" and "估算" in before[1]
    notice = _write(tmp_path, "2027.txt", notice_text(MADE_UP_2027))
    assert main(["calendar", "notice", str(notice), "--year", "2027", *path]) == 0
    capsys.readouterr()
    assert main(["due", "2026-12-30", "30", *path]) == 0
    after = capsys.readouterr().out.splitlines()
    assert after == ["2027-02-10", "依据官方节假日安排计算（2026年内置，2027年录入）"]
    assert main(["calendar", "show", "2027", *path]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[-2] == "2027年：休 18 天（工作日），调休上班 7 天"
    assert shown[-1].startswith("来源：录入（") and "国务院办公厅通知（2027.txt）" in shown[-1]
    assert main(["calendar", "show", "2026", *path]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("来源：内置（chinese_calendar")


def test_export_then_import_into_another_register(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notice = _write(tmp_path, "2027.txt", notice_text(MADE_UP_2027))
    assert main(["calendar", "notice", str(notice), "--year", "2027", "--path", str(office)]) == 0
    exchange = tmp_path / "2027.json"
    assert main(["calendar", "export", str(exchange), "--path", str(office)]) == 0
    other = tmp_path / "other.nmdesk"
    Register.create(other, "pku-coe", actor="clerk2").close()
    assert main(["calendar", "import", str(exchange), "--path", str(other)]) == 0
    capsys.readouterr()
    with Register.open(office) as first, Register.open(other) as second:
        assert (
            second.calendar_overrides.entered_schedule(2027).day_lines()  # type: ignore[union-attr]
            == first.calendar_overrides.entered_schedule(2027).day_lines()  # type: ignore[union-attr]
        )
    assert main(["calendar", "show", "2027", "--path", str(other)]) == 0
    assert "交换文件（2027.json）" in capsys.readouterr().out


def test_check_reminds_from_november_while_next_year_is_missing(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = ["--path", str(office)]
    assert main(["check", "--today", "2026-10-31", *path]) == 0
    assert "提醒" not in capsys.readouterr().out
    assert main(["check", "--today", "2026-11-01", *path]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "提醒：2027年节假日安排尚未录入，涉及2027年的截止日期为估算（用 calendar notice 录入）"
    )
    notice = _write(tmp_path, "2027.txt", notice_text(MADE_UP_2027))
    assert main(["calendar", "notice", str(notice), "--year", "2027", *path]) == 0
    capsys.readouterr()
    assert main(["check", "--today", "2026-12-07", *path]) == 0
    assert "提醒" not in capsys.readouterr().out
