"""Print preview: choose a form, see the PDF (QtPdf), print it or save it as PDF.

The PDF is made by ``nmdesk.forms`` (two labelled copies, embedded fonts). Printing
goes through Qt's print dialog and renders each page with ``QPdfDocument.render``
at no more than 300 dpi. Every sub-dialog runs through ``exec_dialog`` and every
file question through ``choose_save_path`` so that tests can answer them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nmdesk.errors import NmdeskError
from nmdesk.forms import FORM_NAMES, Sheet, default_file_name, form_sheets, write_pdf
from ui.common import file_dialogs
from ui.common.guide import attach_guide
from ui.common.modal_host import ModalHost
from ui.common.register_location import location
from ui.common.tasks import runner, tr
from ui.common.window_fit import fit_to_screen

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register
    from ui.common.tasks import Job
    from ui.printing.batch_print import BatchResult

MAX_PRINT_DPI = 300
LEDGER_INLINE_LIMIT = 400  # a longer ledger is made on a worker thread


def render_pages(document: QPdfDocument, printer: QPrinter, *, dpi: int | None = None) -> int:
    """Paint every page of ``document`` on ``printer``, as images of at most 300 dpi.

    Returns the number of pages printed.
    """
    resolution = min(dpi or printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise NmdeskError("无法连接打印机，请检查打印机设置")
    try:
        for index in range(document.pageCount()):
            if index:
                printer.newPage()
            points = document.pagePointSize(index)
            size = QSize(
                round(points.width() / 72 * resolution), round(points.height() / 72 * resolution)
            )
            image = QImage(size, QImage.Format.Format_RGB32)
            image.fill(QColor("white"))
            page = document.render(index, size)
            with_page = QPainter(image)
            with_page.drawImage(QPointF(0, 0), page)
            with_page.end()
            target = QRectF(painter.viewport())
            scale = min(target.width() / size.width(), target.height() / size.height())
            width, height = size.width() * scale, size.height() * scale
            painter.drawImage(QRectF(0, 0, width, height), image)
    finally:
        painter.end()
    return document.pageCount()


def identity_text(sheets: list[Sheet]) -> str:
    """What identity the sheets carry (serial, version, check code), or why they have none."""
    trace = sheets[0].trace if sheets else None
    if trace is None:
        return ""
    text = ""
    if trace.check_code:
        text = tr("校验码 {0}（{1}）。").format(trace.check_code, trace.version)
    if trace.note:
        text += tr("提示：{0}").format(trace.note)
    return text


class PrintPreviewDialog(ModalHost, QDialog):
    """Preview of one form for the account (or blank), with Print and Save as PDF."""

    def __init__(
        self,
        register: Register,
        account_id: int | None = None,
        *,
        account_ids: list[int] | None = None,
        form: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        attach_guide(self, "printing")
        self.register = register
        self.account_id = account_id
        self.account_ids = list(account_ids or [])
        self.pdf_path: Path | None = None
        self.job: Job[Any] | None = None  # the PDF being made on the register worker
        self._identity = ""  # what identity the sheets being made carry
        self._made_count = 0  # PDFs asked for; only the newest is shown
        self._last_form = ""
        self._tmp = tempfile.TemporaryDirectory(prefix="nmdesk-print-")
        self.setWindowTitle(self.tr("打印预览"))
        fit_to_screen(self, QSize(860, 960), "print_preview")

        self.form_box = QComboBox(self)
        for name in register.profile.forms:
            self.form_box.addItem(FORM_NAMES[name], name)
        if form is not None and form in register.profile.forms:
            self.form_box.setCurrentIndex(register.profile.forms.index(form))
        self.blank_box = QCheckBox(self.tr("空白表（手写填写）"), self)
        self.blank_box.setChecked(account_id is None)
        self.blank_box.setEnabled(account_id is not None)
        self.message = QLabel(self)
        self.message.setWordWrap(True)

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        self.print_button = QPushButton(self.tr("打印(&P)…"), self)
        self.save_button = QPushButton(self.tr("另存为 PDF(&S)…"), self)
        self.batch_button = QPushButton(self.tr("批量打印当前列表(&B)…"), self)
        self.batch_button.setVisible(bool(self.account_ids))
        self.batch_button.setToolTip(self.tr("把当前列表中全部账号的此表单合成一个 PDF"))
        close_button = QPushButton(self.tr("关闭"), self)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("表单："), self))
        top.addWidget(self.form_box, 1)
        top.addWidget(self.blank_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.batch_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self.form_box.currentIndexChanged.connect(self.refresh)
        self.blank_box.toggled.connect(self.refresh)
        self.print_button.clicked.connect(self.print_pdf)
        self.save_button.clicked.connect(self.save_pdf)
        self.batch_button.clicked.connect(self.batch_print)
        close_button.clicked.connect(self.accept)
        self.refresh()

    # -- what tests replace ----------------------------------------------------------

    def choose_save_path(self, suggested: str) -> str:
        return file_dialogs.save_file_name(
            self, self.tr("另存为 PDF"), suggested, self.tr("PDF 文件 (*.pdf)")
        )

    # -- actions ---------------------------------------------------------------------

    @property
    def form(self) -> str:
        return str(self.form_box.currentData())

    @property
    def blank(self) -> bool:
        if self.form == "ledger":
            return self.blank_box.isChecked()
        return self.blank_box.isChecked() or self.account_id is None

    @property
    def subject(self) -> int | None:
        """The account the form is for: none for a blank, and the ledger lists everyone."""
        return None if self.blank or self.form == "ledger" else self.account_id

    def suggested_name(self) -> str:
        return default_file_name(self.register, self.form, self.subject, blank=self.blank)

    def make_pdf(self, target: Path) -> Job[Path]:
        """Start writing the chosen form to ``target`` on the register worker; it is shown
        when it is in. The sheets' data is read here, on the dialog's register; only the
        layout (``write_pdf``) runs in the background, so that opening the preview does not
        wait for reportlab (bench row 打开打印预览). A long ledger is read on the worker
        too, behind a cancellable progress dialog. Only the newest job's outcome is shown:
        the clerk may have switched forms while an earlier one was being made."""
        self._made_count += 1
        current = self._made_count

        def shown(show: Callable[[Any], None]) -> Callable[[Any], None]:
            return lambda outcome: show(outcome) if current == self._made_count else None

        if (
            self.form == "ledger"
            and not self.blank
            and self.register.accounts.count() > LEDGER_INLINE_LIMIT
        ):
            from ui.printing.batch_print import start_render

            self._identity = ""
            return start_render(
                self,
                location(self.register),
                "ledger",
                None,
                target,
                on_done=shown(self._show_made),
                on_failed=shown(self._show_refusal),
                on_cancelled=shown(lambda _sentence: self._show_made(None)),
            )
        account = None if self.form == "ledger" else self.account_id
        sheets = form_sheets(self.register, self.form, account, blank=self.blank)
        self._identity = "" if self.form == "ledger" else identity_text(sheets)
        labels = self.register.profile.copy_labels
        return runner().run(
            lambda _job: write_pdf(sheets, labels, target),
            owner=self,
            on_done=shown(self._show_made),
            on_failed=shown(self._show_refusal),
        )

    def refresh(self) -> None:
        """Make the PDF of the chosen form and show it when it is in."""
        self.document.close()
        self.pdf_path = None
        self.blank_box.setEnabled(self.account_id is not None or self.form == "ledger")
        if self.account_id is None and self.form != self._last_form:
            # without an account a sheet can only be blank; the ledger lists everyone
            self.blank_box.blockSignals(True)
            self.blank_box.setChecked(self.form != "ledger")
            self.blank_box.blockSignals(False)
        self._last_form = self.form
        target = Path(self._tmp.name) / self.suggested_name()
        self.batch_button.setEnabled(self.form != "ledger")
        self.batch_button.setText(
            self.tr("批量打印当前列表（{0} 个账号）(&B)…").format(len(self.account_ids))
        )
        self.message.setText(self.tr("正在生成…"))
        self.message.setStyleSheet("")
        self._set_ready(False)
        try:
            self.job = self.make_pdf(target)
        except NmdeskError as exc:
            self.job = None
            self._show_refusal(str(exc))

    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def _show_made(self, made: Path | None) -> None:
        """Show the PDF just made, or say that the clerk cancelled it."""
        self.pdf_path = made
        if made is None:
            self.message.setText(self.tr("已取消生成"))
        else:
            self.document.load(str(made))
            copies = "" if self.form == "ledger" else self.tr("每份单独起页，一式两份。")
            self.message.setText(
                self.tr("共 {0} 页。").format(self.document.pageCount()) + copies + self._identity
            )
        self.message.setStyleSheet("")
        self._set_ready(made is not None)

    def _show_refusal(self, sentence: str) -> None:
        self.message.setText(sentence)
        self.message.setStyleSheet("color: #b3261e;")
        self._set_ready(False)

    def show_file(self, path: Path) -> None:
        """Preview an existing PDF (a batch), for printing or saving."""
        self._made_count += 1  # a form still being made is not shown over it
        self.document.close()
        self.pdf_path = Path(path)
        self.document.load(str(path))
        self.message.setText(
            self.tr("{0}：共 {1} 页").format(Path(path).name, self.document.pageCount())
        )
        self.print_button.setEnabled(True)
        self.save_button.setEnabled(True)

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setFullPage(True)  # the PDF has its own margins: print it at true size
        printer.setPageOrientation(
            QPageLayout.Orientation.Landscape
            if self.form == "ledger"
            else QPageLayout.Orientation.Portrait
        )
        printer.setDocName(self.suggested_name())
        return printer

    def print_pdf(self) -> int:
        """Ask for a printer, then print every page; returns the pages printed (0: cancelled)."""
        if self.pdf_path is None:
            return 0
        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        if self.exec_dialog(dialog) != QDialog.DialogCode.Accepted:
            return 0
        try:
            return render_pages(self.document, printer)
        except NmdeskError as exc:
            self.show_error(exc)
            return 0

    def save_pdf(self) -> Path | None:
        if self.pdf_path is None:
            return None
        chosen = self.choose_save_path(self.suggested_name())
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        try:
            shutil.copyfile(self.pdf_path, target)
        except OSError as exc:
            self.show_error(NmdeskError(f"无法保存到 {target}：{exc.strerror}"))
            return None
        self.message.setText(self.tr("已保存：{0}").format(target))
        return target

    def batch_print(self) -> Job[BatchResult] | None:
        """The chosen form for every account of the current list, in one PDF, made on the
        register worker; the batch is previewed when it is in."""
        from ui.printing.batch_print import start_batch

        target = Path(self._tmp.name) / f"批量-{FORM_NAMES[self.form]}.pdf"
        try:
            self.job = start_batch(
                self,
                self.register.path,
                self.form,
                self.account_ids,
                target,
                on_done=self._show_batch,
                on_failed=self.show_error,
            )
        except NmdeskError as exc:
            self.show_error(exc)
            return None
        return self.job

    def _show_batch(self, batch: BatchResult) -> None:
        self.show_file(batch.path)
        if batch.skipped:
            self.message.setText(
                self.message.text()
                + self.tr("；{0} 个账号无法生成此表单，已略过（如：{1}）").format(
                    len(batch.skipped), batch.skipped[0][1]
                )
            )

    def done(self, result: int) -> None:
        self.document.close()
        super().done(result)
        # the previewed PDFs go; a saved copy lives where the clerk chose. A PDF still
        # being made is written first, then removed with its folder.
        job, tmp = self.job, self._tmp
        if job is not None and job.future is not None and not job.future.done():
            job.future.add_done_callback(lambda _future: tmp.cleanup())
        else:
            tmp.cleanup()

    def closeEvent(self, event: object) -> None:
        self.document.close()
        super().closeEvent(event)  # type: ignore[arg-type]
