"""The main window opens every data-entry dialog of the clerk's desk through its hooks."""

from __future__ import annotations

from pathlib import Path

from desk_helpers import setup_font
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog

from ui.register.main_window import MainWindow


def test_every_hook_opens_the_real_dialog(qtbot, qapp, demo_register, tmp_path: Path) -> None:
    setup_font(qapp)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(window)
    opened: list[str] = []

    def answer(dialog: QDialog) -> int:
        opened.append(type(dialog).__name__)
        dialog.close()
        return QDialog.DialogCode.Rejected

    window.exec_dialog = answer
    window.table.selectRow(0)
    for action in (
        window.act_new_account,
        window.act_edit_account,
        window.act_units,
        window.act_people,
        window.act_hand_over,
        window.act_closure,
        window.act_sanctions,
        window.act_watch_list,
        window.act_attachments,
        window.act_filings,
    ):
        action.trigger()
    assert opened == [
        "AccountFormDialog",
        "AccountFormDialog",
        "UnitsDialog",
        "PeopleDialog",
        "HandOverDialog",
        "ClosureDialog",
        "SanctionsDialog",
        "WatchListDialog",
        "AttachmentsDialog",
        "FilingsDialog",
    ]
    window.act_undo.trigger()
    assert "没有可撤销" in window.statusBar().currentMessage()


def test_new_account_from_the_window_is_selected_and_undo_works(
    qtbot, qapp, demo_register, tmp_path: Path
) -> None:
    setup_font(qapp)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(window)
    unit = demo_register.units.find_by_name("计算机学院")
    staff = [p for p in demo_register.people.all() if p.kind.value == "staff"][:3]

    def fill_and_save(dialog: QDialog) -> int:
        dialog.show_message = lambda *args, **kwargs: None
        dialog.platform.setCurrentText("微信")
        dialog.account_type.setCurrentIndex(0)
        dialog.name.setText("计算机学院校友")
        dialog.platform_id.setText("cs_alumni_new")
        dialog.purpose.setPlainText("校友联络")
        dialog.opened_on.setText("2018年")
        dialog.status.setCurrentIndex(1)  # already running, registered late
        dialog.unit.setCurrentIndex(dialog.unit.findData(unit.id))
        for block, person in zip(dialog.blocks.values(), staff, strict=False):
            block.set_person(person.id)
        dialog.blocks["ops_contact"].set_person(staff[0].id)
        dialog.on_save()
        return dialog.result()

    window.exec_dialog = fill_and_save
    window.act_new_account.trigger()
    new_id = window.current_account_id()
    assert demo_register.accounts.get(new_id).name == "计算机学院校友"

    def edit_and_save(dialog: QDialog) -> int:
        dialog.show_message = lambda *args, **kwargs: None
        dialog.purpose.setPlainText("校友联络与返校活动")
        dialog.on_save()
        return dialog.result()

    window.exec_dialog = edit_and_save
    window.act_edit_account.trigger()
    assert demo_register.accounts.get(new_id).purpose == "校友联络与返校活动"
    window.act_undo.trigger()
    assert demo_register.accounts.get(new_id).purpose == "校友联络"
    assert "作废" in window.statusBar().currentMessage()
