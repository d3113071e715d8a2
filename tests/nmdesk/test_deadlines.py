"""The deadlines board's clocks, as ``running_clocks`` and ``nmdesk check`` give them."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import openpyxl

from nmdesk.deadlines import ClockKind, running_clocks
from nmdesk.excel.ledger_import import import_file
from nmdesk.models import Verdict
from nmdesk.services.accounts import edit_account
from nmdesk.store import Register

TODAY = dt.date(2026, 12, 6)


def write_ledger(path: Path, rows: list[list[object]], headers: list[str]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def imported_register(tmp_path: Path, count: int = 21) -> Register:
    """A BIT register holding ``count`` accounts imported from a ledger with no
    password-rotation column (every one of them lacks the date)."""
    register = Register.create(tmp_path / "r.nmdesk", "bit", actor="tester")
    rows = [
        ["计算机学院", "微信", "订阅号", f"北理工计算机{index}", f"bit_cs_{index}", "2019-03-01"]
        for index in range(count)
    ]
    ledger = write_ledger(
        tmp_path / "ledger.xlsx",
        rows,
        ["开设单位", "平台", "账号类型", "账号名称", "微信号", "开通时间"],
    )
    _plan, result = import_file(register, ledger)
    assert len(result.created) == count
    return register


def test_accounts_without_a_rotation_date_are_one_grouped_item(tmp_path: Path) -> None:
    register = imported_register(tmp_path)
    ids = register.accounts.ids()
    dated = ids[0]
    edit_account(
        register, dated, {"password_rotated_on": dt.date(2026, 1, 5)}, event_on=dt.date(2026, 1, 5)
    )
    clocks = running_clocks(register, TODAY)
    rotation = [c for c in clocks if c.kind is ClockKind.ROTATION]
    grouped = [c for c in clocks if c.kind is ClockKind.ROTATION_UNRECORDED]
    # the one account with a date is overdue on its own (180 days after 2026-01-05) …
    assert [(c.account_id, c.due_on) for c in rotation] == [(dated, dt.date(2026, 7, 4))]
    assert rotation[0].is_overdue(TODAY)
    # … the twenty without one are a single item, not twenty overdue lines
    assert len(grouped) == 1
    item = grouped[0]
    assert item.title == "20 个账号未登记密码更换日期"
    assert item.due_on is None and not item.is_overdue(TODAY)
    assert set(item.account_ids) == set(ids[1:])
    assert item.detail.startswith("“北理工计算机1”") and item.detail.endswith("等")
    register.close()


def test_check_prints_the_grouped_item_once(tmp_path: Path) -> None:
    register = imported_register(tmp_path, count=5)
    path = register.path
    register.close()
    result = subprocess.run(
        [sys.executable, "-m", "nmdesk", "check", "--path", str(path), "--today", "2026-12-06"],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if "密码" in line]
    assert lines == [
        "密码更换未登记\t-\t无期限\t5 个账号未登记密码更换日期："
        "“北理工计算机0”、“北理工计算机1”、“北理工计算机2”、“北理工计算机3”、“北理工计算机4”"
    ], result.stdout
    # (the ledger names nobody: three required roles missing on each of the five)
    # … then the summary, and (in December, with 2027 not entered) the holiday reminder
    assert result.stdout.splitlines()[-2:] == [
        "共 0 项逾期，15 项缺少责任人",
        "提醒：2027年节假日安排尚未录入，涉及2027年的截止日期为估算（用 calendar notice 录入）",
    ]
    assert result.returncode == 0


def test_last_post_dates_come_from_the_ledger_and_old_ones_show_on_the_board(
    tmp_path: Path,
) -> None:
    """BIT clause 16 / PKU-CoE clause 7: accounts past the profile's inactivity threshold
    (6 months) are board items; a month-only date counts the month's last day."""
    register = Register.create(tmp_path / "r.nmdesk", "bit", actor="tester")
    rows = [
        ["计算机学院", "微信", "订阅号", "北理工计算机", "bit_cs", "2026-11-20"],
        ["计算机学院", "微博", "", "北理工计算机微博", "bitcs_wb", "2026年3月"],
        ["机械学院", "微信", "订阅号", "北理工机械", "bit_me", dt.date(2025, 9, 1)],
        ["机械学院", "抖音", "", "北理工机械抖音", "bitme_dy", ""],
    ]
    ledger = write_ledger(
        tmp_path / "ledger.xlsx",
        rows,
        ["开设单位", "平台", "账号类型", "账号名称", "微信号", "最后更新"],
    )
    _plan, result = import_file(register, ledger)
    assert len(result.created) == 4
    by_name = {register.accounts.get(i).name: register.accounts.get(i) for i in result.created}
    assert by_name["北理工计算机"].last_post_on == dt.date(2026, 11, 20)
    assert by_name["北理工计算机微博"].last_post_on == dt.date(2026, 3, 31)
    assert by_name["北理工机械"].last_post_on == dt.date(2025, 9, 1)
    assert by_name["北理工机械抖音"].last_post_on is None
    inactive = [c for c in running_clocks(register, TODAY) if c.kind is ClockKind.INACTIVE]
    assert [(c.account_id, c.due_on, c.detail) for c in inactive] == [
        (by_name["北理工机械"].id, dt.date(2026, 3, 1), "最近发布于 2025-09-01"),
        (by_name["北理工计算机微博"].id, dt.date(2026, 9, 30), "最近发布于 2026-03-31"),
    ]
    assert all(c.is_overdue(TODAY) for c in inactive)
    assert inactive[0].title == "超过 6 个月未更新：北理工机械"
    # a later ledger moves the date on; an older one never moves it back; no change filing
    filings_before = len(register.filings.for_account(by_name["北理工机械"].id))
    newer = write_ledger(
        tmp_path / "newer.xlsx",
        [
            ["机械学院", "微信", "订阅号", "北理工机械", "bit_me", "2026-12-01"],
            ["计算机学院", "微信", "订阅号", "北理工计算机", "bit_cs", "2026-01-01"],
        ],
        ["开设单位", "平台", "账号类型", "账号名称", "微信号", "最近发布"],
    )
    import_file(register, newer)
    assert register.accounts.get(by_name["北理工机械"].id).last_post_on == dt.date(2026, 12, 1)
    assert register.accounts.get(by_name["北理工计算机"].id).last_post_on == dt.date(2026, 11, 20)
    assert len(register.filings.for_account(by_name["北理工机械"].id)) == filings_before
    inactive = [c for c in running_clocks(register, TODAY) if c.kind is ClockKind.INACTIVE]
    assert [c.account_id for c in inactive] == [by_name["北理工计算机微博"].id]
    register.close()


def test_a_review_self_check_records_the_account_last_post(tmp_path: Path) -> None:
    from nmdesk.review import campaign as review
    from nmdesk.review.records import SelfCheck

    register = imported_register(tmp_path, count=2)
    first, second = register.accounts.ids()
    edit_account(register, first, {"last_post_on": dt.date(2026, 1, 5)}, event_on=TODAY)
    opened = review.open_campaign(register, 2026, today=dt.date(2026, 12, 1))
    review.record_self_check(
        register, opened, first, SelfCheck(still_operated=True, last_post_on=dt.date(2026, 11, 30))
    )
    review.record_self_check(
        register, opened, second, SelfCheck(still_operated=True, last_post_on=dt.date(2026, 4, 2))
    )
    assert register.accounts.get(first).last_post_on == dt.date(2026, 11, 30)
    assert register.accounts.get(second).last_post_on == dt.date(2026, 4, 2)
    inactive = [c for c in running_clocks(register, TODAY) if c.kind is ClockKind.INACTIVE]
    assert [c.account_id for c in inactive] == [second]
    register.close()


def test_every_deadline_reads_the_same_and_includes_its_last_day(demo_path: Path) -> None:
    """Issue 15: "须于 2026-10-10 前" can be read as "by the 9th". The CLI's check,
    the line after a save, the account report and the listing's verdict say
    "截止 2026-10-10（含当日）"."""
    from nmdesk.account_report import describe_account
    from nmdesk.dates import deadline_text
    from nmdesk.entry_save import describe_filing
    from nmdesk.review.listing import ListingRow

    assert deadline_text(dt.date(2026, 10, 10)) == "截止 2026-10-10（含当日）"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nmdesk",
            "check",
            "--path",
            str(demo_path),
            "--today",
            "2026-12-06",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    dated = [line for line in done.stdout.splitlines() if "逾期 " in line or "剩 " in line]
    assert dated and all("（含当日）" in line for line in dated), dated[:3]
    with Register.open(demo_path, auto_backup=False) as register:
        filing = next(f for f in register.filings.open_filings() if f.due_on is not None)
        saved = describe_filing(register, filing.id)
        assert deadline_text(filing.due_on) in saved and "前交回" not in saved
        report = describe_account(register, register.accounts.get(filing.account_id))
        assert deadline_text(filing.due_on) in report
    row = ListingRow(
        1, 1, "甲", "微信", 2, "二级账号", 1, "甲学院", Verdict.RECTIFY, dt.date(2027, 3, 31), ""
    )
    assert row.result_text == "限期整改，截止 2027-03-31（含当日）"
