"""节假日安排: enter a year's holidays from the State Council's notice.

The clerk picks a year, pastes the notice (or opens a .txt/.docx, or an exchange
file from another office), checks the twelve months against the paper, corrects
a day by clicking it (the note says why), and saves. Saving is one audited
transaction that recomputes every running clock (nmdesk/holidays/service.py).
The list on the left shows where each year's working days come from:
内置 (bundled), 录入 (entered, with when and by whom) or 估算 (estimated).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nmdesk.changes import Changes
from nmdesk.errors import NmdeskError
from nmdesk.holidays.files import export_schedule, import_schedule, read_notice_file
from nmdesk.holidays.notice import notice_year, parse_notice
from nmdesk.holidays.schedule import HolidaySchedule, YearSource, weekday_name
from nmdesk.holidays.service import YearInForce, save_year, year_in_force
from ui.calendar.year_view import YearView
from ui.common import file_dialogs
from ui.common.guide import attach_guide
from ui.common.window_fit import fit_to_screen, scrolling
from ui.desk.desk_common import ERROR_STYLE, INFO_STYLE, DeskDialog, make_table

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


def tr(text: str) -> str:
    return QCoreApplication.translate("HolidayCalendar", text)


NOTICE_FILTER = "通知 (*.txt *.docx);;所有文件 (*)"
EXCHANGE_FILTER = "节假日安排交换文件 (*.json)"
MAX_DIFFERENCES_SHOWN = 15


def legend_label() -> QLabel:
    """What the colours and the underline in the months mean."""
    return QLabel(
        tr(
            "<span style='color:#c81e1e'>■ 休</span>　<span style='color:#1f4fb3'>■ 班</span>"
            "（调休上班）　下划线：本次更正。点击日期可更正。"
        )
    )


class HolidayCalendarDialog(DeskDialog):
    """Pick a year, paste the notice, check the months, correct, save."""

    def __init__(
        self, register: Register, parent: QWidget | None = None, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        attach_guide(self, "holidays")
        self.register = register
        self.today = today or dt.date.today()
        self.draft: HolidaySchedule | None = None  # parsed or corrected, not yet saved
        self.origin = ""
        self.corrections: list[str] = []
        self.corrected_days: set[dt.date] = set()
        self.selected: dt.date | None = None
        self.setWindowTitle(tr("节假日安排"))
        fit_to_screen(self, QSize(1330, 700), "holiday_calendar")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("年份")))
        self.year_box = QSpinBox()
        self.year_box.setRange(2004, 2100)
        self.year_box.setValue(self.today.year + 1 if self.today.month >= 11 else self.today.year)
        self.year_box.valueChanged.connect(self._year_changed)
        top.addWidget(self.year_box)
        self.source_label = QLabel()
        self.source_label.setObjectName("sourceLabel")
        top.addWidget(self.source_label, 1)
        top.addWidget(legend_label())
        layout.addLayout(top)

        body = QHBoxLayout()
        body.addWidget(self._make_left(), 0)
        # the year's grid scrolls on a narrow screen (1280 × 720); the buttons stay below
        body.addWidget(scrolling(self._make_right()), 1)
        layout.addLayout(body, 1)

        buttons = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("statusLabel")
        self.status.setWordWrap(True)
        buttons.addWidget(self.status, 1)
        self.export_button = QPushButton(tr("导出交换文件…"))
        self.export_button.clicked.connect(self.export_year)
        buttons.addWidget(self.export_button)
        self.save_button = QPushButton(tr("保存该年安排"))
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        close = QPushButton(tr("关闭"))
        close.clicked.connect(self.close_reporting_changes)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self._year_changed()

    # -- layout --------------------------------------------------------------------------

    def _make_left(self) -> QWidget:
        panel = QWidget()
        panel.setFixedWidth(350)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        years = QGroupBox(tr("各年来源"))
        inner = QVBoxLayout(years)
        self.years_list = QListWidget()
        self.years_list.setObjectName("yearsList")
        self.years_list.setFixedHeight(96)
        self.years_list.itemClicked.connect(self._year_picked)
        inner.addWidget(self.years_list)
        column.addWidget(years)

        notice = QGroupBox(tr("国务院办公厅通知全文"))
        inner = QVBoxLayout(notice)
        self.notice_edit = QPlainTextEdit()
        self.notice_edit.setObjectName("noticeEdit")
        self.notice_edit.setPlaceholderText(
            tr("把《国务院办公厅关于××××年部分节假日安排的通知》全文粘贴到这里，然后点“解析”")
        )
        inner.addWidget(self.notice_edit, 1)
        row = QHBoxLayout()
        self.parse_button = QPushButton(tr("解析"))
        self.parse_button.setObjectName("parseButton")
        self.parse_button.clicked.connect(self.parse)
        row.addWidget(self.parse_button)
        open_button = QPushButton(tr("打开通知文件…"))
        open_button.clicked.connect(self.open_notice_file)
        row.addWidget(open_button)
        import_button = QPushButton(tr("导入交换文件…"))
        import_button.clicked.connect(self.import_exchange_file)
        row.addWidget(import_button)
        inner.addLayout(row)
        self.parse_result = QLabel()
        self.parse_result.setObjectName("parseResult")
        self.parse_result.setWordWrap(True)
        inner.addWidget(self.parse_result)
        column.addWidget(notice, 1)

        self.festivals = make_table([tr("节日"), tr("放假"), tr("调休上班")])
        self.festivals.setObjectName("festivalsTable")
        self.festivals.verticalHeader().setDefaultSectionSize(21)
        self.festivals.horizontalHeader().setFixedHeight(22)
        self.festivals.setFixedHeight(22 + 8 * 21 + 4)  # seven festivals, or eight
        self.festivals.setColumnWidth(0, 92)
        self.festivals.setColumnWidth(1, 130)
        column.addWidget(self.festivals)
        return panel

    def _make_right(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        self.view = YearView()
        self.view.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.view.dayClicked.connect(self.select_day)
        column.addWidget(self.view)
        fix = QGroupBox(tr("更正所选日期"))
        row = QHBoxLayout(fix)
        self.day_label = QLabel(tr("（请点击日历中的日期）"))
        self.day_label.setMinimumWidth(150)
        row.addWidget(self.day_label)
        self.mark_group = QButtonGroup(self)
        self.mark_off = QRadioButton(tr("休"))
        self.mark_work = QRadioButton(tr("班"))
        self.mark_plain = QRadioButton(tr("按周末规则"))
        for index, button in enumerate((self.mark_off, self.mark_work, self.mark_plain)):
            self.mark_group.addButton(button, index)
            row.addWidget(button)
        row.addWidget(QLabel(tr("原因")))
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText(tr("必填，例如：通知更正、学校另行通知"))
        row.addWidget(self.note_edit, 1)
        self.fix_button = QPushButton(tr("更正"))
        self.fix_button.setObjectName("fixButton")
        self.fix_button.clicked.connect(self.correct_selected)
        row.addWidget(self.fix_button)
        column.addWidget(fix)
        self.differences_label = QLabel()
        self.differences_label.setObjectName("differencesLabel")
        self.differences_label.setWordWrap(True)
        self.differences_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.differences_label)
        scroll.setFixedHeight(66)
        column.addWidget(scroll)
        column.addStretch(1)
        return panel

    # -- what is shown -------------------------------------------------------------------

    @property
    def year(self) -> int:
        return self.year_box.value()

    def in_force(self) -> YearInForce:
        return year_in_force(self.register, self.year)

    def shown_schedule(self) -> HolidaySchedule:
        return self.draft if self.draft is not None else self.in_force().schedule

    def _year_changed(self, *_args: object) -> None:
        if self.draft is not None and self.draft.year != self.year:
            self.draft, self.corrections, self.corrected_days = None, [], set()
            self.status.setText(tr("已放弃未保存的解析结果"))
        self._fill_years()
        self.refresh_view()

    def _fill_years(self) -> None:
        self.years_list.clear()
        entered = self.register.calendar_overrides.entered_years()
        years = sorted({*range(self.today.year - 2, self.today.year + 3), *entered, self.year})
        for year in years:
            in_force = year_in_force(self.register, year)
            source = (
                tr("估算（未录入）")
                if in_force.source is YearSource.ESTIMATE
                else in_force.describe_source()
            )
            item = QListWidgetItem(f"{year}　{source}")
            item.setToolTip(in_force.describe_source())
            item.setData(Qt.ItemDataRole.UserRole, year)
            self.years_list.addItem(item)
            if year == self.year:
                self.years_list.setCurrentItem(item)

    def _year_picked(self, item: QListWidgetItem) -> None:
        self.year_box.setValue(int(item.data(Qt.ItemDataRole.UserRole)))

    def refresh_view(self) -> None:
        in_force = self.in_force()
        schedule = self.shown_schedule()
        self.view.show_schedule(schedule, self.corrected_days if self.draft is not None else set())
        if self.draft is None:
            self.source_label.setText(
                tr("{0} 年正在使用：{1}").format(self.year, in_force.describe_source())
            )
        else:
            self.source_label.setText(
                tr("{0} 年：未保存的新安排（{1}）；正在使用：{2}").format(
                    self.year, self.origin, in_force.source.label
                )
            )
        self.festivals.setRowCount(0)
        for festival in schedule.festivals():
            row = self.festivals.rowCount()
            self.festivals.insertRow(row)
            for column, text in enumerate(
                (festival.name or tr("其他"), festival.describe_off(), festival.describe_work())
            ):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.festivals.setItem(row, column, item)
        self._show_differences(in_force)
        self.save_button.setEnabled(self.draft is not None)
        self.export_button.setEnabled(in_force.source is not YearSource.ESTIMATE)

    def _show_differences(self, in_force: YearInForce) -> None:
        if self.draft is None:
            self.differences_label.setText(self.draft_summary(in_force.schedule))
            self.differences_label.setStyleSheet("")
            return
        differences = in_force.schedule.differences(self.draft)
        against = tr("与{0}数据相比").format(in_force.source.label)
        if not differences:
            text = tr("{0}：逐日一致。").format(against)
        else:
            lines = [d.describe() for d in differences[:MAX_DIFFERENCES_SHOWN]]
            more = len(differences) - len(lines)
            text = tr("{0}有 {1} 天不同：").format(against, len(differences)) + "；".join(lines)
            if more:
                text += tr("……另有 {0} 天").format(more)
        self.differences_label.setText(self.draft_summary(self.draft) + "\n" + text)
        self.differences_label.setStyleSheet(INFO_STYLE)

    @staticmethod
    def draft_summary(schedule: HolidaySchedule) -> str:
        return schedule.summary() if schedule.days else tr("（该年没有任何放假或调休记录）")

    # -- entering ------------------------------------------------------------------------

    def parse(self) -> bool:
        """Read the pasted notice; the title's year wins, else the year picked."""
        text = self.notice_edit.toPlainText()
        try:
            titled = notice_year(text)
            parsed = parse_notice(text, None if titled is not None else self.year)
        except NmdeskError as error:
            self.parse_result.setText(tr("无法录入：{0}").format(error))
            self.parse_result.setStyleSheet(ERROR_STYLE)
            return False
        self.set_draft(parsed.schedule, tr("国务院办公厅通知"))
        ignored = (
            tr("；未作为安排的日期句子 {0} 句").format(len(parsed.ignored))
            if parsed.ignored
            else ""
        )
        self.parse_result.setText(tr("已解析：{0}{1}").format(parsed.schedule.summary(), ignored))
        self.parse_result.setStyleSheet("")
        return True

    def set_draft(self, schedule: HolidaySchedule, origin: str) -> None:
        self.draft, self.origin = schedule, origin
        self.corrections, self.corrected_days = [], set()
        self.year_box.blockSignals(True)
        self.year_box.setValue(schedule.year)
        self.year_box.blockSignals(False)
        self._fill_years()
        self.refresh_view()
        self.status.setText(tr("请逐月核对后点“保存该年安排”"))

    def choose_file(self, title: str, pattern: str, save: bool = False) -> str:
        """The quiet file dialog (it never opens a file to sniff it), starting at home."""
        folder = str(Path.home())
        if save:
            return file_dialogs.save_file_name(self, title, folder, pattern)
        return file_dialogs.open_file_name(self, title, folder, pattern)

    def open_notice_file(self) -> None:
        name = self.choose_file(tr("打开通知"), tr(NOTICE_FILTER))
        if not name:
            return
        try:
            self.notice_edit.setPlainText(read_notice_file(name))
        except NmdeskError as error:
            self.parse_result.setText(str(error))
            self.parse_result.setStyleSheet(ERROR_STYLE)
            return
        if self.parse():
            self.origin = tr("国务院办公厅通知（{0}）").format(Path(name).name)
            self.refresh_view()

    def import_exchange_file(self) -> None:
        name = self.choose_file(tr("导入交换文件"), tr(EXCHANGE_FILTER))
        if not name:
            return
        try:
            schedule = import_schedule(name)
        except NmdeskError as error:
            self.show_message(tr("无法导入"), str(error), error=True)
            return
        origin = tr("交换文件（{0}）").format(Path(name).name)
        if schedule.entry is not None and schedule.entry.origin:
            origin += tr("，原为{0}").format(schedule.entry.origin)
        self.set_draft(schedule, origin)

    def export_year(self) -> None:
        in_force = self.in_force()
        name = self.choose_file(tr("导出交换文件"), tr(EXCHANGE_FILTER), save=True)
        if not name:
            return
        try:
            export_schedule(in_force.schedule, in_force.source.value, name)
        except NmdeskError as error:
            self.show_message(tr("无法导出"), str(error), error=True)
            return
        self.status.setText(tr("已导出 {0} 年安排到 {1}").format(self.year, name))

    # -- correcting ----------------------------------------------------------------------

    def select_day(self, day: dt.date) -> None:
        self.selected = day
        named = self.shown_schedule().get(day)
        self.day_label.setText(f"{day.isoformat()}（{weekday_name(day)}）")
        button = (
            self.mark_plain
            if named is None
            else (self.mark_work if named.is_workday else self.mark_off)
        )
        button.setChecked(True)
        self.note_edit.setText(named.note if named is not None else "")
        self.note_edit.setFocus()

    def correct_selected(self) -> None:
        """Set the selected day to 休, 班 or the weekday rule; the reason is required."""
        day, note = self.selected, self.note_edit.text().strip()
        if day is None:
            self.status.setText(tr("请先点击要更正的日期"))
            return
        if self.draft is None and self.in_force().source is YearSource.ESTIMATE:
            self.status.setText(
                tr("{0} 年尚无官方安排：请先粘贴或打开该年的通知，再更正").format(self.year)
            )
            return
        if not note:
            self.status.setText(tr("请填写更正原因"))
            self.note_edit.setFocus()
            return
        choice = self.mark_group.checkedId()
        is_workday = {0: False, 1: True}.get(choice)
        schedule = self.shown_schedule()
        named = schedule.get(day)
        festival = named.festival if named is not None else ""
        if self.draft is None:
            self.origin = tr("更正{0}").format(self.in_force().source.label)
        self.draft = schedule.corrected(day, is_workday, festival=festival, note=note)
        mark = {0: "休", 1: "班"}.get(choice, tr("按周末规则"))
        self.corrected_days.add(day)
        self.corrections.append(tr("{0} 改为{1}（{2}）").format(day.isoformat(), mark, note))
        self.refresh_view()
        self.status.setText(tr("已更正 {0}，尚未保存").format(day.isoformat()))

    # -- saving --------------------------------------------------------------------------

    def save(self) -> bool:
        """Store the draft after the clerk has seen how it differs from what is in force."""
        if self.draft is None:
            return False
        in_force = self.in_force()
        differences = in_force.schedule.differences(self.draft)
        if in_force.source is not YearSource.ESTIMATE:
            listed = "\n".join(d.describe() for d in differences[:MAX_DIFFERENCES_SHOWN])
            question = (
                tr("{0} 年已有{1}安排。").format(self.year, in_force.source.label)
                + (
                    tr("新安排有 {0} 天不同：\n{1}\n").format(len(differences), listed)
                    if differences
                    else tr("新安排与之逐日一致。")
                )
                + tr("保存后以录入的安排为准，是否保存？")
            )
            if not self.confirm(tr("保存节假日安排"), question):
                return False
        origin = self.origin + ("；" + "；".join(self.corrections) if self.corrections else "")
        try:
            saved = save_year(self.register, self.draft, origin)
        except NmdeskError as error:
            self.show_message(tr("无法保存"), str(error), error=True)
            return False
        self.changes |= Changes(calendar=True)
        self.draft, self.corrections, self.corrected_days = None, [], set()
        self._fill_years()
        self.refresh_view()
        self.status.setText(
            tr("已保存 {0} 年安排，重新计算截止日期 {1} 项").format(
                saved.year, saved.moved_due_dates
            )
        )
        return True
