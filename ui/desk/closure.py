"""The closure (注销) flow of one account: start it, then confirm it.

Starting puts the account into 注销中 with a closure filing whose deadline is
counted in working days from the day operation stopped (PKU-CoE clause 14:
apply to the platform within 10 working days, then report the result).
Confirming, once the platform has closed the account, makes it 已注销 — the
final status; the record stays in the register. Both steps ask for a final
confirmation that says exactly what will happen.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from nmdesk.changes import Changes
from nmdesk.dates import deadline_text, today
from nmdesk.entry_save import describe_filing
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.lifecycle import can_transition
from nmdesk.models import AccountStatus, Filing, FilingKind, FilingStatus
from nmdesk.services.filings import confirm_closure, mark_filed, start_closure
from nmdesk.store.interfaces import Register
from ui.desk.desk_common import (
    INFO_STYLE,
    DateEdit,
    DeskDialog,
    FieldBox,
    day_or_error,
    tr,
)


class ClosureDialog(DeskDialog):
    """Start or confirm the closure of one account."""

    def __init__(self, register: Register, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.account_id = account_id
        self.account = register.accounts.get(account_id)
        self.filing = self._closure_filing()
        # the title says whether the closure starts or is confirmed: set below
        self.set_up_window(None, guide="closure-sanctions", size=(640, 240), key="closure")
        layout = QVBoxLayout(self)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setStyleSheet(INFO_STYLE)
        layout.addWidget(self.info)
        form = QFormLayout()
        self.day = DateEdit()
        self.day.setText(today().isoformat())
        self.day_box = FieldBox(self.day)
        self.note = QLineEdit()
        self.mark_filed = QCheckBox(tr("注销报备的纸质材料已交回，同时标记归档"))
        self.mark_filed.setChecked(True)
        layout.addLayout(form)
        self.buttons = self.ok_cancel_buttons(self.on_ok)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        status = self.account.status
        days = register.profile.deadlines["closure_working_days"]
        if status is AccountStatus.CLOSING and self.filing is not None:
            self.mode = "confirm"
            self.setWindowTitle(tr("确认注销：{0}").format(self.account.name))
            self.info.setText(
                tr("账号“{0}”正在注销。{1}\n平台确认关闭后，在此填写关闭日期并确认注销。").format(
                    self.account.name, describe_filing(register, self.filing.id or 0)
                )
            )
            form.addRow(tr("平台关闭日期"), self.day_box)
            form.addRow("", self.mark_filed)
            ok.setText(tr("确认注销"))
        elif can_transition(status, AccountStatus.CLOSING):
            self.mode = "start"
            self.setWindowTitle(tr("注销账号：{0}").format(self.account.name))
            self.info.setText(
                tr(
                    "账号“{0}”（{1}，{2}）将进入注销流程：须在停止运营后 {3} 个工作日内向平台申请关闭，"
                    "并将关闭结果报{4}。"
                ).format(
                    self.account.name,
                    self.account.platform,
                    status.label,
                    days,
                    register.profile.filing_office,
                )
            )
            form.addRow(tr("停止运营日期"), self.day_box)
            form.addRow(tr("注销原因"), self.note)
            ok.setText(tr("开始注销"))
        else:
            self.mode = "none"
            self.setWindowTitle(tr("注销账号：{0}").format(self.account.name))
            self.info.setText(
                tr("账号“{0}”状态为“{1}”，不能注销。").format(self.account.name, status.label)
            )
            ok.setEnabled(False)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.filing_id: int | None = self.filing.id if self.filing else None

    def _closure_filing(self) -> Filing | None:
        filings = [
            f
            for f in self.register.filings.for_account(self.account_id)
            if f.kind is FilingKind.CLOSURE
            and f.platform_closed_on is None
            and f.status is not FilingStatus.CANCELLED
        ]
        return filings[-1] if filings else None

    # -- unsaved input: a note typed for the closure and not yet saved -----------------

    def has_unsaved_changes(self) -> bool:
        return self.mode in ("start", "confirm") and bool(self.note.text().strip())

    def save_unsaved(self) -> bool:
        self.on_ok()
        saved = self.result() == ClosureDialog.DialogCode.Accepted
        if saved:
            self.changes |= Changes(accounts=True, filings=True)
        return saved

    def on_ok(self) -> None:
        try:
            day = day_or_error(self.day_box, self.day_label())
        except ValidationError:
            return
        assert day is not None
        if day > today():
            self.day_box.set_error(tr("{0}：不能晚于今天").format(self.day_label()))
            return
        try:
            if self.mode == "start":
                due = self.register.filings.due_date(FilingKind.CLOSURE, day)
                due_text = (
                    deadline_text(due.date) + ("（估算）" if due.is_estimate else "") if due else ""
                )
                if not self.confirm(
                    tr("确认开始注销"),
                    tr(
                        "账号“{0}”将变为“注销中”，并生成注销报备，{1}。\n"
                        "平台关闭后须再次打开本窗口确认注销。是否继续？"
                    ).format(self.account.name, due_text),
                ):
                    return
                self.filing_id = start_closure(
                    self.register, self.account_id, day, note=self.note.text().strip()
                )
                self.show_message(tr("已开始注销"), describe_filing(self.register, self.filing_id))
            elif self.mode == "confirm":
                assert self.filing_id is not None
                if not self.confirm(
                    tr("最后确认"),
                    tr(
                        "账号“{0}”将变为“已注销”，这是最终状态，不能恢复；登记记录和历史保留。\n"
                        "平台关闭日期：{1}。确定注销？"
                    ).format(self.account.name, day.isoformat()),
                ):
                    return
                with self.register.transaction():
                    confirm_closure(self.register, self.filing_id, day)
                    if (
                        self.mark_filed.isChecked()
                        and self.register.filings.get(self.filing_id).status is FilingStatus.OPEN
                    ):
                        mark_filed(self.register, self.filing_id, day)
                self.show_message(tr("已注销"), tr("账号“{0}”已注销。").format(self.account.name))
        except NmdeskError as error:
            self.show_message(tr("不能注销"), str(error), error=True)
            return
        self.accept()

    def day_label(self) -> str:
        return "平台关闭日期" if self.mode == "confirm" else "停止运营日期"
