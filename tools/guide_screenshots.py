"""Render the pictures of the clerk's guide (帮助 → 使用说明) into PNGs, on demo registers.

    python -m tools.guide_screenshots [OUTDIR]     (``make screenshots`` runs it too)

Without OUTDIR the pictures go where the guide finds them, ``resources/guide/images/``
(the bundled ``nmdesk.resources.guide``), so the guide shipped in the wheel always
shows the program as it is. Every window is laid out as on an office laptop's
1366 × 768 screen: no larger than the screen's room below the title bar and above
the task bar, and at the size it opens with when that fits.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QSettings, QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from nmdesk.demo import build_demo_register
from nmdesk.paths import resource_path
from nmdesk.store import create_register, open_register
from nmdesk.store.interfaces import Register

if TYPE_CHECKING:
    from ui.register.main_window import MainWindow

SCREEN = QSize(1366, 768)
# What a maximised window gets of that screen: less a task bar and the title bar.
ROOM = QSize(SCREEN.width(), SCREEN.height() - 40 - 30)
DEMO_TODAY = dt.date(2026, 11, 20)


def guide_pictures_dir() -> Path:
    return resource_path("guide", "images")


def fit(widget: QWidget, size: QSize | None = None) -> None:
    """Give ``widget`` the size it opens with (or ``size``), bounded by the 1366 × 768 room."""
    if size is not None:
        wanted = size
    elif widget.testAttribute(Qt.WidgetAttribute.WA_Resized):  # the size it opens with
        wanted = widget.size().expandedTo(widget.minimumSizeHint())
    else:
        wanted = widget.sizeHint()
    widget.resize(min(wanted.width(), ROOM.width()), min(wanted.height(), ROOM.height()))


def _settle(app: QApplication) -> None:
    for _ in range(8):
        app.processEvents()


def _save(widget: QWidget, path: Path, app: QApplication) -> Path:
    _settle(app)
    if not widget.grab().save(str(path)):
        raise OSError(f"无法写入截图 {path}")
    print(path)
    return path


def _has_drawing(widget: QWidget) -> bool:
    """Anything but the page's white and the view's grey: the page was drawn."""
    image = widget.grab().toImage()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    return len(colours) > 4


def _first_start(out: Path, app: QApplication) -> Path:
    from ui.common.first_start import FirstStartDialog

    dialog = FirstStartDialog(Path("~/.local/share/nmdesk/register.nmdesk"))
    dialog.select("bit", demo=True)
    fit(dialog)
    dialog.show()
    path = _save(dialog, out / "first-start.png", app)
    dialog.close()
    return path


def _main_window_and_board(
    register: Register, folder: Path, out: Path, app: QApplication
) -> tuple[MainWindow, list[Path]]:
    from tools.screenshots import pick_account
    from ui.register.main_window import MainWindow

    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(register, settings=settings, today=DEMO_TODAY)
    fit(window, ROOM)
    window.show()
    _settle(app)
    window.select_account(pick_account(register))
    written = [_save(window, out / "main-window.png", app)]
    written.append(_save(window.board_dock, out / "deadlines-board.png", app))
    return window, written


def _account_form(register: Register, out: Path, app: QApplication) -> Path:
    from tools.desk_screenshots import fill_account_form
    from ui.desk.account_form import AccountFormDialog

    form = AccountFormDialog(register)
    fit(form)
    form.show()
    fill_account_form(form, register, pku=False)
    form.blocks["ops_contact"].mobile.setText("13912345678")
    path = _save(form, out / "account-form.png", app)
    form.close()
    return path


def _print_preview(register: Register, account_id: int, out: Path, app: QApplication) -> Path:
    from ui.printing.print_preview import PrintPreviewDialog

    preview = PrintPreviewDialog(register, account_id)
    fit(preview)
    preview.show()
    # QPdfView draws its pages on a thread: wait until the first page is on screen
    for _ in range(50):
        if _has_drawing(preview.view.viewport()):
            break
        loop = QEventLoop()
        QTimer.singleShot(100, loop.quit)
        loop.exec()
    path = _save(preview, out / "print-preview.png", app)
    preview.close()
    return path


def _receive_copy(register: Register, out: Path, app: QApplication) -> Path:
    from ui.printing.receive_copy import ReceiveCopyDialog

    dialog = ReceiveCopyDialog(register, today=DEMO_TODAY)
    waiting = register.filings.open_filings()
    if waiting:
        dialog.code_edit.setText(waiting[0].check_code)
        dialog.look_up()
    fit(dialog)
    dialog.show()
    path = _save(dialog, out / "receive-copy.png", app)
    dialog.close()
    return path


def _import_wizard(register: Register, folder: Path, out: Path, app: QApplication) -> Path:
    """The 列对应 page, on a ledger exported from the demo register into an empty one."""
    from nmdesk.excel.export import export_xlsx
    from ui.excel.import_wizard import ImportWizard

    ledger = folder / "信息与电子学院台账.xlsx"
    export_xlsx(register, ledger)
    empty = create_register(folder / "empty.nmdesk", "bit", actor="张老师")
    wizard = ImportWizard(empty)
    fit(wizard, QSize(1100, 680))
    wizard.show()
    page = wizard.currentPage()
    page.path_edit.setText(str(ledger))  # type: ignore[attr-defined]
    page.load_sheets()  # type: ignore[attr-defined]
    wizard.next()
    path = _save(wizard, out / "import-wizard.png", app)
    wizard.close()
    empty.close()
    return path


def _review_wizard(register: Register, out: Path, app: QApplication) -> Path:
    """The collecting page, just after the 2026 review was opened."""
    from ui.review.review_wizard import ReviewWizard

    wizard = ReviewWizard(register, today=DEMO_TODAY, year=2026)
    wizard.show_message = lambda *args, **kwargs: None  # type: ignore[method-assign]
    fit(wizard, QSize(1200, 700))
    wizard.show()
    wizard.open_page.packets.setChecked(False)
    wizard.next()
    path = _save(wizard, out / "review-wizard.png", app)
    wizard.close()
    return path


def _backups(register: Register, out: Path, app: QApplication) -> Path:
    from ui.safety.data_safety import BackupDialog

    register.backup()
    dialog = BackupDialog(register)
    fit(dialog)
    dialog.show()
    path = _save(dialog, out / "backup.png", app)
    dialog.close()
    return path


def render_guide_pictures(out: Path | None = None) -> list[Path]:
    """Write every picture the guide shows; returns the files written."""
    from tools.holiday_screenshots import render_holiday_calendar
    from ui.app import make_app

    out = out if out is not None else guide_pictures_dir()
    out.mkdir(parents=True, exist_ok=True)
    app = make_app(sys.argv[:1])
    written = [_first_start(out, app)]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "演示备案库.nmdesk"
        build_demo_register(path, "bit", accounts=300, seed=2026)
        register = open_register(path, actor="张老师")
        window, shots = _main_window_and_board(register, folder, out, app)
        written += shots
        account_id = window.current_account_id() or register.accounts.ids()[0]
        written.append(_account_form(register, out, app))
        written.append(_print_preview(register, account_id, out, app))
        written.append(_receive_copy(register, out, app))
        written.append(_import_wizard(register, folder, out, app))
        written.append(_review_wizard(register, out, app))
        written.append(_backups(register, out, app))
        window.close()
        register.close()
    written += render_holiday_calendar(out)
    return written


def render_guide_window(out: Path, section: str = "account-form") -> Path:
    """The guide itself, open at ``section``, as ``guide.png`` in ``out`` (for docs/)."""
    from ui.app import make_app
    from ui.common.guide import GuideWindow

    app = make_app(sys.argv[:1])
    out.mkdir(parents=True, exist_ok=True)
    window = GuideWindow()
    fit(window, QSize(880, 700))
    window.show()
    _settle(app)
    window.show_section(section)
    path = _save(window, out / "guide.png", app)
    window.close()  # deleted on close: let Qt delete it now, not at exit
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return path


if __name__ == "__main__":
    render_guide_pictures(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
