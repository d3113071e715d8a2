"""The people directory: staff, students and outsiders who hold roles on accounts.

Search, add and edit people; see "此人负责的全部账号" with each role's start
date; give a person a role on an account from a date, or end one on a date
(a filed account gets its 人员变更 filing); and hand everything over at once
when they leave or graduate (``ui/desk/hand_over.py``).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nmdesk.changes import Changes
from nmdesk.dates import parse_day, today
from nmdesk.entry_save import describe_filing
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.models import Person, PersonKind
from nmdesk.store.interfaces import Register
from nmdesk.undo import RoleEdit, record_assignment, record_person_edit, record_role_end
from ui.desk.desk_common import (
    DateEdit,
    DeskDialog,
    DirectoryEditor,
    FieldBox,
    clear_errors,
    day_or_error,
    fill_table,
    make_table,
    on_enter,
    select_id,
    selected_id,
    tr,
)
from ui.desk.pickers import unit_choices
from ui.desk.undo import EditHistory, session_history

PERSON_FIELDS = {
    "name": "姓名",
    "kind": "身份",
    "unit_id": "所在单位",
    "title": "职务",
    "office_phone": "办公电话",
    "mobile": "手机",
    "email": "邮箱",
    "staff_or_student_no": "工号/学号",
    "graduates_on": "预计毕业日期",
    "note": "备注",
}


class PeopleDialog(DirectoryEditor):
    """Search and edit people; their roles; hand-over."""

    def __init__(self, register: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.person_id: int | None = None
        # edits go to the window's session history, so Ctrl+Z there undoes them
        self.history = (
            session_history(parent, register) if parent is not None else EditHistory(register, self)
        )
        self.set_up_window(tr("人员名录"), guide="units-people", size=(1100, 700), key="people")
        layout = QVBoxLayout(self)
        splitter = QSplitter(self)
        layout.addWidget(splitter, 1)
        splitter.addWidget(self._build_list())
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self._build_person_editor())
        right_layout.addWidget(self._build_roles(), 1)
        self.add_close_button(right_layout)
        splitter.addWidget(right)
        splitter.setSizes([420, 680])
        self._build_keys()
        self.refresh_list()
        self.start_new()

    def _build_list(self) -> QWidget:
        """Left: the search box, the people found and 新增人员."""
        left = QWidget()
        left_layout = QVBoxLayout(left)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("按姓名查找"))
        self.search.textChanged.connect(self.refresh_list)
        left_layout.addWidget(self.search)
        self.table = make_table([tr("姓名"), tr("身份"), tr("单位"), tr("职务"), tr("手机")])
        self.table.currentCellChanged.connect(lambda *_: self._selected())
        left_layout.addWidget(self.table, 1)
        self.new_button = QPushButton(tr("新增人员"))
        self.new_button.clicked.connect(self.on_new)
        left_layout.addWidget(self.new_button)
        return left

    def _build_person_editor(self) -> QGroupBox:
        """人员信息: one field per PERSON_FIELDS entry, then 保存人员."""
        self.editor = QGroupBox(tr("人员信息"))
        form = QFormLayout(self.editor)
        self.widgets: dict[str, QWidget] = {}
        self.boxes: dict[str, FieldBox] = {}
        for attr, label in PERSON_FIELDS.items():
            widget = self._person_field(attr)
            self.widgets[attr] = widget
            self.boxes[label] = FieldBox(widget)
            form.addRow(tr(label), self.boxes[label])
        kind_combo = self.widgets["kind"]
        assert isinstance(kind_combo, QComboBox)
        kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.save_button = QPushButton(tr("保存人员"))
        self.save_button.clicked.connect(self.on_save)
        form.addRow("", self.save_button)
        return self.editor

    def _person_field(self, attr: str) -> QWidget:
        """The widget that edits one of a person's attributes."""
        widget: QWidget
        if attr == "kind":
            combo = QComboBox()
            for kind in PersonKind:
                combo.addItem(tr(kind.label), kind.value)
            widget = combo
        elif attr == "unit_id":
            combo = QComboBox()
            combo.addItem(tr("（未指定）"), None)
            for text, unit_id in unit_choices(self.register):
                combo.addItem(text, unit_id)
            widget = combo
        elif attr == "graduates_on":
            widget = DateEdit()
            widget.setToolTip(
                tr("在读学生的预计毕业日期：毕业前 {0} 周在待办中提醒交接其负责的账号").format(
                    self.register.profile.deadlines["graduation_notice_weeks"]
                )
            )
        else:
            widget = QLineEdit()
        return widget

    def _build_roles(self) -> QGroupBox:
        """此人负责的全部账号: the roles, ending or handing them over, taking on one."""
        roles_group = QGroupBox(tr("此人负责的全部账号"))
        roles_layout = QVBoxLayout(roles_group)
        self.roles = make_table(
            [tr("账号"), tr("平台"), tr("角色"), tr("起始日期"), tr("结束日期")]
        )
        self.show_ended = QCheckBox(tr("显示已结束的角色"))
        self.show_ended.toggled.connect(self.refresh_roles)
        roles_layout.addWidget(self.show_ended)
        roles_layout.addWidget(self.roles, 1)
        row = QHBoxLayout()
        self.role_date = DateEdit()
        self.role_date.setText(today().isoformat())
        self.role_date_box = FieldBox(self.role_date)
        row.addWidget(QLabel(tr("日期")))
        row.addWidget(self.role_date_box)
        self.end_button = QPushButton(tr("结束所选角色"))
        self.end_button.clicked.connect(self.on_end_role)
        row.addWidget(self.end_button)
        self.hand_over_button = QPushButton(tr("全部交接给他人…"))
        self.hand_over_button.clicked.connect(self.on_hand_over)
        row.addWidget(self.hand_over_button)
        roles_layout.addLayout(row)
        roles_layout.addLayout(self._build_assign_row())
        self.role_result = QLabel()
        self.role_result.setWordWrap(True)
        roles_layout.addWidget(self.role_result)
        return roles_group

    def _build_assign_row(self) -> QHBoxLayout:
        """An account's serial or filing number and a role: 担任角色."""
        assign = QHBoxLayout()
        self.assign_account = QLineEdit()
        self.assign_account.setPlaceholderText(tr("账号序号或备案编号"))
        self.assign_role = QComboBox()
        for rule in self.register.profile.roles:
            self.assign_role.addItem(rule.name, rule.id)
        self.assign_button = QPushButton(tr("担任角色"))
        self.assign_button.clicked.connect(self.on_assign)
        self.assign_box = FieldBox(self.assign_account)
        assign.addWidget(self.assign_box, 2)
        assign.addWidget(self.assign_role, 1)
        assign.addWidget(self.assign_button)
        return assign

    def _build_keys(self) -> None:
        """Ctrl+Z undoes; Enter saves the person, or moves on from the other fields."""
        undo = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo.activated.connect(self.on_undo)
        # Enter in the person's fields saves the person (新增人员 would clear them); the
        # search box and the role fields have their own Enter
        self.enter_presses(self.save_button)
        on_enter(self.search, self.table.setFocus)
        on_enter(self.assign_account, self.on_assign)
        on_enter(self.role_date, self.end_button.setFocus)

    # -- list ----------------------------------------------------------------------

    def refresh_list(self) -> None:
        text = self.search.text().strip()
        people = self.register.people.search(text) if text else self.register.people.all()[:500]
        units = {u.id: u.name for u in self.register.units.all()}
        fill_table(
            self.table,
            [
                (p.id or 0, [p.name, p.kind.label, units.get(p.unit_id, ""), p.title, p.mobile])
                for p in people
            ],
        )

    def _selected(self) -> None:
        person_id = selected_id(self.table)
        if person_id is None or person_id == self.person_id:
            return
        if not self.may_drop_unsaved():
            self._select_quietly(self.person_id)  # 取消: back to the person being edited
            return
        self._select_quietly(person_id)
        self.show_person(person_id)

    def _select_quietly(self, person_id: int | None) -> None:
        self.table.blockSignals(True)
        try:
            if person_id is None or not select_id(self.table, person_id):
                self.table.clearSelection()
                self.table.setCurrentCell(-1, -1)
        finally:
            self.table.blockSignals(False)

    def on_new(self) -> None:
        """新增人员: an empty form, once what was typed for the shown person is settled."""
        if self.may_drop_unsaved():
            self._select_quietly(None)
            self.start_new()

    def show_person(self, person_id: int) -> None:
        person = self.register.people.get(person_id)
        self.person_id = person_id
        self.editor.setTitle(tr("编辑：{0}").format(person.name))
        for attr, widget in self.widgets.items():
            value = getattr(person, attr)
            if isinstance(widget, DateEdit):
                widget.set_date(value)
            elif isinstance(widget, QComboBox):
                key = value.value if isinstance(value, PersonKind) else value
                widget.setCurrentIndex(max(0, widget.findData(key)))
            elif isinstance(widget, QLineEdit):
                widget.setText(value or "")
        self._kind_changed()
        self._clear_errors()
        self.refresh_roles()
        self._remember_shown()

    def start_new(self) -> None:
        self.person_id = None
        self.editor.setTitle(tr("新增人员"))
        for widget in self.widgets.values():
            if isinstance(widget, QLineEdit):
                widget.clear()
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(0)
        self._kind_changed()
        self._clear_errors()
        self.refresh_roles()
        self._remember_shown()

    def _kind_changed(self) -> None:
        """Only a student has an expected graduation date."""
        student = self.widgets["kind"].currentData() == PersonKind.STUDENT.value  # type: ignore[attr-defined]
        self.widgets["graduates_on"].setEnabled(student)

    def _clear_errors(self) -> None:
        clear_errors(self.boxes.values())

    def refresh_roles(self) -> None:
        rows = []
        if self.person_id is not None:
            if self.show_ended.isChecked():
                assignments = self.register.accounts.person_role_history(self.person_id)
            else:
                assignments = self.register.accounts.responsibilities(self.person_id)
            for assignment in assignments:
                account = self.register.accounts.get(assignment.account_id)
                cells = [
                    account.name,
                    account.platform,
                    self.register.profile.role_name(assignment.role),
                    assignment.start_on.isoformat(),
                    assignment.end_on.isoformat() if assignment.end_on else tr("至今"),
                ]
                rows.append((assignment.id or 0, cells))
        fill_table(self.roles, rows)
        enabled = self.person_id is not None
        for button in (self.end_button, self.hand_over_button, self.assign_button):
            button.setEnabled(enabled)

    # -- editing -------------------------------------------------------------------

    def person(self) -> Person:
        values = {}
        for attr, widget in self.widgets.items():
            if isinstance(widget, QComboBox):
                values[attr] = widget.currentData()
            elif isinstance(widget, QLineEdit):
                values[attr] = widget.text()
        values["kind"] = PersonKind(values["kind"])
        graduates = str(values.pop("graduates_on")).strip()
        person = Person(self.person_id, **values)
        if graduates and person.kind is PersonKind.STUDENT:
            person.graduates_on = parse_day(graduates, "预计毕业日期")
        return person

    def on_save(self) -> bool:
        """Save the shown person (new or edited); False when an error is shown instead."""
        self._clear_errors()
        try:
            person = self.person()
            if person.id is None:
                self.person_id = self.register.people.add(person)
            else:
                self.history.push(record_person_edit(self.register, person))
        except NmdeskError as error:
            self.show_refusal(error, self.boxes)
            return False
        self.changes |= Changes(people=True)
        self.refresh_list()
        assert self.person_id is not None
        self._select_quietly(self.person_id)
        self.show_person(self.person_id)
        return True

    def _filings_text(self, filing_ids: list[int]) -> str:
        if not filing_ids:
            return tr("账号尚未备案，无需人员变更备案。")
        lines = [tr("已生成 {0} 份人员变更备案：").format(len(filing_ids))]
        return "\n".join(lines + [describe_filing(self.register, f) for f in filing_ids])

    def _role_day(self) -> dt.date | None:
        try:
            return day_or_error(self.role_date_box, "日期")
        except ValidationError:
            return None

    def on_end_role(self) -> None:
        assignment_id = selected_id(self.roles)
        day = self._role_day()
        if assignment_id is None or day is None:
            return
        try:
            record = record_role_end(self.register, assignment_id, day)
        except NmdeskError as error:
            self.show_message(tr("不能结束角色"), str(error), error=True)
            return
        self._role_changed(record)

    def _role_changed(self, record: RoleEdit | None) -> None:
        if record is not None:
            self.history.push(record)
        self.changes |= Changes(people=True)
        filing = record.filing_id if record is not None else None
        self.role_result.setText(self._filings_text([filing] if filing else []))
        self.refresh_roles()

    def on_undo(self) -> None:
        """Ctrl+Z: undo the session's newest edit (this dialog's or the window's)."""
        if not self.history.can_undo():
            self.role_result.setText(tr("本次会话没有可撤销的修改"))
            return
        text = self.history.undo_text()
        try:
            self.history.undo()
        except NmdeskError as error:
            self.show_message(tr("不能撤销"), str(error), error=True)
            return
        self.changes |= Changes(people=True)
        self.role_result.setText(tr("已{0}").format(text))
        self.refresh_list()
        if self.person_id is not None:
            self.show_person(self.person_id)

    def on_assign(self) -> None:
        day = self._role_day()
        if self.person_id is None or day is None:
            return
        self.assign_box.set_error("")
        try:
            account = self.register.accounts.find(self.assign_account.text())
            assert account.id is not None
            record = record_assignment(
                self.register, account.id, self.assign_role.currentData(), self.person_id, day
            )
        except ValidationError as error:
            self.assign_box.set_error(str(error))
            return
        except NmdeskError as error:
            self.assign_box.set_error(str(error))
            return
        self._role_changed(record)

    def on_hand_over(self) -> None:
        if self.person_id is None:
            return
        from ui.desk.hand_over import HandOverDialog

        dialog = HandOverDialog(self.register, person_id=self.person_id, parent=self)
        if self.exec_dialog(dialog) == DeskDialog.DialogCode.Accepted:
            self.changes |= dialog.changes
            self.role_result.setText(dialog.summary)
            self.refresh_roles()


class NewPersonDialog(DeskDialog):
    """新建人员…, opened from a person picker: the new person's name, kind, title and
    contacts. Nothing is stored here: the form that opened it saves the person in the
    same transaction as itself (``person()``), so cancelling that form leaves no one."""

    def __init__(
        self, kinds: tuple[str, ...], parent: QWidget | None = None, *, name: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("新建人员"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(name)
        self.kind = QComboBox()
        for kind in PersonKind:  # only the kinds the role allows
            if kind.value in kinds:
                self.kind.addItem(tr(kind.label), kind.value)
        self.title = QLineEdit()
        self.office_phone = QLineEdit()
        self.office_phone.setPlaceholderText("010-68912345")
        self.mobile = QLineEdit()
        self.mobile.setPlaceholderText("13912345678")
        self.email = QLineEdit()
        self.email.setPlaceholderText("name@example.edu.cn")
        self.boxes = {
            "姓名": FieldBox(self.name),
            "身份": FieldBox(self.kind),
            "职务": FieldBox(self.title),
            "办公电话": FieldBox(self.office_phone),
            "手机": FieldBox(self.mobile),
            "邮箱": FieldBox(self.email),
        }
        for key, box in self.boxes.items():
            form.addRow(tr(key), box)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("确定"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        buttons.accepted.connect(self.on_ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def person(self, unit_id: int | None = None) -> Person:
        return Person(
            None,
            self.name.text().strip(),
            PersonKind(self.kind.currentData()),
            unit_id=unit_id,
            title=self.title.text().strip(),
            office_phone=self.office_phone.text().strip(),
            mobile=self.mobile.text().strip(),
            email=self.email.text().strip(),
        )

    def on_ok(self) -> None:
        if not self.name.text().strip():
            self.boxes["姓名"].set_error(tr("姓名为必填项"))
            self.name.setFocus()
            return
        self.accept()


NEW_PERSON = -1  # a picker's 新建人员… item
PENDING_PERSON = -2  # the person made with it, until the form is saved


class NewPersonChoice:
    """新建人员… at the end of a person picker (a QComboBox whose items carry person
    ids). Choosing it opens ``NewPersonDialog``; the person is only held, and
    ``person_id`` stores them inside the caller's transaction, with the form's own
    write, so a cancelled or refused form leaves no one behind."""

    def __init__(self, combo: QComboBox, host: DeskDialog, kinds: tuple[str, ...]) -> None:
        self.combo, self.host, self.kinds = combo, host, kinds
        self.pending: Person | None = None
        self._index = 0
        combo.addItem(tr("新建人员…"), NEW_PERSON)
        combo.activated.connect(self._activated)

    def reset(self) -> None:
        """The picker was refilled (``addItem`` of 新建人员… again) or the form cleared."""
        index = self.combo.findData(PENDING_PERSON)
        if index >= 0:
            self.combo.removeItem(index)
        if self.combo.findData(NEW_PERSON) < 0:
            self.combo.addItem(tr("新建人员…"), NEW_PERSON)
        self.pending = None
        self._index = max(0, self.combo.currentIndex())

    def select(self, person_id: int | None, register: Register) -> None:
        """Show ``person_id``; one the picker leaves out (kept from before the rule) is
        added, so that saving never drops them unseen."""
        self.reset()
        index = self.combo.findData(person_id) if person_id is not None else 0
        if index < 0:
            assert person_id is not None
            self.combo.insertItem(
                self.combo.count() - 1, register.people.get(person_id).name, person_id
            )
            index = self.combo.count() - 2
        self.combo.setCurrentIndex(index)
        self._index = index

    def _activated(self, index: int) -> None:
        if self.combo.itemData(index) != NEW_PERSON:
            self._index = index
            return
        dialog = NewPersonDialog(self.kinds, self.host)
        if self.host.exec_dialog(dialog) != NewPersonDialog.DialogCode.Accepted:
            self.combo.setCurrentIndex(self._index)
            return
        self.reset()
        self.pending = dialog.person()
        self.combo.insertItem(
            self.combo.count() - 1, tr("{0}（新建）").format(self.pending.name), PENDING_PERSON
        )
        self._index = self.combo.count() - 2
        self.combo.setCurrentIndex(self._index)

    def chosen(self) -> int | None:
        """The picked person's id; None for nobody, or for the one not stored yet."""
        data = self.combo.currentData()
        return None if data in (NEW_PERSON, PENDING_PERSON) else data

    def is_new(self) -> bool:
        return self.combo.currentData() == PENDING_PERSON and self.pending is not None

    def person_id(self, register: Register, unit_id: int | None) -> int | None:
        """Inside the caller's transaction: the picked person's id, storing a new one."""
        if not self.is_new():
            return self.chosen()
        assert self.pending is not None
        self.pending.unit_id = unit_id
        return register.people.add(self.pending)
