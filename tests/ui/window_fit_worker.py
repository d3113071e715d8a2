"""Every window of the desk on one screen size, for ``tests/ui/common/test_window_fit.py``.

``QT_QPA_PLATFORM=offscreen:configfile=SCREEN.json python tests/ui/window_fit_worker.py
REGISTER SETTINGS_DIR`` opens each dialog, wizard and the main window on the demo
register, shows it on the offscreen screen the JSON file describes, and prints one
JSON line: the screen's available geometry and, for every window, its frame and
each visible push button outside a scroll area, in global coordinates.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtWidgets import QAbstractButton, QApplication, QScrollArea, QWidget

import ui  # noqa: F401  (the binding guard, before any Qt object)
from nmdesk.store import Register


def _rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def _inside_scroll_area(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _buttons(window: QWidget) -> list[dict[str, object]]:
    found = []
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or not button.text() or button.window() is not window:
            continue
        if _inside_scroll_area(button, window):
            continue
        if type(button).__name__ not in {"QPushButton", "QToolButton"}:
            continue
        top_left = button.mapToGlobal(QPoint(0, 0))
        found.append({"text": button.text(), "rect": _rect(QRect(top_left, button.size()))})
    return found


def _windows(register: Register, settings: QSettings) -> list[tuple[str, Callable[[], QWidget]]]:
    from ui.calendar.holiday_calendar import HolidayCalendarDialog
    from ui.common.about import AboutDialog
    from ui.common.first_start import FirstStartDialog
    from ui.desk.account_form import AccountFormDialog
    from ui.desk.attachments import AttachmentsDialog
    from ui.desk.closure import ClosureDialog
    from ui.desk.filings_dialog import FilingsDialog
    from ui.desk.hand_over import HandOverDialog
    from ui.desk.people_editor import PeopleDialog
    from ui.desk.sanctions import SanctionsDialog
    from ui.desk.units_editor import UnitsDialog
    from ui.desk.watch_list import WatchListDialog
    from ui.excel.export_dialog import ExportDialog
    from ui.excel.import_wizard import ImportWizard
    from ui.printing.print_preview import PrintPreviewDialog
    from ui.printing.receive_copy import ReceiveCopyDialog
    from ui.printing.receive_scans import ScanReceiveDialog
    from ui.register.main_window import MainWindow
    from ui.review.review_wizard import ReviewWizard
    from ui.safety.data_safety import BackupDialog

    account = register.accounts.ids()[0]
    return [
        ("main_window", lambda: MainWindow(register, settings=settings)),
        ("account_form_new", lambda: AccountFormDialog(register)),
        ("account_form_edit", lambda: AccountFormDialog(register, account_id=account)),
        ("units", lambda: UnitsDialog(register)),
        ("people", lambda: PeopleDialog(register)),
        ("hand_over", lambda: HandOverDialog(register)),
        ("print_preview", lambda: PrintPreviewDialog(register, account)),
        ("receive_copy", lambda: ReceiveCopyDialog(register)),
        ("receive_scans", lambda: ScanReceiveDialog(register)),
        ("review_wizard", lambda: ReviewWizard(register)),
        ("import_wizard", lambda: ImportWizard(register)),
        ("export", lambda: ExportDialog(register)),
        ("filings", lambda: FilingsDialog(register, account)),
        ("sanctions", lambda: SanctionsDialog(register, account)),
        ("watch_list", lambda: WatchListDialog(register)),
        ("closure", lambda: ClosureDialog(register, account)),
        ("attachments", lambda: AttachmentsDialog(register, account)),
        ("holiday_calendar", lambda: HolidayCalendarDialog(register)),
        ("backup", lambda: BackupDialog(register)),
        ("about", lambda: AboutDialog(register.path, register.profile)),
        ("first_start", lambda: FirstStartDialog(Path(register.path))),
    ]


def main(argv: list[str]) -> int:
    app = QApplication(argv[:1])
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, argv[2])
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, argv[2])
    from ui.desk.desk_common import install_ui_font

    install_ui_font(app)
    register = Register.open(Path(argv[1]), actor="tester")
    settings = QSettings(str(Path(argv[2]) / "main.ini"), QSettings.Format.IniFormat)
    screen = app.primaryScreen()
    report: dict[str, object] = {"available": _rect(screen.availableGeometry()), "windows": {}}
    windows: dict[str, object] = {}
    for name, make in _windows(register, settings):
        window = make()
        window.show()
        for _ in range(5):
            app.processEvents()
        windows[name] = {
            "frame": _rect(window.frameGeometry()),
            "buttons": _buttons(window),
        }
        window.close()
        window.deleteLater()
        app.processEvents()
    report["windows"] = windows
    print(json.dumps(report, ensure_ascii=False))
    register.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
