"""Shows one file dialog on a folder for three seconds, for ``tests/ui/common/test_file_dialogs.py``.

``python tests/ui/file_dialog_show.py quiet|plain FOLDER``: ``quiet`` is nmdesk's
dialog (``ui.common.file_dialogs.quiet_dialog``), ``plain`` Qt's own ``QFileDialog``. The
test runs it under strace and looks for ``open`` calls on the register's files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from ui.common import file_dialogs

SHOWN_MS = 3000


def main() -> int:
    app = QApplication([])
    kind, folder = sys.argv[1], sys.argv[2]
    if kind == "quiet":
        dialog = file_dialogs.quiet_dialog(None, "打开", folder, "所有文件 (*)")
    else:
        dialog = QFileDialog(None, "打开", folder, "所有文件 (*)")
    dialog.show()
    QTimer.singleShot(SHOWN_MS, app.quit)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
