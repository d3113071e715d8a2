"""The account form driven through its real widgets, on real register files."""

from __future__ import annotations

import datetime as dt

import pytest
from desk_helpers import Answers, add_person, add_unit, setup_font
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from nmdesk.errors import ValidationError
from nmdesk.models import AccountStatus, FilingKind, Person, PersonKind, Sanction, SanctionKind
from nmdesk.services.filings import mark_filed
from nmdesk.services.sanctions import issue
from ui.desk.account_form import AccountFormDialog
from ui.desk.undo import EditHistory


@pytest.fixture(autouse=True)
def _font(qapp) -> None:
    setup_font(qapp)


def open_form(qtbot, register, account_id=None, history=None) -> AccountFormDialog:
    form = AccountFormDialog(register, account_id, history=history)
    qtbot.addWidget(form)
    return form


def fill_bit(form: AccountFormDialog, unit_id: int, *, running: bool = True) -> None:
    form.platform.setCurrentText("微信")
    form.account_type.setCurrentText("订阅号")
    form.name.setText("北理工计算机")
    form.platform_id.setText("bit_cs")
    form.purpose.setPlainText("发布学院新闻动态和通知公告")
    form.opened_on.setText("2019年3月")
    form.unit.setCurrentIndex(form.unit.findData(unit_id))
    head = form.blocks["first_responsible"]
    head.name.setEditText("王伟")
    head.title.setText("院长")
    head.office_phone.setText("010-68912345")
    head.mobile.setText("13911112222")
    head.email.setText("wangwei@bit.edu.cn")
    ops = form.blocks["ops_contact"]
    ops.name.setEditText("李娜")
    ops.kind.setCurrentIndex(ops.kind.findData(PersonKind.STUDENT.value))
    ops.mobile.setText("13811112222")
    ops.email.setText("lina@bit.edu.cn")
    spec = form.blocks["specific_responsible"]
    spec.name.setEditText("张敏")
    if running:
        form.status.setCurrentIndex(form.status.findData(AccountStatus.RUNNING.value))


def save(qtbot, form: AccountFormDialog) -> Answers:
    answers = Answers(form)
    qtbot.mouseClick(
        form.buttons.button(form.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    return answers


def test_create_unit_two_people_and_account_through_the_form(qtbot, register) -> None:
    unit = add_unit(register, "计算机学院", "college")
    form = open_form(qtbot, register)
    fill_bit(form, unit)
    answers = save(qtbot, form)
    assert form.result() == form.DialogCode.Accepted, form.general_error.text()
    account_id = form.result_info.account_id
    account = register.accounts.get(account_id)
    assert (account.name, account.platform_id, account.opened_on.iso()) == (
        "北理工计算机",
        "bit_cs",
        "2019-03",
    )
    head = register.people.get(register.accounts.holder(account_id, "first_responsible"))
    assert (head.name, head.title, head.mobile) == ("王伟", "院长", "13911112222")
    ops = register.people.get(register.accounts.holder(account_id, "ops_contact"))
    assert (ops.name, ops.kind) == ("李娜", PersonKind.STUDENT)
    assert "已保存" in answers.messages[0][1]
    # the form's tab order is the paper's order
    order = form._chain
    assert order.index(form.platform) < order.index(form.name) < order.index(form.opened_on)
    assert (
        order.index(form.opened_on)
        < order.index(form.unit)
        < order.index(form.blocks["first_responsible"].name)
    )
    assert order.index(form.blocks["ops_contact"].email) < order.index(form.signed_on)
    assert form.platform.nextInFocusChain() is not None


@pytest.mark.parametrize(
    ("setter", "field", "fragment"),
    [
        (
            lambda f: f.blocks["first_responsible"].mobile.setText("2391111222"),
            "单位负责人手机",
            "11 位",
        ),
        (
            lambda f: f.blocks["first_responsible"].office_phone.setText("68912"),
            "单位负责人办公电话",
            "区号",
        ),
        (lambda f: f.blocks["ops_contact"].email.setText("lina@bit"), "运维负责人邮箱", "邮箱"),
        (lambda f: f.opened_on.setText("2019年13月"), "开设时间", "月份"),
        (lambda f: f.name.setText(""), "账号名称", "必填"),
        (lambda f: f.blocks["ops_contact"].name.setEditText(""), "运维负责人姓名", "必填"),
        (
            lambda f: (f.status.setCurrentIndex(0), f.decided_on.setText("2026-11-02")),
            "审批文号",
            "审批文号",
        ),
        (lambda f: f.password_rotated_on.setText("2026-02-30"), "最近更换密码日期", "不是真实存在"),
    ],
)
def test_each_field_rule_shows_inline(qtbot, register, setter, field, fragment) -> None:
    unit = add_unit(register, "计算机学院", "college")
    form = open_form(qtbot, register)
    fill_bit(form, unit)
    setter(form)
    with pytest.raises(ValidationError) as info:
        form.check()
    assert info.value.field == field
    assert fragment in form.field_error(field)
    assert field in form.field_error(field)


def test_errors_show_as_you_type_for_touched_fields_only(qtbot, register) -> None:
    form = open_form(qtbot, register)
    form.show()
    form.blocks["first_responsible"].mobile.setText("123")
    qtbot.waitUntil(lambda: bool(form.field_error("单位负责人手机")))
    assert form.field_error("账号名称") == ""  # untouched: not shouted at yet


def test_duplicate_platform_id_points_to_existing(qtbot, register) -> None:
    unit = add_unit(register, "计算机学院", "college")
    first = open_form(qtbot, register)
    fill_bit(first, unit)
    save(qtbot, first)
    existing = first.result_info.account_id
    form = open_form(qtbot, register)
    fill_bit(form, unit)
    form.name.setText("另一个名字")
    answers = save(qtbot, form)
    assert form.result() != form.DialogCode.Accepted
    assert answers.messages == []
    message = form.field_error("账号ID号")
    assert "北理工计算机" in message and f"序号 {existing}" in message


def test_protected_name_warns_as_you_type(qtbot, register) -> None:
    form = open_form(qtbot, register)
    form.show()
    form.name.setText("北理工摄影")
    qtbot.waitUntil(form.name_warning.isVisible)
    assert "北理工" in form.name_warning.text()
    form.name.setText("摄影小组")
    qtbot.waitUntil(lambda: not form.name_warning.isVisible())


def test_suspended_unit_cannot_apply(qtbot, register) -> None:
    unit = add_unit(register, "计算机学院", "college")
    issue(
        register, Sanction(None, unit, SanctionKind.SUSPEND_APPLY, dt.date(2026, 1, 5), "违规发布")
    )
    form = open_form(qtbot, register)
    fill_bit(form, unit, running=False)
    with pytest.raises(ValidationError):
        form.check()
    assert "暂停" in form.field_error("账号开设单位")


def fill_pku(form: AccountFormDialog, unit_id: int, staff: int, student: int) -> None:
    form.platform.setCurrentText("微信")
    form.account_type.setCurrentText("订阅号")
    form.name.setText("力学系")
    form.platform_id.setText("pku_mech")
    form.purpose.setPlainText("发布系里新闻")
    form.unit.setCurrentIndex(form.unit.findData(unit_id))
    form.blocks["first_responsible"].set_person(staff)
    form.blocks["specific_responsible"].set_person(staff)
    form.blocks["operator"].set_person(student)
    form.blocks["password_custodian"].set_person(student)


def test_pku_role_rule_eligibility_and_quantity(qtbot, pku_register) -> None:
    reg = pku_register
    dept = add_unit(reg, "力学系", "department")
    group = add_unit(reg, "张老师课题组", "research_group")
    staff = add_person(reg, "赵刚", PersonKind.STAFF, mobile="13900001111")
    student = add_person(reg, "孙丽", PersonKind.STUDENT)
    form = open_form(qtbot, reg)
    assert form.justification is not None and form.pledge_signed is not None
    fill_pku(form, group, staff, student)
    form.blocks["specific_responsible"].set_person(student)
    with pytest.raises(ValidationError) as info:
        form.check()
    assert info.value.field == "账号开设单位"
    assert "课题组" in form.field_error("账号开设单位")
    assert form.field_error("具体负责人") == "具体负责人：具体负责人须为在职教职工"
    # a proper unit and staff member: saved as an application
    form.unit.setCurrentIndex(form.unit.findData(dept))
    form.blocks["specific_responsible"].set_person(staff)
    form.pledge_signed.setChecked(True)
    form.pledge_signed_on.setText("2026-11-02")
    save(qtbot, form)
    assert form.result() == form.DialogCode.Accepted, form.general_error.text()
    app = reg.accounts.application(form.result_info.account_id)
    assert app.pledge_signed and app.pledge_signed_on == dt.date(2026, 11, 2)
    # a second account on the same platform: quantity warning, justification required
    second = open_form(qtbot, reg)
    second.show()
    fill_pku(second, dept, staff, student)
    second.platform_id.setText("pku_mech2")
    qtbot.waitUntil(second.unit_warning.isVisible)
    assert "总量控制" in second.unit_warning.text()
    assert "力学系" in second.existing_accounts.text()
    with pytest.raises(ValidationError):
        second.check()
    assert "必要性" in second.field_error("新增账号必要性说明")
    second.justification.setPlainText("面向本科生的招生宣传，与系主号定位不同")
    second.operation_plan.setPlainText("每周两篇推送，由学生助理运营")
    second.priority_rank.setText("2")
    second.check()


def test_edit_creates_change_filing_with_working_day_due_date_and_undo(qtbot, register) -> None:
    unit = add_unit(register, "计算机学院", "college")
    form = open_form(qtbot, register)
    fill_bit(form, unit)
    save(qtbot, form)
    account_id = form.result_info.account_id
    history = EditHistory(register)
    edit = open_form(qtbot, register, account_id, history)
    assert "3 个工作日" in edit.change_info.text()
    assert register.accounts.get(account_id).serial_no in edit.record_line.text()
    assert edit.name.text() == "北理工计算机"
    edit.event_on.setText("2026-09-30")
    edit.purpose.setPlainText("发布学院新闻、通知公告和招生信息")
    edit.blocks["ops_contact"].name.setEditText("周杰")
    edit.blocks["ops_contact"].mobile.setText("13700001111")
    edit.blocks["ops_contact"].email.setText("")
    answers = save(qtbot, edit)
    assert edit.result() == edit.DialogCode.Accepted, edit.general_error.text()
    filings = register.filings.for_account(account_id)
    change = next(f for f in filings if f.kind is FilingKind.CHANGE)
    # 2026-09-30 is a Wednesday; 10-01..10-07 are the National Day holiday; 10-08 and
    # 10-09 work, and Saturday 10-10 is a make-up working day: the 3rd working day.
    assert change.event_on == dt.date(2026, 9, 30)
    assert change.due_on == dt.date(2026, 10, 10)
    assert change.changes[0].field == "账号主要用途"
    personnel = next(f for f in filings if f.kind is FilingKind.PERSONNEL)
    assert (personnel.changes[0].before, personnel.changes[0].after) == ("李娜", "周杰")
    text = answers.messages[-1][1]
    assert "变更备案" in text and "2026-10-10" in text and change.check_code in text
    # undo before the paper went out: values back, filing voided
    assert history.can_undo()
    assert history.undo() is None
    assert register.accounts.get(account_id).purpose == "发布学院新闻动态和通知公告"
    assert not history.can_undo()


def test_form_renders_for_screenshots(qtbot, register, tmp_path) -> None:
    form = open_form(qtbot, register)
    form.show()
    qtbot.waitExposed(form)
    image = form.sheet.grab()
    assert image.width() > 600 and image.height() > 900
    assert isinstance(form.sheet, QWidget)


def test_window_undo_uses_the_session_history(qtbot, register) -> None:
    from ui.desk.undo import undo_last_edit

    unit = add_unit(register, "计算机学院", "college")
    form = open_form(qtbot, register)
    fill_bit(form, unit)
    save(qtbot, form)
    account_id = form.result_info.account_id
    window = QWidget()
    qtbot.addWidget(window)
    assert undo_last_edit(register, window) == "本次会话没有可撤销的修改"
    edit = AccountFormDialog(register, account_id, parent=window)
    edit.name.setText("北理工计算机学院")
    save(qtbot, edit)
    filing_id = edit.result_info.filing_ids[0]
    mark_filed(register, filing_id, dt.date(2026, 11, 20))
    message = undo_last_edit(register, window)
    assert "反向变更" in message
    assert register.accounts.get(account_id).name == "北理工计算机"


def test_unit_opinion_approves_and_is_then_read_only(qtbot, register) -> None:
    unit = add_unit(register, "计算机学院", "college")
    form = open_form(qtbot, register)
    fill_bit(form, unit, running=False)
    form.signed_on.setText("2026-10-30")
    form.approval_ref.setText("会议纪要〔2026〕12号")
    form.decided_on.setText("2026-11-02")
    answers = save(qtbot, form)
    assert form.result() == form.DialogCode.Accepted, form.general_error.text()
    account_id = form.result_info.account_id
    assert register.accounts.get(account_id).status is AccountStatus.APPROVED
    assert "开设备案" in answers.messages[-1][1]
    again = open_form(qtbot, register, account_id)
    assert again.approval_ref.isReadOnly() and again.approval_ref.text() == "会议纪要〔2026〕12号"
    assert "尚未备案" in again.change_info.text()


def test_person_picker_fills_contacts_and_a_new_name_starts_clean(qtbot, register) -> None:
    staff = add_person(register, "王伟", PersonKind.STAFF, title="院长", mobile="13911112222")
    form = open_form(qtbot, register)
    block = form.blocks["first_responsible"]
    block.name.setEditText("王伟")
    assert (block.title.text(), block.mobile.text()) == ("院长", "13911112222")
    assert block.entry().person_id == staff
    block.name.setEditText("王伟杰")
    assert block.title.text() == "" and block.entry().person_id is None
    assert block.entry().name == "王伟杰"


def test_tab_walks_the_sheet_in_paper_order(qtbot, register) -> None:
    form = open_form(qtbot, register)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    form.platform.setFocus()
    qtbot.waitUntil(form.platform.hasFocus)
    owners = {id(box.widget): key for key, box in form.boxes.items()}
    seen = []
    for _ in range(24):
        widget = QApplication.focusWidget()
        while widget is not None and id(widget) not in owners:
            widget = widget.parentWidget()
        seen.append(owners.get(id(widget), "?"))
        form.focusNextChild()
    assert seen == [
        "开设平台",
        "账号类型",
        "账号名称",
        "账号ID号",
        "账号主要用途",
        "开设时间",
        "账号开设单位",
        "账号级别",
        "单位负责人姓名",
        "单位负责人",
        "单位负责人职务",
        "单位负责人办公电话",
        "单位负责人手机",
        "单位负责人邮箱",
        "运维负责人姓名",
        "运维负责人",
        "运维负责人职务",
        "运维负责人办公电话",
        "运维负责人手机",
        "运维负责人邮箱",
        "负责人签字日期",
        "审批机构",
        "审批文号",
        "审批日期",
    ]


def test_unit_and_two_people_through_their_dialogs_then_the_account(qtbot, register) -> None:
    from ui.desk.people_editor import PeopleDialog
    from ui.desk.units_editor import UnitsDialog

    units = UnitsDialog(register)
    qtbot.addWidget(units)
    Answers(units)
    units.name.setText("光电学院")
    units.kind.setCurrentIndex(units.kind.findData("college"))
    qtbot.mouseClick(units.save_button, Qt.MouseButton.LeftButton)
    unit_id = register.units.find_by_name("光电学院").id
    people = PeopleDialog(register)
    qtbot.addWidget(people)
    Answers(people)
    for name, kind, mobile in (
        ("韩梅", "staff", "13600001111"),
        ("周宇航", "student", "13600002222"),
    ):
        people.new_button.click()
        people.widgets["name"].setText(name)
        people.widgets["kind"].setCurrentIndex(people.widgets["kind"].findData(kind))
        people.widgets["mobile"].setText(mobile)
        people.widgets["unit_id"].setCurrentIndex(people.widgets["unit_id"].findData(unit_id))
        qtbot.mouseClick(people.save_button, Qt.MouseButton.LeftButton)
    head = register.people.find("韩梅")[0]
    student = register.people.find("周宇航")[0]
    form = open_form(qtbot, register)
    form.platform.setCurrentText("抖音")
    form.account_type.setCurrentIndex(0)
    form.name.setText("光电青年")
    form.platform_id.setText("gd_youth")
    form.purpose.setPlainText("团学活动短视频")
    form.unit.setCurrentIndex(form.unit.findData(unit_id))
    form.blocks["first_responsible"].name.setEditText("韩梅")
    assert form.blocks["first_responsible"].mobile.text() == "13600001111"
    form.blocks["ops_contact"].set_person(student.id)
    form.blocks["specific_responsible"].set_person(head.id)
    answers = save(qtbot, form)
    assert form.result() == form.DialogCode.Accepted, form.general_error.text()
    account_id = form.result_info.account_id
    assert form.result_info.created_people == []
    assert register.accounts.holder(account_id, "first_responsible") == head.id
    assert register.accounts.holder(account_id, "ops_contact") == student.id
    assert register.accounts.get(account_id).status is AccountStatus.APPLYING
    assert "光电青年" in answers.messages[0][1]


def test_ctrl_s_saves_the_form(qtbot, register) -> None:
    unit = add_unit(register, "计算机学院", "college")
    form = open_form(qtbot, register)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    fill_bit(form, unit)
    Answers(form)
    qtbot.keyClick(form.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.result() == form.DialogCode.Accepted
    assert register.accounts.count() == 1


def test_a_person_added_after_the_form_opened_is_picked_in_one_block_only(qtbot, register) -> None:
    form = open_form(qtbot, register)
    head, ops = form.blocks["first_responsible"], form.blocks["ops_contact"]
    choices = head.name.count()
    assert ops.name.count() == choices
    with register.transaction():
        person_id = register.people.add(Person(None, "新来的", PersonKind.STAFF))
    head.set_person(person_id)  # not among the choices the form was opened with
    assert head.name.currentText() == "新来的"
    assert head.entry().person_id == person_id
    assert head.name.count() == choices + 1
    assert ops.name.count() == choices  # the shared lists were copied, not changed
    assert ops.entry().person_id is None
    ops.set_person(person_id)
    assert ops.entry().person_id == person_id


def test_last_post_date_is_typed_in_files_nothing_and_shows_in_details(qtbot, register) -> None:
    from ui.register.account_details import last_post_text

    unit = add_unit(register, "计算机学院", "college")
    form = open_form(qtbot, register)
    fill_bit(form, unit)
    form.last_post_on.setText("2026-02-10")
    save(qtbot, form)
    account_id = form.result_info.account_id
    assert register.accounts.get(account_id).last_post_on == dt.date(2026, 2, 10)
    edit = open_form(qtbot, register, account_id)
    assert edit.last_post_on.text() == "2026-02-10"
    edit.last_post_on.setText("2026-03-01")
    save(qtbot, edit)
    assert edit.result() == edit.DialogCode.Accepted, edit.general_error.text()
    account = register.accounts.get(account_id)
    assert account.last_post_on == dt.date(2026, 3, 1)
    # a last-post date is the office's own note, not a filed field: no 变更备案
    assert not [f for f in register.filings.for_account(account_id) if f.kind is FilingKind.CHANGE]
    assert last_post_text(account, 6, dt.date(2026, 12, 7)) == "2026-03-01（已超过 6 个月未更新）"
    assert last_post_text(account, 12, dt.date(2026, 12, 7)) == "2026-03-01"
    from PySide6.QtWidgets import QLabel

    from ui.register.account_details import AccountDetails

    details = AccountDetails(register)
    qtbot.addWidget(details)
    details.today = dt.date(2026, 12, 7)
    details.show_account(account_id)
    shown = [label.text() for label in details.findChildren(QLabel)]
    assert "2026-03-01（已超过 6 个月未更新）" in shown
    future = open_form(qtbot, register, account_id)
    future.last_post_on.setText("2099-01-01")
    save(qtbot, future)
    assert "最近发布日期" in future.boxes["最近发布日期"].error.text()


def test_pku_application_edits_the_units_whole_priority_table(qtbot, pku_register) -> None:
    """PKU-CoE clause 7: a unit with accounts attaches its 账号优先顺序表 to a new
    application; the form orders all the unit's accounts and saving keeps the ranking."""
    from nmdesk.dates import PartialDate
    from nmdesk.models import Account

    reg = pku_register
    dept = add_unit(reg, "力学系", "department")
    staff = add_person(reg, "赵刚", PersonKind.STAFF, mobile="13900001111")
    student = add_person(reg, "孙丽", PersonKind.STUDENT)
    existing = [
        reg.accounts.create(
            Account(
                None,
                platform,
                "",
                name,
                dept,
                2,
                platform_id=f"old{index}",
                opened_on=PartialDate(2020),
                status=AccountStatus.RUNNING,
            )
        )
        for index, (platform, name) in enumerate([("微博", "力学系微博"), ("微信", "力学系主号")])
    ]
    form = open_form(qtbot, reg)
    fill_pku(form, dept, staff, student)
    form.platform_id.setText("pku_mech_new")
    table = form.priority_table
    assert table.list.count() == 3 and table.ranking() == [*existing, None]
    assert form.priority_rank.text() == "3"
    table.list.setCurrentRow(2)
    qtbot.mouseClick(table.up_button, Qt.MouseButton.LeftButton)
    assert table.ranking() == [existing[0], None, existing[1]]
    assert form.priority_rank.text() == "2"
    assert table.list.item(1).text().startswith("2. 本账号（本申请）")
    form.justification.setPlainText("面向研究生的招生宣传")
    form.operation_plan.setPlainText("每周两篇推送")
    form.pledge_signed.setChecked(True)
    form.pledge_signed_on.setText("2026-11-02")
    save(qtbot, form)
    assert form.result() == form.DialogCode.Accepted, form.general_error.text()
    new = form.result_info.account_id
    assert reg.units.priorities(dept) == [existing[0], new, existing[1]]
    assert reg.accounts.application(new).priority_rank == 2
    # reopened, the form shows the stored order with this account in its place
    again = open_form(qtbot, reg, new)
    assert again.priority_table.ranking() == [existing[0], None, existing[1]]
    again.priority_table.list.setCurrentRow(1)
    qtbot.mouseClick(again.priority_table.up_button, Qt.MouseButton.LeftButton)
    save(qtbot, again)
    assert reg.units.priorities(dept) == [new, existing[0], existing[1]]


def test_required_fields_still_empty_are_named_beside_the_save_button(qtbot, register) -> None:
    unit = add_unit(register, "计算机学院", "college")
    form = open_form(qtbot, register)
    form.show()
    fill_bit(form, unit)
    form.blocks["specific_responsible"].name.setEditText("")
    form.name.setText("")
    form.validate_live()
    line = form.required_line
    assert line.parentWidget() is form, "outside the scroll area, always visible"
    assert form.required_missing == ["账号名称", "具体负责人 姓名"]
    assert line.toolTip() == "还有 2 项必填：账号名称、具体负责人 姓名"

    # the link scrolls to the field and puts the cursor in it
    form.scroll_area.verticalScrollBar().setValue(0)
    form.go_to_field("具体负责人姓名")
    assert form.scroll_area.verticalScrollBar().value() > 0
    assert form.focusWidget() in (
        form.blocks["specific_responsible"].name,
        form.blocks["specific_responsible"].name.lineEdit(),
    )

    form.name.setText("北理工计算机")
    form.blocks["specific_responsible"].name.setEditText("张敏")
    form.validate_live()
    assert form.required_missing == [] and line.text() == ""
