"""Hand everything a person is responsible for over to someone else, in one action.

For staff who leave and students who graduate: every current role of the
leaver ends on the given day and passes to the successor; each filed account
gets its 人员变更 filing (PKU-CoE: within 5 working days). The role rules are
checked first (at PKU-CoE a student cannot take over a 具体负责人).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from nmdesk.changes import Changes
from nmdesk.dates import today
from nmdesk.entry_save import describe_filing
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.models import PersonKind
from nmdesk.services.accounts import hand_over
from nmdesk.store.interfaces import Register
from ui.desk.desk_common import (
    DateEdit,
    DeskDialog,
    FieldBox,
    add_field_rows,
    clear_errors,
    day_or_error,
    fill_table,
    make_table,
    tr,
)
from ui.desk.people_editor import NewPersonChoice
from ui.desk.pickers import person_choices


class HandOverDialog(DeskDialog):
    """From one person to another, on a day; shows the filings created."""

    def __init__(
        self, register: Register, person_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.filing_ids: list[int] = []
        self.summary = ""
        self.set_up_window(tr("人员交接"), guide="units-people", size=(720, 520), key="hand_over")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        people = person_choices(register)
        self.leaver = QComboBox()
        self.successor = QComboBox()
        for combo in (self.leaver, self.successor):
            combo.addItem("", None)
            for text, pid in people:
                combo.addItem(text, pid)
        # a successor new to the directory (a new student operator) is made here and
        # saved with the hand-over; the rules of each role are checked on saving
        self.new_successor = NewPersonChoice(
            self.successor, self, tuple(kind.value for kind in PersonKind)
        )
        self.on_day = DateEdit()
        self.on_day.setText(today().isoformat())
        self.boxes = {
            "交出人": FieldBox(self.leaver),
            "接手人": FieldBox(self.successor),
            "交接日期": FieldBox(self.on_day),
        }
        add_field_rows(form, self.boxes)
        layout.addLayout(form)
        layout.addWidget(QLabel(tr("交出人目前负责的全部账号：")))
        self.table = make_table([tr("账号"), tr("平台"), tr("角色"), tr("起始日期")])
        layout.addWidget(self.table, 1)
        self.info = QLabel()
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        self.buttons = self.ok_cancel_buttons(self.on_hand_over, tr("全部交接"))
        layout.addWidget(self.buttons)
        self.leaver.currentIndexChanged.connect(self.refresh)
        if person_id is not None:
            self.leaver.setCurrentIndex(max(0, self.leaver.findData(person_id)))
        self.refresh()

    def refresh(self) -> None:
        person_id = self.leaver.currentData()
        rows = []
        if person_id is not None:
            for a in self.register.accounts.responsibilities(int(person_id)):
                account = self.register.accounts.get(a.account_id)
                rows.append(
                    (
                        a.id or 0,
                        [
                            account.name,
                            account.platform,
                            self.register.profile.role_name(a.role),
                            a.start_on.isoformat(),
                        ],
                    )
                )
        fill_table(self.table, rows)
        self.info.setText(tr("共 {0} 项角色").format(len(rows)) if person_id is not None else "")

    def check(self) -> None:
        clear_errors(self.boxes.values())
        if self.leaver.currentData() is None:
            error = ValidationError("交出人", "请选择交出人")
        elif self.table.rowCount() == 0:
            error = ValidationError("交出人", "此人目前没有担任任何角色，无需交接")
        elif self.new_successor.chosen() is None and not self.new_successor.is_new():
            error = ValidationError("接手人", "请选择接手人")
        elif self.successor.currentData() == self.leaver.currentData():
            error = ValidationError("接手人", "不能与交出人相同")
        else:
            day_or_error(self.boxes["交接日期"], "交接日期")
            return
        self.boxes[error.field].set_error(str(error))
        raise error

    def save(self) -> list[int]:
        day = day_or_error(self.boxes["交接日期"], "交接日期")
        assert day is not None
        leaver_id = int(self.leaver.currentData())
        with self.register.transaction():  # a new successor is stored with the hand-over
            unit_id = self.register.people.get(leaver_id).unit_id
            successor = self.new_successor.person_id(self.register, unit_id)
            assert successor is not None
            self.filing_ids = hand_over(self.register, leaver_id, successor, day)
        self.changes |= Changes(people=True, accounts=True, filings=True)
        return self.filing_ids

    def on_hand_over(self) -> None:
        try:
            self.check()
        except ValidationError:
            return
        count = self.table.rowCount()
        leaver, successor = self.leaver.currentText(), self.successor.currentText()
        if not self.confirm(
            tr("确认交接"),
            tr(
                "将把{0}的 {1} 项角色全部交给{2}，已备案的账号将生成人员变更备案。是否继续？"
            ).format(leaver, count, successor),
        ):
            return
        try:
            filing_ids = self.save()
        except ValidationError as error:
            self.boxes["接手人"].set_error(str(error))
            return
        except NmdeskError as error:
            self.show_message(tr("不能交接"), str(error), error=True)
            return
        lines = [
            tr("已将 {0} 项角色交接给{1}，生成 {2} 份人员变更备案。").format(
                count, successor, len(filing_ids)
            )
        ]
        lines += [describe_filing(self.register, f) for f in filing_ids]
        self.summary = "\n".join(lines)
        self.show_message(tr("交接完成"), self.summary)
        self.accept()
