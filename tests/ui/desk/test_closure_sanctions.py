"""Closure, sanctions, watch list, filings and attachments through the real dialogs."""

from __future__ import annotations

import datetime as dt

import pytest
from desk_helpers import Answers, add_unit, setup_font
from pypdf import PdfWriter
from PySide6.QtCore import Qt

from nmdesk.dates import PartialDate
from nmdesk.errors import PolicyError
from nmdesk.models import Account, AccountStatus, FilingKind, FilingStatus, SanctionKind
from nmdesk.services.accounts import edit_account
from nmdesk.services.sanctions import issue
from nmdesk.services.sanctions import resolve as resolve_sanction
from ui.desk.account_form import AccountFormDialog
from ui.desk.attachments import AttachmentsDialog
from ui.desk.closure import ClosureDialog
from ui.desk.filings_dialog import FilingsDialog
from ui.desk.sanctions import SanctionsDialog
from ui.desk.watch_list import WatchListDialog


@pytest.fixture(autouse=True)
def _font(qapp) -> None:
    setup_font(qapp)


def running_account(register, name="北理工计算机", platform_id="bitcs") -> tuple[int, int]:
    unit = register.units.find_by_name("计算机学院")
    unit_id = unit.id if unit else add_unit(register, "计算机学院", "college")
    account_id = register.accounts.create(
        Account(
            None,
            "微信",
            "订阅号",
            name,
            unit_id,
            2,
            platform_id=platform_id,
            opened_on=PartialDate(2019, 3),
            status=AccountStatus.RUNNING,
        )
    )
    return unit_id, account_id


def ok(dialog) -> None:
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()


def test_close_an_account_start_then_confirm(qtbot, pku_register) -> None:
    reg = pku_register
    unit = add_unit(reg, "力学系", "department")
    account_id = reg.accounts.create(
        Account(None, "微博", "普通账号", "力学系微博", unit, 2, status=AccountStatus.RUNNING)
    )
    dialog = ClosureDialog(reg, account_id)
    qtbot.addWidget(dialog)
    answers = Answers(dialog, confirm=False)
    assert "10 个工作日" in dialog.info.text()
    dialog.day.setText("2026-09-25")
    ok(dialog)
    assert reg.accounts.get(account_id).status is AccountStatus.RUNNING  # declined
    answers._confirm = True
    ok(dialog)
    assert reg.accounts.get(account_id).status is AccountStatus.CLOSING
    filing = reg.filings.get(dialog.filing_id)
    # PKU-CoE: 10 working days after Fri 2026-09-25 (Mid-Autumn holiday 09-25..27, National
    # Day 10-01..07, make-up Saturday 10-10): 09-28, 29, 30, 10-08, 09, 10, 12, 13, 14, 15.
    assert filing.kind is FilingKind.CLOSURE
    assert filing.due_on == dt.date(2026, 10, 15)
    assert "2026-10-15" in answers.confirms[-1]
    # second step: the platform confirmed
    confirm = ClosureDialog(reg, account_id)
    qtbot.addWidget(confirm)
    final = Answers(confirm)
    assert confirm.mode == "confirm"
    confirm.day.setText("2026-10-12")
    ok(confirm)
    assert "最终状态" in final.confirms[0]
    assert reg.accounts.get(account_id).status is AccountStatus.CLOSED
    closed = reg.filings.get(filing.id)
    assert closed.platform_closed_on == dt.date(2026, 10, 12)
    assert closed.status is FilingStatus.FILED
    # a closed account cannot be closed again
    again = ClosureDialog(reg, account_id)
    qtbot.addWidget(again)
    assert not again.buttons.button(again.buttons.StandardButton.Ok).isEnabled()
    # and its form is a read-only record
    form = AccountFormDialog(reg, account_id)
    qtbot.addWidget(form)
    assert "只读" in form.change_info.text()
    assert not form.buttons.button(form.buttons.StandardButton.Save).isEnabled()
    opened = []
    form.exec_dialog = lambda dialog: opened.append(type(dialog).__name__)
    form.attachments_button.click()
    assert opened == ["AttachmentsDialog"]


def test_sanctions_register_add_and_resolve(qtbot, register) -> None:
    unit_id, account_id = running_account(register)
    dialog = SanctionsDialog(register, account_id=account_id)
    qtbot.addWidget(dialog)
    Answers(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData(SanctionKind.RECTIFY.value))
    dialog.issued_on.setText("2026-11-02")
    dialog.reason.setText("连续三个月未更新")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "整改期限" in dialog.boxes["整改期限"].error.text()
    dialog.deadline_on.setText("2026-12-31")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert register.accounts.get(account_id).status is AccountStatus.RECTIFYING
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 4).text() == "2026-12-31"
    # suspension of the right to apply, on the unit
    dialog.with_account.setChecked(False)
    dialog.kind.setCurrentIndex(dialog.kind.findData(SanctionKind.SUSPEND_APPLY.value))
    dialog.reason.setText("管理不严")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert register.units.is_apply_suspended(unit_id)
    # resolve the rectification
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.resolve_button, Qt.MouseButton.LeftButton)
    assert "处理结果" in dialog.resolve_boxes["处理结果"].error.text()
    dialog.resolution.setText("已恢复更新")
    dialog.resolved_on.setText("2026-11-20")
    qtbot.mouseClick(dialog.resolve_button, Qt.MouseButton.LeftButton)
    assert register.accounts.get(account_id).status is AccountStatus.RUNNING
    assert "已恢复更新" in dialog.table.item(0, 5).text()


def test_suspend_run_is_a_sanction_with_a_deadline_and_a_resolution(qtbot, register) -> None:
    from nmdesk.deadlines import ClockKind, running_clocks

    _unit_id, account_id = running_account(register)
    dialog = SanctionsDialog(register, account_id=account_id)
    qtbot.addWidget(dialog)
    Answers(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData(SanctionKind.SUSPEND_RUN.value))
    assert dialog.deadline_on.isEnabled()
    dialog.issued_on.setText("2026-11-02")
    dialog.reason.setText("发布未经审核的信息")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "整改期限" in dialog.boxes["整改期限"].error.text()
    assert register.accounts.get(account_id).status is AccountStatus.RUNNING
    dialog.deadline_on.setText("2026-12-15")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert register.accounts.get(account_id).status is AccountStatus.SUSPENDED
    assert dialog.table.item(0, 0).text() == "暂停运行"
    assert dialog.table.item(0, 4).text() == "2026-12-15"
    # its deadline runs on the board like a rectification's
    clocks = [c for c in running_clocks(register, dt.date(2026, 12, 7)) if c.sanction_id]
    assert [(c.kind, c.due_on, c.account_id) for c in clocks] == [
        (ClockKind.RECTIFICATION, dt.date(2026, 12, 15), account_id)
    ]
    assert clocks[0].title.startswith("暂停运行：")
    # lifting it puts the account back into operation and stops the clock
    dialog.table.selectRow(0)
    dialog.resolution.setText("整改到位，同意恢复运行")
    dialog.resolved_on.setText("2026-12-10")
    qtbot.mouseClick(dialog.resolve_button, Qt.MouseButton.LeftButton)
    assert register.accounts.get(account_id).status is AccountStatus.RUNNING
    assert "同意恢复运行" in dialog.table.item(0, 5).text()
    assert not [c for c in running_clocks(register, dt.date(2026, 12, 7)) if c.sanction_id]


def test_lifting_a_suspension_returns_to_an_open_rectification(register) -> None:
    from nmdesk.models import Sanction

    unit_id, account_id = running_account(register)
    day = dt.date(2026, 11, 2)
    rectify = issue(
        register,
        Sanction(
            None,
            unit_id,
            SanctionKind.RECTIFY,
            day,
            "内容审核不严",
            account_id,
            day + dt.timedelta(30),
        ),
    )
    suspend = issue(
        register,
        Sanction(
            None,
            unit_id,
            SanctionKind.SUSPEND_RUN,
            day,
            "拒不整改",
            account_id,
            day + dt.timedelta(10),
        ),
    )
    assert register.accounts.get(account_id).status is AccountStatus.SUSPENDED
    resolve_sanction(register, suspend, day + dt.timedelta(5), "恢复运行，继续整改")
    assert register.accounts.get(account_id).status is AccountStatus.RECTIFYING
    resolve_sanction(register, rectify, day + dt.timedelta(20), "整改完成")
    assert register.accounts.get(account_id).status is AccountStatus.RUNNING
    # a closed account cannot be suspended, and nothing is written
    register.accounts.transition(account_id, AccountStatus.CLOSING)
    before = len(register.sanctions.for_account(account_id))
    with pytest.raises(PolicyError, match="不能暂停运行"):
        issue(
            register,
            Sanction(
                None, unit_id, SanctionKind.SUSPEND_RUN, day, "x", account_id, day + dt.timedelta(3)
            ),
        )
    assert len(register.sanctions.for_account(account_id)) == before


def test_watch_list_detects_keywords_and_follows_up(qtbot, register) -> None:
    dialog = WatchListDialog(register)
    qtbot.addWidget(dialog)
    Answers(dialog)
    dialog.name.setText("北理 二手交易")
    assert dialog.keywords.isVisibleTo(dialog) and "北理" in dialog.keywords.text()
    dialog.holder.setText("某学生")
    dialog.action.setText("已联系要求更名")
    dialog.follow_up_on.setText("2026-12-01")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    entry = register.watchlist.all()[0]
    assert entry.matched_keywords == "北理" and entry.follow_up_on == dt.date(2026, 12, 1)
    dialog.table.selectRow(0)
    dialog.resolved_on.setText("2026-12-03")
    qtbot.mouseClick(dialog.update_button, Qt.MouseButton.LeftButton)
    assert register.watchlist.all()[0].resolved_on == dt.date(2026, 12, 3)
    dialog.name.setText("")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "账号名称" in dialog.boxes["账号名称"].error.text()


def test_mark_filed_by_selection_and_by_check_code_with_a_scan(qtbot, register, tmp_path) -> None:
    _, account_id = running_account(register)
    first = edit_account(register, account_id, {"purpose": "新闻"}, event_on=dt.date(2026, 11, 2))
    second = edit_account(
        register, account_id, {"purpose": "新闻和通知"}, event_on=dt.date(2026, 11, 3)
    )
    dialog = FilingsDialog(register)
    qtbot.addWidget(dialog)
    Answers(dialog)
    assert dialog.table.rowCount() == 2
    dialog.table.selectRow(0)
    dialog.filed_on.setText("2026-11-05")
    qtbot.mouseClick(dialog.mark_button, Qt.MouseButton.LeftButton)
    assert register.filings.get(first).filed_on == dt.date(2026, 11, 5)
    dialog.code.setText("ZZZZZZ")
    qtbot.mouseClick(dialog.receive_button, Qt.MouseButton.LeftButton)
    assert "校验码" in dialog.code_box.error.text()
    dialog.code.setText(register.filings.get(second).check_code.lower())
    qtbot.mouseClick(dialog.receive_button, Qt.MouseButton.LeftButton)
    assert register.filings.get(second).status is FilingStatus.FILED
    assert dialog.table.rowCount() == 0
    # attach the signed scan to the filing
    scan = tmp_path / "signed.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with scan.open("wb") as handle:
        writer.write(handle)
    attachments = AttachmentsDialog(register, account_id, filing_id=second)
    qtbot.addWidget(attachments)
    answers = Answers(attachments)
    attachments.choose_files = lambda: [str(scan)]
    opened = []
    attachments.open_path = opened.append
    qtbot.mouseClick(attachments.add_button, Qt.MouseButton.LeftButton)
    stored = register.attachments.for_filing(second)
    assert [a.original_name for a in stored] == ["signed.pdf"]
    assert attachments.table.item(0, 5).text() == "完好"
    attachments.table.selectRow(0)
    qtbot.mouseClick(attachments.open_button, Qt.MouseButton.LeftButton)
    assert opened[0].read_bytes() == scan.read_bytes()
    (tmp_path / "notes.txt").write_text("x")
    attachments.choose_files = lambda: [str(tmp_path / "notes.txt")]
    qtbot.mouseClick(attachments.add_button, Qt.MouseButton.LeftButton)
    assert "PDF 或图片" in answers.messages[-1][1]


def test_closing_the_sanction_watch_and_closure_windows_asks_about_typed_input(
    qtbot, register, monkeypatch
) -> None:
    """Issue 15: closing or cancelling a form with unsaved input asks 保存/放弃/取消."""
    from PySide6.QtWidgets import QMessageBox

    answers: list[QMessageBox.StandardButton] = []

    def exec_(box: QMessageBox) -> int:
        return int(answers.pop(0).value)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    _unit_id, account_id = running_account(register)
    sanctions = SanctionsDialog(register, account_id=account_id)
    qtbot.addWidget(sanctions)
    sanctions.show()
    sanctions.kind.setCurrentIndex(sanctions.kind.findData(SanctionKind.SUSPEND_APPLY.value))
    sanctions.issued_on.setText("2026-11-02")
    sanctions.reason.setText("多次逾期未报备")
    answers.append(QMessageBox.StandardButton.Cancel)
    sanctions.close_reporting_changes()
    assert sanctions.isVisible() and sanctions.reason.text() == "多次逾期未报备"
    answers.append(QMessageBox.StandardButton.Save)
    sanctions.close_reporting_changes()
    assert not sanctions.isVisible()
    assert [s.reason for s in register.sanctions.all()] == ["多次逾期未报备"]

    watch = WatchListDialog(register)
    qtbot.addWidget(watch)
    watch.show()
    watch.name.setText("北理工假冒号")
    answers.append(QMessageBox.StandardButton.Discard)
    watch.close_reporting_changes()
    assert not watch.isVisible() and register.watchlist.all() == []

    closure = ClosureDialog(register, account_id)
    qtbot.addWidget(closure)
    Answers(closure)
    closure.show()
    closure.note.setText("平台已受理注销申请")
    answers.append(QMessageBox.StandardButton.Cancel)
    closure.reject()
    assert closure.isVisible()
    answers.append(QMessageBox.StandardButton.Discard)
    closure.reject()
    assert not closure.isVisible()
    assert register.accounts.get(account_id).status is AccountStatus.RUNNING
