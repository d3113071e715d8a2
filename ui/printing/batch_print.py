"""Long PDF jobs on a worker thread: batch print (one form for many accounts into one
PDF) and the register's ledger.

The worker opens its own ``Register`` on the same file (a sqlite connection
belongs to its thread), reports progress per account, and stops when the clerk
presses Cancel; a cancelled job leaves no file behind.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from nmdesk.errors import NmdeskError
from nmdesk.forms import FORM_NAMES, Cancelled, render_form
from nmdesk.forms.batch import render_batch

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


Work = Callable[["Register", Callable[[int, int], bool]], Path]


class RenderJob(QObject):
    """Runs ``work(register, progress)`` in a QThread on its own Register; emits progress,
    then exactly one of ``finished(path)``, ``failed(message)`` or ``cancelled()``."""

    progress = Signal(int, int)
    finished = Signal(str)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, register_path: Path, work: Work) -> None:
        super().__init__()
        self.register_path = Path(register_path)
        self.work = work
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, done: int, total: int) -> bool:
        self.progress.emit(done, total)
        return not self._cancel.is_set()

    def run(self) -> None:
        from nmdesk.store import open_register

        try:
            with open_register(self.register_path) as register:
                path = self.work(register, self._progress)
        except Cancelled:
            self.cancelled.emit()
        except NmdeskError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: report it instead of killing the thread silently
            self.failed.emit(f"打印失败：{exc!r}")
        else:
            self.finished.emit(str(path))


class BatchPrintJob(RenderJob):
    """One form for many accounts into one PDF; accounts that cannot have it are skipped."""

    def __init__(self, register_path: Path, form: str, account_ids: list[int], out: Path) -> None:
        self.form = form
        self.account_ids = list(account_ids)
        self.out = Path(out)
        self.skipped: list[tuple[int, str]] = []
        super().__init__(register_path, self._render)

    def _render(self, register: Register, progress: Callable[[int, int], bool]) -> Path:
        return render_batch(
            register, self.form, self.account_ids, self.out, progress=progress, skipped=self.skipped
        )


class _Receiver(QObject):
    """Lives on the UI thread, so the job's signals arrive here queued."""

    def __init__(self, job: RenderJob, dialog: QProgressDialog, loop: QEventLoop) -> None:
        super().__init__()
        self.job = job
        self.dialog = dialog
        self.loop = loop
        self.outcome: dict[str, str] = {}

    @Slot()
    def on_cancel_clicked(self) -> None:
        self.job.cancel()  # a threading.Event: safe from this thread while the job runs

    @Slot(int, int)
    def on_progress(self, done: int, total: int) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)

    @Slot(str)
    def on_finished(self, path: str) -> None:
        self.outcome["finished"] = path

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self.outcome["failed"] = message

    @Slot()
    def on_cancelled(self) -> None:
        self.outcome["cancelled"] = ""

    @Slot()
    def on_thread_done(self) -> None:
        self.loop.quit()


def run_job(parent: QWidget | None, job: RenderJob, text: str) -> Path | None:
    """Run the job on a worker thread behind a cancellable progress dialog.

    Returns the PDF's path, or None when cancelled. Raises NmdeskError on failure.
    """
    dialog = QProgressDialog(text, QProgressDialog.tr("取消"), 0, 0, parent)
    dialog.setWindowTitle(QProgressDialog.tr("正在生成 PDF"))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    loop = QEventLoop()
    receiver = _Receiver(job, dialog, loop)
    dialog.canceled.connect(receiver.on_cancel_clicked)
    job.progress.connect(receiver.on_progress)
    job.finished.connect(receiver.on_finished)
    job.failed.connect(receiver.on_failed)
    job.cancelled.connect(receiver.on_cancelled)
    thread = QThread()
    job.moveToThread(thread)
    thread.started.connect(job.run)
    for signal in (job.finished, job.failed, job.cancelled):
        signal.connect(thread.quit)
    thread.finished.connect(receiver.on_thread_done)
    thread.start()
    loop.exec()
    thread.wait()
    dialog.close()
    dialog.deleteLater()
    outcome = receiver.outcome
    if "failed" in outcome:
        raise NmdeskError(outcome["failed"])
    if "finished" in outcome:
        return Path(outcome["finished"])
    return None


def run_batch(
    parent: QWidget | None,
    register_path: Path,
    form: str,
    account_ids: list[int],
    out: Path,
    skipped: list[tuple[int, str]] | None = None,
) -> Path | None:
    """Print ``form`` for every account into ``out`` with a cancellable progress dialog.

    Returns the PDF's path, or None when cancelled. Raises NmdeskError on failure.
    Accounts whose form cannot be made are left out and listed in ``skipped``.
    """
    if not account_ids:
        raise NmdeskError("没有要打印的账号")
    job = BatchPrintJob(register_path, form, account_ids, out)
    text = QProgressDialog.tr("正在生成 {0} 个账号的表单…").format(len(account_ids))
    try:
        return run_job(parent, job, text)
    finally:
        if skipped is not None:
            skipped.extend(job.skipped)


def run_render(
    parent: QWidget | None,
    register_path: Path,
    form: str,
    account_id: int | None,
    out: Path,
    *,
    blank: bool = False,
) -> Path | None:
    """One form (e.g. the whole register's ledger) made on a worker thread."""

    def work(register: Register, progress: Callable[[int, int], bool]) -> Path:
        return render_form(register, form, account_id, out, blank=blank, progress=progress)

    text = QProgressDialog.tr("正在生成{0}…").format(FORM_NAMES[form])
    return run_job(parent, RenderJob(register_path, work), text)
