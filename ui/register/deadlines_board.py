"""The deadlines board (截止事项): every running clock, overdue first.

Shown at start-up as a dock under the register table. A table model rather
than one widget item per clock, so that a register with tens of thousands of
password-rotation clocks still opens quickly; on a large register the clocks
are computed on a worker thread with its own read-only connection. Double-
clicking (or Enter on) a row that belongs to an account selects that account.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from nmdesk.deadlines import CLOCK_LABELS, Clock, running_clocks
from nmdesk.holidays.service import next_year_missing
from ui.common.register_location import location
from ui.common.tasks import Job, runner

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

ModelIndex = QModelIndex | QPersistentModelIndex


def tr(text: str) -> str:
    return QCoreApplication.translate("DeadlinesBoard", text)


OVERDUE = QColor(200, 30, 30)
SOON = QColor(190, 110, 0)
ESTIMATE = QColor(90, 90, 160)
SOON_DAYS = 3
FIRST_START_DELAY_MS = 300  # background computation after the window's first paint
ACCOUNT_ROLE = Qt.ItemDataRole.UserRole
PERSON_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = (tr("状态"), tr("类别"), tr("事项"), tr("截止（含当日）"), tr("天数"), tr("说明"))
WIDTHS = (60, 116, 380, 96, 84)


def order_clocks(clocks: list[Clock], today: dt.date) -> list[Clock]:
    """Overdue first (most overdue on top), then the coming ones, then undated problems."""

    def key(clock: Clock) -> tuple[int, dt.date]:
        if clock.due_on is None:
            return (2, dt.date.max)
        return (0 if clock.due_on < today else 1, clock.due_on)

    return sorted(clocks, key=key)


class ClockModel(QAbstractTableModel):
    """The clocks shown on the board (already filtered), one per row."""

    def __init__(self, today: dt.date, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self.clocks: list[Clock] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_clocks(self, clocks: list[Clock]) -> None:
        self.beginResetModel()
        self.clocks = clocks
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.clocks)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.clocks):
            return None
        clock = self.clocks[index.row()]
        column = index.column()
        days = clock.days_left(self.today)
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(clock, column, days)
        if role == ACCOUNT_ROLE:
            return clock.account_id
        if role == PERSON_ROLE:
            return clock.person_id
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 5 and clock.is_estimate:
                return QBrush(ESTIMATE)
            if column in (0, 3, 4) and days is not None:
                if days < 0:
                    return QBrush(OVERDUE)
                if days <= SOON_DAYS:
                    return QBrush(SOON)
            return None
        if role == Qt.ItemDataRole.FontRole and column == 0 and days is not None and days < 0:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == 0:
                return Qt.AlignmentFlag.AlignCenter
            if column == 4:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 3 and clock.is_estimate:
                return tr("该年度尚无官方节假日安排，截止日期为估算，请以正式通知为准")
            if column == 2:
                return f"{clock.title}\n{clock.detail}" if clock.detail else clock.title
        return None

    @staticmethod
    def text(clock: Clock, column: int, days: int | None) -> str:
        if column == 0:
            if days is None:
                return tr("待办")
            return tr("逾期") if days < 0 else tr("今日") if days == 0 else tr("进行中")
        if column == 1:
            return clock.label
        if column == 2:
            return clock.title
        if column == 3:
            return str(clock.due_on) if clock.due_on else "—"
        if column == 4:
            if days is None:
                return ""
            if days < 0:
                return tr("逾期 {0} 天").format(-days)
            return tr("今天截止") if days == 0 else tr("剩 {0} 天").format(days)
        notes = []
        if clock.is_estimate:
            notes.append(tr("估算"))
        if clock.account_ids:
            notes.append(tr("涉及 {0} 个账号").format(len(clock.account_ids)))
        elif clock.account_id is None:
            notes.append(tr("全局事项"))
        return tr("、").join(notes)


class DeadlinesBoard(QWidget):
    """The clocks with days overdue or left; emits ``accountActivated(id)``, or
    ``handOverRequested(person id)`` for a graduating student's item."""

    accountActivated = Signal(int)
    handOverRequested = Signal(int)
    loaded = Signal()
    holidaysRequested = Signal()  # the clerk clicked "录入" on the missing-schedule line

    def __init__(
        self,
        register: Register,
        parent: QWidget | None = None,
        today: dt.date | None = None,
        *,
        background: bool = False,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.today = today or dt.date.today()
        self.background = background
        self.clocks: list[Clock] = []
        self._overdue = 0
        self._estimates = 0
        self.loading = False
        self._generation = 0
        self._first_start = True
        self.job: Job[list[Clock]] | None = None  # the computation on the register worker

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
        hint = QLabel(tr("双击条目可在表格中定位账号；毕业交接条目打开人员交接"))
        hint.setStyleSheet("color: gray;")
        head.addWidget(hint)
        layout.addLayout(head)
        self.holiday_notice = QLabel()
        self.holiday_notice.setObjectName("holidayNotice")
        self.holiday_notice.setStyleSheet("color: #5a5aa0;")
        self.holiday_notice.linkActivated.connect(lambda _link: self.holidaysRequested.emit())
        self.holiday_notice.hide()
        layout.addWidget(self.holiday_notice)

        self.model = ClockModel(self.today, self)
        self.view = QTableView()
        self.view.setObjectName("deadlinesTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(24)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for column, width in enumerate(WIDTHS):
            self.view.setColumnWidth(column, width)
        self.view.activated.connect(self._activated)
        layout.addWidget(self.view)
        self.refresh()

    # -- data ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Recompute every clock: at once, or on the register worker for a large register."""
        self._generation += 1
        self._show_holiday_notice()
        if not self.background:
            clocks = order_clocks(running_clocks(self.register, self.today), self.today)
            self._receive(self._generation, clocks)
            return
        self.loading = True
        self.summary.setText(tr("正在计算截止事项…"))
        generation = self._generation
        # The first computation waits for the window's first paint: the worker's Python
        # would otherwise share the interpreter lock with building the window.
        delay, self._first_start = (FIRST_START_DELAY_MS if self._first_start else 0), False
        QTimer.singleShot(delay, self, lambda: self._start(generation))

    def _show_holiday_notice(self) -> None:
        """From 1 November, say so while next year's holiday schedule is missing."""
        self.register.invalidate_calendar()  # another clerk may have entered the year
        year = next_year_missing(self.register, self.today)
        if year is None:
            self.holiday_notice.hide()
            return
        self.holiday_notice.setText(
            tr("{0}年节假日安排尚未录入，涉及{0}年的截止日期为估算").format(year)
            + tr("　<a href='holidays'>录入节假日安排…</a>")
        )
        self.holiday_notice.show()

    def _start(self, generation: int) -> None:
        if generation != self._generation:
            return  # a newer refresh replaced this one before it started
        today = self.today

        def compute(job: Job[list[Clock]]) -> list[Clock]:
            # on the register worker, with the job's own read-only connection
            return order_clocks(running_clocks(job.register, today), today)  # sorted here too

        self.job = runner().run(
            compute,
            register_path=location(self.register),
            read_only=True,
            on_done=lambda clocks: self._receive(generation, clocks),
            # the board shows empty rather than a traceback
            on_failed=lambda _sentence: self._receive(generation, []),
            owner=self,
        )

    def _receive(self, generation: int, clocks: object) -> None:
        if generation != self._generation:
            return  # a newer refresh is under way
        assert isinstance(clocks, list)  # ordered by order_clocks on the computing thread
        self.loading = False
        self.clocks = clocks
        self._overdue = sum(1 for clock in clocks if clock.is_overdue(self.today))
        self._estimates = sum(1 for clock in clocks if clock.is_estimate)
        self._apply_filter()
        self.summary.setText(
            tr("共 {0} 项，逾期 {1} 项，估算 {2} 项").format(
                len(self.clocks), self._overdue, self._estimates
            )
        )
        self.loaded.emit()

    def _apply_filter(self, *_args: object) -> None:
        """Show clocks of one category, or only the overdue ones."""
        kind = self.kind_filter.currentData()
        overdue_only = self.overdue_only.isChecked()
        self.model.set_clocks(
            [
                clock
                for clock in self.clocks
                if (kind is None or clock.kind.value == kind)
                and (not overdue_only or clock.is_overdue(self.today))
            ]
        )

    @property
    def visible(self) -> list[Clock]:
        return self.model.clocks

    def overdue_count(self) -> int:
        return self._overdue  # counted once per computation (the status bar asks often)

    def estimate_count(self) -> int:
        return self._estimates

    def _activated(self, index: QModelIndex) -> None:
        person_id = self.model.data(index, PERSON_ROLE)
        if person_id is not None:
            self.handOverRequested.emit(int(person_id))
            return
        account_id = self.model.data(index, ACCOUNT_ROLE)
        if account_id is not None:
            self.accountActivated.emit(int(account_id))
