"""The import wizard's preview: every planned row with its verdict (new, update,
unchanged, duplicate, error), coloured, and the error report to hand back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from nmdesk.errors import NmdeskError
from nmdesk.excel.error_report import write_error_report
from nmdesk.excel.ledger_import import ImportPlan, Verdict

if TYPE_CHECKING:
    from ui.excel.import_wizard import ImportWizard


def tr(text: str) -> str:
    return QCoreApplication.translate("excel", text)


VERDICT_COLOURS = {
    Verdict.NEW: "#e3f4e1",
    Verdict.UPDATE: "#e1ecfa",
    Verdict.UNCHANGED: "#f2f2f2",
    Verdict.DUPLICATE: "#fff4d6",
    Verdict.ERROR: "#fbe3e1",
}


class PreviewModel(QAbstractTableModel):
    """Every planned row with its verdict, coloured; holds the plan, fetches nothing."""

    HEADERS = ("行号", "结果", "账号名称", "开设平台", "账号ID号", "开设单位", "说明")

    def __init__(self, plan: ImportPlan | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan

    def set_plan(self, plan: ImportPlan) -> None:
        self.beginResetModel()
        self.plan = plan
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.plan is None else len(self.plan.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(self.HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if self.plan is None or not index.isValid():
            return None
        row = self.plan.rows[index.row()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(VERDICT_COLOURS[row.verdict]))
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        fields = row.fields
        values = (
            str(row.row_number),
            tr(row.verdict.label),
            fields.get("name") or "",
            fields.get("platform") or "",
            fields.get("platform_id") or "",
            row.unit_name,
            row.reason,
        )
        return values[index.column()]


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(tr("预览"))
        self.setSubTitle(
            tr(
                "每一行的处理结果：新增、更新（列出变化）、无变化、文件内重复、错误（行、列与原因）。"
            )
        )
        self.summary = QLabel()
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #a65f00;")
        self.warnings.hide()
        self.model = PreviewModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.strict = QCheckBox(tr("有错误行时拒绝整个文件（否则只导入正确的行）"))
        report = QPushButton(tr("导出错误报告…"))
        report.clicked.connect(self.export_report)
        bottom = QHBoxLayout()
        bottom.addWidget(self.strict, 1)
        bottom.addWidget(report)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

    def initializePage(self) -> None:
        plan = self.w.plan
        assert plan is not None
        self.model.set_plan(plan)
        counts = plan.counts()
        self.summary.setText(tr("{0}；无变化 {1}").format(plan.summary(), counts["unchanged"]))
        warnings = plan.warnings()
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))
        self.view.resizeColumnsToContents()

    def export_report(self) -> None:
        plan = self.w.plan
        if plan is None:
            return
        path = self.w.choose_save_file(tr("保存错误报告"), plan.source.stem + "-错误报告.xlsx")
        if not path:
            return
        try:
            count = write_error_report(plan, path)
        except (NmdeskError, OSError) as error:
            self.w.show_error(error)
            return
        self.w.show_info(tr("错误报告已保存（{0} 行）：{1}").format(count, path))
