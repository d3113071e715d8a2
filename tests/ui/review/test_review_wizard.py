"""The review wizard walked end to end on the demo register, and resumed half-way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from nmdesk.models import AccountStatus, Verdict
from nmdesk.review import packets
from nmdesk.review.listing import MARK_FAILED, MARK_NOT_SUBMITTED
from ui.desk.desk_common import install_ui_font, select_id
from ui.review.review_collect import DiffPreviewDialog
from ui.review.review_wizard import PAGE_ASSESS, PAGE_COLLECT, PAGE_OPEN, PAGE_PUBLISH, ReviewWizard

TODAY = dt.date(2026, 11, 23)


class Desk:
    """Answers every dialog of a wizard and records what it was shown."""

    def __init__(self, wizard: ReviewWizard, tmp_path: Path) -> None:
        self.errors: list[str] = []
        self.messages: list[str] = []
        self.dialogs: list[QDialog] = []
        self.opened: list[Path] = []
        self.open_file = ""
        self.save_file = str(tmp_path / "saved.xlsx")
        wizard.exec_dialog = self.exec_dialog
        wizard.show_message = self.show_message
        wizard.confirm = lambda title, text: True
        wizard.choose_open_file = lambda title, pattern: self.open_file
        wizard.choose_save_file = lambda title, name, pattern: self.save_file
        wizard.choose_folder = lambda title, start: str(tmp_path / "chosen")
        wizard.open_folder = self.opened.append

    def exec_dialog(self, dialog: QDialog) -> int:
        self.dialogs.append(dialog)
        if isinstance(dialog, QMessageBox):
            return QMessageBox.StandardButton.Ok.value
        return QDialog.DialogCode.Accepted.value

    def show_message(self, title: str, text: str, *, error: bool = False) -> None:
        (self.errors if error else self.messages).append(text)


def make_wizard(qtbot, register, tmp_path) -> tuple[ReviewWizard, Desk]:
    wizard = ReviewWizard(register, today=TODAY)
    desk = Desk(wizard, tmp_path)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard, desk


@pytest.fixture(autouse=True)
def _font(qapp) -> None:
    install_ui_font(qapp)


def units_with_accounts(register, campaign, count: int) -> list[int]:
    by_unit: dict[int, list[dict]] = {}
    for fact in register.reviews.facts(campaign.id):
        by_unit.setdefault(fact["unit_id"], []).append(fact)
    eligible = [
        u
        for u, facts in by_unit.items()
        if len(facts) >= 3 and sum(f["status"] == "running" for f in facts) >= 2
    ]
    return eligible[:count]


def enter_self_checks(wizard: ReviewWizard, unit_id: int) -> list[int]:
    """Type the self-check of every account of one unit into the collect page."""
    page = wizard.collect_page
    assert select_id(page.units, unit_id)
    ids = []
    for row in range(page.accounts.rowCount()):
        page.accounts.selectRow(row)
        page.accounts.setCurrentCell(row, 0)
        ids.append(int(page.accounts.item(row, 0).data(Qt.ItemDataRole.UserRole)))
        page.operated.setCurrentIndex(1)
        page.last_post.setText("2026-11-15")
        page.posts.setText("36")
        page.reviewer.setText("王伟")
        page.materials.setChecked(True)
        page.save_button.click()
        assert page.error.text() == ""
    page.returned_on.setText("2026-12-02")
    page.mark_button.click()
    return ids


def test_walk_the_whole_wizard(qtbot, demo_register, tmp_path) -> None:
    register = demo_register
    wizard, desk = make_wizard(qtbot, register, tmp_path)
    assert wizard.currentId() == PAGE_OPEN
    wizard.open_page.year.setValue(2026)
    assert wizard.open_page.deadline.text() == "2026-12-31"
    wizard.next()
    assert wizard.currentId() == PAGE_COLLECT, desk.errors
    campaign = register.reviews.campaign(2026)
    assert campaign is not None
    typed_unit, imported_unit = units_with_accounts(register, campaign, 2)
    # one unit answered on screen
    typed = enter_self_checks(wizard, typed_unit)
    # one unit returned its packet as a file: diff preview, then import
    packet = packets.write_unit_packet(register, campaign, imported_unit, tmp_path / "back.xlsx")
    wb = load_workbook(packet)
    sheet = wb[packets.SHEET_CHECK]
    imported = []
    for row in range(5, sheet.max_row + 1):
        if (
            sheet.cell(row=row, column=2).value
            and str(sheet.cell(row=row, column=1).value).isdigit()
        ):
            sheet.cell(row=row, column=7, value="是")
            sheet.cell(row=row, column=9, value=20)
            imported.append(sheet.cell(row=row, column=2).value)
    wb.save(packet)
    desk.open_file = str(packet)
    wizard.collect_page.import_button.click()
    preview = [d for d in desk.dialogs if isinstance(d, DiffPreviewDialog)]
    assert len(preview) == 1 and preview[0].table.rowCount() == 2 * len(imported)
    unit_state = register.reviews.unit(campaign.id, imported_unit)
    assert unit_state.packet_returned_on == TODAY
    progress_text = wizard.collect_page.summary.text()
    assert "单位已交齐 2/" in progress_text
    # the reminder list lists the units still missing
    wizard.collect_page.remind_button.click()
    reminders = load_workbook(desk.save_file).active
    assert reminders.max_row - 2 == len(register.reviews.units(campaign.id)) - 2
    wizard.next()
    assert wizard.currentId() == PAGE_ASSESS
    page = wizard.assess_page
    # bulk: pass everything answered, then some stricter verdicts
    checked = set(typed) | {r.account_id for r in page.model.rows if r.unit_id == imported_unit}
    page.select_ids(checked)
    page.set_verdict_choice(Verdict.PASS)
    page.apply_button.click()
    assert page.error.text() == ""
    running = [
        r.account_id
        for r in page.model.rows
        if r.account_id in typed and r.status is AccountStatus.RUNNING
    ]
    rectify, close = running[0], running[1]
    page.select_ids({rectify})
    page.set_verdict_choice(Verdict.RECTIFY)
    page.deadline.setText("2027-03-31")
    page.apply_button.click()
    page.select_ids({close})
    page.set_verdict_choice(Verdict.ORDER_CLOSE)
    page.apply_button.click()
    # a pass for an account without a self-check is refused on the page
    missing = next(r.account_id for r in page.model.rows if not r.self_checked)
    page.select_ids({missing})
    page.set_verdict_choice(Verdict.PASS)
    page.apply_button.click()
    assert "尚未提交自查" in page.error.text()
    wizard.next()
    assert wizard.currentId() == PAGE_PUBLISH
    publish_page = wizard.publish_page
    out = tmp_path / "out"
    publish_page.out_dir.setText(str(out))
    assert not publish_page.isComplete()
    with qtbot.waitSignal(publish_page.published, timeout=60000):
        publish_page.publish_button.click()
    assert desk.errors == []
    assert desk.opened == [out]
    assert publish_page.isComplete()
    assert register.accounts.get(rectify).status is AccountStatus.RECTIFYING
    assert register.accounts.get(close).status is AccountStatus.CLOSING
    # the listing holds exactly the campaign's accounts, marked as decided
    facts = {f["account_id"]: f for f in register.reviews.facts(campaign.id)}
    rows = list(
        load_workbook(out / "2026年度年审公示.xlsx")["公示"].iter_rows(min_row=4, values_only=True)
    )
    assert len(rows) == len(facts)
    by_name_unit = {}
    for row in rows:
        by_name_unit.setdefault((row[1], row[4]), []).append((row[5], row[6] or ""))

    def listed(account_id):
        f = facts[account_id]
        return by_name_unit[(f["name"], f["unit_name"])]

    assert ("限期整改，截止 2027-03-31（含当日）", MARK_FAILED) in listed(rectify)
    assert ("责令注销", MARK_FAILED) in listed(close)
    assert all(
        verdict == "合格" and mark == ""
        for a in facts
        if facts[a]["unit_id"] == imported_unit
        for verdict, mark in listed(a)
    )
    unsubmitted = [a for a, f in facts.items() if not f["self_checked"]]
    assert all(("未提交", MARK_NOT_SUBMITTED) in listed(a) for a in unsubmitted)
    assert (out / "2026年度年审公示.html").exists() and (out / "2026年度年审公示.pdf").exists()
    # everything is read-only now
    assert not wizard.assess_page.apply_button.isEnabled()
    assert not wizard.collect_page.save_button.isEnabled()
    wizard.close()
    reopened, _ = make_wizard(qtbot, register, tmp_path)
    assert reopened.currentId() == PAGE_PUBLISH
    assert reopened.publish_page.isComplete()
    assert not reopened.publish_page.publish_button.isVisible()
    assert not reopened.assess_page.apply_button.isEnabled()


def test_close_half_way_and_resume(qtbot, demo_register, tmp_path) -> None:
    register = demo_register
    wizard, _desk = make_wizard(qtbot, register, tmp_path)
    wizard.next()
    assert wizard.currentId() == PAGE_COLLECT
    campaign = register.reviews.campaign(TODAY.year)
    unit_id = units_with_accounts(register, campaign, 1)[0]
    typed = enter_self_checks(wizard, unit_id)
    wizard.close()
    # reopened at the same step, with the answers kept
    again, _ = make_wizard(qtbot, register, tmp_path)
    assert again.currentId() == PAGE_COLLECT
    assert "单位已交齐 1/" in again.collect_page.summary.text()
    again.next()
    assert again.currentId() == PAGE_ASSESS
    page = again.assess_page
    page.select_ids(set(typed))
    page.set_verdict_choice(Verdict.PASS)
    page.apply_button.click()
    again.reject()
    third, _ = make_wizard(qtbot, register, tmp_path)
    assert third.currentId() == PAGE_ASSESS
    decided = {r.account_id: r.verdict for r in third.assess_page.model.rows if r.verdict}
    assert decided == dict.fromkeys(typed, Verdict.PASS)
    # Back returns to collecting, and that is where the next session starts
    third.back()
    assert third.currentId() == PAGE_COLLECT
    third.close()
    fourth, _ = make_wizard(qtbot, register, tmp_path)
    assert fourth.currentId() == PAGE_COLLECT


def test_main_window_opens_the_wizard(qtbot, demo_register, tmp_path) -> None:
    from PySide6.QtCore import QSettings

    from ui.register.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(window)
    shown: list[QDialog] = []

    def exec_dialog(dialog: QDialog) -> int:
        shown.append(dialog)
        return QDialog.DialogCode.Rejected.value

    window.exec_dialog = exec_dialog
    window.act_review.trigger()
    assert len(shown) == 1 and isinstance(shown[0], ReviewWizard)
    assert shown[0].currentId() == PAGE_OPEN


def test_read_only_register_shows_but_does_not_change(qtbot, demo_register, demo_path, tmp_path):
    from nmdesk.review import campaign as campaigns
    from nmdesk.store import Register

    campaigns.open_campaign(demo_register, TODAY.year, today=TODAY)
    audit = demo_register.audit.count()
    viewer = Register.open(demo_path, read_only=True)
    try:
        wizard, _ = make_wizard(qtbot, viewer, tmp_path)
        assert wizard.currentId() == PAGE_COLLECT
        assert not wizard.collect_page.save_button.isEnabled()
        wizard.next()
        wizard.next()
        assert wizard.currentId() == PAGE_PUBLISH
        assert not wizard.publish_page.publish_button.isEnabled()
        wizard.back()
        assert not wizard.assess_page.apply_button.isEnabled()
        wizard.close()
    finally:
        viewer.close()
    assert demo_register.audit.count() == audit
    assert demo_register.reviews.campaign(TODAY.year).step.value == "collect"


def test_cancelled_publish_changes_nothing(qtbot, demo_register, tmp_path, monkeypatch):
    from ui.review.review_wizard import PublishWorker

    register = demo_register
    wizard, desk = make_wizard(qtbot, register, tmp_path)
    wizard.next()
    wizard.next()
    wizard.next()
    assert wizard.currentId() == PAGE_PUBLISH
    audit = register.audit.count()
    monkeypatch.setattr(PublishWorker, "_progress", lambda self, done, total, message: False)
    out = tmp_path / "out"
    wizard.publish_page.out_dir.setText(str(out))
    wizard.publish_page.publish_button.click()
    qtbot.waitUntil(lambda: bool(desk.errors), timeout=60000)
    assert "已取消发布" in desk.errors[0]
    assert register.audit.count() == audit
    assert register.reviews.campaign(TODAY.year).published_on is None
    assert not out.exists() or list(out.iterdir()) == []
    assert wizard.publish_page.publish_button.isEnabled()


def test_publishing_early_shows_what_is_outstanding_and_asks(qtbot, demo_register, tmp_path):
    """Before the deadline with units outstanding: the question names them; No publishes nothing."""
    register = demo_register
    wizard, _desk = make_wizard(qtbot, register, tmp_path)
    asked: list[str] = []
    answers = [False, True]
    wizard.confirm = lambda title, text: asked.append(text) or answers.pop(0)
    wizard.next()
    wizard.next()
    wizard.next()
    assert wizard.currentId() == PAGE_PUBLISH
    out = tmp_path / "out"
    wizard.publish_page.out_dir.setText(str(out))
    wizard.publish_page.publish_button.click()
    assert len(asked) == 1
    assert "还有 38 天" in asked[0] and "尚未交齐年审材料" in asked[0]
    assert "党委宣传部（未交回" in asked[0]
    assert register.reviews.campaign(TODAY.year).published_on is None and not out.exists()
    with qtbot.waitSignal(wizard.publish_page.published, timeout=60000):
        wizard.publish_page.publish_button.click()
    assert register.reviews.campaign(TODAY.year).published_on == TODAY
    assert (out / f"{TODAY.year}年度年审公示.html").exists()


def test_an_error_on_the_assess_page_goes_when_another_row_is_selected(
    qtbot, demo_register, tmp_path
) -> None:
    wizard, desk = make_wizard(qtbot, demo_register, tmp_path)
    wizard.open_page.year.setValue(2026)
    wizard.next()
    wizard.next()
    assert wizard.currentId() == PAGE_ASSESS, desk.errors
    page = wizard.assess_page
    unchecked = [r.account_id for r in page.model.rows if not r.self_checked]
    page.select_ids({unchecked[0]})
    page.set_verdict_choice(Verdict.PASS)
    page.apply_button.click()
    assert "尚未提交自查" in page.error.text()

    page.select_ids({unchecked[1]})
    assert page.error.text() == ""
