"""One role holder on the account sheet (单位负责人, 运维负责人, 具体运营人 …): pick an
existing person or type a new name, with their kind, title, phones and email."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QWidget,
)

from nmdesk.entry import PersonEntry, person_entry, role_label
from nmdesk.models import PersonKind
from nmdesk.store.interfaces import Register
from ui.desk.desk_common import FieldBox, tr
from ui.desk.pickers import PersonPicks


class PersonBlock(QWidget):
    """One role holder as on the sheet: name (pick or type a new one), kind, title, phones, email."""

    changed = Signal()

    def __init__(
        self,
        register: Register,
        role: str,
        people: PersonPicks,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.role = role
        self.label = role_label(register.profile, role)
        self.kinds = register.profile.role(role).person_kinds
        self._build_name_picker(people)
        self._build_contact_fields()
        self._lay_out()
        self._filling = False
        self._filled_from: int | None = None
        self.name.currentTextChanged.connect(self._name_changed)
        self.kind.currentIndexChanged.connect(self.changed)
        for edit in (self.title, self.office_phone, self.mobile, self.email):
            edit.textChanged.connect(self.changed)

    def _build_name_picker(self, people: PersonPicks) -> None:
        """The name: an editable picker of the people the role allows."""
        self.name = QComboBox(self)
        self.name.setEditable(True)
        self.name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # one row height for every name: the list does not lay out thousands of people
        # one by one (it did on every style change; bench row "打开账号表单（编辑）")
        view = self.name.view()
        if isinstance(view, QListView):
            view.setUniformItemSizes(True)
        # the people's ids by row, beside the combo box: ``addItems`` fills it in one call
        # (adding 10,000 items one by one with their ids was slow, in each of six pickers)
        self._ids = people.ids
        self._rows = people.rows
        self.name.addItems(people.texts)
        self.name.setCurrentIndex(0)
        completer = QCompleter(people.texts[1:], self.name)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.name.setCompleter(completer)
        line = self.name.lineEdit()
        if line is not None:
            line.setPlaceholderText(tr("选择已有人员或输入新姓名"))
        self.name.setMinimumWidth(150)
        # sized from a few characters, not by measuring every person's name (slow at 10k)
        self.name.setMinimumContentsLength(10)
        self.name.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )

    def _build_contact_fields(self) -> None:
        """Kind, title, phones and email, each in a FieldBox keyed as the sheet names it."""
        self.kind = QComboBox(self)
        for kind in PersonKind:  # a new person can only be of a kind the role allows
            if kind.value in self.kinds:
                self.kind.addItem(tr(kind.label), kind.value)
        self.title = QLineEdit(self)
        self.office_phone = QLineEdit(self)
        self.office_phone.setPlaceholderText("010-68912345")
        self.mobile = QLineEdit(self)
        self.mobile.setPlaceholderText("13912345678")
        self.email = QLineEdit(self)
        self.email.setPlaceholderText("name@example.edu.cn")
        self.boxes = {
            f"{self.label}姓名": FieldBox(self.name),
            self.label: FieldBox(self.kind),
            f"{self.label}职务": FieldBox(self.title),
            f"{self.label}办公电话": FieldBox(self.office_phone),
            f"{self.label}手机": FieldBox(self.mobile),
            f"{self.label}邮箱": FieldBox(self.email),
        }

    def _lay_out(self) -> None:
        """Two rows of three captioned fields."""
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        boxes = list(self.boxes.values())
        cells = [
            (tr("姓名"), boxes[0]),
            (tr("身份"), boxes[1]),
            (tr("职务"), boxes[2]),
            (tr("办公电话"), boxes[3]),
            (tr("手机"), boxes[4]),
            (tr("邮箱"), boxes[5]),
        ]
        for index, (text, box) in enumerate(cells):
            row, col = divmod(index, 3)
            caption = QLabel(text, self)
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            caption.setContentsMargins(0, 5, 0, 0)
            grid.addWidget(caption, row, col * 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(box, row, col * 2 + 1, Qt.AlignmentFlag.AlignTop)
            grid.setColumnStretch(col * 2 + 1, 1)

    def tab_chain(self) -> list[QWidget]:
        return [self.name, self.kind, self.title, self.office_phone, self.mobile, self.email]

    def _person_at(self, index: int) -> int | None:
        return self._ids[index] if 0 < index < len(self._ids) else None

    def _row_of(self, person_id: int) -> int:
        """The picker's row of this person, added to the choices when missing."""
        row = self._rows.get(person_id)
        if row is None:  # the lists are shared with the form's other pickers: copied first
            self.name.addItem(self.register.people.get(person_id).name)
            row = len(self._ids)
            self._ids = [*self._ids, person_id]
            self._rows = {**self._rows, person_id: row}
        return row

    def _name_changed(self, text: str) -> None:
        index = self.name.findText(text, Qt.MatchFlag.MatchExactly)
        person_id = self._person_at(index)
        if person_id is None and self._filled_from is not None and not self._filling:
            # a new name typed over a picked person: their contacts are not this person's
            self._filled_from = None
            self._fill(PersonEntry())
        if person_id is not None and not self._filling:
            self._filled_from = int(person_id)
            self._fill(person_entry(self.register.people.get(int(person_id))))
        self.changed.emit()

    def _fill(self, person: PersonEntry) -> None:
        self._filling = True
        try:
            kind = PersonKind(person.kind)
            index = self.kind.findData(kind.value)
            if index < 0:  # someone the role does not allow, kept from before: shown, and
                self.kind.addItem(tr(kind.label), kind.value)  # refused on save
                index = self.kind.count() - 1
            self.kind.setCurrentIndex(index)
            self.title.setText(person.title)
            self.office_phone.setText(person.office_phone)
            self.mobile.setText(person.mobile)
            self.email.setText(person.email)
        finally:
            self._filling = False

    def set_person(self, person_id: int) -> None:
        """Pick an existing person (and show their contacts)."""
        index = self._row_of(person_id)
        self.name.setCurrentIndex(index)
        self._name_changed(self.name.itemText(index))

    def set_entry(self, person: PersonEntry | None) -> None:
        if person is None or person.is_empty():
            self.name.setCurrentIndex(0)
            self._fill(PersonEntry())
            return
        if person.person_id is not None:
            index = self._row_of(person.person_id)
            self._filling = True
            self.name.setCurrentIndex(index)
            self._filling = False
            self._filled_from = person.person_id
        else:
            self.name.setEditText(person.name)
        self._fill(person)

    def entry(self) -> PersonEntry:
        text = self.name.currentText().strip()
        index = self.name.findText(text, Qt.MatchFlag.MatchExactly) if text else -1
        person_id = self._person_at(index)
        name = text
        if person_id is not None:
            name = self.register.people.get(int(person_id)).name
        return PersonEntry(
            int(person_id) if person_id is not None else None,
            name,
            PersonKind(self.kind.currentData()),
            self.title.text(),
            self.office_phone.text(),
            self.mobile.text(),
            self.email.text(),
        )
