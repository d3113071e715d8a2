"""Scans of signed copies attached to an account or to one of its filings.

Files are copied beside the register, addressed by their hash
(``nmdesk.store.attachments``). The list shows which filing each scan belongs
to and whether the stored file is still intact; 打开 opens it with the
system's viewer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from nmdesk.changes import Changes
from nmdesk.errors import NmdeskError
from nmdesk.store.interfaces import Register
from ui.common import file_dialogs
from ui.desk.desk_common import RecordsDialog, fill_table, selected_id, tr

SCAN_FILTER = "扫描件 (*.pdf *.png *.jpg *.jpeg *.tif *.tiff *.bmp *.gif *.webp)"


class AttachmentsDialog(RecordsDialog):
    """List, add and open the scans of one account and its filings."""

    def __init__(
        self,
        register: Register,
        account_id: int,
        parent: QWidget | None = None,
        *,
        filing_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.account_id = account_id
        account = register.accounts.get(account_id)
        self.set_up_window(
            tr("附件：{0}").format(account.name),
            guide="receive",
            size=(820, 480),
            key="attachments",
        )
        layout = self.records_list(
            [tr("文件名"), tr("所属备案"), tr("大小"), tr("添加时间"), tr("说明"), tr("完整性")]
        )
        self.table.doubleClicked.connect(lambda *_: self.on_open())
        row = QHBoxLayout()
        self.filing = QComboBox()
        self.filing.addItem(tr("（账号本身，不属于某份备案）"), None)
        for f in register.filings.for_account(account_id):
            self.filing.addItem(
                f"{f.kind.label} 第{f.version}版 {f.event_on} {f.status.label} "
                f"校验码 {f.check_code}",
                f.id,
            )
        if filing_id is not None:
            self.filing.setCurrentIndex(max(0, self.filing.findData(filing_id)))
        self.description = QLineEdit()
        self.description.setPlaceholderText(tr("说明，如“盖章备案表”"))
        self.add_button = QPushButton(tr("添加扫描件…"))
        self.add_button.clicked.connect(self.on_add)
        self.open_button = QPushButton(tr("打开"))
        self.open_button.clicked.connect(self.on_open)
        row.addWidget(QLabel(tr("归入")))
        row.addWidget(self.filing, 2)
        row.addWidget(self.description, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.open_button)
        layout.addLayout(row)
        self.add_close_button(layout)
        self.refresh()

    def refresh(self) -> None:
        filings = {f.id: f for f in self.register.filings.for_account(self.account_id)}
        rows = []
        for a in self.register.attachments.for_account(self.account_id):
            filing = filings.get(a.filing_id)
            owner = f"{filing.kind.label} 第{filing.version}版" if filing else ""
            intact = (
                tr("完好") if self.register.attachments.is_intact(a) else tr("文件缺失或已改动")
            )
            rows.append(
                (
                    a.id or 0,
                    [
                        a.original_name,
                        owner,
                        f"{max(1, a.size // 1024)} KB",
                        a.added_at.replace("T", " "),
                        a.description,
                        intact,
                    ],
                )
            )
        fill_table(self.table, rows)

    def choose_files(self) -> list[str]:
        """Ask for scan files; tests replace this."""
        return file_dialogs.open_file_names(self, tr("选择扫描件"), "", tr(SCAN_FILTER))

    def open_path(self, path: Path) -> bool:
        """Open a stored file with the system viewer; tests replace this."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def on_add(self) -> None:
        files = self.choose_files()
        added = 0
        try:
            with self.register.transaction():
                for name in files:
                    self.register.attachments.add(
                        name,
                        account_id=self.account_id,
                        filing_id=self.filing.currentData(),
                        description=self.description.text().strip(),
                    )
                    added += 1
        except NmdeskError as error:
            self.show_message(tr("不能添加附件"), str(error), error=True)
            return
        if added:
            self.changes |= Changes(filings=True)
            self.description.clear()
        self.refresh()

    def on_open(self) -> None:
        attachment_id = selected_id(self.table)
        if attachment_id is None:
            return
        attachment = self.register.attachments.get(attachment_id)
        path = self.register.attachments.stored_path(attachment)
        if not path.is_file():
            self.show_message(
                tr("不能打开"), tr("附件文件 {0} 不存在").format(path.name), error=True
            )
            return
        self.open_path(path)
