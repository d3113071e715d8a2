"""The main window opens every data-entry dialog of the clerk's desk through its hooks."""

from __future__ import annotations

from pathlib import Path

from desk_helpers import setup_font
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog

from ui.main_window import MainWindow


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
