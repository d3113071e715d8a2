"""The unit tree editor: schools, departments, colleges and the bodies under them.

Each unit has a kind from the profile (PKU-CoE clause 5 decides eligibility by
kind), a parent (BIT's level-3 accounts need one) and a head person. The tree
shows the live account count per unit, for total-quantity control.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from nmdesk.changes import Changes
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.models import Unit
from nmdesk.store.interfaces import Register
from nmdesk.undo import record_unit_edit
from ui.common.register_location import location
from ui.common.tasks import Job, runner
from ui.desk.desk_common import (
    DirectoryEditor,
    FieldBox,
    add_action_row,
    add_field_rows,
    clear_errors,
    tr,
)
from ui.desk.people_editor import NewPersonChoice
from ui.desk.pickers import person_choices, unit_choices
from ui.desk.undo import EditHistory, session_history


class UnitsDialog(DirectoryEditor):
    """Add and edit units in a tree; kind, parent and head."""

    def __init__(self, register: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.profile = register.profile
        self.unit_id: int | None = None
        self._unit_items: dict[int, QTreeWidgetItem] = {}
        self.counts_job: Job[dict[int, int]] | None = None  # the 账号数 column, read behind
        # edits go to the window's session history, so Ctrl+Z there undoes them
        self.history = (
            session_history(parent, register) if parent is not None else EditHistory(register, self)
        )
        self.set_up_window(tr("单位管理"), guide="units-people", size=(940, 620), key="units")
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels([tr("单位"), tr("类型"), tr("负责人"), tr("账号数")])
        self.tree.setColumnWidth(0, 260)
        self.tree.currentItemChanged.connect(self._selected)
        left.addWidget(self.tree, 1)
        buttons = QHBoxLayout()
        self.new_top = QPushButton(tr("新增顶级单位"), self)
        self.new_child = QPushButton(tr("新增下级单位"), self)
        self.new_top.clicked.connect(lambda: self._new_unit(child=False))
        self.new_child.clicked.connect(lambda: self._new_unit(child=True))
        buttons.addWidget(self.new_top)
        buttons.addWidget(self.new_child)
        left.addLayout(buttons)
        layout.addLayout(left, 3)
        self.editor = QGroupBox(tr("单位信息"), self)
        form = QFormLayout(self.editor)
        self.name = QLineEdit()
        self.short_name = QLineEdit()
        self.kind = QComboBox()
        for kind_id, kind_name in self.profile.unit_kinds.items():
            label = kind_name
            if kind_id not in self.profile.eligible_unit_kinds:
                label += tr("（不能申请开设账号）")
            self.kind.addItem(label, kind_id)
        self.parent_unit = QComboBox()
        self.head = QComboBox()
        self.head.setEditable(False)
        # 新建人员… at the end: the new head is saved with the unit, in one transaction
        self.new_head = NewPersonChoice(self.head, self, self.profile.unit_head_kinds)
        self.note = QLineEdit()
        self.boxes = {
            "单位名称": FieldBox(self.name),
            "简称": FieldBox(self.short_name),
            "单位类型": FieldBox(self.kind),
            "上级单位": FieldBox(self.parent_unit),
            "单位负责人": FieldBox(self.head),
            "备注": FieldBox(self.note),
        }
        add_field_rows(form, self.boxes)
        self.save_button = add_action_row(form, tr("保存单位"), self.on_save)
        self.save_button.setDefault(True)
        right = QVBoxLayout()
        right.addWidget(self.editor)
        right.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText(tr("关闭"))
        close.rejected.connect(self._close)
        right.addWidget(close)
        layout.addLayout(right, 2)
        self.load()

    def _close(self) -> None:
        self.close_reporting_changes()

    def _select_quietly(self, unit_id: int | None) -> None:
        self.tree.blockSignals(True)
        try:
            found = None
            items = QTreeWidgetItemIterator(self.tree)
            while items.value() is not None:
                if items.value().data(0, Qt.ItemDataRole.UserRole) == unit_id:
                    found = items.value()
                items += 1
            if found is None:
                self.tree.setCurrentIndex(QModelIndex())
            else:
                self.tree.setCurrentItem(found)
        finally:
            self.tree.blockSignals(False)

    def load(self, select: int | None = None) -> None:
        """Rebuild the tree and the pickers from the register."""
        rows = self.register.people.picker_rows()  # the heads' names and the head picker
        people: dict[int | None, str] = {person_id: name for person_id, name, *_rest in rows}
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        units = self.register.units.all()
        known = {u.id for u in units}
        by_parent: dict[int | None, list[Unit]] = {}
        for unit in units:
            by_parent.setdefault(unit.parent_id if unit.parent_id in known else None, []).append(
                unit
            )

        def add(parent_item: QTreeWidgetItem | None, parent_id: int | None) -> None:
            for unit in by_parent.get(parent_id, []):
                cells = [
                    unit.name,
                    self.profile.unit_kind_name(unit.kind),
                    people.get(unit.head_person_id, ""),
                    "…",  # filled in by _show_counts
                ]
                item = QTreeWidgetItem(cells)
                item.setData(0, Qt.ItemDataRole.UserRole, unit.id)
                if parent_item is None:
                    self.tree.addTopLevelItem(item)
                else:
                    parent_item.addChild(item)
                items[unit.id or 0] = item
                add(item, unit.id)

        add(None, None)
        self.tree.expandAll()
        self._unit_items = items
        self.counts_job = runner().run(
            lambda job: job.reader.units.account_counts(),
            register_path=location(self.register),
            owner=self,
            on_done=self._show_counts,
        )
        self.parent_unit.clear()
        self.parent_unit.addItem(tr("（无，顶级单位）"), None)
        for text, unit_id in unit_choices(self.register):
            self.parent_unit.addItem(text, unit_id)
        self.head.clear()
        self.head.addItem(tr("（未指定）"), None)
        for text, person_id in person_choices(
            self.register, self.profile.unit_head_kinds, rows=rows
        ):
            self.head.addItem(text, person_id)
        self.new_head.reset()
        if select is not None and select in items:
            self.tree.setCurrentItem(items[select])
        else:
            self.start_new(None)

    def _show_counts(self, counts: dict[int, int]) -> None:
        """The 账号数 column, read on the register worker: counting every unit's live
        accounts scans two indexes of every account (bench row 打开单位管理)."""
        for unit_id, item in self._unit_items.items():
            item.setText(3, str(counts.get(unit_id, 0)))

    def _selected(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            return
        if not self.may_drop_unsaved():
            self._select_quietly(self.unit_id)  # 取消: back to the unit being edited
            return
        unit = self.register.units.get(int(item.data(0, Qt.ItemDataRole.UserRole)))
        self.unit_id = unit.id
        self.editor.setTitle(tr("编辑单位：{0}").format(unit.name))
        self.name.setText(unit.name)
        self.short_name.setText(unit.short_name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(unit.kind)))
        self.parent_unit.setCurrentIndex(max(0, self.parent_unit.findData(unit.parent_id)))
        self.new_head.select(unit.head_person_id, self.register)
        self.note.setText(unit.note)
        self._clear_errors()
        self._remember_shown()

    def _new_unit(self, *, child: bool) -> None:
        """新增顶级单位 / 新增下级单位, once typed input is saved or may be dropped; the
        parent is the unit selected after that (saving may have just created it)."""
        if self.may_drop_unsaved():
            self.start_new(self.unit_id if child else None)

    def start_new(self, parent_id: int | None) -> None:
        """Empty the editor for a new unit under ``parent_id``."""
        self.unit_id = None
        self.editor.setTitle(tr("新增单位"))
        for edit in (self.name, self.short_name, self.note):
            edit.clear()
        self.parent_unit.setCurrentIndex(max(0, self.parent_unit.findData(parent_id)))
        self.new_head.select(None, self.register)
        self._clear_errors()
        self.name.setFocus()
        self._remember_shown()

    def _clear_errors(self) -> None:
        clear_errors(self.boxes.values())

    def check(self) -> None:
        self._clear_errors()
        if not self.name.text().strip():
            error = ValidationError("单位名称", "为必填项")
            self.boxes["单位名称"].set_error(str(error))
            raise error

    def save(self) -> int:
        """The unit, and a head made with 新建人员…, in one transaction."""
        values = dict(
            name=self.name.text(),
            short_name=self.short_name.text().strip(),
            kind=self.kind.currentData(),
            parent_id=self.parent_unit.currentData(),
            head_person_id=self.new_head.chosen(),
            note=self.note.text(),
        )
        with self.register.transaction():
            if self.unit_id is None:
                unit_id = self.register.units.add(Unit(None, **values))
                if self.new_head.is_new():
                    head_id = self.new_head.person_id(self.register, unit_id)
                    self.register.units.update(unit_id, head_person_id=head_id)
                return unit_id
            values["head_person_id"] = self.new_head.person_id(self.register, self.unit_id)
            self.history.push(record_unit_edit(self.register, self.unit_id, values))
            return self.unit_id

    def on_save(self) -> bool:
        """Save the unit in the editor; False when an error is shown instead."""
        try:
            self.check()
            unit_id = self.save()
        except NmdeskError as error:
            self.show_refusal(error, self.boxes)
            return False
        self.changes |= Changes(units=True)
        self._shown_values = None  # saved: nothing to ask about while the tree is rebuilt
        self.load(select=unit_id)
        return True
