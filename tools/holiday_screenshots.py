"""Render the 节假日安排 window with the real 2026 notice parsed into a PNG.

``python -m tools.holiday_screenshots OUTDIR`` writes ``holiday-calendar.png`` at the
office laptop's size (1366 × 768). The notice is the one kept as a test fixture
(tests/fixtures/notices/2026.txt); the clerk's "today" is the day after it came out.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

NOTICE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "notices" / "2026.txt"


def render_holiday_calendar(out: Path) -> list[Path]:
    """The window as a clerk sees it after pasting the 2026 notice; [] without the fixture."""
    if not NOTICE.exists():
        return []
    from PySide6.QtWidgets import QApplication

    from nmdesk.store import create_register
    from tools.screenshots import save
    from ui.app import make_app
    from ui.calendar.holiday_calendar import HolidayCalendarDialog

    app = QApplication.instance() or make_app([])
    assert isinstance(app, QApplication)
    lines = NOTICE.read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.startswith("#"))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        register = create_register(Path(folder) / "office.nmdesk", "bit", actor="张老师")
        dialog = HolidayCalendarDialog(register, today=dt.date(2025, 11, 5))
        dialog.resize(1340, 720)
        dialog.notice_edit.setPlainText(text)
        dialog.parse()
        dialog.view.dayClicked.emit(dt.date(2026, 2, 14))
        dialog.show()
        path = save(dialog, out / "holiday-calendar.png", app)
        dialog.close()
        register.close()
    return [path]


if __name__ == "__main__":
    from ui.common.window_fit import use_office_screen

    use_office_screen()
    render_holiday_calendar(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots"))
