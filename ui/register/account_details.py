"""The details pane: everything about the selected account, in tabs.

基本信息 (the filing sheet's fields), 责任人 (current roles with contacts),
备案记录 (filings with before → after values and due dates), 处理与处置
(sanctions and incidents), 附件 and 历史 (the audit trail, old → new per field).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QFormLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from nmdesk.dates import months_before
from nmdesk.errors import NmdeskError
from nmdesk.models import (
    Account,
    AccountStatus,
    ApplicationDecision,
    FilingKind,
    FilingStatus,
)
from nmdesk.store.account_rules import FIELD_LABELS

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


def tr(text: str) -> str:
    return QCoreApplication.translate("AccountDetails", text)


OVERDUE = QColor(200, 30, 30)
MUTED = QColor(120, 120, 120)
TABLE_NAMES = {
    "accounts": tr("账号"),
    "role_assignments": tr("责任人"),
    "filings": tr("备案"),
    "applications": tr("审批"),
    "attachments": tr("附件"),
    "incidents": tr("处置记录"),
    "review_results": tr("年审结果"),
}
ACTION_NAMES = {
    "insert": tr("新增"),
    "update": tr("修改"),
    "delete": tr("删除"),
    "filed": tr("归档"),
    "cancelled": tr("作废"),
    "resolved": tr("办结"),
    "import": tr("导入"),
    "undo": tr("撤销"),
}
ROW_STYLE = "QTreeWidget::item { height: 24px; }"
# Column labels for audited rows other than the account itself.
OTHER_LABELS = {
    "role": tr("角色"),
    "person_id": tr("人员"),
    "start_on": tr("起始日期"),
    "end_on": tr("终止日期"),
    "kind": tr("类型"),
    "event_on": tr("事项日期"),
    "due_on": tr("截止日期"),
    "status": tr("状态"),
    "filed_on": tr("交回日期"),
    "decision": tr("审批结论"),
    "decided_on": tr("审批日期"),
    "approval_ref": tr("审批文号"),
    "approving_body": tr("审批机构"),
    "original_name": tr("文件名"),
    "description": tr("说明"),
    "due_is_estimate": tr("截止日期为估算"),
    "applied_on": tr("申请日期"),
    "version": tr("版本"),
    "platform_closed_on": tr("平台注销日期"),
    "note": tr("备注"),
    "justification": tr("增设理由"),
    "operation_plan": tr("运营计划"),
    "priority_rank": tr("优先级排序"),
    "pledge_signed": tr("承诺书已签署"),
    "pledge_signed_on": tr("承诺书签署日期"),
    "refusal_reason": tr("不予批准理由"),
    "size": tr("大小"),
    "filing_id": tr("所属备案"),
    "occurred_on": tr("发生日期"),
    "action_taken": tr("处置措施"),
    "reported_on": tr("报告日期"),
}
FLAG_COLUMNS = {"due_is_estimate", "pledge_signed", "campus_data_service", "zero_report"}
HIDDEN_COLUMNS = {"id", "created_at", "updated_at", "account_id", "check_code", "sha256"}


def _tree(headers: list[str], widths: list[int] | None = None) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setUniformRowHeights(True)
    tree.setStyleSheet(ROW_STYLE)
    tree.setEditTriggers(QTreeWidget.EditTrigger.NoEditTriggers)
    for column, width in enumerate(widths or []):
        tree.setColumnWidth(column, width)
    tree.header().setStretchLastSection(True)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return tree


def _text(value: Any) -> str:
    if value is None or value == "":
        return tr("（空）")
    if isinstance(value, bool):
        return tr("是") if value else tr("否")
    return str(value)


class AccountDetails(QTabWidget):
    """Read-only view of one account; ``show_account(None)`` clears it."""

    accountShown = Signal(int)

    def __init__(self, register: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.account_id: int | None = None
        self.today = dt.date.today()
        self.setDocumentMode(True)

        self.fields_page = QWidget()
        self.fields_form = QFormLayout(self.fields_page)
        self.fields_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.fields_page)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.addTab(scroll, tr("基本信息"))

        self.roles = _tree(
            [
                tr("角色"),
                tr("姓名"),
                tr("身份"),
                tr("职务"),
                tr("办公电话"),
                tr("手机"),
                tr("邮箱"),
                tr("起始日期"),
            ],
            [84, 64, 80, 80, 100, 100, 150],
        )
        self.addTab(self.roles, tr("责任人"))

        self.filings = _tree(
            [
                tr("类型"),
                tr("版本"),
                tr("事项日期"),
                tr("截止（含当日）"),
                tr("状态"),
                tr("交回日期"),
                tr("校验码"),
            ],
            [130, 40, 90, 120, 64, 90],
        )
        self.filings.setRootIsDecorated(True)
        self.addTab(self.filings, tr("备案记录"))

        self.sanctions = _tree(
            [tr("类别"), tr("日期"), tr("事由"), tr("期限"), tr("办结")], [90, 90, 220, 90]
        )
        self.addTab(self.sanctions, tr("处理与处置"))

        self.attachments = _tree(
            [tr("文件名"), tr("大小"), tr("添加时间"), tr("说明")], [220, 70, 140]
        )
        self.addTab(self.attachments, tr("附件"))

        self.attachments.itemActivated.connect(self._open_attachment)
        self.attachments.setToolTip(tr("双击打开附件"))

        self.history = _tree([tr("时间"), tr("操作人"), tr("操作"), tr("内容")], [150, 64, 96])
        self.history.setRootIsDecorated(True)
        self.addTab(self.history, tr("历史"))

        self.history_for: int | None = None
        self.currentChanged.connect(self._tab_changed)
        self.show_account(None)

    # -- filling ---------------------------------------------------------------------

    def show_account(self, account_id: int | None) -> None:
        self.account_id = account_id
        for tree in (self.roles, self.filings, self.sanctions, self.attachments, self.history):
            tree.clear()
        while self.fields_form.rowCount():
            self.fields_form.removeRow(0)
        if account_id is None:
            self.fields_form.addRow(QLabel(tr("未选择账号")))
            return
        try:
            account = self.register.accounts.get(account_id)
        except NmdeskError as exc:
            self.fields_form.addRow(QLabel(str(exc)))
            return
        self._fill_fields(account)
        self._fill_roles(account_id)
        self._fill_filings(account_id)
        self._fill_sanctions(account_id)
        self._fill_attachments(account_id)
        self.history_for = None
        self.setTabText(5, tr("历史"))
        if self.currentWidget() is self.history:
            self._load_history()
        self.setTabText(1, tr("责任人") + f" ({self.roles.topLevelItemCount()})")
        self.setTabText(2, tr("备案记录") + f" ({self.filings.topLevelItemCount()})")
        self.setTabText(3, tr("处理与处置") + f" ({self.sanctions.topLevelItemCount()})")
        self.setTabText(4, tr("附件") + f" ({self.attachments.topLevelItemCount()})")
        self.accountShown.emit(account_id)

    def _tab_changed(self, _index: int) -> None:
        if self.currentWidget() is self.history:
            self._load_history()

    def _load_history(self) -> None:
        """The audit history is read only when its tab is shown: it scans the audit trail."""
        if self.account_id is None or self.history_for == self.account_id:
            return
        self.history.clear()
        self._fill_history(self.account_id)
        self.history_for = self.account_id
        self.setTabText(5, tr("历史") + f" ({self.history.topLevelItemCount()})")

    def _add_field(self, label: str, value: str) -> None:
        text = QLabel(value or "—")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields_form.addRow(label + tr("："), text)

    def _fill_fields(self, account: Any) -> None:
        profile = self.register.profile
        unit = self.register.units.get(account.unit_id)
        try:
            level = profile.level(account.level).name
        except NmdeskError:
            level = str(account.level)
        self._add_field(tr("备案编号"), account.serial_no)
        self._add_field(tr("状态"), account.status.label)
        self._add_field(FIELD_LABELS["platform"], account.platform)
        self._add_field(FIELD_LABELS["account_type"], account.account_type)
        self._add_field(FIELD_LABELS["name"], account.name)
        self._add_field(FIELD_LABELS["platform_id"], account.platform_id)
        self._add_field(FIELD_LABELS["purpose"], account.purpose)
        self._add_field(
            FIELD_LABELS["opened_on"], account.opened_on.chinese() if account.opened_on else ""
        )
        self._add_field(FIELD_LABELS["level"], level)
        self._add_field(
            FIELD_LABELS["unit_id"], f"{unit.name}（{profile.unit_kind_name(unit.kind)}）"
        )
        self._add_field(FIELD_LABELS["verified_subject"], account.verified_subject)
        service = (
            (tr("是，审批文号 ") + account.it_approval_ref)
            if account.campus_data_service
            else tr("否")
        )
        self._add_field(FIELD_LABELS["campus_data_service"], service)
        self._add_field(FIELD_LABELS["miit_filing_no"], account.miit_filing_no)
        rotated = str(account.password_rotated_on) if account.password_rotated_on else tr("未记录")
        self._add_field(FIELD_LABELS["password_rotated_on"], rotated + tr("（不保存密码本身）"))
        self._add_field(
            FIELD_LABELS["last_post_on"],
            last_post_text(account, profile.deadlines["low_activity_months"], self.today),
        )
        application = self.register.accounts.application(account.id)
        if application is not None:
            decided = " ".join(
                str(x)
                for x in (
                    application.decision.label,
                    application.approving_body,
                    application.decided_on or "",
                    application.approval_ref,
                )
                if x
            )
            self._add_field(tr("审批"), decided)
            if application.justification:
                self._add_field(tr("增设理由"), application.justification)
            if application.operation_plan:
                self._add_field(tr("运营计划"), application.operation_plan)
            if application.priority_rank:
                self._add_field(tr("优先级排序"), str(application.priority_rank))
        if account.note:
            self._add_field(FIELD_LABELS["note"], account.note)

    def _fill_roles(self, account_id: int) -> None:
        profile = self.register.profile
        for assignment in self.register.accounts.current_roles(account_id):
            person = self.register.people.get(assignment.person_id)
            try:
                role = profile.role_name(assignment.role)
            except NmdeskError:
                role = assignment.role
            QTreeWidgetItem(
                self.roles,
                [
                    role,
                    person.name,
                    person.kind.label,
                    person.title,
                    person.office_phone,
                    person.mobile,
                    person.email,
                    str(assignment.start_on),
                ],
            )

    def _fill_filings(self, account_id: int) -> None:
        for filing in self.register.filings.for_account(account_id):
            due = ""
            if filing.due_on:
                due = str(filing.due_on) + (tr("（估算）") if filing.due_is_estimate else "")
            item = QTreeWidgetItem(
                self.filings,
                [
                    filing.kind.label,
                    str(filing.version),
                    str(filing.event_on),
                    due,
                    filing.status.label,
                    str(filing.filed_on or ""),
                    filing.check_code,
                ],
            )
            if filing.status is FilingStatus.OPEN and filing.due_on and filing.due_on < self.today:
                item.setForeground(3, QBrush(OVERDUE))
                item.setToolTip(3, tr("已逾期 {0} 天").format((self.today - filing.due_on).days))
            if filing.due_is_estimate:
                item.setToolTip(3, tr("该年度尚无官方节假日安排，截止日期为估算"))
            for change in filing.changes:
                text = f"{change.field}：{_text(change.before)} → {_text(change.after)}"
                child = QTreeWidgetItem(item, [text])
                child.setToolTip(0, text)
                child.setFirstColumnSpanned(True)
            if filing.changes:
                item.setExpanded(True)

    def _fill_sanctions(self, account_id: int) -> None:
        for sanction in self.register.sanctions.for_account(account_id):
            state = (
                f"{sanction.resolved_on} {sanction.resolution}".strip()
                if sanction.resolved_on
                else tr("未办结")
            )
            item = QTreeWidgetItem(
                self.sanctions,
                [
                    sanction.kind.label,
                    str(sanction.issued_on),
                    sanction.reason,
                    str(sanction.deadline_on or ""),
                    state,
                ],
            )
            if (
                not sanction.resolved_on
                and sanction.deadline_on
                and sanction.deadline_on < self.today
            ):
                item.setForeground(3, QBrush(OVERDUE))
        for incident in self.register.watchlist.incidents(account_id):
            QTreeWidgetItem(
                self.sanctions,
                [
                    tr("处置记录"),
                    str(incident.occurred_on),
                    incident.description,
                    "",
                    incident.action_taken,
                ],
            )

    def _fill_attachments(self, account_id: int) -> None:
        for attachment in self.register.attachments.for_account(account_id):
            size = (
                f"{attachment.size / 1024:.0f} KB"
                if attachment.size >= 1024
                else f"{attachment.size} B"
            )
            item = QTreeWidgetItem(
                self.attachments,
                [attachment.original_name, size, attachment.added_at, attachment.description],
            )
            item.setData(0, Qt.ItemDataRole.UserRole, attachment.id)

    def _open_attachment(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        attachment_id = item.data(0, Qt.ItemDataRole.UserRole)
        if attachment_id is None:
            return
        try:
            attachment = self.register.attachments.get(int(attachment_id))
            path = self.register.attachments.stored_path(attachment)
        except NmdeskError as exc:
            item.setToolTip(0, str(exc))
            return
        if not path.exists():
            item.setToolTip(0, tr("附件文件 {0} 不在备案库旁的附件目录中").format(path.name))
            return
        self.open_file(path)

    def open_file(self, path: Path) -> bool:
        """Open a stored scan with the system viewer; tests replace this."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _fill_history(self, account_id: int) -> None:
        people: dict[int, str] = {}
        for entry in reversed(self.register.audit.history_of_account(account_id)):
            before = json.loads(entry["before"]) if entry["before"] else {}
            after = json.loads(entry["after"]) if entry["after"] else {}
            table = TABLE_NAMES.get(entry["table_name"], entry["table_name"])
            action = ACTION_NAMES.get(entry["action"], entry["action"])
            changed = [
                key
                for key in sorted(set(before) | set(after), key=_column_order(after, before))
                if key not in HIDDEN_COLUMNS
                and before.get(key) != after.get(key)
                and (entry["before"] or after.get(key) not in (None, ""))
            ]
            summary = tr("、").join(self._label(entry["table_name"], key) for key in changed[:4])
            if len(changed) > 4:
                summary += tr(" 等 {0} 项").format(len(changed))
            item = QTreeWidgetItem(
                self.history,
                [
                    str(entry["at"]).replace("T", " ")[:16],
                    entry["actor"],
                    f"{action}{table}",
                    summary,
                ],
            )
            for key in changed:
                old = self._value(key, before.get(key), people) if entry["before"] else ""
                new = self._value(key, after.get(key), people) if entry["after"] else ""
                text = f"{_text(old)} → {_text(new)}" if entry["before"] else _text(new)
                child = QTreeWidgetItem(item, ["", "", self._label(entry["table_name"], key), text])
                child.setToolTip(3, text)
        only = self.history.topLevelItem(0) if self.history.topLevelItemCount() == 1 else None
        if only is not None:
            only.setExpanded(True)

    def _label(self, table: str, key: str) -> str:
        if table == "accounts" and key in FIELD_LABELS:
            return FIELD_LABELS[key]
        return OTHER_LABELS.get(key, key)

    def _value(self, key: str, value: Any, people: dict[int, str]) -> Any:
        if value is None:
            return None
        if key in FLAG_COLUMNS:
            return tr("是") if value else tr("否")
        if key == "person_id":
            if value not in people:
                try:
                    people[value] = self.register.people.get(int(value)).name
                except NmdeskError:
                    people[value] = f"#{value}"
            return people[value]
        if key == "role":
            try:
                return self.register.profile.role_name(str(value))
            except NmdeskError:
                return value
        if key in ("status", "kind", "decision"):
            for enum in (AccountStatus, FilingStatus, FilingKind, ApplicationDecision):
                try:
                    return enum(value).label
                except ValueError:
                    continue
        return value


def _column_order(*rows: dict[str, Any]) -> Any:
    order: dict[str, int] = {}
    for row in rows:
        for key in row:
            order.setdefault(key, len(order))
    return lambda key: order.get(key, 999)


def last_post_text(account: Account, months: int, on: dt.date) -> str:
    """The last-post date as the details pane shows it, marked once it is older than
    the profile's inactivity threshold."""
    if account.last_post_on is None:
        return tr("未记录")
    if account.last_post_on < months_before(on, months):
        return tr("{0}（已超过 {1} 个月未更新）").format(account.last_post_on, months)
    return str(account.last_post_on)
