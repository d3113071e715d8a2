"""Render the main screens on a fresh demo register into PNG files.

    python -m tools.screenshots OUTDIR        (``make screenshots`` writes docs/screenshots/)

Writes ``main-window.png``, ``deadlines-board.png``, ``account-history.png``,
``first-start.png``, ``server-connect.png``, ``account-form.png``, ``print-preview.png`` and
``review-wizard.png``, each window at the size it takes on a 1366 × 768 screen; then
the pictures of the clerk's guide into ``resources/guide/images/`` and the guide
itself as ``guide.png`` (``tools/guide_screenshots.py``). Runs headless
(``QT_QPA_PLATFORM=offscreen``, on a 1366 × 768 screen) with the bundled UI font, so
the pictures look the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from nmdesk.changes import Changes
from nmdesk.demo import build_demo_register
from nmdesk.services.accounts import edit_account
from nmdesk.store import open_register
from nmdesk.store.interfaces import Register


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def wait_for_pages(app: QApplication, ms: int = 1500) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    settle(app)


def save(widget: QWidget, path: Path, app: QApplication) -> Path:
    settle(app)
    if not widget.grab().save(str(path)):
        raise OSError(f"无法写入截图 {path}")
    print(path)
    return path


def pick_account(register: Register) -> int:
    """A running account with a change filing and several role holders: a full details pane."""
    for filing in register.filings.open_filings():
        account = register.accounts.get(filing.account_id)
        if (
            filing.changes
            and account.status.value == "running"
            and len(register.accounts.current_roles(filing.account_id)) >= 3
        ):
            return filing.account_id
    return register.accounts.ids()[0]


def _server_connect(out: Path, app: QApplication) -> Path:
    """文件 → 连接服务器备案库…, filled in as an office's IT department would tell a clerk."""
    from ui.common.server_connect import ServerConnectDialog

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.Format.IniFormat)
    dialog = ServerConnectDialog(settings)
    dialog.host.setText("db.xuanchuan.example.edu.cn")
    dialog.database.setText("nmdesk")
    dialog.user.setText("zhangsan")
    dialog.password.setText("password")
    dialog.ssl.setCurrentIndex(1)  # require
    dialog.show()
    path = save(dialog, out / "server-connect.png", app)
    dialog.close()
    return path


def render(out: Path, profile_id: str = "bit") -> list[Path]:
    from ui.app import make_app
    from ui.register.main_window import MainWindow

    out.mkdir(parents=True, exist_ok=True)
    app = make_app(sys.argv[:1])
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.nmdesk"
        build_demo_register(path, profile_id, accounts=300, seed=2026)
        register = open_register(path, actor="demo")
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(register, settings=settings)  # fitted to the 1366 × 768 screen
        window.splitter.setSizes([900, 450])
        window.show()
        settle(app)
        account_id = pick_account(register)
        window.select_account(account_id)
        window.details.setCurrentIndex(2)
        written.append(save(window, out / "main-window.png", app))

        # One more edit, so that the history shows a change with its old and new value.
        edit_account(
            register,
            account_id,
            {"purpose": "发布学院新闻、学术讲座和学生活动信息"},
            event_on=dt.date.today(),
        )
        window.apply_changes(Changes(accounts=True, select=account_id))
        details = window.details
        details.setCurrentWidget(details.history)
        for number in range(min(2, details.history.topLevelItemCount())):
            entry = details.history.topLevelItem(number)
            if entry is not None:
                entry.setExpanded(True)
        window.splitter.setSizes([600, 750])
        written.append(save(details, out / "account-history.png", app))

        board = window.board
        board.resize(1100, 520)
        window.board_dock.setFloating(True)
        window.board_dock.resize(1100, 520)
        written.append(save(window.board_dock, out / "deadlines-board.png", app))
        window.board_dock.setFloating(False)

        if importlib.util.find_spec("ui.desk.account_form") is not None:
            from ui.desk.account_form import AccountFormDialog

            form = AccountFormDialog(register, account_id=account_id, parent=window)
            form.show()
            written.append(save(form, out / "account-form.png", app))
            form.close()

        # the dialogs with the most buttons, as they open on the office laptop's screen
        from ui.printing.print_preview import PrintPreviewDialog
        from ui.review.review_wizard import ReviewWizard

        preview = PrintPreviewDialog(register, account_id, parent=window)
        preview.show()
        wait_for_pages(app)  # QPdfView renders its pages on a thread of its own
        written.append(save(preview, out / "print-preview.png", app))
        preview.close()
        wizard = ReviewWizard(register, parent=window, today=dt.date(2026, 11, 20))
        wizard.show()
        written.append(save(wizard, out / "review-wizard.png", app))
        wizard.close()
        window.close()
        register.close()

        from ui.common.first_start import FirstStartDialog

        first = FirstStartDialog(Path("~/.local/share/nmdesk/register.nmdesk"))
        first.show()
        written.append(save(first, out / "first-start.png", app))
        first.close()

        written.append(_server_connect(out, app))
    return written


def main(argv: list[str]) -> int:
    from ui.common.window_fit import use_office_screen

    use_office_screen()  # before the application: every window on a 1366 × 768 screen
    # sizes a clerk's windows remember on this machine are not the pictures' business
    settings_dir = tempfile.mkdtemp(prefix="nmdesk-screenshot-settings-")
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, settings_dir)
    out = Path(argv[1]) if len(argv) > 1 else Path("docs/screenshots")
    render(out)
    # The filled-in account forms of both profiles (tools/desk_screenshots.py), when present.
    if importlib.util.find_spec("tools.desk_screenshots") is not None:
        from tools.desk_screenshots import render_account_forms

        for path in render_account_forms(out):
            print(path)
    # The holiday window with the real 2026 notice parsed (tools/holiday_screenshots.py).
    from tools.holiday_screenshots import render_holiday_calendar

    render_holiday_calendar(out)
    # The pictures of the clerk's guide, into the bundled resources/guide/images/
    # (tools/guide_screenshots.py), so that the guide shows the program as it is.
    from tools.guide_screenshots import render_guide_pictures, render_guide_window

    render_guide_pictures()
    render_guide_window(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
