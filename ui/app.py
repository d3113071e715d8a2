"""Qt application setup: the bundled UI font, the first start, the main window."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QSettings,
    Qt,
    QTimer,
    QTranslator,
)
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from nmdesk.errors import NmdeskError
from nmdesk.paths import UI_FONT_FILE, default_register_path
from nmdesk.store import create_register as create_empty_register
from nmdesk.store import open_register
from nmdesk.store.interfaces import Register

# Windows kept alive while they are open (a window opens its successor).
WINDOWS: list[QWidget] = []
# The day's backup waits this long after the window opens (ms).
DAILY_BACKUP_DELAY_MS = 2000


def tr(text: str) -> str:
    return QCoreApplication.translate("App", text)


def install_ui_font(app: QGuiApplication, point_size: int = 10) -> str | None:
    """Register the bundled CJK font and make it the application font, so no text shows as boxes."""
    font_id = QFontDatabase.addApplicationFont(str(UI_FONT_FILE))
    if font_id < 0:
        return None
    families = QFontDatabase.applicationFontFamilies(font_id)
    if not families:
        return None
    font = QFont(families[0], point_size)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    return families[0]


# Qt's own translators, kept alive for as long as the application runs
QT_TRANSLATORS: list[QTranslator] = []


def install_qt_translations(app: QCoreApplication) -> bool:
    """Qt's own texts in Chinese: file dialogs (查找范围, 文件名, 文件类型), standard
    buttons (确定, 取消, 是, 否) and context menus. nmdesk is a Chinese program, so
    zh_CN is loaded whatever the system locale; False when Qt's translations folder
    has no qtbase_zh_CN (a bundle that left it out)."""
    if QT_TRANSLATORS:
        return True
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load(
        QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder
    ):
        return False
    app.installTranslator(translator)
    from ui.common.file_dialogs import FileDialogGapsTranslator

    gaps = FileDialogGapsTranslator(app)
    app.installTranslator(gaps)  # the last installed is asked first
    QT_TRANSLATORS.extend([translator, gaps])
    return True


def make_app(argv: list[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setOrganizationName("nmdesk")
    app.setApplicationName("nmdesk")
    app.setApplicationDisplayName(tr("新媒体账号备案管理台"))
    install_qt_translations(app)
    app.setStyle("Fusion")
    from ui.common.about import app_icon

    app.setWindowIcon(app_icon())
    app.setDesktopFileName("nmdesk")  # Wayland/X11 match the window to nmdesk.desktop
    install_ui_font(app)
    from ui.common.collector import install_collector

    install_collector(app)  # collections on this thread only: Qt objects die where they live
    return app


def make_settings() -> QSettings:
    """Where window state is remembered; tests replace this."""
    return QSettings("nmdesk", "nmdesk")


def exec_dialog(dialog: QDialog) -> int:
    """Run a modal dialog at start-up; tests replace this."""
    return int(dialog.exec())


def create_register(path: Path, profile_id: str, demo: bool) -> Register:
    """A new register (empty, or the demo) at ``path``, opened."""
    if demo:
        from nmdesk.demo import build_demo_register

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            build_demo_register(path, profile_id)
        finally:
            QGuiApplication.restoreOverrideCursor()
        return open_register(path)
    return create_empty_register(path, profile_id)


def first_start(
    path: Path, parent: QWidget | None = None, run: Callable[[QDialog], int] | None = None
) -> Register | None:
    """Ask for a profile (or the demo) and create the register; None if the clerk cancelled."""
    from ui.common.first_start import CONNECT_SERVER, FirstStartDialog

    dialog = FirstStartDialog(path, parent)
    result = (run or exec_dialog)(dialog)
    if result == CONNECT_SERVER:
        return connect_server(parent, run)
    if result != QDialog.DialogCode.Accepted:
        return None
    profile_id, demo = dialog.choice()
    return create_register(path, profile_id, demo)


def connect_server(
    parent: QWidget | None = None, run: Callable[[QDialog], int] | None = None
) -> Register | None:
    """连接服务器备案库…: the register the clerk connected to, None if they cancelled."""
    from ui.common.server_connect import ServerConnectDialog

    dialog = ServerConnectDialog(make_settings(), parent)
    if (run or exec_dialog)(dialog) != QDialog.DialogCode.Accepted:
        return None
    return dialog.register


def open_window(
    path: Path, parent: QWidget | None = None, *, create: bool = False
) -> QWidget | None:
    """Open (or first create) the register at ``path`` in a new main window."""
    if create or not path.exists():
        register = first_start(path, parent)
        if register is None:
            return None
    else:
        # the day's backup is taken after the window opens, on the register worker
        register = open_register(path, auto_backup=False)
    return show_window(register)


def show_window(register: Register) -> QWidget:
    """A main window on an open register, which it closes with itself."""
    from ui.common.register_location import on_server
    from ui.register.main_window import MainWindow

    window = MainWindow(register, settings=make_settings(), owns_register=True)
    # a server register's backups are the server's (pg_dump), not a local folder
    if not register.read_only and not on_server(register):
        # after the first screen's id list and the deadlines, which share the register worker
        QTimer.singleShot(DAILY_BACKUP_DELAY_MS, window, window.start_daily_backup)
    if os.environ.get("NMDESK_STARTUP_PROBE"):  # benchmarks/bench_startup.py only
        from ui.common.startup_probe import watch

        watch(window)
    WINDOWS.append(window)
    window.destroyed.connect(lambda *_: WINDOWS.remove(window) if window in WINDOWS else None)
    window.show()
    return window


def run(argv: list[str] | None = None) -> int:
    """``python main.py [--path FILE]``: open the register in the main window."""
    argv = list(sys.argv if argv is None else argv)
    from nmdesk.about import version_line

    parser = argparse.ArgumentParser(prog="nmdesk-gui", description="新媒体账号备案管理台")
    parser.add_argument("--version", action="version", version=version_line())
    parser.add_argument(
        "--path", type=Path, default=None, help="备案库文件；缺省为用户数据目录中的默认备案库"
    )
    parser.add_argument(
        "--server",
        default=None,
        metavar="URL",
        help="服务器上的备案库：postgresql://用户名@服务器[:端口]/数据库（密码由 .pgpass 提供）",
    )
    args = parser.parse_args(argv[1:])
    if args.path and args.server:
        parser.error("--path 和 --server 只能给出一个")
    app = make_app(argv)
    from ui.safety.data_safety import install_error_hook

    install_error_hook()  # an uncaught error becomes a message box, not a silent traceback
    path = args.path or default_register_path()
    try:
        if args.server:
            window: QWidget | None = show_window(open_register(args.server))
        else:
            window = open_window(path)
    except NmdeskError as exc:
        QMessageBox.critical(None, tr("无法打开备案库"), str(exc))
        return 2
    if window is None:
        return 0
    return int(app.exec())
