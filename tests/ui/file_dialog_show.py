"""Shows one file dialog on a folder until it has looked at every file there
(``file_dialog_probe.folder_settled``), for ``tests/ui/common/test_file_dialogs.py``.

``python tests/ui/file_dialog_show.py quiet|plain FOLDER``: ``quiet`` is nmdesk's
dialog (``ui.common.file_dialogs.quiet_dialog``), ``plain`` Qt's own ``QFileDialog``. The
test runs it under strace and looks for ``open`` calls on the register's files.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from file_dialog_probe import NEVER_LISTED, folder_settled
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from ui.common import file_dialogs

POLL_MS = 20
GIVE_UP_S = 60


def main() -> int:
    app = QApplication([])
    kind, folder = sys.argv[1], sys.argv[2]
    if kind == "quiet":
        dialog = file_dialogs.quiet_dialog(None, "打开", folder, "所有文件 (*)")
    else:
        dialog = QFileDialog(None, "打开", folder, "所有文件 (*)")
    names = os.listdir(folder)
    started = time.monotonic()

    def poll() -> None:
        if folder_settled(dialog, names):
            app.exit(0)
        elif time.monotonic() - started > GIVE_UP_S:
            print("the file dialog never listed the folder", file=sys.stderr)
            app.exit(NEVER_LISTED)
        else:
            QTimer.singleShot(POLL_MS, poll)

    dialog.show()
    QTimer.singleShot(0, poll)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
