"""Receiving a stack of scanned signed copies: a folder or a multi-page PDF.

The pages are read and their QR codes decoded on a worker, behind a progress
dialog with a cancel button; the table then shows every page as 可登记, 已交回 or
未匹配, and the clerk may type the check code of a page whose QR could not be read.
**登记交回** receives every matched copy, with its pages attached, in one
transaction on a worker (``nmdesk.forms.scans``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QSize, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nmdesk.forms.scans import ScanPlan, commit_scans, copies_of, plan_scans
from ui.common import file_dialogs
from ui.common.guide import attach_guide
from ui.common.modal_host import ModalHost
from ui.common.register_location import location
from ui.common.tasks import Job, runner
from ui.common.window_fit import fit_to_screen

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

STATE_COLOURS = {"matched": "#e3f4e6", "already": "#eeeeee", "unmatched": "#fde2e1"}
CODE_COLUMN = 3


class ScanReceiveDialog(ModalHost, QDialog):
    """Read a stack of scans, show what each page matches, receive them all at once."""

    def __init__(
        self, register: Register, parent: QWidget | None = None, *, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        attach_guide(self, "receive")
        self.register = register
        self.plan: ScanPlan | None = None
        self.received: list[Any] = []
        self.job: Job[Any] | None = None  # the last background job (tests wait for it)
        self.setWindowTitle(self.tr("批量登记交回的签字表扫描件"))
        fit_to_screen(self, QSize(900, 560), "receive_scans")
        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText(self.tr("扫描件所在文件夹，或一个多页 PDF"))
        folder_button = QPushButton(self.tr("选择文件夹…"), self)
        file_button = QPushButton(self.tr("选择 PDF…"), self)
        self.read_button = QPushButton(self.tr("读取(&L)"), self)
        self.summary = QLabel(self.tr("选择扫描件后点“读取”：逐页识别二维码并匹配备案记录"), self)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("页"), self.tr("状态"), self.tr("匹配到的表单 / 原因"), self.tr("校验码")]
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.rematch_button = QPushButton(self.tr("按输入的校验码重新匹配(&M)"), self)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        day = today or dt.date.today()
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.receive_button = QPushButton(self.tr("登记交回(&R)"), self)
        self.receive_button.setEnabled(False)
        close_button = QPushButton(self.tr("关闭"), self)

        top = QHBoxLayout()
        top.addWidget(self.path_edit, 1)
        top.addWidget(folder_button)
        top.addWidget(file_button)
        top.addWidget(self.read_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.rematch_button)
        bottom.addStretch(1)
        bottom.addWidget(QLabel(self.tr("交回日期："), self))
        bottom.addWidget(self.date_edit)
        bottom.addWidget(self.receive_button)
        bottom.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        folder_button.clicked.connect(self.browse_folder)
        file_button.clicked.connect(self.browse_file)
        self.read_button.clicked.connect(self.read)
        self.path_edit.returnPressed.connect(self.read)
        self.rematch_button.clicked.connect(self.rematch)
        self.receive_button.clicked.connect(self.receive)
        close_button.clicked.connect(self.reject)

    # -- hooks tests replace -----------------------------------------------------------

    def choose_folder(self) -> str:
        return file_dialogs.existing_directory(self, self.tr("选择扫描件所在文件夹"), "")

    def choose_file(self) -> str:
        return file_dialogs.open_file_name(
            self, self.tr("选择多页 PDF"), "", self.tr("PDF 或图片 (*.pdf *.png *.jpg *.jpeg)")
        )

    # -- actions ---------------------------------------------------------------------

    def browse_folder(self) -> None:
        path = self.choose_folder()
        if path:
            self.path_edit.setText(path)
            self.read()

    def browse_file(self) -> None:
        path = self.choose_file()
        if path:
            self.path_edit.setText(path)
            self.read()

    def _run(self, work: Any, label: str, title: str, on_done: Any) -> Job[Any]:
        """``work(job)`` on the register worker behind a progress dialog."""

        def refused(sentence: str) -> None:
            self.show_message(title, sentence, error=True)

        self.job = runner().with_progress(
            work,
            label,
            self,
            register_path=location(self.register),
            actor=self.register.actor,
            on_done=on_done,
            on_failed=refused,
            on_cancelled=refused,
        )
        return self.job

    def read(self) -> Job[ScanPlan] | None:
        """Read and match every page on the register worker; nothing is written. The table
        fills when the pages are read."""
        text = self.path_edit.text().strip()
        if not text:
            self.summary.setText(self.tr("请先选择扫描件所在文件夹或 PDF"))
            return None
        target = Path(text)

        def work(job: Job[ScanPlan]) -> ScanPlan:
            return plan_scans(job.register, target, progress=job.proceed)

        def read(plan: ScanPlan) -> None:
            self.plan = plan
            self.fill()

        return self._run(
            work, self.tr("正在识别扫描件中的二维码…"), self.tr("无法读取扫描件"), read
        )

    def fill(self) -> None:
        plan = self.plan
        assert plan is not None
        self.table.setRowCount(len(plan.pages))
        for row, page in enumerate(plan.pages):
            what = page.match.describe().replace("\n", "；") if page.match else page.problem
            code = page.typed or (page.match.code if page.match else "")
            cells = [page.label, self.tr(page.state_label), what, code]
            colour = QBrush(QColor(STATE_COLOURS[page.state]))
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setBackground(colour)
                if column != CODE_COLUMN or page.state != "unmatched":
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        copies = len(copies_of(plan))
        self.summary.setText(
            plan.summary()
            + self.tr("。未匹配的页可在“校验码”列输入纸质表上的校验码，再点“重新匹配”。")
        )
        self.receive_button.setText(self.tr("登记交回（{0} 份）(&R)").format(copies))
        self.receive_button.setEnabled(copies > 0 and not self.register.read_only)

    def rematch(self) -> None:
        """Match the unmatched pages by the check codes the clerk typed for them."""
        if self.plan is None:
            return
        for row, page in enumerate(self.plan.pages):
            item = self.table.item(row, CODE_COLUMN)
            typed = item.text().strip() if item is not None else ""
            if page.state == "unmatched" and typed:
                self.plan.type_code(self.register, page, typed)
        self.fill()

    def receive(self) -> Job[list[Any]] | None:
        """Receive every matched copy in one transaction on the register worker."""
        if self.plan is None:
            return None
        self.rematch()
        plan = self.plan
        qdate = self.date_edit.date()
        day = dt.date(qdate.year(), qdate.month(), qdate.day())

        def work(job: Job[list[Any]]) -> list[Any]:
            return commit_scans(job.register, plan, day, progress=job.proceed)

        def received(copies: list[Any]) -> None:
            self.received = list(copies)
            left = len(plan.unmatched)
            self.show_message(
                self.tr("已登记交回"),
                self.tr("已登记交回 {0} 份签字表，扫描件已附到各自的备案记录。").format(
                    len(self.received)
                )
                + (self.tr("另有 {0} 页未匹配，未登记。").format(left) if left else ""),
            )
            self.read()  # the pages just received now show as 已交回

        return self._run(work, self.tr("正在登记交回…"), self.tr("未登记"), received)
