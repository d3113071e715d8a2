"""The 节假日安排 window: paste a notice, correct a day, save, see the board change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from desk_helpers import Answers, add_unit, setup_font
from fixtures_notices import MADE_UP_2027, notice_text
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog

from nmdesk.dates import PartialDate
from nmdesk.holidays.schedule import YearSource
from nmdesk.models import Account, AccountStatus
from nmdesk.services.filings import start_closure
from ui.calendar.holiday_calendar import HolidayCalendarDialog
from ui.register.main_window import MainWindow

D = dt.date
TODAY = D(2026, 12, 7)


@pytest.fixture(autouse=True)
def _font(qapp) -> None:
    setup_font(qapp)


def _closing_account(register, event_on: dt.date) -> int:
    unit_id = add_unit(register, "计算机学院", "college")
    account_id = register.accounts.create(
        Account(
            None,
            "微信",
            "订阅号",
            "北理工计算机",
            unit_id,
            2,
            platform_id="bitcs",
            opened_on=PartialDate(2019, 3),
            status=AccountStatus.RUNNING,
        )
    )
    return start_closure(register, account_id, event_on, "停止运营")


def _click_day(dialog: HolidayCalendarDialog, day: dt.date) -> None:
    item = dialog.view.item_for(day)
    assert item is not None
    table = dialog.view.months[day.month - 1]
    table.cellClicked.emit(item.row(), item.column())


def test_paste_correct_save_and_the_board_changes(qtbot, register, tmp_path: Path) -> None:
    filing_id = _closing_account(register, D(2027, 2, 5))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(register, settings=settings, today=TODAY)
    qtbot.addWidget(window)
    board = window.board
    assert board.estimate_count() == 1
    account_id = register.filings.get(filing_id).account_id
    assert window.select_account(account_id)
    window.details.show_account(account_id)
    assert window.details.filings.topLevelItem(0).text(3) == "2027-02-19（估算）"
    assert not board.holiday_notice.isHidden()
    assert "2027年节假日安排尚未录入，涉及2027年的截止日期为估算" in board.holiday_notice.text()
    seen: list[HolidayCalendarDialog] = []

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, HolidayCalendarDialog)
        seen.append(dialog)
        Answers(dialog)
        assert dialog.year == 2027 and dialog.in_force().source is YearSource.ESTIMATE
        dialog.notice_edit.setPlainText(notice_text(MADE_UP_2027))
        dialog.parse_button.click()
        assert "2027年：休 18 天（工作日），调休上班 7 天" in dialog.parse_result.text()
        assert dialog.view.item_for(D(2027, 2, 7)).text() == "7班"  # type: ignore[union-attr]
        assert dialog.view.item_for(D(2027, 2, 11)).text() == "11休"  # type: ignore[union-attr]
        _click_day(dialog, D(2027, 2, 8))
        assert dialog.day_label.text() == "2027-02-08（周一）"
        dialog.mark_off.setChecked(True)
        dialog.note_edit.setText("学校通知寒假值班调整")
        dialog.fix_button.click()
        assert dialog.view.item_for(D(2027, 2, 8)).text() == "8休"  # type: ignore[union-attr]
        dialog.save_button.click()
        assert "已保存 2027 年安排" in dialog.status.text()
        dialog.close_reporting_changes()
        return dialog.result()

    window.exec_dialog = run  # type: ignore[method-assign]
    window.act_holidays.trigger()
    assert seen

    # 10 working days after 2月5日: 7日 (Sunday, worked), 9日, 10日, 18日, 19日, 20日
    # (Saturday, worked), 22日, 23日, 24日, 25日: 2月8日 is now off too
    filing = register.filings.get(filing_id)
    assert (filing.due_on, filing.due_is_estimate) == (D(2027, 2, 25), False)
    assert board.estimate_count() == 0
    assert board.holiday_notice.isHidden()
    assert window.details.filings.topLevelItem(0).text(3) == "2027-02-25"
    assert [c.due_on for c in board.clocks if c.filing_id == filing_id] == [D(2027, 2, 25)]
    entered = register.calendar_overrides.entered_schedule(2027)
    assert entered.get(D(2027, 2, 8)).note == "学校通知寒假值班调整"  # type: ignore[union-attr]
    assert "2027-02-08 改为休（学校通知寒假值班调整）" in entered.entry.origin  # type: ignore[union-attr]
    window.close()


def test_bundled_year_shows_differences_before_saving(qtbot, register) -> None:
    dialog = HolidayCalendarDialog(register, today=TODAY)
    qtbot.addWidget(dialog)
    answers = Answers(dialog, confirm=False)
    dialog.year_box.setValue(2026)
    assert "内置" in dialog.source_label.text()
    text = notice_text("2026").replace("9月20日（周日）、", "")
    dialog.notice_edit.setPlainText(text)
    assert dialog.parse()
    assert "2026-09-20（周日）：原为上班，现为休息" in dialog.differences_label.text()
    assert not dialog.save()  # the clerk said no
    assert "2026-09-20（周日）：原为上班，现为休息" in answers.confirms[0]
    assert register.calendar_overrides.entered_years() == []
    answers._confirm = True
    assert dialog.save()
    assert register.calendar.source_of(2026) is YearSource.ENTERED
    assert not register.calendar.is_workday(D(2026, 9, 20))
    assert "录入（" in dialog.years_list.currentItem().text()


def test_refused_notice_is_shown_with_its_line_and_nothing_is_saved(qtbot, register) -> None:
    dialog = HolidayCalendarDialog(register, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.notice_edit.setPlainText(notice_text("2026").replace("1月4日（周日）", "1月4日（周一）"))
    assert not dialog.parse()
    assert "“1月4日（周一）上班。”" in dialog.parse_result.text()
    assert not dialog.save_button.isEnabled()


def test_window_fits_the_office_laptop(qtbot, register) -> None:
    dialog = HolidayCalendarDialog(register, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    hint = dialog.sizeHint()
    assert dialog.width() <= 1366 and dialog.height() <= 728
    assert hint.width() <= 1366 and hint.height() <= 728
    bottom = dialog.save_button.mapTo(dialog, dialog.save_button.rect().bottomRight())
    assert bottom.y() <= dialog.height() and bottom.x() <= dialog.width()


def test_screenshot_of_the_parsed_2026_notice_is_rendered(qapp, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    from tools.holiday_screenshots import render_holiday_calendar
    from ui.calendar.year_view import OFF_BACK, WORK_BACK

    [path] = render_holiday_calendar(tmp_path)
    image = QImage(str(path))
    assert 1200 <= image.width() <= 1366 and image.height() <= 768
    colours = {
        image.pixelColor(x, y).name() for x in range(0, image.width(), 3) for y in range(0, 520, 3)
    }
    assert {OFF_BACK.name(), WORK_BACK.name()} <= colours  # 休 and 班 days are painted
