"""Twelve months on one screen: each day off (休, red) and make-up working day (班, blue).

Used by the holiday window (ui/calendar/holiday_calendar.py). A click on a day (or Enter
on it) emits ``dayClicked(date)``; the tooltip names the festival and the clerk's note.
"""

from __future__ import annotations

import calendar
import datetime as dt

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nmdesk.holidays.schedule import HolidaySchedule


def tr(text: str) -> str:
    return QCoreApplication.translate("YearView", text)


OFF_TEXT, OFF_BACK = QColor(200, 30, 30), QColor(253, 226, 225)
WORK_TEXT, WORK_BACK = QColor(31, 79, 179), QColor(221, 232, 251)
WEEKEND_TEXT = QColor(140, 140, 140)
CELL_W, CELL_H = 32, 19
DATE_ROLE = Qt.ItemDataRole.UserRole


class MonthTable(QTableWidget):
    """One month, Monday first, six rows of weeks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(6, 7, parent)
        self.setHorizontalHeaderLabels([tr(d) for d in "一二三四五六日"])
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(CELL_W)
        header.setMinimumSectionSize(CELL_W)
        header.setFixedHeight(CELL_H)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(CELL_H)
        self.verticalHeader().setMinimumSectionSize(CELL_H)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setShowGrid(False)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setFixedSize(QSize(7 * CELL_W + 4, 7 * CELL_H + 4))
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 2.0))
        self.setFont(font)


class YearView(QWidget):
    """The year's twelve months in a 3 × 4 grid."""

    dayClicked = Signal(object)  # datetime.date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self.months: list[MonthTable] = []
        for index in range(12):
            box = QVBoxLayout()
            box.setSpacing(1)
            title = QLabel(tr("{0}月").format(index + 1))
            title.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(title)
            table = MonthTable()
            table.setObjectName(f"month{index + 1}")
            table.cellClicked.connect(lambda row, column, t=table: self._clicked(t, row, column))
            table.cellActivated.connect(lambda row, column, t=table: self._clicked(t, row, column))
            box.addWidget(table)
            self.months.append(table)
            grid.addLayout(box, index // 4, index % 4)
        self.year = 0
        self._bold = QFont(self.months[0].font())
        self._bold.setBold(True)
        self._bold.setUnderline(True)

    def _clicked(self, table: MonthTable, row: int, column: int) -> None:
        item = table.item(row, column)
        day = item.data(DATE_ROLE) if item is not None else None
        if isinstance(day, dt.date):
            self.dayClicked.emit(day)

    def item_for(self, day: dt.date) -> QTableWidgetItem | None:
        """The cell showing ``day`` (tests click it)."""
        table = self.months[day.month - 1]
        for row in range(6):
            for column in range(7):
                item = table.item(row, column)
                if item is not None and item.data(DATE_ROLE) == day:
                    return item
        return None

    def show_schedule(self, schedule: HolidaySchedule, changed: set[dt.date] | None = None) -> None:
        """Paint ``schedule``'s year; ``changed`` days (the clerk's corrections) are underlined."""
        self.year = schedule.year
        changed = changed or set()
        for month, table in enumerate(self.months, start=1):
            table.clearContents()
            first_column = dt.date(schedule.year, month, 1).weekday()
            for number in range(1, calendar.monthrange(schedule.year, month)[1] + 1):
                day = dt.date(schedule.year, month, number)
                cell = first_column + number - 1
                item = QTableWidgetItem()
                item.setData(DATE_ROLE, day)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                named = schedule.get(day)
                if named is None:
                    item.setText(str(number))
                    if day.weekday() >= 5:
                        item.setForeground(QBrush(WEEKEND_TEXT))
                else:
                    item.setText(f"{number}{named.mark}")
                    item.setForeground(QBrush(WORK_TEXT if named.is_workday else OFF_TEXT))
                    item.setBackground(QBrush(WORK_BACK if named.is_workday else OFF_BACK))
                    tip = named.festival + ("（调休上班）" if named.is_workday else "（放假）")
                    item.setToolTip(tip + (f"\n{named.note}" if named.note else ""))
                if day in changed:
                    item.setFont(self._bold)
                table.setItem(cell // 7, cell % 7, item)
