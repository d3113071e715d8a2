"""Units, people, role assignments and hand-over, through the real dialogs."""

from __future__ import annotations

import datetime as dt

import pytest
from desk_helpers import Answers, add_person, add_unit, setup_font
from PySide6.QtCore import Qt

from nmdesk.dates import PartialDate
from nmdesk.models import Account, AccountStatus, FilingKind, PersonKind
from ui.hand_over import HandOverDialog
from ui.people_editor import PeopleDialog
from ui.units_editor import UnitsDialog


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
        register.accounts.assign_role(account_id, "ops_contact", student, dt.date(2024, 9, 1))
        register.accounts.assign_role(account_id, "operator", student, dt.date(2024, 9, 1))
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
    reg.accounts.assign_role(account_id, "specific_responsible", staff, dt.date(2025, 1, 6))
    dialog = HandOverDialog(reg, person_id=staff)
    qtbot.addWidget(dialog)
    answers = Answers(dialog)
    dialog.successor.setCurrentIndex(dialog.successor.findData(student))
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "具体负责人须为在职教职工" in dialog.boxes["接手人"].error.text()
    assert answers.messages == []
    assert reg.accounts.holder(account_id, "specific_responsible") == staff
