"""Assess: every account with its suggested flags and reasons, and the clerk's verdicts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWizardPage,
)

from nmdesk.dates import parse_day
from nmdesk.errors import NmdeskError
from nmdesk.models import Verdict
from nmdesk.review import assess
from nmdesk.review.assess import AssessRow
from ui.desk.desk_common import INFO_STYLE, DateEdit

if TYPE_CHECKING:
    from ui.review.review_wizard import ReviewWizard

HEADERS = (
    "账号名称",
    "平台",
    "级别",
    "开设单位",
    "状态",
    "自查",
    "提示",
    "建议结论",
    "结论",
    "整改期限",
)
VERDICT_COLORS = {
    Verdict.PASS: QColor("#1b7a36"),
    Verdict.RECTIFY: QColor("#a65f00"),
    Verdict.SUSPEND: QColor("#b3261e"),
    Verdict.ORDER_CLOSE: QColor("#b3261e"),
    Verdict.NOT_SUBMITTED: QColor("#6b3fa0"),
}
Index = QModelIndex | QPersistentModelIndex


class AssessModel(QAbstractTableModel):
    """The campaign's accounts in the register's order; rows are plain records in memory."""

    def __init__(self, level_names: dict[int, str]) -> None:
        super().__init__()
        self.rows: list[AssessRow] = []
        self.level_names = level_names

    def set_rows(self, rows: list[AssessRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (6, 7):
            return row.reasons or self.tr("没有提示")
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 8 and row.verdict is not None:
                return VERDICT_COLORS[row.verdict]
            if column == 6 and row.flags:
                return QColor("#a65f00")
        if role == Qt.ItemDataRole.UserRole:
            return row.account_id
        return None

    def _text(self, row: AssessRow, column: int) -> str:
        if column == 0:
            return row.name + (self.tr("（开启后新增）") if row.new_since_opening else "")
        values = (
            None,
            row.platform,
            self.level_names.get(row.level, str(row.level)),
            row.unit_name,
            row.status.label,
            "✓" if row.self_checked else "",
            row.flag_text,
            row.suggested.label,
            row.verdict.label if row.verdict else "",
            str(row.verdict_deadline or ""),
        )
        return str(values[column] or "")


class AssessPage(QWizardPage):
    def __init__(self, wizard: ReviewWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("第三步：评定结论"))
        self.setSubTitle(
            self.tr(
                "系统根据登记信息和自查情况给出提示和建议结论，鼠标停在“提示”上可看原因。"
                "可多选账号批量作出结论；发布前结论都可以修改。"
            )
        )
        self._flags: dict[int, list[assess.Flag]] | None = None
        levels = {level.level: level.name for level in wizard.register.profile.levels}
        self.model = AssessModel(levels)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.counts = QLabel()
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.reasons.setStyleSheet(INFO_STYLE)
        self.reasons.setMinimumHeight(54)
        self.reasons.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.verdict = QComboBox()
        for verdict in Verdict:
            self.verdict.addItem(verdict.label, verdict.value)
        self.verdict.currentIndexChanged.connect(self._verdict_changed)
        self.deadline = DateEdit()
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("说明（选填）"))
        self.apply_button = QPushButton(self.tr("应用到所选"))
        self.apply_button.clicked.connect(self.apply_to_selected)
        self.suggest_button = QPushButton(self.tr("未作结论的采用建议"))
        self.suggest_button.clicked.connect(self.apply_suggestions)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("结论")))
        controls.addWidget(self.verdict)
        controls.addWidget(QLabel(self.tr("整改期限")))
        controls.addWidget(self.deadline)
        controls.addWidget(self.note, 1)
        controls.addWidget(self.apply_button)
        controls.addWidget(self.suggest_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.reasons)
        layout.addLayout(controls)
        layout.addWidget(self.error)

    def initializePage(self) -> None:
        campaign = self.w.require_campaign()
        self.deadline.set_date(_default_rectify_deadline(campaign.deadline_on))
        self.set_read_only(self.w.read_only)
        self._verdict_changed()
        self.reload(recompute=True)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, 220)
        self.table.setColumnWidth(6, 200)
        self.table.setColumnWidth(8, 70)

    def set_read_only(self, read_only: bool) -> None:
        for widget in (
            self.verdict,
            self.deadline,
            self.note,
            self.apply_button,
            self.suggest_button,
        ):
            widget.setEnabled(not read_only)

    def reload(self, *, recompute: bool = False) -> None:
        selected = set(self.selected_ids())
        campaign = self.w.require_campaign()
        cached = None if recompute else self._flags
        rows = assess.assessment(self.w.register, campaign, self.w.today, flags=cached)
        self._flags = {row.account_id: row.flags for row in rows}
        self.model.set_rows(rows)
        decided = sum(1 for r in rows if r.verdict is not None)
        checked = sum(1 for r in rows if r.self_checked)
        flagged = sum(1 for r in rows if r.flags)
        self.counts.setText(
            self.tr("共 {0} 个账号：已自查 {1}，有提示 {2}，已作结论 {3}").format(
                len(rows), checked, flagged, decided
            )
        )
        if selected:
            self.select_ids(selected)
        self._selection_changed()

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r].account_id for r in rows if r < len(self.model.rows)]

    def select_ids(self, ids: set[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        for row, item in enumerate(self.model.rows):
            if item.account_id in ids:
                index = self.model.index(row, 0)
                selection.select(
                    index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows
                )

    def _selection_changed(self, *args: object) -> None:
        # a refusal was about the rows selected then, not about these
        self.error.clear()
        ids = self.selected_ids()
        self.apply_button.setText(self.tr("应用到所选（{0}）").format(len(ids)))
        rows = [r for r in self.model.rows if r.account_id in set(ids)]
        if len(rows) == 1:
            row = rows[0]
            text = f"{row.name}（{row.unit_name}，{row.platform}）\n" + (
                row.reasons or self.tr("没有提示")
            )
            self.reasons.setText(text)
        elif rows:
            self.reasons.setText(self.tr("已选 {0} 个账号").format(len(rows)))
        else:
            self.reasons.setText(self.tr("选择账号查看提示原因"))

    def _verdict_changed(self) -> None:
        read_only = self.w.read_only
        self.deadline.setEnabled(not read_only and self.current_verdict() is Verdict.RECTIFY)

    def current_verdict(self) -> Verdict:
        return Verdict(self.verdict.currentData())

    def set_verdict_choice(self, verdict: Verdict) -> None:
        self.verdict.setCurrentIndex(self.verdict.findData(verdict.value))

    def apply_to_selected(self) -> None:
        ids = self.selected_ids()
        campaign = self.w.require_campaign()
        verdict = self.current_verdict()
        try:
            deadline = (
                parse_day(self.deadline.text(), self.tr("整改期限"))
                if verdict is Verdict.RECTIFY
                else None
            )
            assess.set_verdicts(
                self.w.register, campaign, ids, verdict, deadline=deadline, note=self.note.text()
            )
        except NmdeskError as exc:
            self.error.setText(str(exc))
            return
        self.error.clear()
        self.reload()

    def apply_suggestions(self) -> None:
        campaign = self.w.require_campaign()
        try:
            deadline = parse_day(self.deadline.text(), self.tr("整改期限"))
            assess.apply_suggestions(
                self.w.register,
                campaign,
                self.w.today,
                rectify_deadline=deadline,
                flags=self._flags,
            )
        except NmdeskError as exc:
            self.error.setText(str(exc))
            return
        self.error.clear()
        self.reload()

    def validatePage(self) -> bool:
        return True


def _default_rectify_deadline(deadline: Any) -> Any:
    import datetime as dt

    return deadline + dt.timedelta(days=90)
