"""Long PDF jobs on the task runner (``ui.common.tasks``): batch print (one form for many
accounts into one PDF) and the register's ledger.

Each job runs on the register worker with that thread's own connection, reports
progress per account behind a cancellable progress dialog, and hands its result
back on the main thread; a cancelled job leaves no file behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from nmdesk.errors import NmdeskError
from nmdesk.forms import FORM_NAMES, render_form
from nmdesk.forms.batch import render_batch
from ui.common.register_location import Location
from ui.common.tasks import Job, runner


def tr(text: str) -> str:
    return QCoreApplication.translate("batch_print", text)


@dataclass
class BatchResult:
    """The batch's PDF, and the accounts left out with why (their form cannot be made)."""

    path: Path
    skipped: list[tuple[int, str]] = field(default_factory=list)


def start_batch(
    parent: QWidget | None,
    register_path: Location,
    form: str,
    account_ids: list[int],
    out: Path,
    **callbacks: Any,
) -> Job[BatchResult]:
    """Print ``form`` for every account into ``out`` on the register worker, behind a
    cancellable progress dialog; ``on_done`` receives a ``BatchResult``. Accounts whose
    form cannot be made are left out and listed in ``skipped``."""
    if not account_ids:
        raise NmdeskError(tr("没有要打印的账号"))
    ids, target = list(account_ids), Path(out)

    def work(job: Job[BatchResult]) -> BatchResult:
        skipped: list[tuple[int, str]] = []
        path = render_batch(job.register, form, ids, target, progress=job.proceed, skipped=skipped)
        return BatchResult(path, skipped)

    text = tr("正在生成 {0} 个账号的表单…").format(len(ids))
    return _start(parent, register_path, work, text, callbacks)


def start_render(
    parent: QWidget | None,
    register_path: Location,
    form: str,
    account_id: int | None,
    out: Path,
    *,
    blank: bool = False,
    **callbacks: Any,
) -> Job[Path]:
    """One form (e.g. the whole register's ledger) made on the register worker;
    ``on_done`` receives the PDF's path."""

    def work(job: Job[Path]) -> Path:
        return render_form(job.register, form, account_id, out, blank=blank, progress=job.proceed)

    text = tr("正在生成{0}…").format(FORM_NAMES[form])
    return _start(parent, register_path, work, text, callbacks)


def _start(
    parent: QWidget | None,
    register_path: Location,
    work: Callable[[Job[Any]], Any],
    text: str,
    callbacks: dict[str, Any],
) -> Job[Any]:
    return runner().with_progress(
        work,
        text,
        parent,
        title=tr("正在生成 PDF"),
        register_path=register_path,
        **callbacks,
    )
