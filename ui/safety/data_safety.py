"""Backups, restore, verification and the audit-trail export, for the main window.

``BackupDialog`` lists the register's backups and offers 立即备份, restore from
the selected backup or from a file, 校验备案库 and 导出审计记录. The main
window reaches it through its ``backup_register`` hook and calls
``verify_register`` and ``export_audit_trail`` from its menu. Every message box
and file dialog goes through a method tests replace (``ModalHost.exec_dialog``,
``choose_file``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nmdesk.errors import NmdeskError
from nmdesk.store import backup as backups
from nmdesk.store.restore import RestoreResult, restore
from ui.common import file_dialogs
from ui.common.guide import attach_guide
from ui.common.modal_host import ModalHost
from ui.common.register_location import Location, location
from ui.common.register_location import folder as register_folder
from ui.common.tasks import Job, runner
from ui.common.window_fit import fit_to_screen

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


def _tr(text: str) -> str:
    return QCoreApplication.translate("DataSafety", text)


def read_only_banner(message: str) -> QLabel:
    """A red bar for the top of the main window: another nmdesk holds the register."""
    banner = QLabel(message)
    banner.setObjectName("readOnlyBanner")
    banner.setWordWrap(True)
    banner.setStyleSheet("color: white; background: #c81e1e; padding: 6px 10px; font-weight: bold;")
    return banner


class BackupDialog(ModalHost, QDialog):
    """备份与恢复: the backup list and the data-safety actions of one register."""

    def __init__(self, register: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        attach_guide(self, "backup")
        self.register = register
        self.restored = False
        self.last_report = ""
        self.job: Job[Any] | None = None  # backup or verification under way (tests wait)
        self.setWindowTitle(self.tr("备份与恢复 — {0}").format(register.path.name))
        fit_to_screen(self, QSize(760, 520), "backup")

        intro = QLabel(
            self.tr(
                "备案库每天首次打开时自动备份（保留最近 7 天和最近 12 个月），"
                "升级数据版本前也会先备份。备份位于：{0}"
            ).format(backups.backups_dir(register.path))
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table = QTableWidget(0, 3)
        self.table.setObjectName("backupList")
        self.table.setHorizontalHeaderLabels([self.tr("时间"), self.tr("类型"), self.tr("大小")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.report = QPlainTextEdit()
        self.report.setObjectName("safetyReport")
        self.report.setReadOnly(True)
        self.report.setMaximumHeight(140)
        self.report.setPlaceholderText(self.tr("校验结果显示在这里"))

        self.backup_button = QPushButton(self.tr("立即备份"))
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton(self.tr("从所选备份恢复…"))
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button = QPushButton(self.tr("从文件恢复…"))
        self.restore_file_button.clicked.connect(self.restore_from_file)
        self.verify_button = QPushButton(self.tr("校验备案库"))
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton(self.tr("导出审计记录…"))
        self.export_button.clicked.connect(self.export_audit)
        if register.read_only:
            for button in (self.restore_button, self.restore_file_button):
                button.setEnabled(False)
                button.setToolTip(register.read_only_message)

        actions = QHBoxLayout()
        for button in (
            self.backup_button,
            self.restore_button,
            self.restore_file_button,
            self.verify_button,
            self.export_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        close = QDialogButtonBox()
        close.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.report)
        layout.addWidget(close)
        self.reload()

    # -- the places tests replace ---------------------------------------------------------

    def choose_file(self, title: str, pattern: str, save: bool = False) -> str:
        folder = str(self.register.path.parent)
        if save:
            return file_dialogs.save_file_name(self, title, folder, pattern)
        return file_dialogs.open_file_name(self, title, folder, pattern)

    # -- actions -----------------------------------------------------------------------

    def reload(self) -> None:
        self.found = backups.list_backups(self.register.path)
        self.table.setRowCount(len(self.found))
        for row, info in enumerate(self.found):
            values = (
                f"{info.taken_at:%Y-%m-%d %H:%M:%S}",
                info.kind_name,
                f"{info.size / 1048576:.1f} MB",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(str(info.path))
                self.table.setItem(row, column, item)
        if self.found:
            self.table.selectRow(0)

    def backup_now(self) -> Job[Path]:
        """A manual backup, copied on the register worker through its own connection."""

        def copied(target: Path) -> None:
            self.reload()
            self.report.setPlainText(self.tr("已备份到：{0}").format(target))

        self.job = runner().with_progress(
            lambda job: job.register.backup(),
            self.tr("正在备份…"),
            self,
            cancellable=False,
            register_path=location(self.register),
            actor=self.register.actor,
            on_done=copied,
            on_failed=self.show_error,
        )
        return self.job

    def selected_backup(self) -> Path | None:
        rows = self.table.selectionModel().selectedRows()
        return self.found[rows[0].row()].path if rows else None

    def restore_selected(self) -> bool:
        backup = self.selected_backup()
        if backup is None:
            self.report.setPlainText(self.tr("请先在列表中选择一个备份"))
            return False
        return self.restore(backup)

    def restore_from_file(self) -> bool:
        chosen = self.choose_file(
            self.tr("选择备份文件"), self.tr("nmdesk 备案库或备份 (*.nmdesk);;所有文件 (*)")
        )
        return self.restore(Path(chosen)) if chosen else False

    def restore(self, backup: Path) -> bool:
        """Check the backup, confirm, then keep a safety copy and restore on the register
        worker; True when the restore was started. The window then reopens."""
        try:
            checked = backups.check_backup(backup)
        except NmdeskError as error:
            self.show_error(error)
            return False
        question = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("从备份恢复"),
            self.tr(
                "用备份 {0}（{1} 个账号，{2} 条审计记录）替换当前备案库？\n\n"
                "当前备案库会先保存为一份安全副本，之后仍可恢复。"
            ).format(backup.name, checked.accounts, checked.audit_entries),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        question.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if self.exec_dialog(question) != QMessageBox.StandardButton.Yes:
            return False
        path, actor = self.register.path, self.register.actor

        def restored(result: RestoreResult) -> None:
            self.restored = True
            safety = result.safety_copy.name if result.safety_copy else self.tr("（无）")
            self.show_message(
                self.tr("已恢复"),
                self.tr(
                    "已从 {0} 恢复备案库。恢复前的备案库已保存为 {1}。窗口将重新打开备案库。"
                ).format(backup.name, safety),
            )
            self.accept()

        # On the register worker, after its reading connection to the file is closed:
        # nothing of this process reads the file there while it is replaced.
        runner().release(path)
        self.job = runner().with_progress(
            lambda job: restore(path, backup, actor=actor),
            self.tr("正在恢复…"),
            self,
            cancellable=False,
            on_done=restored,
            on_failed=self.show_error,
        )
        return True

    def verify(self) -> Job[str]:
        """Check the register on the register worker; the report fills in when done."""

        def checked(report: str) -> None:
            self.last_report = report
            self.report.setPlainText(report)

        self.job = start_verify(self, self.register.path, checked)
        return self.job

    def export_audit(self) -> Job[int] | None:
        return export_audit_trail(self.register, self, chooser=self.choose_file)


class DailyBackup(QObject):
    """The day's automatic backup, taken on the task runner's register worker once the
    window is open: copying a large register takes a while, which the window does not
    wait for. ``finished`` carries the status-bar sentence (empty when today's copy
    existed)."""

    finished = Signal(str)

    def __init__(self, register_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.register_path = register_path
        self.job: Job[str] | None = None

    def start(self) -> None:
        self.job = runner().run(
            self._take,
            register_path=self.register_path,
            on_done=self.finished.emit,
            on_failed=self.finished.emit,
            owner=self,
        )

    @staticmethod
    def _take(job: Job[str]) -> str:
        """On the register worker: the copy through a read-only connection of its own."""
        assert job.register_path is not None
        try:
            made = backups.take_daily_backup(Path(job.register_path))
        except NmdeskError as exc:
            return _tr("今天的自动备份未完成：{0}").format(exc)
        except Exception as exc:  # reported in the status bar, never a silent failure
            return _tr("今天的自动备份未完成：{0}").format(backups.backup_failure(exc))
        return _tr("今天的自动备份已保存：{0}").format(made[0].name) if made else ""


def start_verify(
    host: ModalHost, register_path: Location, on_done: Callable[[str], None]
) -> Job[str]:
    """Integrity check and audit verification on the register worker (a read-only
    connection of its own) behind a progress dialog; ``on_done`` gets the report's text."""

    def work(job: Job[str]) -> str:
        return "\n".join(job.register.verify().lines())

    return runner().with_progress(
        work,
        _tr("正在校验备案库…"),
        cast(QWidget, host),
        cancellable=False,
        register_path=register_path,
        read_only=True,
        on_done=on_done,
        on_failed=host.show_error,
    )


def unlock_register(register: Register, parent: QWidget, run: Callable[[QDialog], int]) -> bool:
    """Ask, then remove a lock left by an nmdesk that no longer runs; True when removed."""
    from nmdesk.store import locking

    holder = register.lock_holder
    if not register.read_only or holder is None or holder.note:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            _tr("解除占用"),
            _tr("本窗口可以修改备案库 {0}，没有需要解除的占用。").format(register.path.name),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        run(box)
        return False
    question = QMessageBox(
        QMessageBox.Icon.Warning,
        _tr("解除占用"),
        _tr(
            "备案库 {0} 正被占用：{1}。\n\n只有确认那台电脑上的 nmdesk 已经关闭时才能解除占用，"
            "否则两边的修改可能互相覆盖。确定解除占用并接管吗？"
        ).format(register.path.name, holder.describe()),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        parent,
    )
    question.setDefaultButton(QMessageBox.StandardButton.Cancel)
    if run(question) != QMessageBox.StandardButton.Yes.value:
        return False
    try:
        locking.force_unlock(register.path)
    except NmdeskError as error:
        failed = QMessageBox(
            QMessageBox.Icon.Warning,
            _tr("解除占用"),
            str(error),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        run(failed)
        return False
    return True


def export_audit_trail(
    register: Register,
    parent: ModalHost,
    *,
    chooser: object = None,
) -> Job[int] | None:
    """Ask for a file, then write the audit trail there (CSV or xlsx) for an inspection
    on the register worker; the outcome is told through the window's ``ModalHost``.
    None when the clerk chose no file."""
    from nmdesk.audit_export import export_audit

    def default_chooser(title: str, pattern: str, save: bool = False) -> str:
        folder = str(register_folder(register))
        return file_dialogs.save_file_name(cast(QWidget, parent), title, folder, pattern)

    choose = chooser if callable(chooser) else default_chooser
    chosen = choose(
        _tr("导出审计记录"),
        _tr("Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)"),
        save=True,
    )
    if not chosen:
        return None
    target = Path(chosen)
    if target.suffix.lower() not in (".xlsx", ".csv"):
        target = target.with_suffix(".xlsx")

    def exported(count: int) -> None:
        parent.show_message(_tr("已导出"), _tr("已导出 {0} 条审计记录到 {1}").format(count, target))

    return runner().with_progress(
        lambda job: export_audit(job.register, target),
        _tr("正在导出审计记录…"),
        cast(QWidget, parent),
        cancellable=False,
        register_path=location(register),
        read_only=True,
        on_done=exported,
        on_failed=lambda sentence: parent.show_error(sentence, _tr("无法导出")),
    )


# -- errors nobody caught ---------------------------------------------------------------


def show_fatal(title: str, text: str) -> None:
    """A modal error box outside any window; tests replace this."""
    QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok).exec()


def error_hook_message(error: BaseException) -> str:
    """What the clerk reads when an action failed without a handler of its own."""
    from nmdesk.store import error_message

    if isinstance(error, NmdeskError):
        return str(error)
    message = error_message(error)
    if message is not None:
        return message
    return _tr(
        "出现了程序错误，这一步操作没有完成：{0}\n已保存到备案库的内容不受影响。"
        "请把这条信息告诉维护人员。"
    ).format(f"{type(error).__name__}: {error}")


def install_error_hook() -> None:
    """Show an uncaught error as one message box (the traceback still goes to stderr)."""
    import sys

    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, trace: object) -> None:
        if not isinstance(error, NmdeskError):
            previous(kind, error, trace)  # type: ignore[arg-type]
        if isinstance(error, KeyboardInterrupt):
            return
        show_fatal(_tr("无法完成操作"), error_hook_message(error))

    sys.excepthook = hook
