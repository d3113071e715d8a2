"""帮助 → 关于 and the application icon: what an installed program shows about itself."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QPlainTextEdit

import nmdesk
from ui.app import make_app
from ui.common.about import AboutDialog, app_icon
from ui.register.main_window import MainWindow


def test_about_shows_version_profile_register_and_licences(qtbot, demo_register, tmp_path: Path):
    window = MainWindow(
        demo_register, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(window)
    shown: list[AboutDialog] = []
    window.exec_dialog = lambda dialog: shown.append(dialog) or 0  # type: ignore[method-assign]
    help_menu = next(a.menu() for a in window.menuBar().actions() if "帮助" in a.text())
    next(a for a in help_menu.actions() if a.text() == "关于").trigger()
    (dialog,) = shown
    qtbot.addWidget(dialog)
    text = dialog.summary.toPlainText()
    assert nmdesk.__version__ in text
    assert demo_register.profile.name in text
    assert str(demo_register.path) in text
    assert f"{demo_register.path.stem}-backups" in text
    assert "LGPL-3.0" in text and "_internal/PySide6/Qt/lib/" in text
    licences = [
        dialog.tabs.widget(i).toPlainText()
        for i in range(dialog.tabs.count())
        if isinstance(dialog.tabs.widget(i), QPlainTextEdit)
    ]
    assert any("ARPHIC PUBLIC LICENSE" in t.upper() for t in licences)
    assert any("Apache" in t for t in licences)
    assert any("Lesser General Public License" in t and "replace" in t for t in licences)


def test_application_and_windows_carry_the_nmdesk_icon(qapp):
    icon = app_icon()
    assert {s.width() for s in icon.availableSizes()} >= {16, 32, 48, 256}
    app = make_app([])
    assert isinstance(app, QApplication)
    assert not app.windowIcon().isNull()
    assert app.windowIcon().cacheKey() != 0
