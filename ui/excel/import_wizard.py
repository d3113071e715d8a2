"""The ledger import wizard: file and sheet → column mapping → preview → new units → commit.

The logic is ``nmdesk.excel``; this module only shows it. The commit runs on a
worker thread with its own register connection, behind a progress dialog whose
cancel button rolls the whole import back. The preview page (every row's verdict,
the error report) is ``ui/excel/import_preview.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QSize,
    Qt,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from nmdesk.changes import Changes
from nmdesk.errors import NmdeskError
from nmdesk.excel import formats
from nmdesk.excel.ledger_import import (
    ImportPlan,
    ImportResult,
    commit_import,
    plan_import,
    read_ledger,
)
from nmdesk.excel.mapping import (
    LedgerLayout,
    all_field_keys,
    apply_saved,
    auto_mapping,
    field_label,
)
from nmdesk.excel.mapping import mapping_to_saved as saved_form
from nmdesk.excel.reader import SheetGrid, display, sheet_names
from nmdesk.excel.text_ledger import DELIMITERS, ENCODING_LABELS, TEXT_SUFFIXES
from nmdesk.store.interfaces import Register
from ui.common import file_dialogs
from ui.common.guide import attach_guide
from ui.common.modal_host import ModalHost
from ui.common.register_location import location
from ui.common.tasks import Job, runner
from ui.common.window_fit import fit_to_screen
from ui.excel.import_preview import PreviewPage


def tr(text: str) -> str:
    return QCoreApplication.translate("excel", text)


def ledger_file_filter() -> str:
    """The open dialog's filter: every format the reader knows, then each kind alone."""

    def patterns(suffixes: tuple[str, ...]) -> str:
        return "(" + " ".join(f"*{suffix}" for suffix in suffixes) + ")"

    kinds = [
        (tr("Excel 工作簿"), formats.EXCEL_SUFFIXES),
        (tr("Excel 97–2003 工作簿"), formats.EXCEL_97_SUFFIXES),
        (tr("WPS 表格"), formats.WPS_SUFFIXES),
        (tr("OpenDocument 表格（LibreOffice）"), formats.ODS_SUFFIXES),
        (tr("CSV 或文本"), TEXT_SUFFIXES),
    ]
    every = tuple(suffix for _label, suffixes in kinds for suffix in suffixes)
    return ";;".join(
        [
            f"{tr('台账文件')} {patterns(every)}",
            *(f"{label} {patterns(suffixes)}" for label, suffixes in kinds),
            f"{tr('所有文件')} (*)",
        ]
    )


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(tr("选择台账文件"))
        self.setSubTitle(
            tr(
                "选择单位报送的台账（Excel、WPS、LibreOffice 表格或 CSV）和其中的工作表。"
                "表头行会自动识别。"
            )
        )
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(tr("台账文件路径"))
        browse = QPushButton(tr("浏览…"))
        browse.clicked.connect(self.browse)
        self.sheet_combo = QComboBox()
        self.path_edit.editingFinished.connect(self.load_sheets)
        self.path_edit.textChanged.connect(self.load_sheets)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow(tr("台账文件"), row)
        form.addRow(tr("工作表"), self.sheet_combo)
        self.message = QLabel()
        self.message.setWordWrap(True)
        form.addRow(self.message)

    def browse(self) -> None:
        path = self.w.choose_open_file()
        if path:
            self.path_edit.setText(path)

    def load_sheets(self) -> None:
        self.sheet_combo.clear()
        self.message.clear()
        path = Path(self.path_edit.text().strip())
        if not path.is_file():
            return
        try:
            self.sheet_combo.addItems(sheet_names(path))
        except NmdeskError as error:
            self.message.setText(str(error))

    def validatePage(self) -> bool:
        path = Path(self.path_edit.text().strip())
        try:
            grid, layout = read_ledger(path, self.sheet_combo.currentText() or None)
        except NmdeskError as error:
            self.w.show_error(error)
            return False
        self.w.path = path
        self.w.grid = grid
        self.w.ledger_layout = layout
        return True


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self._planned = False  # the plan of the current mapping has just arrived
        self.setTitle(tr("列对应"))
        self.setSubTitle(tr("核对每一列对应的备案库字段，可以修改，并保存为方案供下次使用。"))
        self.keys = ["", *all_field_keys()]
        self.saved_combo = QComboBox()
        self.saved_combo.currentTextChanged.connect(self.apply_saved_mapping)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(tr("方案名称，如：信电学院台账"))
        save = QPushButton(tr("保存方案"))
        save.clicked.connect(self.save_mapping)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("已保存的方案")))
        top.addWidget(self.saved_combo, 1)
        top.addWidget(self.name_edit, 1)
        top.addWidget(save)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("台账中的列"), tr("示例"), tr("对应字段")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.text_options())
        layout.addWidget(self.table)

    def text_options(self) -> QWidget:
        """The encoding and delimiter a CSV was read with, for the clerk to change when
        the samples come out garbled or in one column (hidden for a workbook)."""
        self.text_box = QWidget()
        self.encoding_combo = QComboBox()
        for codec, label in ENCODING_LABELS.items():
            self.encoding_combo.addItem(tr(label), codec)
        self.delimiter_combo = QComboBox()
        for delimiter, label in DELIMITERS.items():
            self.delimiter_combo.addItem(tr(label), delimiter)
        self.read_error = QLabel()
        self.read_error.setStyleSheet("color: #b00020;")
        self.read_error.setWordWrap(True)
        row = QHBoxLayout(self.text_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(tr("编码")))
        row.addWidget(self.encoding_combo)
        row.addWidget(QLabel(tr("分隔符")))
        row.addWidget(self.delimiter_combo)
        row.addWidget(self.read_error, 1)
        self.encoding_combo.currentIndexChanged.connect(self.reread)
        self.delimiter_combo.currentIndexChanged.connect(self.reread)
        return self.text_box

    def reread(self) -> None:
        """Read the CSV again in the chosen encoding and delimiter, and show its columns."""
        try:
            grid, layout = read_ledger(
                self.w.path,
                encoding=self.encoding_combo.currentData(),
                delimiter=self.delimiter_combo.currentData(),
            )
        except NmdeskError as error:
            self.read_error.setText(str(error))
            self.table.setRowCount(0)
            return
        self.w.grid, self.w.ledger_layout = grid, layout
        self.initializePage()

    def initializePage(self) -> None:
        grid = self.w.grid
        assert grid is not None
        layout = self.w.ledger_layout
        assert layout is not None
        headers = list(layout.headers)
        self.headers = headers
        self.read_error.clear()
        self.text_box.setVisible(bool(grid.encoding))
        for combo, value in (
            (self.encoding_combo, grid.encoding),
            (self.delimiter_combo, grid.delimiter),
        ):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)
        subtitle = tr("核对每一列对应的备案库字段，可以修改，并保存为方案供下次使用。")
        if grid.read_as:  # a CSV: say how it was read, so a wrong guess is seen at once
            subtitle = tr("按 {0} 读取，示例乱码或挤在一列时请改编码或分隔符。").format(
                grid.read_as
            )
            subtitle += tr("核对每一列对应的备案库字段。")
        self.setSubTitle(subtitle)
        sample = grid.rows[layout.data_start] if len(grid.rows) > layout.data_start else []
        self.table.setRowCount(len(headers))
        for index, header in enumerate(headers):
            self.table.setItem(index, 0, QTableWidgetItem(header))
            value = display(sample[index]) if index < len(sample) else ""
            self.table.setItem(index, 1, QTableWidgetItem(value[:40]))
            combo = QComboBox()
            combo.addItems([tr(field_label(key)) for key in self.keys])
            self.table.setCellWidget(index, 2, combo)
        self.saved_combo.blockSignals(True)
        self.saved_combo.clear()
        self.saved_combo.addItems(["", *self.w.register.excel.mapping_names()])
        self.saved_combo.blockSignals(False)
        self.set_mapping(auto_mapping(headers))

    def set_mapping(self, mapping: list[str]) -> None:
        for index, key in enumerate(mapping):
            combo = self.table.cellWidget(index, 2)
            assert isinstance(combo, QComboBox)
            combo.setCurrentIndex(self.keys.index(key) if key in self.keys else 0)

    def mapping(self) -> list[str]:
        result = []
        for index in range(self.table.rowCount()):
            combo = self.table.cellWidget(index, 2)
            assert isinstance(combo, QComboBox)
            result.append(self.keys[combo.currentIndex()])
        return result

    def set_field(self, column: int, key: str) -> None:
        combo = self.table.cellWidget(column, 2)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(self.keys.index(key))

    def apply_saved_mapping(self, name: str) -> None:
        if not name:
            return
        try:
            saved = self.w.register.excel.load_mapping(name)
        except NmdeskError as error:
            self.w.show_error(error)
            return
        self.name_edit.setText(name)
        self.set_mapping(apply_saved(self.headers, saved))

    def save_mapping(self) -> None:
        try:
            self.w.register.excel.save_mapping(
                self.name_edit.text(), saved_form(self.headers, self.mapping())
            )
        except NmdeskError as error:
            self.w.show_error(error)
            return
        name = self.name_edit.text().strip()
        if self.saved_combo.findText(name) < 0:
            self.saved_combo.blockSignals(True)
            self.saved_combo.addItem(name)
            self.saved_combo.setCurrentText(name)
            self.saved_combo.blockSignals(False)

    def validatePage(self) -> bool:
        """Check every row on the register worker (a 10,000-row ledger takes a second or
        two); when the plan is in, the wizard goes on by itself."""
        if self._planned:
            self._planned = False
            return True
        path = self.w.path
        grid = self.w.grid
        if grid is None or self.table.rowCount() == 0:  # the CSV could not be read as chosen
            return False
        sheet = None if grid.encoding else grid.name
        encoding, delimiter = grid.encoding or None, grid.delimiter or None
        mapping = self.mapping()

        def work(job: Job[ImportPlan]) -> ImportPlan:
            return plan_import(
                job.register,
                path,
                sheet=sheet,
                mapping=mapping,
                progress=job.progress,
                cancelled=job.cancelled,
                encoding=encoding,
                delimiter=delimiter,
            )

        def planned(plan: ImportPlan) -> None:
            self.w.plan = plan
            self._planned = True
            self.w.next()  # validatePage runs again and lets the wizard on

        self.w.start_job(work, tr("正在检查台账…"), planned)
        return False


class UnitsPage(QWizardPage):
    """Every unit the import creates, each after its 上级单位, with its kind in a combo
    box the clerk can change: from the ledger's 单位类别 column, or guessed from the
    end of its name (``planner.guess_unit_kind``), as the 类型依据 column says."""

    NAME, PARENT, KIND, SOURCE, ROWS = range(5)

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(tr("新建单位"))
        self.setSubTitle(tr("以下单位在备案库中还没有，导入时将新建。请核对单位类型。"))
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [tr("单位名称"), tr("上级单位"), tr("单位类型"), tr("类型依据"), tr("账号数")]
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.empty = QLabel(tr("没有需要新建的单位。"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)

    def _item(self, row: int, column: int, text: str) -> None:
        item = QTableWidgetItem(text)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, column, item)

    def initializePage(self) -> None:
        plan = self.w.plan
        assert plan is not None
        kinds = self.w.register.profile.unit_kinds
        self.kind_ids = list(kinds)
        self.table.setRowCount(len(plan.new_units))
        for row, unit in enumerate(plan.new_units):
            self._item(row, self.NAME, unit.name)
            self._item(row, self.PARENT, unit.parent or tr("（无，顶层单位）"))
            combo = QComboBox()
            combo.addItems([kinds[kind] for kind in self.kind_ids])
            combo.setCurrentIndex(self.kind_ids.index(unit.kind))
            self.table.setCellWidget(row, self.KIND, combo)
            self._item(
                row,
                self.SOURCE,
                tr("台账“单位类别”列") if unit.kind_from_ledger else tr("按名称推断，请核对"),
            )
            self._item(row, self.ROWS, str(unit.rows) if unit.rows else tr("0（仅作为上级单位）"))
        self.empty.setVisible(not plan.new_units)
        self.table.setVisible(bool(plan.new_units))
        counts = plan.counts()
        self.setSubTitle(
            tr(
                "以下单位在备案库中还没有，导入时将新建，请核对单位类型。"
                "点击“导入”后写入备案库：新增 {0} 个、更新 {1} 个账号。"
            ).format(counts["new"], counts["update"])
        )

    def kind_combo(self, row: int) -> QComboBox:
        combo = self.table.cellWidget(row, self.KIND)
        assert isinstance(combo, QComboBox)
        return combo

    def set_kind(self, row: int, kind: str) -> None:
        self.kind_combo(row).setCurrentIndex(self.kind_ids.index(kind))

    def validatePage(self) -> bool:
        if self.w.import_result is not None:  # committed: the wizard may close
            return True
        plan = self.w.plan
        assert plan is not None
        for row, unit in enumerate(plan.new_units):
            unit.kind = self.kind_ids[self.kind_combo(row).currentIndex()]
        self.w.commit()
        return False


class ImportWizard(ModalHost, QWizard):
    """Import an Excel ledger into the register (the main window's 从 Excel 导入…)."""

    error_title = tr("无法导入")

    def __init__(self, register: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        attach_guide(self, "import-export")
        self.register = register
        self.setWindowTitle(tr("从 Excel 台账导入"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        fit_to_screen(self, QSize(960, 640), "import_wizard")
        self.path: Path = Path()
        self.grid: SheetGrid | None = None
        self.ledger_layout: LedgerLayout | None = None
        self.plan: ImportPlan | None = None
        self.import_result: ImportResult | None = None
        self.job: Job[Any] | None = None  # the last background job (tests wait for it)
        # what the import wrote, for the main window to re-read (nothing until committed)
        self.changes = Changes()
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.units_page = UnitsPage(self)
        for page in (self.file_page, self.mapping_page, self.preview_page, self.units_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, tr("导入"))
        self.setButtonText(QWizard.WizardButton.BackButton, tr("< 上一步"))
        self.setButtonText(QWizard.WizardButton.NextButton, tr("下一步 >"))
        self.setButtonText(QWizard.WizardButton.CancelButton, tr("取消"))

    # -- what tests replace ----------------------------------------------------------

    def choose_open_file(self) -> str:
        return file_dialogs.open_file_name(
            self,
            tr("选择台账文件"),
            "",
            ledger_file_filter(),
        )

    def choose_save_file(self, title: str, name: str) -> str:
        return file_dialogs.save_file_name(self, title, name, tr("Excel 工作簿 (*.xlsx)"))

    def start_job(self, work: Any, label: str, on_done: Any) -> Job[Any]:
        """Run ``work(job)`` on the register worker behind a progress dialog; a failure
        or a cancel is shown to the clerk, and the wizard stays where it was."""
        self.job = runner().with_progress(
            work,
            label,
            self,
            register_path=location(self.register),
            actor=self.register.actor,
            on_done=on_done,
            on_failed=self.show_error,
            on_cancelled=self.show_error,
        )
        return self.job

    # -- messages and commit -----------------------------------------------------------

    def show_info(self, text: str) -> None:
        self.show_message(tr("导入"), text)

    def commit(self) -> Job[ImportResult]:
        """Write the plan on the register worker in one transaction; once committed the
        clerk is told and the wizard closes. A cancel rolls the whole import back."""
        plan = self.plan
        assert plan is not None
        strict = self.preview_page.strict.isChecked()

        def work(job: Job[ImportResult]) -> ImportResult:
            return commit_import(
                job.register,
                plan,
                skip_errors=not strict,
                progress=job.progress,
                cancelled=job.cancelled,
            )

        def committed(result: ImportResult) -> None:
            self.import_result = result
            # accounts, their units and role holders, and the filings of imported statuses;
            # never the calendar or the records (sanctions, watch list, reviews)
            self.changes = Changes(accounts=True, units=True, people=True, filings=True)
            self.show_info(tr("导入完成：{0}").format(plan.summary()))
            self.accept()  # the units page now lets the wizard close

        return self.start_job(work, tr("正在导入台账…"), committed)
