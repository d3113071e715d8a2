"""The desk as a separate process, for ``tests/ui/common/test_file_dialogs.py``.

``python tests/ui/file_dialog_worker.py REGISTER`` opens the register in the
main window (it becomes the holder), runs 文件 → 打开备案库… and cancels the
real file dialog once it has listed the register's folder, prints
``dialog-closed``, waits for a line on stdin (the test runs a second nmdesk
process meanwhile), then saves five people one by one, printing ``saved N``
after each commit (``error …`` if a save is refused), and waits to be killed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QTreeView

import ui  # noqa: F401  (the binding guard, before any Qt object)

SAVES = 5
LISTED_WAIT_S = 1.5  # after the folder is listed: time for icons and types to be fetched


def _close_dialog_when_listed(started: float, listed: list[float]) -> None:
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, QFileDialog):
        views = dialog.findChildren(QTreeView)
        rows = max((v.model().rowCount(v.rootIndex()) for v in views), default=0)
        if rows and not listed:
            listed.append(time.monotonic())
        if listed and time.monotonic() - listed[0] > LISTED_WAIT_S:
            dialog.reject()
            return
    if time.monotonic() - started > 30:
        print("error the file dialog never listed the folder", flush=True)
        os._exit(3)
    QTimer.singleShot(50, lambda: _close_dialog_when_listed(started, listed))


def main() -> int:
    from nmdesk.errors import NmdeskError
    from nmdesk.models import Person, PersonKind
    from ui.app import make_app, open_window
    from ui.register import main_actions

    path = Path(sys.argv[1])
    app = make_app([])
    window = open_window(path)
    assert window is not None

    def run_dialog() -> None:
        QTimer.singleShot(50, lambda: _close_dialog_when_listed(time.monotonic(), []))
        main_actions.open_register_file(window)
        print("dialog-closed", flush=True)
        sys.stdin.readline()
        register = window.register  # type: ignore[attr-defined]
        for number in range(SAVES):
            try:
                with register.transaction():
                    register.people.add(Person(None, f"已保存{number}", PersonKind.STAFF))
            except NmdeskError as error:
                print(f"error {error}", flush=True)
                continue
            print(f"saved {number}", flush=True)
        print("done", flush=True)

    QTimer.singleShot(200, run_dialog)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
