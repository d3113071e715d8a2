"""Filings waiting for their signed paper, and marking them filed.

Every filing (开设备案, 变更备案, 人员变更, 注销报备) stays open until the signed
copy comes back. The clerk marks it filed with the date the paper arrived —
by selecting it, or by typing (or scanning) the check code printed on the
sheet. A scan of the signed copy can be attached to the filing right away.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from nmdesk.changes import Changes
from nmdesk.dates import today
from nmdesk.entry_save import describe_filing
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.forms.receipt import receive_copy
from nmdesk.models import FilingStatus
from nmdesk.services.filings import mark_filed
from nmdesk.store.interfaces import Register
from ui.desk.desk_common import (
    DateEdit,
    FieldBox,
    RecordsDialog,
    add_action_row,
    day_or_error,
    field_group,
    fill_table,
    selected_id,
    tr,
)

OVERDUE_RED = "#b3261e"


class FilingsDialog(RecordsDialog):
    """Open filings (of one account, or all), mark filed, receive by check code."""

    def __init__(
        self, register: Register, account_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.account_id = account_id
        title = tr("备案交回登记")
        if account_id is not None:
            title += f"：{register.accounts.get(account_id).name}"
        self.set_up_window(title, guide="receive", size=(1000, 600), key="filings")
        layout = self.records_list(
            [
                tr("账号"),
                tr("类型"),
                tr("版本"),
                tr("变更日"),
                tr("截止（含当日）"),
                tr("状态"),
                tr("交回日期"),
                tr("校验码"),
            ],
            open_only=tr("只看待交回"),
            only_open_at_first=True,
        )
        self.filed_on = DateEdit()
        self.filed_on.setText(today().isoformat())
        self.filed_box = FieldBox(self.filed_on)
        mark, mark_form = field_group(tr("标记所选备案已交回"), {"纸质件交回日期": self.filed_box})
        buttons = QHBoxLayout()
        self.mark_button = QPushButton(tr("标记已归档"))
        self.mark_button.clicked.connect(self.on_mark)
        self.attach_button = QPushButton(tr("附加扫描件…"))
        self.attach_button.clicked.connect(self.on_attach)
        buttons.addWidget(self.mark_button)
        buttons.addWidget(self.attach_button)
        mark_form.addRow("", buttons)
        self.code = QLineEdit()
        self.code.setPlaceholderText(tr("纸质表上的 6 位校验码，或扫描二维码"))
        self.code_box = FieldBox(self.code)
        self.code.returnPressed.connect(self.on_receive)
        code_group, code_form = field_group(tr("按校验码登记交回"), {"校验码": self.code_box})
        self.receive_button = add_action_row(code_form, tr("登记交回"), self.on_receive)
        self.add_groups(layout, (mark, 1), (code_group, 1))
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        self.add_close_button(layout)
        self.refresh()

    def refresh(self) -> None:
        if self.account_id is not None:
            filings = self.register.filings.for_account(self.account_id)
        else:
            filings = self.register.filings.open_filings()
        if self.open_only.isChecked():
            filings = [f for f in filings if f.status is FilingStatus.OPEN]
        names: dict[int, str] = {}
        rows = []
        for f in filings:
            if f.account_id not in names:
                names[f.account_id] = self.register.accounts.get(f.account_id).name
            due = str(f.due_on or "") + (tr("（估算）") if f.due_is_estimate else "")
            rows.append(
                (
                    f.id or 0,
                    [
                        names[f.account_id],
                        f.kind.label,
                        str(f.version),
                        str(f.event_on),
                        due,
                        f.status.label,
                        str(f.filed_on or ""),
                        f.check_code,
                    ],
                )
            )
        fill_table(self.table, rows)
        now = today()
        for row, f in enumerate(filings):
            if f.status is FilingStatus.OPEN and f.due_on is not None and f.due_on < now:
                cell = self.table.item(row, 4)
                if cell is None:
                    continue
                cell.setForeground(QBrush(QColor(OVERDUE_RED)))
                cell.setToolTip(tr("已逾期 {0} 天").format((now - f.due_on).days))

    def _day(self) -> dt.date:
        day = day_or_error(self.filed_box, "交回日期")
        assert day is not None
        if day > today():
            self.filed_box.set_error(tr("交回日期：不能晚于今天"))
            raise ValidationError("交回日期", "不能晚于今天")
        return day

    def _selected_filing(self) -> int | None:
        """The filing selected in the list; None, said under the groups, when none is."""
        filing_id = selected_id(self.table)
        if filing_id is None:
            self.result_label.setText(tr("请先在列表中选择一份备案"))
        return filing_id

    def on_mark(self) -> None:
        filing_id = self._selected_filing()
        if filing_id is None:
            return
        try:
            day = self._day()
            mark_filed(self.register, filing_id, day)
        except ValidationError:
            return
        except NmdeskError as error:
            self.show_message(tr("不能标记"), str(error), error=True)
            return
        self.changes |= Changes(filings=True)
        self.result_label.setText(
            tr("已归档：{0}").format(describe_filing(self.register, filing_id))
        )
        self.refresh()

    def on_receive(self) -> None:
        self.code_box.set_error("")
        try:
            day = self._day()
            received = receive_copy(self.register, self.code.text(), day)
        except ValidationError:
            return
        except NmdeskError as error:
            self.code_box.set_error(str(error))
            return
        self.changes |= Changes(filings=True)
        account, filing = received.match.account, received.filing
        self.result_label.setText(
            tr("已登记交回：“{0}”{1} 第{2}版，{3} 交回").format(
                account.name, filing.kind.label, filing.version, filing.filed_on
            )
            if filing is not None
            else tr("已登记交回：“{0}”整改通知书回执，{1} 交回").format(account.name, day)
        )
        self.code.clear()
        self.refresh()

    def on_attach(self) -> None:
        filing_id = self._selected_filing()
        if filing_id is None:
            return
        from ui.desk.attachments import AttachmentsDialog

        filing = self.register.filings.get(filing_id)
        dialog = AttachmentsDialog(
            self.register, filing.account_id, parent=self, filing_id=filing_id
        )
        self.exec_dialog(dialog)
        self.changes |= dialog.changes
