"""Units, people, role assignments and hand-over, through the real dialogs."""

from __future__ import annotations

import datetime as dt

import pytest
from desk_helpers import Answers, add_person, add_unit, setup_font, wait_for_job
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItemIterator

from nmdesk.dates import PartialDate
from nmdesk.models import Account, AccountStatus, FilingKind, PersonKind
from nmdesk.services.accounts import assign_role
from nmdesk.services.filings import mark_filed
from ui.desk.hand_over import HandOverDialog
from ui.desk.people_editor import PeopleDialog
from ui.desk.units_editor import UnitsDialog


@pytest.fixture(autouse=True)
def _font(qapp) -> None:
    setup_font(qapp)


def test_unit_tree_editor_adds_units_with_kind_parent_and_head(qtbot, register) -> None:
    head = add_person(register, "王伟", PersonKind.STAFF, title="院长")
    dialog = UnitsDialog(register)
    qtbot.addWidget(dialog)
    Answers(dialog)
    dialog.name.setText("计算机学院")
    dialog.kind.setCurrentIndex(dialog.kind.findData("college"))
    dialog.head.setCurrentIndex(dialog.head.findData(head))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    college = register.units.find_by_name("计算机学院")
    assert college is not None and college.head_person_id == head
    # a sub-unit under the selected one
    qtbot.mouseClick(dialog.new_child, Qt.MouseButton.LeftButton)
    dialog.name.setText("计算机学院学生会")
    dialog.kind.setCurrentIndex(dialog.kind.findData("student_org"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    union = register.units.find_by_name("计算机学院学生会")
    assert union.parent_id == college.id
    assert dialog.tree.topLevelItem(0).child(0).text(0) == "计算机学院学生会"
    # empty name and duplicate name are shown next to the field
    qtbot.mouseClick(dialog.new_top, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "单位名称：为必填项" in dialog.boxes["单位名称"].error.text()
    dialog.name.setText("计算机学院")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "已存在" in dialog.boxes["单位名称"].error.text()
    assert len(register.units.all()) == 2
    # a bidi override or an over-long name is refused next to the field (issue #12)
    dialog.name.setText("计算机\u202e院学")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "改变文字方向的控制字符（U+202E）" in dialog.boxes["单位名称"].error.text()
    dialog.name.setText("长" * 201)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "过长（201 字），最多 200 字" in dialog.boxes["单位名称"].error.text()
    assert len(register.units.all()) == 2


def test_people_directory_add_edit_search_and_roles(qtbot, register) -> None:
    unit = add_unit(register, "计算机学院", "college")
    account_id = register.accounts.create(
        Account(
            None,
            "微信",
            "订阅号",
            "北理工计算机",
            unit,
            2,
            platform_id="bitcs",
            opened_on=PartialDate(2019, 3),
            status=AccountStatus.RUNNING,
        )
    )
    dialog = PeopleDialog(register)
    qtbot.addWidget(dialog)
    Answers(dialog)
    dialog.widgets["name"].setText("刘洋")
    dialog.widgets["mobile"].setText("1391111")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "手机" in dialog.boxes["手机"].error.text()
    assert register.people.all() == []
    dialog.widgets["mobile"].setText("139 1111 2222")
    dialog.widgets["unit_id"].setCurrentIndex(dialog.widgets["unit_id"].findData(unit))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    person = register.people.find("刘洋")[0]
    assert person.mobile == "13911112222" and person.unit_id == unit
    dialog.new_button.click()
    dialog.widgets["name"].setText("陈静")
    dialog.widgets["kind"].setCurrentIndex(dialog.widgets["kind"].findData("student"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert len(register.people.all()) == 2
    dialog.search.setText("刘")
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 0).text() == "刘洋"
    dialog.table.selectRow(0)
    # a role from a date on a filed account: a personnel-change filing
    dialog.role_date.setText("2026-09-30")
    dialog.assign_account.setText(str(account_id))
    dialog.assign_role.setCurrentIndex(dialog.assign_role.findData("ops_contact"))
    qtbot.mouseClick(dialog.assign_button, Qt.MouseButton.LeftButton)
    assert dialog.roles.rowCount() == 1
    assert dialog.roles.item(0, 3).text() == "2026-09-30"
    assert "人员变更" in dialog.role_result.text() and "2026-10-10" in dialog.role_result.text()
    # ending it on a date
    dialog.roles.selectRow(0)
    dialog.role_date.setText("2026-11-02")
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    assert dialog.roles.rowCount() == 0
    history = register.accounts.role_history(account_id)
    assert history[0].end_on == dt.date(2026, 11, 2)
    dialog.show_ended.setChecked(True)
    assert dialog.roles.rowCount() == 1
    assert (dialog.roles.item(0, 3).text(), dialog.roles.item(0, 4).text()) == (
        "2026-09-30",
        "2026-11-02",
    )
    # the unknown account is reported next to the field
    dialog.assign_account.setText("BIT-9999")
    qtbot.mouseClick(dialog.assign_button, Qt.MouseButton.LeftButton)
    assert "BIT-9999" in dialog.assign_box.error.text()


def test_graduating_student_hands_everything_over(qtbot, register) -> None:
    unit = add_unit(register, "计算机学院", "college")
    student = add_person(register, "赵雨涵", PersonKind.STUDENT)
    successor = add_person(register, "钱子轩", PersonKind.STUDENT)
    accounts = []
    for index, platform in enumerate(("微信", "微博")):
        account_id = register.accounts.create(
            Account(
                None,
                platform,
                "",
                f"计算机学院{platform}",
                unit,
                2,
                platform_id=f"cs{index}",
                opened_on=PartialDate(2020),
                status=AccountStatus.RUNNING,
            )
        )
        assign_role(register, account_id, "ops_contact", student, dt.date(2024, 9, 1))
        assign_role(register, account_id, "operator", student, dt.date(2024, 9, 1))
        accounts.append(account_id)
    dialog = HandOverDialog(register, person_id=student)
    qtbot.addWidget(dialog)
    answers = Answers(dialog)
    assert dialog.table.rowCount() == 4
    dialog.successor.setCurrentIndex(dialog.successor.findData(successor))
    dialog.on_day.setText("2026-06-30")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert "4 项角色" in answers.confirms[0]
    assert register.accounts.responsibilities(student) == []
    assert len(register.accounts.responsibilities(successor)) == 4
    personnel = [
        f
        for a in accounts
        for f in register.filings.for_account(a)
        if f.kind is FilingKind.PERSONNEL and f.event_on == dt.date(2026, 6, 30)
    ]
    assert len(personnel) == 2
    # 2026-06-30 is a Tuesday, no holiday: 3 working days later is Friday 07-03
    assert {f.due_on for f in personnel} == {dt.date(2026, 7, 3)}
    assert "生成 2 份人员变更备案" in answers.messages[-1][1]
    # nothing left to hand over
    again = HandOverDialog(register, person_id=student)
    qtbot.addWidget(again)
    Answers(again)
    again.successor.setCurrentIndex(again.successor.findData(successor))
    again.buttons.button(again.buttons.StandardButton.Ok).click()
    assert "无需交接" in again.boxes["交出人"].error.text()


def test_hand_over_refuses_a_student_for_a_staff_role_at_pku(qtbot, pku_register) -> None:
    reg = pku_register
    unit = add_unit(reg, "力学系", "department")
    staff = add_person(reg, "赵刚", PersonKind.STAFF)
    student = add_person(reg, "孙丽", PersonKind.STUDENT)
    account_id = reg.accounts.create(
        Account(None, "微信", "订阅号", "力学系", unit, 2, status=AccountStatus.RUNNING)
    )
    assign_role(reg, account_id, "specific_responsible", staff, dt.date(2025, 1, 6))
    dialog = HandOverDialog(reg, person_id=staff)
    qtbot.addWidget(dialog)
    answers = Answers(dialog)
    dialog.successor.setCurrentIndex(dialog.successor.findData(student))
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "具体负责人须为在职教职工" in dialog.boxes["接手人"].error.text()
    assert answers.messages == []
    assert reg.accounts.holder(account_id, "specific_responsible") == staff


def test_graduation_date_reminds_then_the_board_opens_the_hand_over(
    qtbot, pku_register, tmp_path, monkeypatch
) -> None:
    """PKU-CoE clause 9: a student operator's expected graduation starts a reminder,
    ``graduation_notice_weeks`` (4) before it; the board item opens the hand-over, which
    files the personnel change within 5 working days."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QDialog

    from nmdesk.deadlines import ClockKind, running_clocks
    from ui.register import main_actions
    from ui.register.deadlines_board import DeadlinesBoard
    from ui.register.main_window import MainWindow

    reg = pku_register
    unit = add_unit(reg, "力学系", "department")
    account_id = reg.accounts.create(
        Account(
            None,
            "微信",
            "订阅号",
            "北大工学院力学",
            unit,
            2,
            platform_id="pku_mech",
            opened_on=PartialDate(2020),
            status=AccountStatus.RUNNING,
        )
    )
    dialog = PeopleDialog(reg)
    qtbot.addWidget(dialog)
    Answers(dialog)
    dialog.widgets["name"].setText("孙悦")
    assert not dialog.widgets["graduates_on"].isEnabled()  # staff by default
    dialog.widgets["kind"].setCurrentIndex(dialog.widgets["kind"].findData("student"))
    assert dialog.widgets["graduates_on"].isEnabled()
    dialog.widgets["graduates_on"].setText("2027-13-01")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "预计毕业日期" in dialog.boxes["预计毕业日期"].error.text()
    assert reg.people.find("孙悦") == []
    dialog.widgets["graduates_on"].setText("2027-01-15")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    student = reg.people.find("孙悦")[0]
    assert student.graduates_on == dt.date(2027, 1, 15)
    assign_role(reg, account_id, "operator", student.id, dt.date(2024, 9, 1))
    successor = add_person(reg, "周航", PersonKind.STUDENT)

    def graduation(day: dt.date) -> list:
        return [c for c in running_clocks(reg, day) if c.kind is ClockKind.GRADUATION]

    assert graduation(dt.date(2026, 12, 17)) == []  # more than 4 weeks before
    (clock,) = graduation(dt.date(2026, 12, 18))
    assert clock.person_id == student.id and clock.due_on == dt.date(2027, 1, 15)
    assert clock.title == "孙悦 预计 2027-01-15 毕业，请办理交接"
    assert clock.detail == "“北大工学院力学”具体运营人"
    # the board item opens the hand-over for that student, through the main window
    window = MainWindow(
        reg, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(window)
    opened = []

    def run(dialog: QDialog) -> QDialog.DialogCode:
        opened.append(dialog)
        answers = Answers(dialog)
        dialog.successor.setCurrentIndex(dialog.successor.findData(successor))
        dialog.on_day.setText("2026-12-28")
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        assert "1 项角色" in answers.confirms[0]
        return dialog.result()

    monkeypatch.setattr(window, "exec_dialog", run)
    board = DeadlinesBoard(reg, today=dt.date(2026, 12, 20))
    qtbot.addWidget(board)
    board.handOverRequested.connect(lambda pid: main_actions.open_hand_over(window, pid))
    row = next(i for i, c in enumerate(board.model.clocks) if c.kind is ClockKind.GRADUATION)
    board.view.activated.emit(board.model.index(row, 0))
    assert len(opened) == 1 and isinstance(opened[0], HandOverDialog)
    assert opened[0].leaver.currentData() == student.id
    assert reg.accounts.responsibilities(student.id) == []
    (personnel,) = [
        f
        for f in reg.filings.for_account(account_id)
        if f.kind is FilingKind.PERSONNEL and f.event_on == dt.date(2026, 12, 28)
    ]
    # 2026-12-28 is a Monday; 12-29..12-31 work, New Year's Day 2027-01-01 is off, then
    # Monday 01-04 and Tuesday 01-05: the 5th working day
    assert personnel.due_on == dt.date(2027, 1, 5)
    assert graduation(dt.date(2026, 12, 28)) == []
    window.close()


def test_undo_covers_unit_person_and_role_edits(qtbot, register) -> None:
    """Ctrl+Z in the window undoes the newest unit, person or role edit of the session,
    as it does account edits; a role change already filed on paper is not undone."""
    from PySide6.QtWidgets import QWidget

    from nmdesk.errors import PolicyError
    from nmdesk.models import FilingStatus
    from ui.desk.undo import session_history, undo_last_edit

    window = QWidget()
    qtbot.addWidget(window)
    unit = add_unit(register, "计算机学院", "college")
    account_id = register.accounts.create(
        Account(
            None,
            "微信",
            "订阅号",
            "北理工计算机",
            unit,
            2,
            platform_id="bitcs",
            opened_on=PartialDate(2019, 3),
            status=AccountStatus.RUNNING,
        )
    )
    # a unit renamed in the units dialog, undone from the window
    units = UnitsDialog(register, parent=window)  # owned by the window
    Answers(units)
    units.tree.setCurrentItem(units.tree.topLevelItem(0))
    units.name.setText("计算机科学与技术学院")
    qtbot.mouseClick(units.save_button, Qt.MouseButton.LeftButton)
    assert register.units.get(unit).name == "计算机科学与技术学院"
    assert undo_last_edit(register, window) == "已撤销对单位“计算机科学与技术学院”的修改"
    assert register.units.get(unit).name == "计算机学院"
    # a person's phone corrected, and a role given, in the people dialog
    person = add_person(register, "刘洋", PersonKind.STAFF, mobile="13911112222")
    people = PeopleDialog(register, parent=window)
    Answers(people)
    people.search.setText("刘洋")
    people.table.selectRow(0)
    people.widgets["mobile"].setText("13922223333")
    qtbot.mouseClick(people.save_button, Qt.MouseButton.LeftButton)
    assert register.people.get(person).mobile == "13922223333"
    people.role_date.setText("2026-11-02")
    people.assign_account.setText(str(account_id))
    people.assign_role.setCurrentIndex(people.assign_role.findData("ops_contact"))
    qtbot.mouseClick(people.assign_button, Qt.MouseButton.LeftButton)
    (filing,) = [
        f for f in register.filings.for_account(account_id) if f.kind is FilingKind.PERSONNEL
    ]
    history = session_history(window, register)
    assert history.undo_text() == "撤销刘洋担任“北理工计算机”运维负责人"
    # undone before the paper went out: the role is taken back, the filing voided
    people.on_undo()
    assert register.accounts.current_roles(account_id) == []
    assert register.filings.get(filing.id).status is FilingStatus.CANCELLED
    assert "已撤销刘洋担任" in people.role_result.text()
    # then the phone edit, from the window
    assert undo_last_edit(register, window) == "已撤销对人员“刘洋”的修改"
    assert register.people.get(person).mobile == "13911112222"
    assert not history.can_undo()
    # a role ended, its personnel filing signed and filed: undo is refused, nothing changes
    assign_role(register, account_id, "ops_contact", person, dt.date(2026, 11, 2))
    people.show_person(person)
    people.roles.selectRow(0)
    people.role_date.setText("2026-11-20")
    qtbot.mouseClick(people.end_button, Qt.MouseButton.LeftButton)
    ended = [
        f for f in register.filings.for_account(account_id) if f.event_on == dt.date(2026, 11, 20)
    ]
    mark_filed(register, ended[0].id, dt.date(2026, 11, 25))
    with pytest.raises(PolicyError, match="已交回归档"):
        undo_last_edit(register, window)
    assert register.accounts.current_roles(account_id) == []
    assert register.audit.verify() == []


def test_the_unit_head_picker_offers_staff_only_and_makes_a_new_person_inline(
    qtbot, register, monkeypatch
) -> None:
    """Issue 15: a student was offered as 单位负责人, and a new clerk had to leave the
    unit editor to create its head in 人员名录 first."""
    from PySide6.QtWidgets import QDialog

    from ui.desk.people_editor import NEW_PERSON, NewPersonDialog

    staff = add_person(register, "王伟", PersonKind.STAFF, title="院长")
    student = add_person(register, "李同学", PersonKind.STUDENT)
    dialog = UnitsDialog(register)
    qtbot.addWidget(dialog)
    offered = [dialog.head.itemData(i) for i in range(dialog.head.count())]
    assert staff in offered and student not in offered
    assert dialog.head.itemText(dialog.head.count() - 1) == "新建人员…"

    def fill_in(new: QDialog) -> int:
        assert isinstance(new, NewPersonDialog)
        assert [new.kind.itemData(i) for i in range(new.kind.count())] == ["staff"]
        new.name.setText("赵书记")
        new.title.setText("党委书记")
        new.mobile.setText("13800000001")
        new.on_ok()
        return int(new.result())

    Answers(dialog, run=fill_in)
    dialog.name.setText("材料学院")
    dialog.kind.setCurrentIndex(dialog.kind.findData("college"))
    index = dialog.head.findData(NEW_PERSON)
    dialog.head.setCurrentIndex(index)
    dialog.head.activated.emit(index)
    assert dialog.head.currentText() == "赵书记（新建）"
    assert register.people.search("赵书记") == []  # nothing stored before the unit is saved
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    unit = register.units.find_by_name("材料学院")
    head = register.people.get(unit.head_person_id)
    assert (head.name, head.kind, head.title, head.mobile, head.unit_id) == (
        "赵书记",
        PersonKind.STAFF,
        "党委书记",
        "13800000001",
        unit.id,
    )
    # the unit and its new head are one write: a refused unit stores neither
    dialog.start_new(None)
    dialog.name.setText("材料学院")  # a duplicate name: refused
    dialog.head.setCurrentIndex(dialog.head.findData(NEW_PERSON))
    fill = lambda new: (new.name.setText("钱主任"), new.on_ok(), int(new.result()))[-1]  # noqa: E731
    Answers(dialog, run=fill)
    dialog.head.activated.emit(dialog.head.findData(NEW_PERSON))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "已存在" in dialog.boxes["单位名称"].error.text()
    assert register.people.search("钱主任") == []


def test_choosing_the_unit_fills_in_its_head_as_the_first_responsible_person(
    qtbot, register
) -> None:
    from ui.desk.account_form import AccountFormDialog

    first = add_person(register, "王伟", PersonKind.STAFF, title="院长")
    second = add_person(register, "张敏", PersonKind.STAFF, title="书记")
    student = add_person(register, "李同学", PersonKind.STUDENT)
    from nmdesk.models import Unit

    college = register.units.add(Unit(None, "计算机学院", "college", head_person_id=first))
    library = register.units.add(Unit(None, "图书馆", "admin_dept", head_person_id=second))
    form = AccountFormDialog(register)
    qtbot.addWidget(form)
    block = form.blocks["first_responsible"]
    assert block.label == "单位负责人"
    offered = set(block._ids)
    assert first in offered and student not in offered  # staff only (the profile's rule)
    assert student in set(form.blocks["ops_contact"]._ids)  # students may run accounts
    form.unit.setCurrentIndex(form.unit.findData(college))
    assert block.entry().person_id == first and block.title.text() == "院长"
    form.unit.setCurrentIndex(form.unit.findData(library))  # still the filled-in head
    assert block.entry().person_id == second
    block.set_person(first)  # the clerk's own choice is kept
    form.unit.setCurrentIndex(form.unit.findData(college))
    form.unit.setCurrentIndex(form.unit.findData(library))
    assert block.entry().person_id == first


def test_a_successor_new_to_the_directory_is_made_in_the_hand_over(qtbot, register) -> None:
    """Issue 15: every person picker offers 新建人员…; a graduating student's successor
    is often a new student, saved with the hand-over in one transaction."""
    from ui.desk.people_editor import NEW_PERSON, NewPersonDialog

    unit = add_unit(register, "计算机学院", "college")
    student = add_person(register, "赵雨涵", PersonKind.STUDENT, unit_id=unit)
    account_id = register.accounts.create(
        Account(
            None,
            "微信",
            "",
            "计算机学院微信",
            unit,
            2,
            platform_id="cs",
            status=AccountStatus.RUNNING,
        )
    )
    assign_role(register, account_id, "operator", student, dt.date(2024, 9, 1))
    dialog = HandOverDialog(register, person_id=student)
    qtbot.addWidget(dialog)

    def fill_in(new) -> int:
        if not isinstance(new, NewPersonDialog):
            return 0
        new.name.setText("孙新生")
        new.kind.setCurrentIndex(new.kind.findData("student"))
        new.mobile.setText("13900000002")
        new.on_ok()
        return int(new.result())

    answers = Answers(dialog, run=fill_in)
    index = dialog.successor.findData(NEW_PERSON)
    dialog.successor.setCurrentIndex(index)
    dialog.successor.activated.emit(index)
    assert dialog.successor.currentText() == "孙新生（新建）"
    assert register.people.search("孙新生") == []
    dialog.on_day.setText("2026-06-30")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() == dialog.DialogCode.Accepted, answers.messages
    (new,) = register.people.search("孙新生")
    assert (new.kind, new.mobile, new.unit_id) == (PersonKind.STUDENT, "13900000002", unit)
    assert [a.account_id for a in register.accounts.responsibilities(new.id)] == [account_id]


def test_the_unit_tree_counts_live_accounts_on_the_register_worker(
    qtbot, demo_register, held_register_worker
) -> None:
    """The 账号数 column is read behind the dialog: it opens without counting every account."""
    with held_register_worker():
        dialog = UnitsDialog(demo_register)
        qtbot.addWidget(dialog)
        top = dialog.tree.topLevelItem(0)
        assert top.text(3) == "…"
    wait_for_job(qtbot, dialog.counts_job)
    counts = demo_register.units.account_counts()
    items = QTreeWidgetItemIterator(dialog.tree)
    seen = 0
    while items.value() is not None:
        item = items.value()
        unit_id = item.data(0, Qt.ItemDataRole.UserRole)
        assert item.text(3) == str(counts.get(unit_id, 0)), item.text(0)
        seen += 1
        items += 1
    assert seen == len(demo_register.units.all()) and sum(counts.values()) > 0
