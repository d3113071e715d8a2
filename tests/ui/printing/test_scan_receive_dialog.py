"""The stack dialog: a folder of scanned signed copies read on a worker, shown, received."""

from __future__ import annotations

import datetime as dt

from desk_helpers import wait_for_job
from PySide6.QtWidgets import QDialog

from nmdesk.forms.receipt import find_copy
from tests.nmdesk.forms.test_receive_scans import stack  # noqa: F401  (the fixture)
from ui.printing.receive_copy import ReceiveCopyDialog
from ui.printing.receive_scans import ScanReceiveDialog


def test_a_folder_of_scans_is_received_in_one_action(qtbot, stack) -> None:  # noqa: F811
    register, folder, _, codes = stack
    opened: list[QDialog] = []
    receive = ReceiveCopyDialog(register, today=dt.date(2026, 12, 7))
    qtbot.addWidget(receive)
    receive.exec_dialog = lambda dialog: opened.append(dialog) or 0
    receive.scans_button.click()
    dialog = opened[0]
    assert isinstance(dialog, ScanReceiveDialog)
    qtbot.addWidget(dialog)
    messages: list[str] = []
    dialog.show_message = lambda title, text, error=False: messages.append(text)
    dialog.choose_folder = lambda: str(folder)
    dialog.browse_folder()  # reads on the register worker
    wait_for_job(qtbot, dialog.job)
    plan = dialog.plan
    assert plan is not None and len(plan.pages) == 42
    assert dialog.table.rowCount() == 42
    assert "可登记 38 页（38 份），已交回 1 页，未匹配 3 页" in dialog.summary.text()
    states = [dialog.table.item(r, 1).text() for r in range(42)]
    assert states.count("可登记") == 38 and states.count("未匹配") == 3
    stained = next(r for r in range(42) if dialog.table.item(r, 0).text() == "扫描07.jpg")
    assert "未能识别二维码" in dialog.table.item(stained, 2).text()
    dialog.table.item(stained, 3).setText(codes[7])  # typed from the paper
    dialog.rematch()
    assert dialog.table.item(stained, 1).text() == "可登记"
    assert dialog.receive_button.text().startswith("登记交回（39 份）")
    receiving = dialog.receive()
    wait_for_job(qtbot, receiving)
    assert len(dialog.received) == 39
    wait_for_job(qtbot, dialog.job)  # read again after receiving
    assert messages and "已登记交回 39 份" in messages[-1] and "另有 2 页未匹配" in messages[-1]
    assert all(find_copy(register, code).already_received for code in codes)
    assert "已交回 39 页" in dialog.summary.text()  # read again after receiving
    assert register.audit.verify() == []


def test_closing_with_a_typed_check_code_asks_first(qtbot, demo_register) -> None:
    """A check code typed (or scanned) but not received is not dropped by 关闭 or Esc
    unless the clerk says so."""
    dialog = ReceiveCopyDialog(demo_register)
    qtbot.addWidget(dialog)
    dialog.show()
    asked: list[str] = []
    answer = [False]
    dialog.confirm = lambda title, text: asked.append(text) or answer[0]
    dialog.reject()  # nothing typed: closes without a question
    assert not dialog.isVisible() and asked == []

    dialog.show()
    dialog.code_edit.setText("K7Q2-MX4P")
    dialog.reject()  # the clerk keeps the code
    assert dialog.isVisible() and "K7Q2-MX4P" in asked[-1]
    answer[0] = True
    dialog.reject()  # the clerk drops it
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected

    dialog.show()
    asked.clear()
    dialog.close()  # the program closes it (e.g. the window quits): nothing to ask
    assert not dialog.isVisible() and asked == []
