"""Collect: which units returned their packets, and each account's self-check answers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from nmdesk.dates import deadline_text, parse_day
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.review import campaign as campaigns
from nmdesk.review.outcomes import OUTSTANDING, Submission
from nmdesk.review.packets import (
    PacketDiff,
    apply_packet,
    import_packet,
    packet_filename,
    write_reminders,
    write_unit_packet,
)
from nmdesk.review.records import SelfCheck, Step
from ui.common.guide import attach_guide
from ui.common.window_fit import fit_to_screen
from ui.desk.desk_common import (
    INFO_STYLE,
    DateEdit,
    fill_table,
    make_table,
    select_id,
    selected_id,
)

if TYPE_CHECKING:
    from ui.review.review_wizard import ReviewWizard

OVERDUE = QColor("#fde2e1")
PENDING = QColor("#fff4d6")
DONE = QColor("#e3f4e8")


class DiffPreviewDialog(QDialog):
    """What importing a returned packet would change, shown before anything is written."""

    def __init__(self, diff: PacketDiff, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        attach_guide(self, "review")
        self.diff = diff
        self.setWindowTitle(self.tr("导入自查表：核对变更"))
        fit_to_screen(self, QSize(820, 480), "review_diff")
        summary = self.tr("单位：{0}。{1} 个账号的 {2} 项内容将被更新。").format(
            diff.unit_name, diff.changed_accounts, len(diff.changes)
        )
        if diff.zero_report:
            summary = self.tr("单位：{0}。零报告（本单位无账号）。").format(diff.unit_name)
        if diff.unanswered:
            summary += self.tr("未填写的账号：{0}。").format("、".join(diff.unanswered[:10]))
        if diff.already_returned_on:
            summary += self.tr("该单位已于 {0} 交回过，本次导入将覆盖。").format(
                diff.already_returned_on
            )
        label = QLabel(summary)
        label.setWordWrap(True)
        label.setStyleSheet(INFO_STYLE)
        self.table = make_table(
            [self.tr("账号"), self.tr("项目"), self.tr("原值"), self.tr("新值")]
        )
        fill_table(
            self.table,
            [
                (c.account_id, [c.account_name, c.field, c.before or "（空）", c.after or "（空）"])
                for c in diff.changes
            ],
        )
        self.returned = DateEdit()
        form = QFormLayout()
        form.addRow(self.tr("交回日期"), self.returned)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确认导入"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(buttons)


class CollectPage(QWizardPage):
    def __init__(self, wizard: ReviewWizard) -> None:
        super().__init__()
        self.w = wizard
        self._read_only = False
        self.setTitle(self.tr("第二步：收集材料"))
        self.setSubTitle(
            self.tr(
                "登记各单位交回的自查表（或零报告）和日期，导入交回的 Excel 自查表，"
                "逐个账号录入自查情况和材料收取情况。随时可以关闭，下次从这里继续。"
            )
        )
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setFormat(self.tr("已交回 %v / %m 个单位"))
        unit_box = self._build_units()
        account_box = self._build_accounts()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(unit_box)
        split.addWidget(account_box)
        split.setSizes([430, 620])
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.bar)
        layout.addWidget(split, 1)

    def _build_units(self) -> QGroupBox:
        """The units, overdue and unreturned first, with what can be done for one."""
        self.units = make_table(
            [self.tr("单位"), self.tr("账号数"), self.tr("交回日期"), self.tr("状态")]
        )
        self.units.itemSelectionChanged.connect(self._unit_selected)
        self.returned_on = DateEdit()
        self.mark_button = QPushButton(self.tr("登记交回"))
        self.mark_button.clicked.connect(self.mark_returned)
        self.unmark_button = QPushButton(self.tr("撤销交回"))
        self.unmark_button.clicked.connect(self.unmark_returned)
        self.import_button = QPushButton(self.tr("导入交回的自查表…"))
        self.import_button.clicked.connect(self.import_file)
        self.packet_button = QPushButton(self.tr("生成本单位自查表…"))
        self.packet_button.clicked.connect(self.export_packet)
        self.remind_button = QPushButton(self.tr("导出催交名单…"))
        self.remind_button.clicked.connect(self.export_reminders)
        unit_box = QGroupBox(self.tr("单位（逾期和未交回的在前）"))
        unit_layout = QVBoxLayout(unit_box)
        unit_layout.addWidget(self.units, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("交回日期")))
        row.addWidget(self.returned_on)
        row.addWidget(self.mark_button)
        row.addWidget(self.unmark_button)
        unit_layout.addLayout(row)
        row2 = QHBoxLayout()
        row2.addWidget(self.import_button)
        row2.addWidget(self.packet_button)
        row2.addWidget(self.remind_button)
        unit_layout.addLayout(row2)
        return unit_box

    def _build_accounts(self) -> QGroupBox:
        """The selected unit's accounts and the self-check form for one of them."""
        self.accounts = make_table(
            [
                self.tr("账号名称"),
                self.tr("平台"),
                self.tr("自查"),
                self.tr("仍在运营"),
                self.tr("最近发布"),
                self.tr("发文数"),
                self.tr("材料"),
            ]
        )
        self.accounts.itemSelectionChanged.connect(self._account_selected)
        form = self._build_check_form()
        account_box = QGroupBox(self.tr("本单位账号的自查情况"))
        account_layout = QVBoxLayout(account_box)
        account_layout.addWidget(self.accounts, 1)
        account_layout.addLayout(form)
        return account_box

    def _build_check_form(self) -> QGridLayout:
        """One account's self-check: operated, last post, posts, followers, reviewer,
        incidents, materials received; 保存自查 and the error line."""
        self.operated = QComboBox()
        self.operated.addItems([self.tr("（未填）"), self.tr("是"), self.tr("否")])
        self.last_post = DateEdit()
        self.posts = QLineEdit()
        self.followers = QLineEdit()
        self.reviewer = QLineEdit()
        self.incident = QLineEdit()
        self.materials = QCheckBox(self.tr("年审材料已收到"))
        self.save_button = QPushButton(self.tr("保存自查"))
        self.save_button.clicked.connect(self.save_check)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        form = QGridLayout()
        form.addWidget(QLabel(self.tr("是否仍在运营")), 0, 0)
        form.addWidget(self.operated, 0, 1)
        form.addWidget(QLabel(self.tr("最近发布日期")), 0, 2)
        form.addWidget(self.last_post, 0, 3)
        form.addWidget(QLabel(self.tr("本年度发文数")), 1, 0)
        form.addWidget(self.posts, 1, 1)
        form.addWidget(QLabel(self.tr("粉丝数（选填）")), 1, 2)
        form.addWidget(self.followers, 1, 3)
        form.addWidget(QLabel(self.tr("内容审核人（先审后发）")), 2, 0)
        form.addWidget(self.reviewer, 2, 1)
        form.addWidget(QLabel(self.tr("舆情及处置情况")), 2, 2)
        form.addWidget(self.incident, 2, 3)
        form.addWidget(self.materials, 3, 0, 1, 2)
        form.addWidget(self.save_button, 3, 3)
        form.addWidget(self.error, 4, 0, 1, 4)
        return form

    # -- loading ---------------------------------------------------------------------

    def initializePage(self) -> None:
        campaign = self.w.require_campaign()
        if not self.w.read_only:
            self.w.register.reviews.add_late_accounts(campaign.id)
        self.returned_on.set_date(
            min(self.w.today, campaign.deadline_on)
            if self.w.today >= campaign.opened_on
            else campaign.opened_on
        )
        self.set_read_only(self.w.read_only)
        self.reload()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for widget in (
            self.mark_button,
            self.unmark_button,
            self.import_button,
            self.save_button,
            self.packet_button,
            self.operated,
            self.last_post,
            self.posts,
            self.followers,
            self.reviewer,
            self.incident,
            self.materials,
        ):
            widget.setEnabled(not read_only)

    def reload(self, select_unit: int | None = None) -> None:
        campaign = self.w.require_campaign()
        select_unit = select_unit or selected_id(self.units)
        progress = campaigns.progress(self.w.register, campaign, self.w.today)
        late = (
            self.tr("，已逾期 {0} 天").format((self.w.today - campaign.deadline_on).days)
            if progress.overdue
            else ""
        )
        self.summary.setText(
            self.tr(
                "{0} 年度年审　{1}{2}　｜　单位已交齐 {3}/{4}{7}　｜　账号已自查 {5}/{6}"
            ).format(
                campaign.year,
                deadline_text(campaign.deadline_on),
                late,
                progress.units_responded,
                progress.units_total,
                progress.accounts_checked,
                progress.accounts_total,
                self.tr("，部分交回 {0}").format(progress.units_partly)
                if progress.units_partly
                else "",
            )
        )
        self.bar.setMaximum(max(progress.units_total, 1))
        self.bar.setValue(progress.units_responded)
        rows = []
        for unit in progress.units:
            outcome = progress.outcomes[unit.unit_id]
            state = outcome.submission.label
            if outcome.submission is Submission.PARTLY:
                state = self.tr("部分交回（{0} 个账号未自查）").format(outcome.missing)
            elif outcome.submission is Submission.NOT_RETURNED and progress.overdue:
                state = self.tr("逾期")
            rows.append(
                (
                    unit.unit_id,
                    [
                        unit.unit_name,
                        str(unit.account_count),
                        str(unit.packet_returned_on or ""),
                        state,
                    ],
                )
            )
        self.units.blockSignals(True)
        fill_table(self.units, rows)
        for index, unit in enumerate(progress.units):
            owing = progress.outcomes[unit.unit_id].submission in OUTSTANDING
            color = OVERDUE if owing and progress.overdue else PENDING if owing else DONE
            cell = self.units.item(index, 3)
            assert cell is not None  # fill_table filled every cell
            cell.setBackground(color)
        self.units.blockSignals(False)
        if (select_unit is None or not select_id(self.units, select_unit)) and rows:
            self.units.selectRow(0)
            self.units.setCurrentCell(0, 0)
        self._unit_selected()

    def _unit_selected(self) -> None:
        unit_id = selected_id(self.units)
        self.accounts.blockSignals(True)
        current = selected_id(self.accounts)
        if unit_id is None:
            fill_table(self.accounts, [])
            self.accounts.blockSignals(False)
            return
        campaign = self.w.require_campaign()
        rows = []
        for fact in self.w.register.reviews.facts(campaign.id):
            if fact["unit_id"] != unit_id:
                continue
            operated = fact["still_operated"]
            name = fact["name"] + ("" if fact["in_opening_scope"] else self.tr("（开启后新增）"))
            rows.append(
                (
                    fact["account_id"],
                    [
                        name,
                        fact["platform"],
                        "✓" if fact["self_checked"] else "",
                        "" if operated is None else ("是" if operated else "否"),
                        fact["r_last_post_on"] or "",
                        "" if fact["posts_in_year"] is None else str(fact["posts_in_year"]),
                        "✓" if fact["materials_received"] else "",
                    ],
                )
            )
        fill_table(self.accounts, rows)
        self.accounts.blockSignals(False)
        if rows and not (current is not None and select_id(self.accounts, current)):
            self.accounts.selectRow(0)
            self.accounts.setCurrentCell(0, 0)
        self._account_selected()

    def _account_selected(self) -> None:
        account_id = selected_id(self.accounts)
        self.error.clear()
        if account_id is None:
            return
        result = self.w.register.reviews.result(self.w.require_campaign().id, account_id)
        check = result.check
        self.operated.setCurrentIndex(
            0 if check.still_operated is None else 1 if check.still_operated else 2
        )
        self.last_post.set_date(check.last_post_on)
        self.posts.setText("" if check.posts_in_year is None else str(check.posts_in_year))
        self.followers.setText("" if check.followers is None else str(check.followers))
        self.reviewer.setText(check.content_reviewer)
        self.incident.setText(check.incident)
        self.materials.setChecked(result.materials_received)

    # -- actions ---------------------------------------------------------------------

    def _unit_or_warn(self) -> int | None:
        unit_id = selected_id(self.units)
        if unit_id is None:
            self.w.show_message(self.tr("请选择单位"), self.tr("请先在左侧选择一个单位"))
        return unit_id

    def mark_returned(self) -> None:
        unit_id = self._unit_or_warn()
        if unit_id is None:
            return
        campaign = self.w.require_campaign()
        try:
            day = parse_day(self.returned_on.text(), self.tr("交回日期"))
            unit = self.w.register.reviews.unit(campaign.id, unit_id)
            campaigns.record_unit_return(
                self.w.register, campaign, unit_id, day, zero_report=unit.account_count == 0
            )
        except NmdeskError as exc:
            self.w.show_error(exc)
            return
        self.reload(unit_id)

    def unmark_returned(self) -> None:
        unit_id = self._unit_or_warn()
        if unit_id is None:
            return
        try:
            campaigns.record_unit_return(self.w.register, self.w.require_campaign(), unit_id, None)
        except NmdeskError as exc:
            self.w.show_error(exc)
            return
        self.reload(unit_id)

    def import_file(self) -> None:
        path = self.w.choose_open_file(
            self.tr("导入交回的自查表"), self.tr("Excel 工作簿 (*.xlsx)")
        )
        if not path:
            return
        campaign = self.w.require_campaign()
        try:
            diff = import_packet(self.w.register, campaign, Path(path))
        except NmdeskError as exc:
            self.w.show_error(exc)
            return
        dialog = DiffPreviewDialog(diff, self)
        dialog.returned.set_date(self.w.today)
        if self.w.exec_dialog(dialog) != QDialog.DialogCode.Accepted.value:
            return
        try:
            day = parse_day(dialog.returned.text(), self.tr("交回日期"))
            apply_packet(self.w.register, campaign, diff, day)
        except NmdeskError as exc:
            self.w.show_error(exc)
            return
        self.reload(diff.unit_id)

    def _int(self, edit: QLineEdit, field: str) -> int | None:
        text = edit.text().strip().replace(",", "")
        if not text:
            return None
        if not text.isdigit():
            raise ValidationError(field, self.tr("“{0}”应为 0 或正整数").format(text))
        return int(text)

    def save_check(self) -> None:
        account_id = selected_id(self.accounts)
        if account_id is None:
            return
        campaign = self.w.require_campaign()
        try:
            if self.operated.currentIndex() == 0:
                raise ValidationError(self.tr("是否仍在运营"), self.tr("请选择“是”或“否”"))
            last = self.last_post.text().strip()
            check = SelfCheck(
                still_operated=self.operated.currentIndex() == 1,
                last_post_on=parse_day(last, self.tr("最近发布日期")) if last else None,
                posts_in_year=self._int(self.posts, self.tr("本年度发文数")),
                followers=self._int(self.followers, self.tr("粉丝数")),
                content_reviewer=self.reviewer.text(),
                incident=self.incident.text(),
            )
            campaigns.record_self_check(
                self.w.register,
                campaign,
                account_id,
                check,
                materials_received=self.materials.isChecked(),
            )
        except NmdeskError as exc:
            self.error.setText(str(exc))
            return
        self.reload(selected_id(self.units))
        select_id(self.accounts, account_id)

    def export_packet(self) -> None:
        unit_id = self._unit_or_warn()
        if unit_id is None:
            return
        campaign = self.w.require_campaign()
        unit = self.w.register.reviews.unit(campaign.id, unit_id)
        path = self.w.choose_save_file(
            self.tr("保存本单位自查表"),
            packet_filename(campaign, unit.unit_name, unit_id),
            self.tr("Excel 工作簿 (*.xlsx)"),
        )
        if not path:
            return
        try:
            write_unit_packet(self.w.register, campaign, unit_id, Path(path))
        except (NmdeskError, OSError) as exc:
            self.w.show_error(exc)

    def export_reminders(self) -> None:
        campaign = self.w.require_campaign()
        path = self.w.choose_save_file(
            self.tr("导出催交名单"),
            f"{campaign.year}年审催交名单.xlsx",
            self.tr("Excel 工作簿 (*.xlsx)"),
        )
        if not path:
            return
        try:
            rows = write_reminders(self.w.register, campaign, self.w.today, Path(path))
        except OSError as exc:
            self.w.show_error(exc)
            return
        self.w.show_message(
            self.tr("已导出"),
            self.tr("{0} 个单位尚未交回，名单已保存到 {1}").format(len(rows), path),
        )

    def validatePage(self) -> bool:
        campaign = self.w.require_campaign()
        if not self.w.read_only:
            try:
                campaigns.set_step(self.w.register, campaign, Step.ASSESS)
            except NmdeskError as exc:
                self.w.show_error(exc)
                return False
        return True
