"""Export the register, or the view on screen, to xlsx or CSV; write the import template.

The export runs on a worker thread with its own register connection, behind a
progress dialog; cancel leaves no file behind.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from nmdesk.errors import NmdeskError
from nmdesk.excel.export import export_ids, writer_for
from nmdesk.excel.template import write_template
from nmdesk.store.interfaces import Register
from nmdesk.store.search import AccountQuery
from ui.common import file_dialogs
from ui.common.guide import attach_guide
from ui.common.modal_host import ModalHost
from ui.common.register_location import location
from ui.common.tasks import Job, runner


def tr(text: str) -> str:
    return QCoreApplication.translate("excel", text)


class ExportDialog(ModalHost, QDialog):
    """导出到 Excel…: the current view or every account, as .xlsx or .csv."""

    def __init__(
        self, register: Register, parent: QWidget | None = None, query: AccountQuery | None = None
    ) -> None:
        super().__init__(parent)
        attach_guide(self, "import-export")
        self.register = register
        self.query = query
        self.setWindowTitle(tr("导出到 Excel"))
        self.setMinimumWidth(560)
        self.view_ids = register.accounts.ids(query) if query is not None else None
        total = register.accounts.count()
        self.current_view = QRadioButton(
            tr("当前视图（{0} 个账号）").format(len(self.view_ids or []))
        )
        self.everything = QRadioButton(tr("全部账号（{0} 个）").format(total))
        if self.view_ids is None:
            self.current_view.setEnabled(False)
            self.everything.setChecked(True)
        else:
            self.current_view.setChecked(True)
        self.path_edit = QLineEdit(str(Path(register.path).with_name("账号台账导出.xlsx")))
        browse = QPushButton(tr("浏览…"))
        browse.clicked.connect(self.browse)
        template = QPushButton(tr("生成导入模板…"))
        template.clicked.connect(self.write_template)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow(tr("范围"), self.current_view)
        form.addRow("", self.everything)
        form.addRow(tr("文件（.xlsx 或 .csv）"), row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        self.export_button = buttons.addButton(tr("导出"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(template, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.run_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.count = 0
        self.job: Job[int] | None = None  # the export under way (tests wait for it)

    # -- what tests replace ----------------------------------------------------------

    def choose_save_file(self, title: str, name: str) -> str:
        return file_dialogs.save_file_name(
            self, title, name, tr("Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)")
        )

    def message(self, text: str, *, error: bool = False) -> None:
        self.show_message(tr("导出"), text, error=error)

    # -- actions ---------------------------------------------------------------------

    def browse(self) -> None:
        path = self.choose_save_file(tr("导出到"), self.path_edit.text())
        if path:
            self.path_edit.setText(path)

    def selected_ids(self) -> list[int]:
        if self.current_view.isChecked() and self.view_ids is not None:
            return list(self.view_ids)
        return export_ids(self.register)

    def run_export(self) -> None:
        """Write the file on the register worker behind a progress dialog; a cancelled
        export leaves no file."""
        text = self.path_edit.text().strip()
        if not text:
            self.message(tr("请填写导出文件名"), error=True)
            return
        path = Path(text)
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_suffix(".xlsx")
        writer = writer_for(path)
        ids = self.selected_ids()

        def work(job: Job[int]) -> int:
            return writer(
                job.register, path, ids=ids, progress=job.progress, cancelled=job.cancelled
            )

        def exported(count: int) -> None:
            self.count = int(count)
            self.message(tr("已导出 {0} 个账号：{1}").format(self.count, path))
            self.accept()

        def refused(sentence: str) -> None:
            self.message(sentence, error=True)

        self.job = runner().with_progress(
            work,
            tr("正在导出…"),
            self,
            register_path=location(self.register),
            actor=self.register.actor,
            on_done=exported,
            on_failed=refused,
            on_cancelled=refused,
        )

    def write_template(self) -> None:
        path = self.choose_save_file(tr("保存导入模板"), "账号台账导入模板.xlsx")
        if not path:
            return
        try:
            write_template(self.register, path)
        except (NmdeskError, OSError) as error:
            self.message(str(error), error=True)
            return
        self.message(tr("导入模板已保存：{0}").format(path))
