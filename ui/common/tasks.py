"""The one task runner of the UI, after Anki's ``qt/aqt/taskman.py``.

Every background job goes through ``runner()``:

- Jobs that touch the register run one at a time on **the register worker**, a
  single thread. A SQLite connection belongs to the thread that opened it, so a
  job's register (``Job.register``) is opened on that thread when the job first
  asks for it and closed when the job ends; the worker's reading connection
  (``Job.reader``, read-only) stays open between jobs for the frequent small
  reads (the table's id lists) and is closed by ``release(path)``. A second job
  waits until the first has ended.
- Jobs that do not touch the register (the warm-up) run on a small pool beside it.
- Results, errors, cancellation and progress are handed back to the main thread
  through one queued Qt signal; every callback runs there.
- ``with_progress`` adds a cancellable progress dialog (``clerk_job``: one on the
  clerk's register, as the clerk, its failure and cancel told alike). Cancel only sets the job's
  flag; the job's own code sees it (``cancelled()``, ``proceed()``), raises its
  cancellation error, its one transaction rolls back, and the register stays exactly
  as it was.

No nested event loops: a caller starts a job and returns; the callbacks carry on.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from nmdesk.errors import NmdeskError
from ui.common.register_location import Location, as_location, location

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

T = TypeVar("T")
Closure = Callable[[], None]


def tr(text: str) -> str:
    return QCoreApplication.translate("tasks", text)


class JobCancelled(NmdeskError):
    """Raised inside a job when the clerk pressed Cancel."""

    def __init__(self) -> None:
        super().__init__(tr("已取消，备案库未作改动"))


def error_sentence(error: BaseException) -> str:
    """One Chinese sentence for a job that failed: the clerk's own mistake as it reads,
    a file or disk problem by its SQLite code, anything else as a program error."""
    if isinstance(error, NmdeskError):
        return str(error)
    from nmdesk.store import error_message

    message = error_message(error)
    if message is not None:
        return message
    return tr("出现了程序错误，操作没有完成，备案库未作改动（{0}）").format(
        f"{type(error).__name__}: {error}"
    )


class Job(QObject, Generic[T]):
    """One piece of background work and what it reports, all on the main thread:
    ``progressed(done, total, text)``, then exactly one of ``succeeded(result)``,
    ``failed(sentence)`` or ``aborted(sentence)`` (cancelled), then ``ended()``.

    The work function receives the job and calls, on the worker thread,
    ``job.register`` / ``job.reader``, ``job.progress(...)`` (or ``job.proceed``) and
    ``job.cancelled()``.
    """

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    aborted = Signal(str)
    ended = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        work: Callable[[Job[T]], T],
        *,
        register_path: Location | None,
        actor: str | None,
        read_only: bool,
    ) -> None:
        super().__init__()  # kept alive by the runner's list while it runs
        self._runner = runner
        self.work = work
        self.register_path = as_location(register_path) if register_path is not None else None
        self.actor = actor
        self.read_only = read_only
        self._cancel = threading.Event()
        self._register: Register | None = None
        self._progress_lock = threading.Lock()
        self._pending_progress: tuple[int, int, str] | None = None
        # what happened, for callers and tests (set on the main thread)
        self.done = False
        self.result: T | None = None
        self.error: str | None = None
        self.was_cancelled = False
        self.future: Future[None] | None = None
        self.dialog: ProgressDialog | None = None
        self.orphaned = False  # its window was destroyed: no callbacks

    # -- the main thread -------------------------------------------------------------

    def cancel(self) -> None:
        """Ask the job to stop; it stops at its next check and rolls back."""
        self._cancel.set()

    # -- the worker thread -----------------------------------------------------------

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled()

    def progress(self, done: int, total: int, text: str = "") -> None:
        """Report progress. Updates are merged: the dialog shows the latest."""
        with self._progress_lock:
            post = self._pending_progress is None
            self._pending_progress = (done, total, text)
        if post:
            self._runner.run_on_main(self._deliver_progress)

    def proceed(self, done: int, total: int, text: str = "") -> bool:
        """``progress``, then whether to go on: False once the clerk has cancelled (the
        form and publish code take a progress callback that answers so)."""
        self.progress(done, total, text)
        return not self._cancel.is_set()

    @property
    def register(self) -> Register:
        """The job's own register, opened on the worker thread (writable unless the job
        was started ``read_only``); closed when the job ends."""
        if self._register is None:
            from nmdesk.store import open_register

            if self.register_path is None:
                raise RuntimeError("this job was started without a register")
            self._register = open_register(
                self.register_path,
                actor=self.actor,
                read_only=self.read_only,
                auto_backup=False,
            )
        return self._register

    @property
    def reader(self) -> Register:
        """The register worker's read-only connection, kept open between jobs."""
        if self.register_path is None:
            raise RuntimeError("this job was started without a register")
        return self._runner._reader(self.register_path)

    def _run(self) -> None:
        outcome: Closure
        try:
            result = self.work(self)
        except BaseException as error:  # handed back, never lost on the worker
            if self._cancel.is_set():  # the job's own words (导入已取消…) when it has them
                said = str(error) if isinstance(error, NmdeskError) else JobCancelled().message
                outcome = lambda: self._deliver_cancelled(said)  # noqa: E731
            else:
                if not isinstance(error, NmdeskError):
                    traceback.print_exception(error, file=sys.stderr)  # a bug: keep the trace
                sentence = error_sentence(error)
                outcome = lambda: self._deliver_failed(sentence)  # noqa: E731
        else:
            outcome = lambda: self._deliver_succeeded(result)  # noqa: E731
        finally:
            if self._register is not None:
                try:
                    self._register.close()  # on the thread that opened it
                except Exception as error:  # the outcome is still handed back
                    traceback.print_exception(error, file=sys.stderr)
                self._register = None
        self._runner.run_on_main(outcome)

    # -- handed back on the main thread ----------------------------------------------

    def _orphan(self) -> None:
        """The window that asked for the job is gone: stop, and call nobody back."""
        self._cancel.set()
        self.orphaned = True

    def _deliver_progress(self) -> None:
        with self._progress_lock:
            update, self._pending_progress = self._pending_progress, None
        if update is not None and not self.done and not self.orphaned:
            self.progressed.emit(*update)

    def _deliver_succeeded(self, result: T) -> None:
        self._deliver_progress()
        self.done, self.result = True, result
        self._runner._forget(self)  # its window may start the next job in the callback
        if not self.orphaned:
            self.succeeded.emit(result)
        self._end()

    def _deliver_failed(self, sentence: str) -> None:
        self._deliver_progress()
        self.done, self.error = True, sentence
        self._runner._forget(self)
        if not self.orphaned:
            self.failed.emit(sentence)
        self._end()

    def _deliver_cancelled(self, sentence: str) -> None:
        self._deliver_progress()
        self.done, self.was_cancelled, self.error = True, True, sentence
        self._runner._forget(self)
        if not self.orphaned:
            self.aborted.emit(sentence)
        self._end()

    def _end(self) -> None:
        self.ended.emit()


class TaskRunner(QObject):
    """One register worker, a pool for other work, and the hand-back to the main thread."""

    _closures_pending = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._register_worker = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="nmdesk-register"
        )
        self._other_workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="nmdesk-work")
        self._closures: list[Closure] = []
        self._closures_lock = threading.Lock()
        self._readers: dict[Location, Register] = {}  # used on the register worker only
        self._jobs: list[Job[Any]] = []
        # queued: the slot runs on this object's (the main) thread
        self._closures_pending.connect(
            self._on_closures_pending, Qt.ConnectionType.QueuedConnection
        )

    # -- starting jobs ---------------------------------------------------------------

    def run(
        self,
        work: Callable[[Job[T]], T],
        *,
        register_path: Location | None = None,
        actor: str | None = None,
        read_only: bool = False,
        uses_register: bool = True,
        on_done: Callable[[T], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
        on_cancelled: Callable[[str], None] | None = None,
        owner: QObject | None = None,
    ) -> Job[T]:
        """Start ``work(job)`` in the background and return at once; the callbacks run on
        the main thread. Register jobs run one at a time on the register worker. When
        ``owner`` (the window that asked) is destroyed first, the job is cancelled and its
        callbacks are not called."""
        job: Job[T] = Job(self, work, register_path=register_path, actor=actor, read_only=read_only)
        if owner is not None:
            owner.destroyed.connect(job._orphan)
        if on_done is not None:
            job.succeeded.connect(on_done)
        if on_failed is not None:
            job.failed.connect(on_failed)
        if on_cancelled is not None:
            job.aborted.connect(on_cancelled)
        self._jobs.append(job)
        executor = self._register_worker if uses_register else self._other_workers
        job.future = executor.submit(job._run)
        return job

    def with_progress(
        self,
        work: Callable[[Job[T]], T],
        label: str,
        parent: QWidget | None,
        *,
        title: str | None = None,
        cancellable: bool = True,
        **options: Any,
    ) -> Job[T]:
        """``run`` behind a cancellable progress dialog (window-modal over ``parent``).

        A window runs one such job at a time: asked again while its job runs (a second
        click before the dialog shows), this starts nothing and returns the running job."""
        for running in self._jobs:
            dialog = running.dialog
            if running.done or running.orphaned or dialog is None:
                continue
            if not shiboken6.isValid(dialog):
                continue
            if parent is not None and dialog.parentWidget() is parent:
                return running
        options.setdefault("owner", parent)
        job = self.run(work, **options)
        job.dialog = ProgressDialog(job, label, parent, title=title, cancellable=cancellable)
        return job

    def release(self, register_path: Location) -> None:
        """Close the worker's reading connection to ``register_path`` (its window closed)."""
        path = as_location(register_path)
        self._register_worker.submit(self._close_reader, path)

    def run_on_main(self, closure: Closure) -> None:
        """Run ``closure`` on the main thread (from any thread)."""
        with self._closures_lock:
            self._closures.append(closure)
        self._closures_pending.emit()

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()

    # -- internals -------------------------------------------------------------------

    def _on_closures_pending(self) -> None:
        with self._closures_lock:
            closures, self._closures = self._closures, []
        for closure in closures:
            try:
                closure()
            except Exception as error:  # one failing callback must not swallow the others
                sys.excepthook(type(error), error, error.__traceback__)

    def _forget(self, job: Job[Any]) -> None:
        if job in self._jobs:
            self._jobs.remove(job)

    def _reader(self, path: Location) -> Register:
        register = self._readers.get(path)
        if register is None or register.closed:
            from nmdesk.store import open_register

            register = open_register(path, read_only=True, auto_backup=False)
            self._readers[path] = register
        return register

    def _close_reader(self, path: Location) -> None:
        register = self._readers.pop(path, None)
        if register is not None:
            register.close()


class ProgressDialog(QProgressDialog):
    """A job's progress, with 取消: shown after 0.3 s, closed when the job ends."""

    def __init__(
        self,
        job: Job[Any],
        label: str,
        parent: QWidget | None,
        *,
        title: str | None = None,
        cancellable: bool = True,
    ) -> None:
        super().__init__(label, tr("取消"), 0, 0, parent)
        if not cancellable:  # one SQLite call that cannot stop half-way (a backup copy)
            self.setCancelButton(None)
        self.setObjectName("taskProgress")
        self.job = job
        self.setWindowTitle(title or tr("请稍候"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(300)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.canceled.connect(self._cancel)
        job.progressed.connect(self._show_progress)
        job.ended.connect(self._job_ended)

    def _cancel(self) -> None:
        self.job.cancel()
        self.setLabelText(tr("正在取消…"))

    def _show_progress(self, done: int, total: int, text: str) -> None:
        if self.job.cancelled():
            return
        if text:
            self.setLabelText(text)
        self.setMaximum(max(total, 1))
        self.setValue(min(done, max(total, 1)))

    def _job_ended(self) -> None:
        self.close()
        self.deleteLater()


def runner() -> TaskRunner:
    """The application's task runner (one per QApplication, made on first use)."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("the task runner needs a QApplication")
    found = app.findChild(TaskRunner, "nmdeskTasks")
    if found is None:
        found = TaskRunner(app)
        found.setObjectName("nmdeskTasks")
        app.aboutToQuit.connect(found.cancel_all)
    return found


def clerk_job(
    register: Register,
    work: Callable[[Job[T]], T],
    label: str,
    parent: QWidget | None,
    *,
    on_done: Callable[[T], None],
    refused: Callable[[str], None],
    **options: Any,
) -> Job[T]:
    """``with_progress`` for work on ``register`` as its clerk (``job.register`` is that
    file, written as ``register.actor``): a failure and a cancel both hand their
    sentence to ``refused``."""
    return runner().with_progress(
        work,
        label,
        parent,
        register_path=location(register),
        actor=register.actor,
        on_done=on_done,
        on_failed=refused,
        on_cancelled=refused,
        **options,
    )
