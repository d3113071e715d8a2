"""The account sheet's widgets: the profile's paper sheet (备案表 or 审批表) laid out
group by group in the paper's order, and the mapping between its widgets and an
``AccountEntry`` (``set_entry`` / ``entry``). Tab order is the paper's order.

``AccountSheet`` only builds and maps; the dialog (``ui/desk/account_form.py``,
``AccountFormDialog``) loads, checks and saves, and reacts to edits.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from nmdesk.dates import today
from nmdesk.entry import AccountEntry, extra_roles, is_approval_sheet, sheet_roles
from nmdesk.models import AccountStatus
from nmdesk.store.interfaces import Register
from ui.desk.desk_common import INFO_STYLE, WARNING_STYLE, DateEdit, DeskDialog, FieldBox, tr
from ui.desk.pickers import PersonPicks, person_choices, unit_choices
from ui.desk.priority_table import PriorityTable
from ui.desk.role_holder import PersonBlock


class AccountSheet(DeskDialog):
    """The paper sheet on screen, field by field; subclassed by the dialog that saves it."""

    def __init__(
        self, register: Register, account_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.account_id = account_id
        self.profile = register.profile
        self.approval = is_approval_sheet(self.profile)
        self._loading = False
        self.boxes: dict[str, FieldBox] = {}
        self._chain: list[QWidget] = []

    # -- what the dialog does with an edit, a save or 附件… (AccountFormDialog) ------

    def _changed(self, key: str) -> None:
        """A field of the sheet was edited."""
        raise NotImplementedError

    def _changed_block(self, block: PersonBlock) -> None:
        """A role holder's fields were edited."""
        raise NotImplementedError

    def on_save(self) -> None:
        raise NotImplementedError

    def open_attachments(self) -> None:
        raise NotImplementedError

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
        """The sheet in a scroll area, group by group in the paper's order, then the
        errors, the required fields still empty and the buttons below it."""
        outer = QVBoxLayout(self)
        self._build_sheet_head()
        self._build_change_group()
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
        outer.addLayout(self._build_foot_row())
        self._build_keys()

    def _build_sheet_head(self) -> None:
        """The scroll area with the sheet, its title and (editing) the record line."""
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

    def _build_change_group(self) -> None:
        """Editing: 本次变更, the change's date and what saving will file."""
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

    def _build_foot_row(self) -> QHBoxLayout:
        """The required fields still empty (links to them) beside 保存, 取消 and 附件…."""
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
        return foot_row

    def _build_keys(self) -> None:
        """Ctrl+S and Enter save; Tab follows the paper's order, then 保存."""
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

    # -- the widgets and an AccountEntry ---------------------------------------------

    def _platform_changed(self, platform: str) -> None:
        current = self.account_type.currentText()
        self.account_type.clear()
        self.account_type.addItems(self.register.accounts.account_types(platform))
        index = self.account_type.findText(current)
        if index >= 0:
            self.account_type.setCurrentIndex(index)

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
