"""A widget's own methods and attributes must not hide the Qt ones of the same name:
Qt code and other widgets call ``find``, ``move`` and ``thread()`` expecting Qt's meaning."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QThread

from nmdesk.store import Register
from ui.desk.priority_table import PriorityTable
from ui.printing.receive_copy import ReceiveCopyDialog
from ui.safety.data_safety import DailyBackup


def test_receive_copy_dialog_keeps_qwidget_find(qtbot, register: Register) -> None:
    dialog = ReceiveCopyDialog(register)
    qtbot.addWidget(dialog)
    assert dialog.find(dialog.winId()) is dialog


def test_priority_table_keeps_qwidget_move(qtbot, register: Register) -> None:
    table = PriorityTable(register)
    qtbot.addWidget(table)
    table.move(QPoint(7, 9))
    assert table.pos() == QPoint(7, 9)


def test_daily_backup_keeps_qobject_thread(qtbot, demo_path: Path) -> None:
    backup = DailyBackup(demo_path)
    assert backup.thread() is QThread.currentThread()
