"""Print preview, printing, batch print and the signed copy's return, without a human."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from desk_helpers import wait_for_job
from pypdf import PdfReader
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog

from nmdesk.models import FilingStatus
from ui.printing.batch_print import BatchResult, start_batch
from ui.printing.print_preview import MAX_PRINT_DPI, PrintPreviewDialog, render_pages
from ui.printing.receive_copy import ReceiveCopyDialog


def open_filing_account(register) -> int:
    """A demo account whose latest filing still waits for its signed paper."""
    for filing in register.filings.open_filings():
        if filing.kind.value in ("opening", "change", "personnel"):
            return filing.account_id
    raise AssertionError("the demo register has open filings")


def shown(qtbot, dialog: PrintPreviewDialog) -> PrintPreviewDialog:
    """The dialog once the PDF it asked for last is made (on the register worker) and shown."""
    wait_for_job(qtbot, dialog.job, timeout=60_000)
    return dialog


@pytest.fixture
def preview(qtbot, demo_register):
    account_id = open_filing_account(demo_register)
    dialog = PrintPreviewDialog(
        demo_register, account_id, account_ids=demo_register.accounts.ids()[:3]
    )
    qtbot.addWidget(dialog)
    yield shown(qtbot, dialog)
    dialog.close()


def test_preview_shows_the_profile_forms_in_two_copies(qtbot, preview, demo_register):
    forms = [preview.form_box.itemData(i) for i in range(preview.form_box.count())]
    assert forms == list(demo_register.profile.forms)
    assert preview.document.pageCount() >= 2
    assert preview.print_button.isEnabled()
    preview.blank_box.setChecked(True)
    assert shown(qtbot, preview).pdf_path.name == "备案表-空白.pdf"
    assert preview.document.pageCount() == 2


def test_the_preview_opens_at_once_and_shows_the_form_when_it_is_made(
    qtbot, demo_register, held_register_worker
):
    """The layout runs on the register worker; switching forms meanwhile shows only the
    last one asked for."""
    account_id = open_filing_account(demo_register)
    with held_register_worker():
        dialog = PrintPreviewDialog(demo_register, account_id)
        qtbot.addWidget(dialog)
        assert dialog.message.text() == "正在生成…"
        assert not dialog.print_button.isEnabled() and dialog.pdf_path is None
        first = dialog.job
        dialog.blank_box.setChecked(True)
    shown(qtbot, dialog)
    wait_for_job(qtbot, first)
    assert dialog.pdf_path.name == "备案表-空白.pdf" and dialog.print_button.isEnabled()
    assert dialog.document.pageCount() == 2
    assert "共 2 页" in dialog.message.text()


def test_save_as_pdf_writes_the_previewed_file(preview, tmp_path):
    target = tmp_path / "saved"
    preview.choose_save_path = lambda suggested: str(target)
    saved = preview.save_pdf()
    assert saved == tmp_path / "saved.pdf"
    text = "".join(page.extract_text() for page in PdfReader(saved).pages)
    assert "第一联" in text and "第二联" in text
    preview.choose_save_path = lambda suggested: ""
    assert preview.save_pdf() is None


def test_print_goes_through_the_print_dialog_at_most_300_dpi(preview, tmp_path):
    out = tmp_path / "printed.pdf"
    seen: list[QDialog] = []

    def fake_printer() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return printer

    real = preview.make_printer()
    assert real.fullPage()
    assert real.pageLayout().pageSize().id() == QPageSize.PageSizeId.A4
    preview.make_printer = fake_printer
    preview.exec_dialog = lambda dialog: seen.append(dialog) or QDialog.DialogCode.Rejected
    assert preview.print_pdf() == 0
    assert isinstance(seen[0], QPrintDialog) and not out.exists()
    preview.exec_dialog = lambda dialog: QDialog.DialogCode.Accepted
    pages = preview.print_pdf()
    assert pages == preview.document.pageCount()
    assert len(PdfReader(out).pages) == pages


def test_render_pages_caps_the_resolution(preview, tmp_path):
    class Spy:
        def __init__(self, document) -> None:
            self.document = document
            self.sizes = []

        def pageCount(self):
            return self.document.pageCount()

        def pagePointSize(self, index):
            return self.document.pagePointSize(index)

        def render(self, index, size):
            self.sizes.append(size)
            return self.document.render(index, size)

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "spy.pdf"))
    printer.setResolution(1200)
    spy = Spy(preview.document)
    assert render_pages(spy, printer) == preview.document.pageCount()
    a4_width_at_cap = round(595.28 / 72 * MAX_PRINT_DPI)
    assert all(abs(size.width() - a4_width_at_cap) <= 1 for size in spy.sizes)


def test_a_form_that_cannot_be_made_says_why(qtbot, demo_register):
    no_sanction = next(
        a for a in demo_register.accounts.ids() if not demo_register.sanctions.for_account(a)
    )
    dialog = PrintPreviewDialog(demo_register, no_sanction, form="rectification")
    qtbot.addWidget(dialog)
    assert "没有处理记录" in dialog.message.text()
    assert not dialog.print_button.isEnabled()


def test_batch_print_on_the_register_worker(qtbot, demo_register, tmp_path):
    ids = demo_register.accounts.ids()[:3]
    job = start_batch(None, demo_register.path, "filing", ids, tmp_path / "batch.pdf")
    wait_for_job(qtbot, job, timeout=60_000)
    assert job.error is None and job.result is not None
    out = job.result.path
    assert out == tmp_path / "batch.pdf" and job.result.skipped == []
    text = re.sub(r"\s", "", "".join(p.extract_text() for p in PdfReader(out).pages))
    for account_id in ids:
        assert text.count(demo_register.accounts.get(account_id).serial_no) >= 2


def test_cancelled_batch_leaves_no_file(qtbot, demo_register, tmp_path, held_register_worker):
    ids = demo_register.accounts.ids()[:5]
    said: list[str] = []
    with held_register_worker():
        job = start_batch(
            None,
            demo_register.path,
            "filing",
            ids,
            tmp_path / "cancel.pdf",
            on_cancelled=said.append,
        )
        job.dialog.canceled.emit()  # 取消
    wait_for_job(qtbot, job, timeout=60_000)
    assert job.was_cancelled and said == ["已取消打印，未生成文件"]
    assert not list(tmp_path.glob("cancel.pdf*"))


def test_batch_button_shows_the_batch_in_the_preview(preview, monkeypatch, tmp_path):
    made = tmp_path / "made.pdf"

    def fake_start(parent, path, form, ids, out, on_done, on_failed):
        assert ids == preview.account_ids and form == "filing"
        made.write_bytes(preview.pdf_path.read_bytes())
        on_done(BatchResult(made, [(ids[0], "没有处理记录")]))
        return "the job"

    monkeypatch.setattr("ui.printing.batch_print.start_batch", fake_start)
    assert preview.batch_print() == "the job"
    assert preview.pdf_path == made
    assert "1 个账号无法生成此表单，已略过（如：没有处理记录）" in preview.message.text()


def test_receive_signed_copy_with_scan(qtbot, demo_register, tmp_path):
    filing = demo_register.filings.open_filings()[0]
    account = demo_register.accounts.get(filing.account_id)
    dialog = ReceiveCopyDialog(demo_register, today=dt.date(2026, 11, 20))
    qtbot.addWidget(dialog)
    dialog.code_edit.setText("ZZZZZZ")
    assert dialog.look_up() is None and "没有对应" in dialog.info.text()
    dialog.code_edit.setText(f"{account.serial_no}|{filing.check_code.lower()}")
    assert dialog.look_up().filing.id == filing.id
    assert account.name in dialog.info.text()
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    dialog.choose_file = lambda: str(scan)
    dialog.browse_scan()
    received = dialog.receive().filing
    assert received.status is FilingStatus.FILED and received.filed_on == dt.date(2026, 11, 20)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [a.original_name for a in demo_register.attachments.for_filing(filing.id)] == [
        "scan.png"
    ]
    again = ReceiveCopyDialog(demo_register)
    qtbot.addWidget(again)
    again.code_edit.setText(filing.check_code)
    assert again.look_up() is None and "已登记交回" in again.info.text()


def test_main_window_print_and_receive_hooks(qtbot, demo_register, tmp_path):
    from PySide6.QtCore import QSettings

    from ui.register.main_window import MainWindow

    win = MainWindow(
        demo_register, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(win)
    opened: list[QDialog] = []
    win.exec_dialog = lambda dialog: opened.append(dialog) or QDialog.DialogCode.Rejected
    win.select_account(demo_register.accounts.ids()[0])
    win.act_print.trigger()
    win.act_receive_copy.trigger()
    assert isinstance(opened[0], PrintPreviewDialog)
    assert opened[0].account_ids == win.model.ids()
    assert isinstance(opened[1], ReceiveCopyDialog)
    for dialog in opened:
        dialog.close()
    win.close()


def test_long_ledger_is_made_on_the_worker(qtbot, demo_register, monkeypatch):
    import ui.printing.print_preview as preview_module

    monkeypatch.setattr(preview_module, "LEDGER_INLINE_LIMIT", 10)
    used: list[str] = []
    import ui.printing.batch_print as batch_module

    real = batch_module.start_render

    def spy(*args, **kwargs):
        used.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_module, "start_render", spy)
    dialog = PrintPreviewDialog(demo_register, demo_register.accounts.ids()[0], form="ledger")
    qtbot.addWidget(dialog)
    assert used == ["ledger"]
    assert dialog.message.text() == "正在生成…" and not dialog.print_button.isEnabled()
    shown(qtbot, dialog)
    assert dialog.print_button.isEnabled()
    assert dialog.pdf_path.name == "账号台账.pdf"
    assert dialog.document.pageCount() > 3
    text = "".join(page.extract_text() for page in PdfReader(dialog.pdf_path).pages)
    assert f"共 {demo_register.accounts.count()} 个账号" in text
    dialog.blank_box.setChecked(True)
    assert used == ["ledger"] and shown(qtbot, dialog).pdf_path.name == "账号台账-空白.pdf"


def test_closing_the_preview_removes_its_temporary_files(qtbot, demo_register, tmp_path):
    dialog = PrintPreviewDialog(demo_register, None)
    qtbot.addWidget(dialog)
    made = shown(qtbot, dialog).pdf_path
    assert made.exists()
    dialog.choose_save_path = lambda suggested: str(tmp_path / "kept.pdf")
    kept = dialog.save_pdf()
    dialog.accept()
    assert not made.exists() and kept.exists()


def test_without_an_account_sheets_are_blank_and_the_ledger_lists_everyone(qtbot, demo_register):
    dialog = PrintPreviewDialog(demo_register, None)
    qtbot.addWidget(dialog)
    assert dialog.blank_box.isChecked() and not dialog.blank_box.isEnabled()
    dialog.form_box.setCurrentIndex(demo_register.profile.forms.index("ledger"))
    assert not dialog.blank_box.isChecked() and dialog.blank_box.isEnabled()
    assert shown(qtbot, dialog).pdf_path.name == "账号台账.pdf"
    dialog.form_box.setCurrentIndex(demo_register.profile.forms.index("change"))
    assert dialog.blank_box.isChecked()
    assert shown(qtbot, dialog).pdf_path.name == "变更备案表-空白.pdf"


def test_preview_names_the_identity_and_why_a_blank_has_none(qtbot, demo_register):
    """A change form for an account that never changed: its own draft, explained; a blank
    without an account: why it has no check code."""
    from nmdesk.forms.identity import BLANK_NOTE
    from nmdesk.models import AccountStatus, FilingKind

    account_id = next(
        a
        for a in demo_register.accounts.ids()
        if demo_register.accounts.get(a).status is AccountStatus.RUNNING
        and [f.kind for f in demo_register.filings.for_account(a)] == [FilingKind.OPENING]
    )
    dialog = PrintPreviewDialog(demo_register, account_id, form="change")
    qtbot.addWidget(dialog)
    text = shown(qtbot, dialog).message.text()
    draft = demo_register.filings.for_account(account_id)[0]
    assert "第2版（变更备案，待登记）" in text and draft.check_code not in text
    assert "尚无变更备案记录" in text
    dialog.blank_box.setChecked(True)  # a blank for this account keeps its identity
    assert "第2版（变更备案，待登记）" in shown(qtbot, dialog).message.text()
    blank = PrintPreviewDialog(demo_register, None, form="filing")
    qtbot.addWidget(blank)
    assert BLANK_NOTE in shown(qtbot, blank).message.text()
