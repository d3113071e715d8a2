"""The account form: the paper sheet on screen, field by field, in the sheet's order.

With a BIT register it is the 备案表: 公共账号基本信息, 开设单位基本信息 (单位负责人
and 运维负责人 with their 职务/办公电话/手机/邮箱), 单位意见. With a PKU-CoE register
it is the 审批表: the same account block, the unit with its 第一责任人, 具体负责人
and 具体运营人, then the extra-account justification, operation plan and priority
ranking, the joint meeting's opinion and the pledge (承诺书). The other register
fields (level, verified subject, campus data, custodian …) follow in a last group.
Tab order is the paper's order.

The sheet's widgets are built in ``ui/desk/account_sheet.py`` (``AccountSheet``),
each role holder in ``ui/desk/role_holder.py`` (``PersonBlock``); this module is the
dialog around them. Picard style: ``load()`` fills the widgets, ``check()`` raises the
first ValidationError after showing every error inline next to its field, ``save()``
writes in one transaction through ``nmdesk.entry_save``. Editing a filed account
shows the change filings created and their due dates; leaving with typed input
unsaved asks first.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from nmdesk.changes import Changes
from nmdesk.dates import today
from nmdesk.entry import AccountEntry, entry_from_account, entry_warnings
from nmdesk.entry_checks import collect_errors, missing_required, required_summary
from nmdesk.entry_save import SaveResult, describe_filing, save_entry
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.models import AccountStatus, ApplicationDecision
from nmdesk.store.accounts import FILED_STATUSES
from nmdesk.store.interfaces import Register
from ui.desk.account_sheet import AccountSheet
from ui.desk.desk_common import tr
from ui.desk.role_holder import PersonBlock
from ui.desk.undo import EditHistory, session_history

FINAL_STATUSES = frozenset({AccountStatus.CLOSED, AccountStatus.REFUSED})


class AccountFormDialog(AccountSheet):
    """Create or edit one account, as on the profile's paper sheet."""

    saved = Signal(int)

    def __init__(
        self,
        register: Register,
        account_id: int | None = None,
        parent: QWidget | None = None,
        *,
        history: EditHistory | None = None,
    ) -> None:
        super().__init__(register, account_id, parent)
        if history is None and parent is not None:
            history = session_history(parent, register)
        self.history = history
        self.result_info: SaveResult | None = None
        self._touched: set[str] = set()
        self._show_all = False
        self._edited = False  # typed input not saved yet: 取消 asks first
        self.set_up_window(self._title(), guide="account-form", size=(980, 860), key="account_form")
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.validate_live)
        self.load()

    def _title(self) -> str:
        sheet = self.profile.filing_sheet_title
        if self.account_id is None:
            return tr("新增账号 — {0}").format(sheet)
        return tr("编辑账号 — {0}").format(sheet)

    # -- load ----------------------------------------------------------------------

    def load(self) -> None:
        """Fill the widgets from the stored account, or with a new sheet's defaults."""
        self._loading = True
        try:
            if self.account_id is None:
                entry = AccountEntry(
                    level=2 if len(self.profile.levels) >= 2 else 1, signed_on=today().isoformat()
                )
                if self.platform.count():
                    entry.platform = self.platform.itemText(0)
            else:
                entry = entry_from_account(self.register, self.account_id)
            self.set_entry(entry)
            self._lock_decided_approval()
        finally:
            self._loading = False
        self._update_change_info()
        self.validate_live()

    def _lock_decided_approval(self) -> None:
        """A decided application is a record: its approval fields are shown, not edited."""
        if self.account_id is None:
            return
        app = self.register.accounts.application(self.account_id)
        if app is None or app.decision is ApplicationDecision.PENDING:
            return
        for edit in (self.approving_body, self.approval_ref, self.decided_on):
            edit.setReadOnly(True)
            edit.setToolTip(tr("审批结果已登记（{0}），不能在此修改").format(app.decision.label))
        self.approval_hint.setText(tr("审批结果：{0}").format(app.decision.label))

    def _changed(self, key: str) -> None:
        if self._loading:
            return
        self._edited = True
        self._touched.add(key)
        if key == "账号开设单位":
            self._update_existing_accounts()
        if self.isVisible():
            self._timer.start()

    def _changed_block(self, block: PersonBlock) -> None:
        if self._loading:
            return
        self._edited = True
        self._touched.update(block.boxes)
        if self.isVisible():
            self._timer.start()

    def errors(self) -> list[ValidationError]:
        errors, _ = collect_errors(self.register, self.entry(), self.account_id)
        return errors

    def validate_live(self) -> list[ValidationError]:
        """Show errors for the fields already touched, and the warnings; as you type."""
        errors = self.errors()
        self._show_errors(errors, everything=self._show_all)
        self._show_required(errors)
        warnings = entry_warnings(self.register, self.entry(), self.account_id)
        names = [w for w in warnings if w.startswith("账号名称")]
        others = [w for w in warnings if not w.startswith("账号名称")]
        self.name_warning.setText("\n".join(names))
        self.name_warning.setVisible(bool(names))
        self.unit_warning.setText("\n".join(others))
        self.unit_warning.setVisible(bool(others))
        return errors

    def _show_errors(self, errors: list[ValidationError], *, everything: bool) -> None:
        by_field: dict[str, str] = {}
        general: list[str] = []
        for error in errors:
            if error.field not in self.boxes:
                general.append(str(error))
            elif everything or error.field in self._touched:
                by_field.setdefault(error.field, str(error))
        for key, box in self.boxes.items():
            box.set_error(by_field.get(key, ""))
        self.general_error.setText("\n".join(general) if everything else "")
        self.general_error.setVisible(everything and bool(general))

    def _show_required(self, errors: list[ValidationError]) -> None:
        missing = missing_required(self.profile, errors)
        self.required_missing = list(missing.values())
        summary = required_summary(self.required_missing)
        self.required_line.setToolTip(summary)
        if not missing:
            self.required_line.clear()
            return
        links = [
            f'<a href="{html.escape(field)}">{html.escape(name)}</a>'
            if field in self.boxes
            else html.escape(name)
            for field, name in missing.items()
        ]
        head = summary.split("：", 1)[0]
        self.required_line.setText(f"{html.escape(head)}：{'、'.join(links)}")

    def _update_change_info(self) -> None:
        if self.account_id is None:
            self._update_existing_accounts()
            return
        account = self.register.accounts.get(self.account_id)
        deadlines = self.profile.deadlines
        if account.status in FILED_STATUSES:
            self.change_info.setText(
                tr(
                    "该账号已备案（{0}）。保存修改将生成变更备案：账号信息变更须在变更后 {1} 个工作日内、"
                    "人员变更须在 {2} 个工作日内以书面形式报{3}。"
                ).format(
                    account.status.label,
                    deadlines["change_filing_working_days"],
                    deadlines["personnel_change_working_days"],
                    self.profile.filing_office,
                )
            )
        elif account.status in FINAL_STATUSES:
            self.change_info.setText(
                tr("该账号状态为“{0}”，登记记录只读，不能再修改。").format(account.status.label)
            )
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        else:
            self.change_info.setText(
                tr("该账号状态为“{0}”，尚未备案，修改不生成变更备案。").format(account.status.label)
            )
        self._update_existing_accounts()

    # -- check / save (Picard style) -----------------------------------------------

    def check(self) -> None:
        """Show every error inline; raise the first one (sheet order)."""
        self._show_all = True
        self._timer.stop()
        errors = self.validate_live()
        if errors:
            first = errors[0]
            box = self.boxes.get(first.field)
            if box is not None:
                box.widget.setFocus()
                self.scroll_area.ensureWidgetVisible(box)
            raise first

    def save(self) -> SaveResult:
        """Write the sheet in one transaction; remembers the edit for undo."""
        result = save_entry(self.register, self.entry(), self.account_id)
        self.result_info = result
        self.account_id = result.account_id
        if result.edit is not None and self.history is not None:
            self.history.push(result.edit)
        return result

    def summary(self, result: SaveResult) -> str:
        account = self.register.accounts.get(result.account_id)
        lines = [tr("已保存“{0}”（编号 {1}）。").format(account.name, account.serial_no)]
        if result.created_people:
            lines.append(tr("新建人员 {0} 名。").format(len(result.created_people)))
        if result.filing_ids:
            lines.append(tr("已生成以下备案，请打印一式两份交单位签字盖章后交回："))
            lines += [f"· {describe_filing(self.register, fid)}" for fid in result.filing_ids]
        return "\n".join(lines)

    def open_attachments(self) -> None:
        """Scans of this account's signed sheets (ui/desk/attachments.py)."""
        from ui.desk.attachments import AttachmentsDialog

        assert self.account_id is not None
        self.exec_dialog(AttachmentsDialog(self.register, self.account_id, parent=self))

    def done(self, code: int) -> None:
        self._timer.stop()
        super().done(code)

    def has_unsaved_changes(self) -> bool:
        return self._edited

    def save_unsaved(self) -> bool:
        return self.try_save()

    def try_save(self) -> bool:
        """Check and save the sheet; False (errors shown) when it cannot be saved yet."""
        if not self.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled():
            return False
        try:
            self.check()
        except ValidationError as error:
            self.general_error.setText(tr("请先改正标红的内容：{0}").format(error))
            self.general_error.show()
            return False
        try:
            result = self.save()
        except NmdeskError as error:
            self.show_message(tr("不能保存"), str(error), error=True)
            return False
        self._edited = False
        self.changes |= Changes(accounts=True, people=True, select=self.account_id)
        self.show_message(tr("已保存"), self.summary(result))
        self.saved.emit(result.account_id)
        return True

    def on_save(self) -> None:
        if self.try_save():
            self.accept()
