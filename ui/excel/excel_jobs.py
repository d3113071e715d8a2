"""Import and export on a worker thread, behind a progress dialog with a cancel button.

A worker opens its own ``Register`` on the same path (a SQLite connection
belongs to its thread). A cancelled or failed import rolls back inside
``commit_import``, so the register stays as it was; a cancelled export leaves
no file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from nmdesk.errors import NmdeskError


def tr(text: str) -> str:
    return QCoreApplication.translate("excel", text)


class RegisterJob(QThread):
    """Runs ``work(register, progress, cancelled)`` against its own register connection."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        register_path: Path,
        actor: str,
        work: Callable[[Any, Callable[[int, int], None], Callable[[], bool]], Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.register_path = register_path
        self.actor = actor
        self.work = work
        self._cancel = threading.Event()
        self.result: Any = None
        self.error: str | None = None
        self.cancelled = False

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        from nmdesk.store import open_register

        try:
            with open_register(self.register_path, actor=self.actor, auto_backup=False) as register:
                self.result = self.work(register, self.progressed.emit, self._cancel.is_set)
        except NmdeskError as error:
            self.error = str(error)
            self.cancelled = self._cancel.is_set()
            self.failed.emit(self.error)
            return
        except Exception as error:  # a bug: the transaction was rolled back all the same
            self.error = tr("操作失败（{0}），备案库未作改动").format(error)
            self.failed.emit(self.error)
            return
        self.succeeded.emit(self.result)


def run_with_progress(job: RegisterJob, label: str, parent: QWidget | None) -> RegisterJob:
    """Start the job, show a cancellable progress dialog, and wait for the job to end."""
    dialog = QProgressDialog(label, tr("取消"), 0, 0, parent)
    dialog.setWindowTitle(tr("请稍候"))
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def show_progress(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))

    job.progressed.connect(show_progress)
    dialog.canceled.connect(job.cancel)
    loop = QEventLoop()
    job.finished.connect(loop.quit)
    job.start()
    loop.exec()
    job.wait()
    dialog.close()
    dialog.deleteLater()
    return job
