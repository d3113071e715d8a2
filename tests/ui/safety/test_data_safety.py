"""The data-safety UI: backup list, backup now, restore, verify, audit export, read-only banner."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox

from nmdesk.models import Person, PersonKind
from nmdesk.store import Register
from nmdesk.store import backup as backups
from ui.register.main_window import MainWindow
from ui.safety.data_safety import BackupDialog


class Boxes:
    """Answers every message box of a dialog and remembers what it said."""

    def __init__(self, answer: QMessageBox.StandardButton = QMessageBox.StandardButton.Yes):
        self.texts: list[str] = []
        self.answer = answer

    def __call__(self, box: QMessageBox) -> int:
        self.texts.append(box.text())
        return int(self.answer.value)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def dialog(qtbot, demo_register: Register) -> BackupDialog:
    dlg = BackupDialog(demo_register)
    qtbot.addWidget(dlg)
    dlg.exec_box = Boxes()  # type: ignore[method-assign]
    return dlg


def test_the_list_shows_the_automatic_backups_and_backup_now_adds_one(dialog) -> None:
    assert dialog.table.rowCount() == 2  # today's daily and monthly copies
    kinds = {dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())}
    assert kinds == {"每日自动备份", "每月自动备份"}
    target = dialog.backup_now()
    assert target is not None and target.exists()
    assert dialog.table.rowCount() == 3
    assert dialog.table.item(0, 1).text() == "手动备份"
    assert str(target) in dialog.report.toPlainText()
    assert dialog.selected_backup() == target


def test_restore_from_the_selected_backup_after_confirming(dialog, demo_register) -> None:
    saved = dialog.backup_now()
    with demo_register.transaction():
        demo_register.people.add(Person(None, "恢复后消失", PersonKind.STAFF))
    dialog.table.selectRow(0)
    assert dialog.restore_selected()
    assert dialog.restored and dialog.result() == QDialog.DialogCode.Accepted
    assert any("替换当前备案库" in text for text in dialog.exec_box.texts)
    assert any("安全副本" in text or "已恢复" in text for text in dialog.exec_box.texts)
    with Register.open(demo_register.path, auto_backup=False) as reopened:
        assert reopened.people.find("恢复后消失") == []
        assert saved is not None and saved.name in reopened.meta("last_restore")
    kinds = [b.kind for b in backups.list_backups(demo_register.path)]
    assert "pre-restore" in kinds


def test_restore_is_not_done_when_the_clerk_cancels(dialog, demo_register) -> None:
    dialog.backup_now()
    with demo_register.transaction():
        demo_register.people.add(Person(None, "保留", PersonKind.STAFF))
    dialog.exec_box.answer = QMessageBox.StandardButton.Cancel
    assert not dialog.restore_selected()
    assert not dialog.restored
    assert len(demo_register.people.find("保留")) == 1


def test_restore_from_a_broken_file_says_why(dialog, tmp_path: Path) -> None:
    broken = tmp_path / "broken.nmdesk"
    broken.write_text("不是备份", encoding="utf-8")
    dialog.choose_file = lambda *a, **k: str(broken)  # type: ignore[method-assign]
    assert not dialog.restore_from_file()
    assert "不是 SQLite" in dialog.exec_box.texts[-1]
    assert not dialog.restored


def test_verify_reports_a_clean_register_and_then_a_tampered_one(dialog, demo_register) -> None:
    assert "校验通过" in dialog.verify()
    conn = sqlite3.connect(demo_register.path)
    conn.execute("UPDATE people SET name = '改' WHERE id = 2")
    conn.commit()
    conn.close()
    report = dialog.verify()
    assert "校验未通过" in report and "people #2" in report
    assert report in dialog.report.toPlainText()


def test_export_audit_trail_for_an_inspection(dialog, tmp_path: Path) -> None:
    target = tmp_path / "inspection"
    dialog.choose_file = lambda *a, **k: str(target)  # type: ignore[method-assign]
    written = dialog.export_audit()
    assert written == target.with_suffix(".xlsx") and written.exists()
    book = openpyxl.load_workbook(written, read_only=True)
    assert book.sheetnames == ["审计记录", "校验结果"]
    assert "已导出" in dialog.exec_box.texts[-1]


def test_main_window_menu_verifies_and_opens_the_dialog(
    qtbot, demo_register, settings, monkeypatch
) -> None:
    window = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(window)
    shown: list[str] = []
    window.exec_dialog = lambda box: shown.append(getattr(box, "text", lambda: "")()) or 0  # type: ignore[method-assign]
    window.act_verify.trigger()
    assert shown and "校验通过" in shown[-1]
    opened: list[BackupDialog] = []

    def fake_run(dialog: QDialog, select_id: int | None = None) -> bool:
        opened.append(dialog)
        dialog.restored = True
        return True

    switched: list[str] = []
    window.run_dialog = fake_run  # type: ignore[method-assign]
    window.switch_to = lambda path, create: switched.append(path)  # type: ignore[method-assign]
    window.act_backup.trigger()
    assert isinstance(opened[0], BackupDialog)
    assert switched == [str(demo_register.path)]
    assert window.act_audit_export.text() == "导出审计记录…"


HOLDER = """
import sys
from nmdesk.store import Register
register = Register.open(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
register.close()
"""


def test_a_second_instance_shows_a_read_only_banner(qtbot, demo_path: Path, settings) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(demo_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        register = Register.open(demo_path)
        assert register.read_only
        window = MainWindow(register, settings=settings, owns_register=True)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        banner = window.findChild(QLabel, "readOnlyBanner")
        assert banner is not None and banner.isVisible()
        assert "正由另一个 nmdesk 使用" in banner.text() and "当前为只读" in banner.text()
        assert str(holder.pid) in banner.text()
        assert window.windowTitle().endswith("只读")
        dlg = BackupDialog(register, parent=window)
        qtbot.addWidget(dlg)
        assert not dlg.restore_button.isEnabled()
        assert dlg.backup_button.isEnabled()  # a read-only instance can still take a copy
        window.close()
    finally:
        holder.communicate("\n", timeout=60)


def test_uncaught_errors_become_one_message(monkeypatch) -> None:
    import sys as system

    import ui.safety.data_safety as data_safety

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(data_safety, "show_fatal", lambda title, text: shown.append((title, text)))
    monkeypatch.setattr(system, "excepthook", lambda *args: None)
    data_safety.install_error_hook()
    hook = system.excepthook
    malformed = sqlite3.DatabaseError("database disk image is malformed")
    malformed.sqlite_errorcode = sqlite3.SQLITE_CORRUPT  # type: ignore[attr-defined]
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
    hook(sqlite3.DatabaseError, malformed, None)  # chosen by code, not by the English text
    hook(sqlite3.OperationalError, full, None)
    hook(ValueError, ValueError("boom"), None)
    texts = [text for _title, text in shown]
    assert "已损坏" in texts[0] and "恢复" in texts[0]
    assert "磁盘已满" in texts[1]
    assert "程序错误" in texts[2] and "ValueError: boom" in texts[2]
    assert "Traceback" not in "".join(texts)


def finished(qtbot, window: MainWindow) -> None:
    """Wait for the background backup thread, then for its signal to be delivered."""
    qtbot.waitUntil(lambda: not window.daily_backup.thread.is_alive(), timeout=20_000)
    qtbot.wait(50)


def test_the_days_backup_is_taken_after_the_window_opens(qtbot, demo_path, settings) -> None:
    register = Register.open(demo_path, actor="tester", auto_backup=False)
    for info in backups.list_backups(demo_path):
        info.path.unlink()
    window = MainWindow(register, settings=settings, owns_register=True)
    qtbot.addWidget(window)
    assert backups.list_backups(demo_path) == []  # opening did not wait for a copy
    window.start_daily_backup()
    finished(qtbot, window)
    assert "今天的自动备份已保存" in window.statusBar().currentMessage()
    taken = backups.list_backups(demo_path)
    assert {b.kind for b in taken} == {"daily", "monthly"}
    copy = backups.check_backup(taken[0].path)
    assert copy.accounts == register.accounts.count()
    window.statusBar().clearMessage()
    window.start_daily_backup()
    finished(qtbot, window)
    assert window.statusBar().currentMessage() == ""  # once a day: nothing to say
    assert len(backups.list_backups(demo_path)) == 2
    window.close()


def test_a_failed_daily_backup_is_reported_in_the_status_bar(
    qtbot, demo_path, settings, monkeypatch
) -> None:
    register = Register.open(demo_path, actor="tester", auto_backup=False)
    for info in backups.list_backups(demo_path):
        info.path.unlink()

    def full_disk(source, target, register_path=None):  # type: ignore[no-untyped-def]
        raise backups.RegisterError(f"无法写入备份 {target}：磁盘已满")

    monkeypatch.setattr(backups, "write_backup", full_disk)
    window = MainWindow(register, settings=settings, owns_register=True)
    qtbot.addWidget(window)
    window.start_daily_backup()
    finished(qtbot, window)
    qtbot.waitUntil(lambda: "今天的自动备份未完成" in window.statusBar().currentMessage())
    assert "磁盘已满" in window.statusBar().currentMessage()
    window.close()


def test_unlock_takes_over_a_register_left_locked_by_another_computer(
    qtbot, demo_path, settings, monkeypatch
) -> None:
    """文件 → 解除占用…: the banner names the way out; after a confirmation the window
    opens the register afresh, now able to write."""
    import json

    from nmdesk.store import locking

    info = {"pid": 4242, "host": "另一台电脑", "since": "2026-12-01T09:00:00", "user": "李"}
    locking.lock_path(demo_path).write_text(json.dumps(info, ensure_ascii=False), "utf-8")
    register = Register.open(demo_path, actor="tester", auto_backup=False)
    window = MainWindow(register, settings=settings, owns_register=True)
    qtbot.addWidget(window)
    assert register.read_only and "解除占用" in register.read_only_message
    file_menu = window.menuBar().actions()[0].menu()
    assert window.act_unlock in file_menu.actions()
    refused = Boxes(QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(window, "exec_dialog", refused)
    switched: list[str] = []
    monkeypatch.setattr(window, "switch_to", lambda path, create: switched.append(path))
    window.act_unlock.trigger()
    assert "另一台电脑" in refused.texts[0] and locking.lock_path(demo_path).exists()
    assert switched == []
    monkeypatch.setattr(window, "exec_dialog", Boxes())
    window.act_unlock.trigger()
    assert not locking.lock_path(demo_path).exists() and switched == [str(demo_path)]
    window.close()
    with Register.open(demo_path, auto_backup=False) as reopened:
        assert not reopened.read_only
