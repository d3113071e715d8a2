"""The sanctions register: 通报批评, 限期整改 and 暂停运行 (each with a deadline),
责令注销 and 暂停申办资格, each open until it is resolved with a date and a resolution.

A 限期整改 on a running account puts it into 整改中 until resolved; a 暂停运行
puts the account into 暂停 until it is lifted; a 责令注销
starts the closure flow; a 暂停申办资格 stops the unit from filing new
applications until it is lifted (PKU-CoE clause 15).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QWidget,
)

from nmdesk.changes import Changes
from nmdesk.dates import today
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.models import DEADLINE_KINDS, Sanction, SanctionKind
from nmdesk.services.sanctions import issue
from nmdesk.services.sanctions import resolve as resolve_sanction
from nmdesk.store.interfaces import Register
from ui.desk.desk_common import (
    DateEdit,
    FieldBox,
    RecordsDialog,
    add_action_row,
    clear_errors,
    day_or_error,
    field_group,
    fill_table,
    selected_id,
    tr,
)
from ui.desk.pickers import unit_choices


class SanctionsDialog(RecordsDialog):
    """List, add and resolve sanctions; scoped to an account's unit when one is given."""

    def __init__(
        self, register: Register, account_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.account_id = account_id
        self.account = register.accounts.get(account_id) if account_id is not None else None
        self.set_up_window(
            tr("处理与整改"), guide="closure-sanctions", size=(1000, 680), key="sanctions"
        )
        layout = self.records_list(
            [
                tr("类型"),
                tr("单位"),
                tr("账号"),
                tr("下达日期"),
                tr("整改期限"),
                tr("办结"),
                tr("事由"),
            ],
            open_only=tr("只看未办结"),
        )
        self.unit = QComboBox()
        for text, unit_id in unit_choices(register):
            self.unit.addItem(text, unit_id)
        self.with_account = QCheckBox(
            tr("针对账号：{0}").format(self.account.name)
            if self.account
            else tr("（未选择账号，处理针对单位）")
        )
        self.with_account.setChecked(self.account is not None)
        self.with_account.setEnabled(self.account is not None)
        if self.account is not None:
            self.unit.setCurrentIndex(max(0, self.unit.findData(self.account.unit_id)))
        self.kind = QComboBox()
        for kind in SanctionKind:
            self.kind.addItem(tr(kind.label), kind.value)
        self.issued_on = DateEdit()
        self.issued_on.setText(today().isoformat())
        self.deadline_on = DateEdit()
        self.reason = QLineEdit()
        self.boxes = {
            "单位": FieldBox(self.unit),
            "账号": FieldBox(self.with_account),
            "处理类型": FieldBox(self.kind),
            "下达日期": FieldBox(self.issued_on),
            "整改期限": FieldBox(self.deadline_on),
            "处理事由": FieldBox(self.reason),
        }
        add_group, add_form = field_group(tr("新增处理"), self.boxes)
        self.add_button = add_action_row(add_form, tr("登记处理"), self.on_add)
        self.resolved_on = DateEdit()
        self.resolved_on.setText(today().isoformat())
        self.resolution = QLineEdit()
        self.resolve_boxes = {
            "办结日期": FieldBox(self.resolved_on),
            "处理结果": FieldBox(self.resolution),
        }
        resolve_group, resolve_form = field_group(tr("办结所选处理"), self.resolve_boxes)
        self.resolve_button = add_action_row(resolve_form, tr("办结"), self.on_resolve)
        self.add_groups(layout, (add_group, 3), (resolve_group, 2))
        self.add_close_button(layout)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.refresh()

    def _kind_changed(self) -> None:
        self.deadline_on.setEnabled(SanctionKind(self.kind.currentData()) in DEADLINE_KINDS)

    def refresh(self) -> None:
        units = {u.id: u.name for u in self.register.units.all()}
        if self.account is not None:
            sanctions = self.register.sanctions.for_unit(self.account.unit_id)
        else:
            sanctions = self.register.sanctions.all()
        if self.open_only.isChecked():
            sanctions = [s for s in sanctions if s.resolved_on is None]
        rows = []
        for s in sanctions:
            account = self.register.accounts.get(s.account_id).name if s.account_id else ""
            done = f"{s.resolved_on} {s.resolution}" if s.resolved_on else tr("未办结")
            rows.append(
                (
                    s.id or 0,
                    [
                        s.kind.label,
                        units.get(s.unit_id, ""),
                        account,
                        str(s.issued_on),
                        str(s.deadline_on or ""),
                        done,
                        s.reason,
                    ],
                )
            )
        fill_table(self.table, rows)

    # -- unsaved input: a reason or a resolution typed and not yet registered ------------

    def has_unsaved_changes(self) -> bool:
        return bool(self.reason.text().strip() or self.resolution.text().strip())

    def save_unsaved(self) -> bool:
        if self.reason.text().strip():
            self.on_add()  # clears the reason when it is registered
        if self.resolution.text().strip() and selected_id(self.table) is not None:
            self.on_resolve()
        return not self.reason.text().strip()

    def on_add(self) -> None:
        clear_errors(self.boxes.values())
        kind = SanctionKind(self.kind.currentData())
        try:
            issued = day_or_error(self.boxes["下达日期"], "下达日期")
            deadline = None
            if kind in DEADLINE_KINDS:
                deadline = day_or_error(self.boxes["整改期限"], "整改期限")
                if deadline is not None and issued is not None and deadline <= issued:
                    raise_box = self.boxes["整改期限"]
                    raise_box.set_error(tr("整改期限：应晚于下达日期"))
                    return
            if not self.reason.text().strip():
                self.boxes["处理事由"].set_error(tr("处理事由：为必填项"))
                return
        except ValidationError:
            return
        assert issued is not None
        account_id = self.account_id if self.with_account.isChecked() else None
        sanction = Sanction(
            None,
            int(self.unit.currentData()),
            kind,
            issued,
            self.reason.text().strip(),
            account_id=account_id,
            deadline_on=deadline,
        )
        if (
            kind is SanctionKind.ORDER_CLOSE
            and account_id is not None
            and not self.confirm(
                tr("责令注销"), tr("登记责令注销将同时启动该账号的注销流程，是否继续？")
            )
        ):
            return
        try:
            issue(self.register, sanction)
        except NmdeskError as error:
            self.show_message(tr("不能登记"), str(error), error=True)
            return
        self.changes |= Changes(records=True, accounts=True)
        self.reason.clear()
        self.refresh()

    def on_resolve(self) -> None:
        sanction_id = self.selected_record(tr("办结"), tr("请先在列表中选择一条处理"))
        if sanction_id is None:
            return
        clear_errors(self.resolve_boxes.values())
        try:
            day = day_or_error(self.resolve_boxes["办结日期"], "办结日期")
            assert day is not None
            resolve_sanction(self.register, sanction_id, day, self.resolution.text())
        except ValidationError as error:
            target = self.resolve_boxes.get(error.field)
            if target is not None:
                target.set_error(str(error))
            return
        except NmdeskError as error:
            self.show_message(tr("不能办结"), str(error), error=True)
            return
        self.changes |= Changes(records=True, accounts=True)
        self.resolution.clear()
        self.refresh()
