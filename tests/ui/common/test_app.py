"""Application start-up: the bundled font and the first-start dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QDialog

import ui.app as app_module
from nmdesk.store import Register
from ui.common.first_start import FirstStartDialog


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path, monkeypatch):
    path = str(tmp_path / "settings.ini")
    monkeypatch.setattr(
        app_module, "make_settings", lambda: QSettings(path, QSettings.Format.IniFormat)
    )


def answer(profile_id: str | None, *, demo: bool = False):
    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, FirstStartDialog)
        if profile_id is None:
            return QDialog.DialogCode.Rejected
        dialog.select(profile_id, demo=demo)
        return QDialog.DialogCode.Accepted

    return run


def test_bundled_ui_font_becomes_the_application_font(qapp):
    family = app_module.install_ui_font(qapp)
    assert family is not None
    assert family in QFontDatabase.families()
    assert QApplication.font().family() == family
    assert QFontDatabase.writingSystems(family)  # a real font with glyphs


def test_first_start_creates_a_register_with_the_chosen_profile(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "new" / "register.nmdesk"
    monkeypatch.setattr(app_module, "exec_dialog", answer("pku-coe"))
    window = app_module.open_window(path)
    assert window is not None
    qtbot.addWidget(window)
    assert window.register.profile.id == "pku-coe"
    assert window.model.rowCount() == 0
    window.close()
    assert path.exists()
    with Register.open(path) as reopened:
        assert reopened.profile.id == "pku-coe"


def test_first_start_can_build_the_demo_register(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "demo.nmdesk"
    monkeypatch.setattr(app_module, "exec_dialog", answer("bit", demo=True))
    window = app_module.open_window(path)
    qtbot.addWidget(window)
    assert window.register.profile.id == "bit"
    assert window.model.rowCount() == window.register.accounts.count() > 100
    assert window.board.overdue_count() > 0
    window.close()


def test_cancelling_the_first_start_creates_nothing(tmp_path, monkeypatch, qapp):
    path = tmp_path / "register.nmdesk"
    monkeypatch.setattr(app_module, "exec_dialog", answer(None))
    assert app_module.open_window(path) is None
    assert not path.exists()


def test_an_existing_register_opens_without_asking(qtbot, demo_path, monkeypatch):
    def must_not_ask(dialog):
        raise AssertionError("the first-start dialog was shown for an existing register")

    monkeypatch.setattr(app_module, "exec_dialog", must_not_ask)
    window = app_module.open_window(demo_path)
    qtbot.addWidget(window)
    assert window.model.rowCount() == 300
    window.close()


def test_the_app_survives_many_void_qt_calls(qapp):
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call
    (ui/common/binding_guard.py); a million calls must not abort the process."""
    import sys

    from PySide6.QtWidgets import QLabel

    import ui

    app_module.make_app(["nmdesk"])
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(1_000_000):
        label.setText("王伟")
    assert sys.getrefcount(None) > 0
    assert (sys.getrefcount(None) < before - 500_000) == ui.NONE_GUARD_ACTIVE


def test_the_app_survives_many_signal_emits(qapp):
    """Signal.emit drops a reference to True on every call (ui/common/binding_guard.py);
    a million emits (progress of long jobs) must not abort the process."""
    import sys

    from PySide6.QtCore import QObject, Signal

    import ui

    class Source(QObject):
        progressed = Signal(int, int)

    source = Source()
    before = sys.getrefcount(True)
    for _ in range(1_000_000):
        source.progressed.emit(1, 2)
    assert sys.getrefcount(True) > 0
    assert (sys.getrefcount(True) < before - 500_000) == ui.BOOL_GUARD_ACTIVE


def test_qt_own_dialogs_and_buttons_speak_chinese(qapp):
    """Issue 15: Qt's file dialog and standard buttons said "Look in", "Cancel", "OK"."""
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel

    assert app_module.make_app([]) is qapp  # the application nmdesk runs with
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok
        | QDialogButtonBox.StandardButton.Cancel
        | QDialogButtonBox.StandardButton.Yes
        | QDialogButtonBox.StandardButton.No
    )
    texts = [button.text().replace("&", "") for button in buttons.buttons()]
    assert {"确定", "取消"} <= {t.split("(")[0] for t in texts}, texts
    dialog = QFileDialog(None, "打开备案库")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    labels = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Look in" not in labels and "File name" not in labels
    assert "文件名" in labels.replace("&", ""), labels
    dialog.deleteLater()


def test_emoji_in_an_account_name_are_drawn_by_a_font_that_has_them(qapp):
    """Issue 15: emoji showed as boxes. Qt falls back from the bundled CJK font to a
    font that has the glyph (Noto Color Emoji, installed by .ci/debian-deps.sh)."""
    from PySide6.QtGui import QTextLayout

    text = "北理工📚读书会🎉"
    layout = QTextLayout(text, QApplication.font())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    fonts = [run.rawFont() for run in layout.glyphRuns()]
    for char in text:
        assert any(font.supportsCharacter(ord(char)) for font in fonts), (char, fonts)
