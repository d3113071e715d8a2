"""Return of a signed copy: type or scan the check code, see the filing, mark it received.

A barcode scanner types the QR code's ``serial|code`` followed by Enter; typing
the six-character check code printed on the sheet works the same. A scan of the
signed paper can be attached to the filing in the same step.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QSize
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nmdesk.changes import NOTHING, Changes
from nmdesk.errors import NmdeskError
from nmdesk.forms.receipt import CopyMatch, Received, find_copy, receive_match
from ui.common import file_dialogs
from ui.common.guide import attach_guide
from ui.common.window_fit import fit_to_screen
from ui.desk.desk_common import DeskDialog

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

ERROR_STYLE = "color: #b3261e;"


class ReceiveCopyDialog(DeskDialog):
    """Find a filing by its check code and mark its signed copy received."""

    def __init__(
        self, register: Register, parent: QWidget | None = None, *, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.changes = NOTHING  # set when a copy is received: its filing changed
        attach_guide(self, "receive")
        self.register = register
        self.filing: CopyMatch | None = None  # what the code names
        self.received: Received | None = None
        self.setWindowTitle(self.tr("登记交回的签字表"))
        fit_to_screen(self, QSize(520, 320), "receive_copy")

        self.code_edit = QLineEdit(self)
        self.code_edit.setPlaceholderText(self.tr("输入纸质表上的校验码，或用扫码枪扫描二维码"))
        find_button = QPushButton(self.tr("查找(&F)"), self)
        self.info = QLabel(self.tr("尚未查找"), self)
        self.info.setWordWrap(True)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        day = today or dt.date.today()
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.scan_edit = QLineEdit(self)
        self.scan_edit.setPlaceholderText(self.tr("可选：签字表的扫描件（PDF 或图片）"))
        browse = QPushButton(self.tr("选择文件…"), self)
        self.receive_button = QPushButton(self.tr("登记交回(&R)"), self)
        self.receive_button.setEnabled(False)
        close_button = QPushButton(self.tr("关闭"), self)
        self.scans_button = QPushButton(self.tr("批量登记扫描件(&B)…"), self)
        self.scans_button.setToolTip(
            self.tr("一叠交回的签字表：选择扫描件文件夹或多页 PDF，按每页的二维码一次登记")
        )

        code_row = QHBoxLayout()
        code_row.addWidget(self.code_edit, 1)
        code_row.addWidget(find_button)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan_edit, 1)
        scan_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("校验码："), code_row)
        form.addRow(self.tr("备案记录："), self.info)
        form.addRow(self.tr("交回日期："), self.date_edit)
        form.addRow(self.tr("扫描件："), scan_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.scans_button)
        buttons.addStretch(1)
        buttons.addWidget(self.receive_button)
        buttons.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.code_edit.returnPressed.connect(self.look_up)
        self.code_edit.textChanged.connect(self._code_changed)
        find_button.clicked.connect(self.look_up)
        browse.clicked.connect(self.browse_scan)
        self.receive_button.clicked.connect(self.receive)
        close_button.clicked.connect(self.reject)
        self.scans_button.clicked.connect(self.open_scans)

    def open_scans(self) -> None:
        """Receive a stack of scans (``ui.printing.receive_scans``)."""
        from ui.printing.receive_scans import ScanReceiveDialog

        qdate = self.date_edit.date()
        dialog = ScanReceiveDialog(
            self.register, self, today=dt.date(qdate.year(), qdate.month(), qdate.day())
        )
        self.exec_dialog(dialog)

    def choose_file(self) -> str:
        """Ask for the scan; tests replace this."""
        return file_dialogs.open_file_name(
            self,
            self.tr("选择扫描件"),
            "",
            self.tr("PDF 或图片 (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)"),
        )

    def browse_scan(self) -> None:
        path = self.choose_file()
        if path:
            self.scan_edit.setText(path)

    def _code_changed(self) -> None:
        self.filing = None
        self.receive_button.setEnabled(False)

    def _error(self, text: str) -> None:
        self.info.setText(text)
        self.info.setStyleSheet(ERROR_STYLE)

    def look_up(self) -> CopyMatch | None:
        """Show the filing or printed form the code belongs to; only one not yet
        received can be received."""
        code = self.code_edit.text().strip()
        if not code:
            self._error(self.tr("请先输入校验码"))
            return None
        try:
            match = find_copy(self.register, code)
        except NmdeskError as exc:
            self._error(str(exc))
            return None
        text = match.describe()
        if match.already_received:
            self._error(text + "\n" + self.tr("该表已登记交回，无需再次登记"))
            return None
        self.info.setText(text)
        self.info.setStyleSheet("")
        self.filing = match
        self.receive_button.setEnabled(True)
        return match

    def reject(self) -> None:
        """关闭, Esc and the window's close button: a typed or scanned check code whose copy
        was not received is dropped only when the clerk says so (a close by the program,
        ``close()``, is not asked about: ``DeskDialog.closeEvent``)."""
        if not self._closing_quietly and self.received is None and self.code_edit.text().strip():
            question = self.tr("已输入的校验码“{0}”尚未登记交回。放弃并关闭吗？").format(
                self.code_edit.text().strip()
            )
            if not self.confirm(self.tr("登记交回的签字表"), question):
                return
        super().reject()

    def receive(self) -> Received | None:
        """Mark the found filing received on the chosen date, attaching the scan if any."""
        if self.filing is None and self.look_up() is None:
            return None
        qdate = self.date_edit.date()
        day = dt.date(qdate.year(), qdate.month(), qdate.day())
        scan = self.scan_edit.text().strip()
        try:
            assert self.filing is not None
            self.received = receive_match(
                self.register, self.filing, day, Path(scan) if scan else None
            )
        except NmdeskError as exc:
            self._error(str(exc))
            return None
        self.changes = Changes(filings=True)
        self.accept()
        return self.received
