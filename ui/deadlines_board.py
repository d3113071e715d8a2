"""The deadlines board (截止事项): every running clock, overdue first.

Shown at start-up as a dock under the register table. Double-clicking a row
that belongs to an account selects that account in the table.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nmdesk.deadlines import CLOCK_LABELS, Clock, running_clocks

if TYPE_CHECKING:
    from nmdesk.store.register import Register


def tr(text: str) -> str:
    return QCoreApplication.translate("DeadlinesBoard", text)


OVERDUE = QColor(200, 30, 30)
SOON = QColor(190, 110, 0)
ESTIMATE = QColor(90, 90, 160)
SOON_DAYS = 3
ACCOUNT_ROLE = Qt.ItemDataRole.UserRole


def order_clocks(clocks: list[Clock], today: dt.date) -> list[Clock]:
    """Overdue first (most overdue on top), then the coming ones, then undated problems."""

    def key(clock: Clock) -> tuple[int, dt.date]:
        if clock.due_on is None:
            return (2, dt.date.max)
        return (0 if clock.due_on < today else 1, clock.due_on)

    return sorted(clocks, key=key)


class DeadlinesBoard(QWidget):
    """A list of clocks with days overdue or left; emits ``accountActivated(id)``."""

    accountActivated = Signal(int)
    COLUMNS = (tr("状态"), tr("类别"), tr("事项"), tr("截止日期"), tr("天数"), tr("说明"))

    def __init__(
        self, register: Register, parent: QWidget | None = None, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.today = today or dt.date.today()
        self.clocks: list[Clock] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        head = QHBoxLayout()
        self.summary = QLabel()
        head.addWidget(self.summary)
        head.addSpacing(16)
        self.kind_filter = QComboBox()
        self.kind_filter.addItem(tr("全部类别"), None)
        for kind, label in CLOCK_LABELS.items():
            self.kind_filter.addItem(label, kind.value)
        self.kind_filter.currentIndexChanged.connect(self._apply_filter)
        head.addWidget(self.kind_filter)
        self.overdue_only = QCheckBox(tr("只看逾期"))
        self.overdue_only.toggled.connect(self._apply_filter)
        head.addWidget(self.overdue_only)
        head.addStretch(1)
        hint = QLabel(tr("双击条目可在表格中定位账号"))
        hint.setStyleSheet("color: gray;")
        head.addWidget(hint)
        layout.addLayout(head)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setStyleSheet("QTreeWidget::item { height: 24px; }")
        for column, width in enumerate((56, 110, 360, 96, 80)):
            self.tree.setColumnWidth(column, width)
        self.tree.header().setStretchLastSection(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.itemActivated.connect(self._activated)
        layout.addWidget(self.tree)
        self.refresh()

    # -- data ------------------------------------------------------------------------

    def refresh(self) -> None:
        self.clocks = order_clocks(running_clocks(self.register, self.today), self.today)
        self.tree.clear()
        items = []
        for clock in self.clocks:
            items.append(self._item(clock))
        self.tree.addTopLevelItems(items)
        self._apply_filter()
        overdue = self.overdue_count()
        self.summary.setText(
            tr("共 {0} 项，逾期 {1} 项，估算 {2} 项").format(
                len(self.clocks), overdue, self.estimate_count()
            )
        )

    def _item(self, clock: Clock) -> QTreeWidgetItem:
        days = clock.days_left(self.today)
        if days is None:
            state, days_text = tr("待办"), ""
        elif days < 0:
            state, days_text = tr("逾期"), tr("逾期 {0} 天").format(-days)
        elif days == 0:
            state, days_text = tr("今日"), tr("今天截止")
        else:
            state, days_text = tr("进行中"), tr("剩 {0} 天").format(days)
        notes = []
        if clock.is_estimate:
            notes.append(tr("估算"))
        if clock.account_id is None:
            notes.append(tr("全局事项"))
        item = QTreeWidgetItem(
            [
                state,
                clock.label,
                clock.title,
                str(clock.due_on) if clock.due_on else "—",
                days_text,
                tr("、").join(notes),
            ]
        )
        item.setData(0, ACCOUNT_ROLE, clock.account_id)
        if clock.is_estimate:
            item.setToolTip(3, tr("该年度尚无官方节假日安排，截止日期为估算，请以正式通知为准"))
            item.setForeground(5, QBrush(ESTIMATE))
        color = None
        if days is not None and days < 0:
            color = OVERDUE
        elif days is not None and days <= SOON_DAYS:
            color = SOON
        if color is not None:
            for column in (0, 3, 4):
                item.setForeground(column, QBrush(color))
            font = item.font(0)
            font.setBold(days is not None and days < 0)
            item.setFont(0, font)
        item.setTextAlignment(0, Qt.AlignmentFlag.AlignCenter)
        item.setTextAlignment(4, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item

    def _apply_filter(self, *_args: object) -> None:
        """Hide rows by category or overdue state; the clocks themselves stay as they are."""
        kind = self.kind_filter.currentData()
        overdue_only = self.overdue_only.isChecked()
        for number, clock in enumerate(self.clocks):
            hidden = (kind is not None and clock.kind.value != kind) or (
                overdue_only and not clock.is_overdue(self.today)
            )
            self.tree.topLevelItem(number).setHidden(hidden)

    def overdue_count(self) -> int:
        return sum(1 for clock in self.clocks if clock.is_overdue(self.today))

    def estimate_count(self) -> int:
        return sum(1 for clock in self.clocks if clock.is_estimate)

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        account_id = item.data(0, ACCOUNT_ROLE)
        if account_id is not None:
            self.accountActivated.emit(int(account_id))
