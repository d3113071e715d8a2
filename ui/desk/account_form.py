"""The account form: the paper sheet on screen, field by field, in the sheet's order.

With a BIT register it is the 备案表: 公共账号基本信息, 开设单位基本信息 (单位负责人
and 运维负责人 with their 职务/办公电话/手机/邮箱), 单位意见. With a PKU-CoE register
it is the 审批表: the same account block, the unit with its 第一责任人, 具体负责人
and 具体运营人, then the extra-account justification, operation plan and priority
ranking, the joint meeting's opinion and the pledge (承诺书). The other register
fields (level, verified subject, campus data, custodian …) follow in a last group.
Tab order is the paper's order.

Picard style: ``load()`` fills the widgets, ``check()`` raises the first
ValidationError after showing every error inline next to its field, ``save()``
writes in one transaction through ``nmdesk.entry``. Editing a filed account
shows the change filings created and their due dates.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from nmdesk.changes import Changes
from nmdesk.dates import today
from nmdesk.entry import (
    AccountEntry,
    PersonEntry,
    SaveResult,
    collect_errors,
    describe_filing,
    entry_from_account,
    entry_warnings,
    extra_roles,
    is_approval_sheet,
    missing_required,
    required_summary,
    role_label,
    save_entry,
    sheet_roles,
)
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.models import AccountStatus, ApplicationDecision, PersonKind
from nmdesk.store.accounts import FILED_STATUSES
from nmdesk.store.interfaces import Register
from ui.common.guide import attach_guide
from ui.common.window_fit import fit_to_screen
from ui.desk.desk_common import (
    GROUP_STYLE,
    INFO_STYLE,
    WARNING_STYLE,
    DateEdit,
    DeskDialog,
    FieldBox,
    tr,
)
from ui.desk.priority_table import PriorityTable
from ui.desk.undo import EditHistory, session_history

FINAL_STATUSES = frozenset({AccountStatus.CLOSED, AccountStatus.REFUSED})


def unit_choices(register: Register) -> list[tuple[str, int]]:
    """Units in tree order, indented by depth, for pickers."""
    units = register.units.all()
    children: dict[int | None, list[int]] = {}
    by_id = {u.id: u for u in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in by_id else None
        children.setdefault(parent, []).append(unit.id or 0)
    result: list[tuple[str, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit_id in children.get(parent, []):
            result.append(("　" * depth + by_id[unit_id].name, unit_id))
            walk(unit_id, depth + 1)

    walk(None, 0)
    return result


def person_choices(
    register: Register, kinds: tuple[str, ...] | None = None
) -> list[tuple[str, int]]:
    """People as picker items; names shared by several people get their unit and id.
    ``kinds``: only people of these kinds (the role's ``person_kinds`` in the profile:
    a student is never offered as 单位负责人)."""
    items = []
    for person_id, name, unit, kind, same_name in register.people.picker_rows():
        if kinds is not None and kind.value not in kinds:
            continue
        label = f"{name}（{unit or kind.label}，#{person_id}）" if same_name > 1 else name
        items.append((label, person_id))
    return items


class PersonPicks:
    """The people a form's pickers offer, with an empty first choice: the texts, the
    person id of each row and the row of each id, made once and shared by the six
    pickers (a picker that must add a person copies them first)."""

    def __init__(self, items: list[tuple[str, int]]) -> None:
        self.texts = ["", *(text for text, _person_id in items)]
        self.ids: list[int | None] = [None, *(person_id for _text, person_id in items)]
        self.rows = {person_id: row for row, person_id in enumerate(self.ids)}


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
        self._filling = False
        self._filled_from: int | None = None
        self.name.currentTextChanged.connect(self._name_changed)
        self.kind.currentIndexChanged.connect(self.changed)
        for edit in (self.title, self.office_phone, self.mobile, self.email):
            edit.textChanged.connect(self.changed)

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
            person = self.register.people.get(int(person_id))
            self._fill(
                PersonEntry(
                    person.id,
                    person.name,
                    person.kind,
                    person.title,
                    person.office_phone,
                    person.mobile,
                    person.email,
                )
            )
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


class AccountFormDialog(DeskDialog):
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
        super().__init__(parent)
        attach_guide(self, "account-form")
        self.register = register
        self.account_id = account_id
        self.profile = register.profile
        if history is None and parent is not None:
            history = session_history(parent, register)
        self.history = history
        self.result_info: SaveResult | None = None
        self.approval = is_approval_sheet(self.profile)
        self._touched: set[str] = set()
        self._show_all = False
        self._loading = False
        self._edited = False  # typed input not saved yet: 取消 asks first
        self.boxes: dict[str, FieldBox] = {}
        self._chain: list[QWidget] = []
        self.setWindowTitle(self._title())
        self.setStyleSheet(GROUP_STYLE)
        fit_to_screen(self, QSize(980, 860), "account_form")
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

    # -- building ------------------------------------------------------------------

    def _field(self, key: str, widget: QWidget) -> FieldBox:
        box = FieldBox(widget)
        self.boxes[key] = box
        self._chain.append(widget)
        signal = None
        if isinstance(widget, QLineEdit):
            signal = widget.textChanged
        elif isinstance(widget, QComboBox):
            signal = widget.currentIndexChanged
        elif isinstance(widget, QPlainTextEdit):
            signal = widget.textChanged
        elif isinstance(widget, QCheckBox):
            signal = widget.toggled
        if signal is not None:
            signal.connect(lambda *_: self._changed(key))
        return box

    @staticmethod
    def _row(grid: QGridLayout, row: int, cells: list[tuple[str, QWidget, int]]) -> None:
        col = 0
        for caption, box, span in cells:
            label = QLabel(caption)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label.setContentsMargins(0, 5, 0, 0)
            label.setMinimumWidth(96)
            grid.addWidget(label, row, col, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(box, row, col + 1, 1, span, Qt.AlignmentFlag.AlignTop)
            col += 1 + span

    def _group(self, title: str) -> tuple[QGroupBox, QGridLayout]:
        group = QGroupBox(title, self.sheet)
        grid = QGridLayout(group)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.sheet_layout.addWidget(group)
        return group, grid

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.sheet = QWidget()
        self.sheet.setObjectName("sheet")
        self.sheet_layout = QVBoxLayout(self.sheet)
        self.sheet_layout.setSpacing(6)
        # in place before its fields are built: put there afterwards, every one of the
        # form's 300 widgets was re-styled on the move
        self.scroll_area.setWidget(self.sheet)
        heading = QLabel(self.profile.filing_sheet_title, self.sheet)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading.setStyleSheet("font-size: 18px; font-weight: bold; color: #1f3b63; padding: 4px;")
        self.sheet_layout.addWidget(heading)
        if self.account_id is not None:
            account = self.register.accounts.get(self.account_id)
            self.record_line = QLabel(
                tr("备案编号 {0}　序号 {1}　状态：{2}").format(
                    account.serial_no, account.id, account.status.label
                ),
                self.sheet,
            )
            self.record_line.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.record_line.setStyleSheet("color: #4a5563;")
            self.sheet_layout.addWidget(self.record_line)
        self.change_info = QLabel()
        self.change_info.setWordWrap(True)
        self.change_info.setStyleSheet(INFO_STYLE)
        self.event_on = DateEdit()
        if self.account_id is not None:
            _group, grid = self._group(tr("本次变更"))
            self._row(
                grid, 0, [(tr("变更发生日期"), self._field("变更发生日期", self.event_on), 1)]
            )
            grid.addWidget(self.change_info, 1, 0, 1, 4)
        self._build_account_group()
        self._build_unit_group()
        if self.approval:
            self._build_justification_group()
        self._build_opinion_group()
        self._build_extra_group()
        self.sheet_layout.addStretch(1)
        foot = QLabel(self.profile.filing_sheet_footnote, self.sheet)
        foot.setStyleSheet("color: #5f6b7a;")
        self.sheet_layout.addWidget(foot)
        outer.addWidget(self.scroll_area, 1)
        self.general_error = QLabel(self)
        self.general_error.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        outer.addWidget(self.general_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("保存 (Ctrl+S)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        self.buttons.accepted.connect(self.on_save)
        self.buttons.rejected.connect(self.reject)
        if self.account_id is not None:
            self.attachments_button = self.buttons.addButton(
                tr("附件…"), QDialogButtonBox.ButtonRole.ActionRole
            )
            self.attachments_button.setAutoDefault(False)
            self.attachments_button.clicked.connect(self.open_attachments)
        # the required fields still empty, wherever they are on the sheet; a click on
        # one scrolls to it
        self.required_line = QLabel(self)
        self.required_line.setObjectName("requiredLine")
        self.required_line.setStyleSheet("color: #7a4b00;")
        self.required_line.setWordWrap(True)
        self.required_line.linkActivated.connect(self.go_to_field)
        foot_row = QHBoxLayout()
        foot_row.addWidget(self.required_line, 1)
        foot_row.addWidget(self.buttons, 0)
        outer.addLayout(foot_row)
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self, self.on_save)
        # Enter in any field saves (or names what is missing), never cancels
        self.enter_presses(self.buttons.button(QDialogButtonBox.StandardButton.Save))
        self._chain += [self.buttons.button(QDialogButtonBox.StandardButton.Save)]
        for first, second in zip(self._chain, self._chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _build_account_group(self) -> None:
        _, grid = self._group(tr("公共账号基本信息"))
        self.platform = QComboBox()
        self.platform.addItems(self.register.accounts.platforms())
        self.platform.currentTextChanged.connect(self._platform_changed)
        self.account_type = QComboBox()
        self.name = QLineEdit()
        self.platform_id = QLineEdit()
        self.purpose = QPlainTextEdit()
        self.purpose.setTabChangesFocus(True)
        self.purpose.setFixedHeight(58)
        self.opened_on = DateEdit(partial=True)
        self._row(
            grid,
            0,
            [
                (tr("开设平台"), self._field("开设平台", self.platform), 1),
                (tr("账号类型"), self._field("账号类型", self.account_type), 1),
            ],
        )
        self._row(
            grid,
            1,
            [
                (tr("账号名称"), self._field("账号名称", self.name), 1),
                (tr("账号 ID 号"), self._field("账号ID号", self.platform_id), 1),
            ],
        )
        self.name_warning = QLabel()
        self.name_warning.setStyleSheet(WARNING_STYLE)
        self.name_warning.setWordWrap(True)
        self.name_warning.hide()
        grid.addWidget(self.name_warning, 2, 1, 1, 3)
        self._row(grid, 3, [(tr("账号主要用途"), self._field("账号主要用途", self.purpose), 3)])
        self._row(grid, 4, [(tr("开设时间"), self._field("开设时间", self.opened_on), 1)])

    def _build_unit_group(self) -> None:
        title = tr("开设单位基本信息") if not self.approval else tr("申请单位及责任人")
        _, grid = self._group(title)
        self.unit = QComboBox()
        self.unit.addItem("", None)
        for text, unit_id in unit_choices(self.register):
            self.unit.addItem(text, unit_id)
        self.level = QComboBox()
        for level in self.profile.levels:
            self.level.addItem(
                f"{level.name}（{level.description}）" if level.description else level.name,
                level.level,
            )
        self._row(
            grid,
            0,
            [
                (tr("账号开设单位"), self._field("账号开设单位", self.unit), 1),
                (tr("账号级别"), self._field("账号级别", self.level), 1),
            ],
        )
        self.unit_warning = QLabel()
        self.unit_warning.setStyleSheet(WARNING_STYLE)
        self.unit_warning.setWordWrap(True)
        self.unit_warning.hide()
        grid.addWidget(self.unit_warning, 1, 1, 1, 3)
        # one list of choices per set of kinds the roles allow, shared by their pickers
        self.people_items: dict[tuple[str, ...], PersonPicks] = {}
        self.blocks: dict[str, PersonBlock] = {}
        # the unit head last filled in as 单位负责人 (replaced when the unit changes,
        # unless the clerk picked someone else)
        self._filled_head: int | None = None
        self.unit.currentIndexChanged.connect(self._unit_chosen)
        row = 2
        for role in sheet_roles(self.profile):
            row = self._add_block(grid, row, role)

    def _picks(self, kinds: tuple[str, ...]) -> PersonPicks:
        if kinds not in self.people_items:
            self.people_items[kinds] = PersonPicks(person_choices(self.register, kinds))
        return self.people_items[kinds]

    def _unit_chosen(self) -> None:
        """Choosing the unit fills in its head as 单位负责人 (first responsible); the
        clerk can change it. A person the clerk picked or typed is never replaced."""
        block = self.blocks.get("first_responsible")
        unit_id = self.unit.currentData()
        if self._loading or block is None or unit_id is None:
            return
        head = self.register.units.get(int(unit_id)).head_person_id
        current = block.entry()
        untouched = current.is_empty() or (
            current.person_id is not None and current.person_id == self._filled_head
        )
        if head is None or not untouched:
            return
        if self.register.people.get(head).kind.value not in block.kinds:
            return  # the profile would refuse them in this role
        block.set_person(head)
        self._filled_head = head

    def _add_block(self, grid: QGridLayout, row: int, role: str) -> int:
        block = PersonBlock(self.register, role, self._picks(self.profile.role(role).person_kinds))
        self.blocks[role] = block
        for key, box in block.boxes.items():
            self.boxes[key] = box
        self._chain += block.tab_chain()
        block.changed.connect(lambda: self._changed_block(block))
        caption = QLabel(block.label)
        caption.setContentsMargins(0, 5, 0, 0)
        caption.setStyleSheet("font-weight: bold; color: #1f3b63;")
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        rule = self.profile.role(role)
        if rule.rule_text:
            caption.setToolTip(rule.rule_text)
        grid.addWidget(caption, row, 0)
        grid.addWidget(block, row, 1, 1, 3)
        return row + 1

    def _build_justification_group(self) -> None:
        _, grid = self._group(tr("新增账号说明（第七条）"))
        self.justification = QPlainTextEdit()
        self.justification.setTabChangesFocus(True)
        self.justification.setFixedHeight(64)
        self.operation_plan = QPlainTextEdit()
        self.operation_plan.setTabChangesFocus(True)
        self.operation_plan.setFixedHeight(64)
        self.priority_rank = QLineEdit()
        self.priority_rank.setPlaceholderText(tr("1 为最优先"))
        self.priority_rank.setMaximumWidth(120)
        self.priority_rank.setReadOnly(True)
        self.priority_rank.setToolTip(tr("由右侧本单位账号优先顺序表中本账号的位置决定"))
        self.existing_accounts = QLabel()
        self.existing_accounts.setWordWrap(True)
        self.existing_accounts.setStyleSheet("color: #4a5563;")
        self.priority_table = PriorityTable(self.register)
        self.priority_table.changed.connect(self._ranking_moved)
        self._row(
            grid,
            0,
            [(tr("新增账号必要性说明"), self._field("新增账号必要性说明", self.justification), 3)],
        )
        self._row(grid, 1, [(tr("运营计划"), self._field("运营计划", self.operation_plan), 3)])
        self._row(
            grid, 2, [(tr("本单位账号优先顺序"), self._field("优先顺序", self.priority_rank), 1)]
        )
        grid.addWidget(self.existing_accounts, 3, 1, 1, 3)
        grid.addWidget(self.priority_table, 2, 3)

    def _build_opinion_group(self) -> None:
        title = tr("单位意见") if not self.approval else tr("学院党政联席会意见")
        _, grid = self._group(title)
        self.signed_on = DateEdit()
        self.approving_body = QLineEdit()
        self.approval_ref = QLineEdit()
        self.approval_ref.setPlaceholderText(tr("审批文号或会议纪要号"))
        self.decided_on = DateEdit()
        signer = tr("负责人签字日期") if not self.approval else tr("申请日期")
        self._row(
            grid,
            0,
            [
                (signer, self._field("负责人签字日期", self.signed_on), 1),
                (tr("审批机构"), self._field("审批机构", self.approving_body), 1),
            ],
        )
        self._row(
            grid,
            1,
            [
                (tr("审批文号"), self._field("审批文号", self.approval_ref), 1),
                (tr("审批日期"), self._field("审批日期", self.decided_on), 1),
            ],
        )
        self.approval_hint = QLabel(
            tr(
                "填写审批文号和审批日期即视为已批准，并生成开设备案，待签字盖章的纸质表交回后标记归档。"
            )
        )
        self.approval_hint.setWordWrap(True)
        self.approval_hint.setStyleSheet("color: #5f6b7a;")
        grid.addWidget(self.approval_hint, 2, 1, 1, 3)
        if self.approval:
            self.pledge_signed = QCheckBox(tr("已签署《保密及不侵权承诺书》"))
            self.pledge_signed_on = DateEdit()
            self._row(
                grid,
                3,
                [
                    (tr("承诺书"), self._field("承诺书", self.pledge_signed), 1),
                    (tr("签署日期"), self._field("承诺书签署日期", self.pledge_signed_on), 1),
                ],
            )

    def _build_extra_group(self) -> None:
        _, grid = self._group(tr("其他登记信息"))
        self.status = QComboBox()
        self.status.addItem(tr("新申请（申请中）"), AccountStatus.APPLYING.value)
        self.status.addItem(tr("补登已开设的账号（运行中）"), AccountStatus.RUNNING.value)
        self.verified_subject = QLineEdit()
        self.campus_data = QCheckBox(tr("服务功能涉及校内数据"))
        self.it_approval_ref = QLineEdit()
        self.it_approval_ref.setPlaceholderText(
            tr("{0}审批文号").format(self.profile.offices.get("it_office", ""))
        )
        self.miit_filing_no = QLineEdit()
        self.password_rotated_on = DateEdit()
        self.last_post_on = DateEdit()
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(48)
        row = 0
        if self.account_id is None:
            self._row(grid, row, [(tr("登记方式"), self._field("登记方式", self.status), 1)])
            row += 1
        self._row(
            grid,
            row,
            [
                (tr("认证主体"), self._field("认证主体", self.verified_subject), 1),
                (tr("工信部备案号"), self._field("工信部备案号", self.miit_filing_no), 1),
            ],
        )
        self._row(
            grid,
            row + 1,
            [
                (tr("校内数据"), self._field("涉及校内数据服务", self.campus_data), 1),
                (tr("审批文号"), self._field("信息化部门审批文号", self.it_approval_ref), 1),
            ],
        )
        row += 2
        for role in extra_roles(self.profile):
            row = self._add_block(grid, row, role)
        self._row(
            grid,
            row,
            [(tr("最近更换密码"), self._field("最近更换密码日期", self.password_rotated_on), 1)],
        )
        never = QLabel(tr("只记录密码保管人和更换日期，不保存密码本身"))
        never.setStyleSheet("color: #5f6b7a;")
        grid.addWidget(never, row, 2, 1, 2)
        self._row(
            grid,
            row + 1,
            [(tr("最近发布"), self._field("最近发布日期", self.last_post_on), 1)],
        )
        months = self.profile.deadlines["low_activity_months"]
        idle = QLabel(tr("超过 {0} 个月未发布的账号列入待办提醒").format(months))
        idle.setStyleSheet("color: #5f6b7a;")
        grid.addWidget(idle, row + 1, 2, 1, 2)
        self._row(grid, row + 2, [(tr("备注"), self._field("备注", self.note), 3)])

    # -- load / entry --------------------------------------------------------------

    def _platform_changed(self, platform: str) -> None:
        current = self.account_type.currentText()
        self.account_type.clear()
        self.account_type.addItems(self.register.accounts.account_types(platform))
        index = self.account_type.findText(current)
        if index >= 0:
            self.account_type.setCurrentIndex(index)

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

    def set_entry(self, entry: AccountEntry) -> None:
        self.platform.setCurrentIndex(max(0, self.platform.findText(entry.platform)))
        self._platform_changed(self.platform.currentText())
        self.account_type.setCurrentIndex(self.account_type.findText(entry.account_type))
        self.name.setText(entry.name)
        self.platform_id.setText(entry.platform_id)
        self.purpose.setPlainText(entry.purpose)
        self.opened_on.setText(entry.opened_on)
        self.unit.setCurrentIndex(max(0, self.unit.findData(entry.unit_id)))
        self.level.setCurrentIndex(max(0, self.level.findData(entry.level)))
        for role, block in self.blocks.items():
            block.set_entry(entry.roles.get(role))
        self.signed_on.setText(entry.signed_on)
        self.approving_body.setText(entry.approving_body)
        self.approval_ref.setText(entry.approval_ref)
        self.decided_on.setText(entry.decided_on)
        if self.approval:
            self.justification.setPlainText(entry.justification)
            self.operation_plan.setPlainText(entry.operation_plan)
            self.priority_rank.setText(entry.priority_rank)
            self.pledge_signed.setChecked(entry.pledge_signed)
            self.pledge_signed_on.setText(entry.pledge_signed_on)
        self.status.setCurrentIndex(max(0, self.status.findData(AccountStatus(entry.status).value)))
        self.verified_subject.setText(entry.verified_subject)
        self.campus_data.setChecked(entry.campus_data_service)
        self.it_approval_ref.setText(entry.it_approval_ref)
        self.miit_filing_no.setText(entry.miit_filing_no)
        self.password_rotated_on.setText(entry.password_rotated_on)
        self.last_post_on.setText(entry.last_post_on)
        self.note.setPlainText(entry.note)
        self.event_on.setText(entry.event_on or today().isoformat())

    def entry(self) -> AccountEntry:
        """The widgets' values as an AccountEntry (nothing checked yet)."""
        status = (
            AccountStatus(self.status.currentData())
            if self.account_id is None
            else self.register.accounts.get(self.account_id).status
        )
        return AccountEntry(
            platform=self.platform.currentText(),
            account_type=self.account_type.currentText(),
            name=self.name.text(),
            platform_id=self.platform_id.text(),
            purpose=self.purpose.toPlainText(),
            opened_on=self.opened_on.text(),
            unit_id=self.unit.currentData(),
            level=self.level.currentData() or 0,
            verified_subject=self.verified_subject.text(),
            campus_data_service=self.campus_data.isChecked(),
            it_approval_ref=self.it_approval_ref.text(),
            miit_filing_no=self.miit_filing_no.text(),
            password_rotated_on=self.password_rotated_on.text(),
            last_post_on=self.last_post_on.text(),
            note=self.note.toPlainText(),
            status=status,
            roles={role: block.entry() for role, block in self.blocks.items()},
            signed_on=self.signed_on.text(),
            approving_body=self.approving_body.text(),
            approval_ref=self.approval_ref.text(),
            decided_on=self.decided_on.text(),
            justification=self.justification.toPlainText() if self.approval else "",
            operation_plan=self.operation_plan.toPlainText() if self.approval else "",
            priority_rank=self.priority_rank.text() if self.approval else "",
            unit_ranking=self.priority_table.ranking() if self.approval else None,
            pledge_signed=self.pledge_signed.isChecked() if self.approval else False,
            pledge_signed_on=self.pledge_signed_on.text() if self.approval else "",
            event_on=self.event_on.text(),
        )

    # -- validation ----------------------------------------------------------------

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

    def go_to_field(self, field: str) -> None:
        """Scroll the sheet to a field and put the cursor in it."""
        box = self.boxes.get(field)
        if box is None:
            return
        self.scroll_area.ensureWidgetVisible(box, 40, 40)
        box.widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def field_error(self, field: str) -> str:
        """The inline error shown next to a field ('' if none); for tests and screen readers."""
        box = self.boxes[field]
        return box.error.text() if not box.error.isHidden() else ""

    def _ranking_moved(self) -> None:
        place = self.priority_table.place()
        self.priority_rank.setText(str(place) if place else "")

    def _update_existing_accounts(self) -> None:
        if not self.approval:
            return
        unit_id = self.unit.currentData()
        self.priority_table.load(unit_id, self.account_id, self.name.text().strip())
        accounts = self.register.accounts.of_unit(unit_id) if unit_id is not None else []
        accounts = [a for a in accounts if a.id != self.account_id]
        if not accounts:
            self.existing_accounts.setText(tr("本单位尚无其他账号"))
            return
        listing = "、".join(f"{a.platform}“{a.name}”" for a in accounts[:8])
        self.existing_accounts.setText(
            tr("本单位现有 {0} 个账号：{1}").format(len(accounts), listing)
        )

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
