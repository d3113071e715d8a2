"""Return of a signed copy: type or scan the check code, see the filing, mark it received.

A barcode scanner types the QR code's ``serial|code`` followed by Enter; typing
the six-character check code printed on the sheet works the same. A scan of the
signed paper can be attached to the filing in the same step.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nmdesk.errors import NmdeskError
from nmdesk.forms.receipt import receive_copy
from nmdesk.models import Filing, FilingStatus
from ui import file_dialogs

if TYPE_CHECKING:
    from nmdesk.store.register import Register

ERROR_STYLE = "color: #b3261e;"


class ReceiveCopyDialog(QDialog):
    """Find a filing by its check code and mark its signed copy received."""

    def __init__(
        self, register: Register, parent: QWidget | None = None, *, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.filing: Filing | None = None
        self.received: Filing | None = None
        self.setWindowTitle(self.tr("登记交回的签字表"))
        self.resize(520, 320)

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
        buttons.addStretch(1)
        buttons.addWidget(self.receive_button)
        buttons.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.code_edit.returnPressed.connect(self.find)
        self.code_edit.textChanged.connect(self._code_changed)
        find_button.clicked.connect(self.find)
        browse.clicked.connect(self.browse_scan)
        self.receive_button.clicked.connect(self.receive)
        close_button.clicked.connect(self.reject)

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

    def find(self) -> Filing | None:
        """Show the filing the code belongs to; only an open filing can be received."""
        code = self.code_edit.text().strip()
        if not code:
            self._error(self.tr("请先输入校验码"))
            return None
        try:
            filing = self.register.filings.by_check_code(code)
        except NmdeskError as exc:
            self._error(str(exc))
            return None
        account = self.register.accounts.get(filing.account_id)
        due = f"，截止 {filing.due_on.isoformat()}" if filing.due_on else ""
        text = (
            f"{account.name}（{account.platform}，备案编号 {account.serial_no}）\n"
            f"{filing.kind.label} 第{filing.version}版，{filing.event_on.isoformat()}{due}，"
            f"状态：{filing.status.label}"
        )
        if filing.status is not FilingStatus.OPEN:
            when = f"（{filing.filed_on.isoformat()} 已交回）" if filing.filed_on else ""
            self._error(text + when + "\n" + self.tr("该备案不是待交回状态，无需再次登记"))
            return None
        self.info.setText(text)
        self.info.setStyleSheet("")
        self.filing = filing
        self.receive_button.setEnabled(True)
        return filing

    def receive(self) -> Filing | None:
        """Mark the found filing received on the chosen date, attaching the scan if any."""
        if self.filing is None and self.find() is None:
            return None
        qdate = self.date_edit.date()
        day = dt.date(qdate.year(), qdate.month(), qdate.day())
        scan = self.scan_edit.text().strip()
        try:
            self.received = receive_copy(
                self.register, self.code_edit.text(), day, Path(scan) if scan else None
            )
        except NmdeskError as exc:
            self._error(str(exc))
            return None
        self.accept()
        return self.received
