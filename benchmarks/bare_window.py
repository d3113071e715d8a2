"""The start-up baseline: a bare PySide6 window with one table (100,000 rows × 12
columns from a trivial model), reporting its first paint as the main window does.

    QT_QPA_PLATFORM=offscreen python benchmarks/bare_window.py
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView


class Model(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else 100_000

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else 12

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row()}-{index.column()}"
        return None


class FirstPaint(QObject):
    def __init__(self, target: QObject) -> None:
        super().__init__(target)
        self.done = False
        target.installEventFilter(self)

    def eventFilter(self, watched, event):
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            print(f"NMDESK_PROBE paint {time.time():.6f}", flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False


def main() -> int:
    app = QApplication(sys.argv)
    window = QMainWindow()
    table = QTableView()
    model = Model(table)
    table.setModel(model)
    window.setCentralWidget(table)
    window.resize(1440, 860)
    probe = FirstPaint(table.viewport())
    window.show()
    code = app.exec()
    del probe
    return code


if __name__ == "__main__":
    sys.exit(main())
