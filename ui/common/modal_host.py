"""One way for a window to open anything modal: ``ModalHost``.

Every window and dialog that shows a sub-dialog, a message or a question mixes this
in (``class MainWindow(ModalHost, QMainWindow)``). All of it goes through
``exec_dialog``, so a test answers every modal a window opens by replacing that one
method (or ``show_message`` / ``confirm`` to record the text); nothing modal is run
anywhere else. Background work has its own one way: ``ui.common.tasks``.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget


def tr(text: str) -> str:
    return QCoreApplication.translate("ModalHost", text)


class ModalHost:
    """``exec_dialog`` / ``show_message`` / ``show_error`` / ``confirm`` for a QWidget."""

    # the title of ``show_error``'s box; a window may name its own (e.g. 无法导入)
    error_title: str = ""

    def exec_dialog(self, dialog: QDialog) -> int:
        """Run a modal dialog and return its result; tests replace this."""
        return int(dialog.exec())

    def show_message(self, title: str, text: str, *, error: bool = False) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information,
            title,
            text,
            QMessageBox.StandardButton.Ok,
            cast(QWidget, self),
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.exec_dialog(box)

    def show_error(self, error: Exception | str, title: str | None = None) -> None:
        """A failure in one sentence (an ``NmdeskError``'s message, or a job's sentence)."""
        self.show_message(title or self.error_title or tr("无法完成操作"), str(error), error=True)

    def confirm(self, title: str, text: str) -> bool:
        """A yes/no question whose default is No."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            cast(QWidget, self),
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return self.exec_dialog(box) == QMessageBox.StandardButton.Yes.value
