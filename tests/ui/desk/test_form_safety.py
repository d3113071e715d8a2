"""Nothing changes by accident: the wheel, Enter and 取消 never alter or drop a clerk's input."""

from __future__ import annotations

import pytest
from desk_helpers import add_person, setup_font
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QWidget

from nmdesk.models import PersonKind
from ui.desk.account_form import AccountFormDialog
from ui.desk.people_editor import PeopleDialog


@pytest.fixture(autouse=True)
def _font(qapp) -> None:
    setup_font(qapp)


def wheel_down(widget: QWidget) -> None:
    """One notch of the mouse wheel over the widget, as the window system sends it."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


class Boxes:
    """QMessageBox.exec replaced: records each question and gives the answer set."""

    def __init__(self, monkeypatch, answer: QMessageBox.StandardButton) -> None:
        self.asked: list[tuple[str, list[str]]] = []
        self.answer = answer
        boxes = self

        def exec_(box: QMessageBox) -> int:
            boxes.asked.append((box.text(), [b.text() for b in box.buttons()]))
            return int(boxes.answer.value)

        monkeypatch.setattr(QMessageBox, "exec", exec_)


def shown_form(qtbot, register, account_id: int | None = None) -> AccountFormDialog:
    form = AccountFormDialog(register, account_id)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


# -- the wheel -----------------------------------------------------------------------------


def test_the_wheel_over_an_unfocused_dropdown_scrolls_the_form_and_changes_nothing(
    qtbot, register
) -> None:
    form = shown_form(qtbot, register)
    form.platform.setCurrentText("微信")
    form.status.setCurrentIndex(0)
    status = form.status.currentText()
    form.name.setFocus()
    bar = form.scroll_area.verticalScrollBar()
    assert bar.maximum() > 0, "the sheet is longer than the window: it scrolls"
    before = bar.value()

    for combo in (form.platform, form.account_type, form.level, form.status, form.unit):
        wheel_down(combo)
    wheel_down(form.blocks["first_responsible"].kind)

    assert form.platform.currentText() == "微信"
    assert form.status.currentText() == status
    assert bar.value() > before, "the wheel scrolled the form instead"


def test_the_wheel_changes_a_dropdown_that_has_focus(qtbot, register) -> None:
    form = shown_form(qtbot, register)
    form.platform.setCurrentIndex(0)
    form.activateWindow()
    form.platform.setFocus()
    qtbot.waitUntil(form.platform.hasFocus)
    wheel_down(form.platform)
    assert form.platform.currentIndex() == 1


def test_every_dropdown_of_the_sheet_is_guarded_and_not_focused_by_the_wheel(
    qtbot, register
) -> None:
    form = shown_form(qtbot, register)
    combos = form.sheet.findChildren(QComboBox)
    assert len(combos) > 5
    for combo in combos:
        assert combo.focusPolicy() != Qt.FocusPolicy.WheelFocus, combo.objectName()
        index = combo.currentIndex()
        wheel_down(combo)
        assert combo.currentIndex() == index


# -- Enter -----------------------------------------------------------------------------------


def test_enter_in_the_people_form_saves_the_person_instead_of_clearing_the_form(
    qtbot, register
) -> None:
    dialog = PeopleDialog(register)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.widgets["name"].setText("赵磊")  # type: ignore[attr-defined]
    dialog.widgets["mobile"].setText("13900001111")  # type: ignore[attr-defined]
    dialog.widgets["mobile"].setFocus()
    qtbot.keyClick(dialog.widgets["mobile"], Qt.Key.Key_Return)

    saved = [p for p in register.people.all() if p.name == "赵磊"]
    assert len(saved) == 1 and saved[0].mobile == "13900001111"
    assert dialog.widgets["name"].text() == "赵磊"  # type: ignore[attr-defined]
    assert dialog.person_id == saved[0].id
    assert not dialog.has_unsaved_changes()


def test_enter_in_the_people_search_box_moves_to_the_list_and_saves_nothing(
    qtbot, register
) -> None:
    add_person(register, "王伟")
    dialog = PeopleDialog(register)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.search.setText("王")
    count = len(register.people.all())
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert len(register.people.all()) == count
    assert dialog.isVisible()


def test_enter_in_an_account_form_field_saves_or_names_what_is_missing(qtbot, register) -> None:
    form = shown_form(qtbot, register)
    form.name.setText("北理工计算机")
    form.name.setFocus()
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    assert form.isVisible(), "the form was not cancelled"
    assert form.name.text() == "北理工计算机"
    assert form.general_error.isVisible()  # 请先改正标红的内容…


# -- 取消 asks before dropping input -------------------------------------------------------


def test_cancel_with_unsaved_input_asks_and_cancel_keeps_the_form(
    qtbot, register, monkeypatch
) -> None:
    form = shown_form(qtbot, register)
    form.name.setText("北理工计算机")
    boxes = Boxes(monkeypatch, QMessageBox.StandardButton.Cancel)
    form.buttons.button(form.buttons.StandardButton.Cancel).click()
    assert len(boxes.asked) == 1
    assert sorted(boxes.asked[0][1]) == sorted(["保存", "放弃", "取消"])
    assert form.isVisible() and form.name.text() == "北理工计算机"

    qtbot.keyClick(form.name, Qt.Key.Key_Escape)  # Esc asks too
    assert len(boxes.asked) == 2 and form.isVisible()

    boxes.answer = QMessageBox.StandardButton.Discard
    form.buttons.button(form.buttons.StandardButton.Cancel).click()
    assert not form.isVisible()
    assert form.result() == AccountFormDialog.DialogCode.Rejected
    assert register.accounts.ids() == []


def test_cancel_without_input_closes_at_once(qtbot, register, monkeypatch) -> None:
    form = shown_form(qtbot, register)
    boxes = Boxes(monkeypatch, QMessageBox.StandardButton.Cancel)
    form.buttons.button(form.buttons.StandardButton.Cancel).click()
    assert boxes.asked == [] and not form.isVisible()


def test_save_from_the_question_saves_or_keeps_the_form_open_with_the_errors(
    qtbot, register, monkeypatch
) -> None:
    form = shown_form(qtbot, register)
    form.name.setText("北理工计算机")
    boxes = Boxes(monkeypatch, QMessageBox.StandardButton.Save)
    form.reject()
    assert len(boxes.asked) == 1
    assert form.isVisible(), "the sheet is incomplete: it stays open"
    assert form.general_error.isVisible()


def test_people_editor_asks_before_new_person_or_close_drops_typed_input(
    qtbot, register, monkeypatch
) -> None:
    wang = add_person(register, "王伟", PersonKind.STAFF, mobile="13911112222")
    dialog = PeopleDialog(register)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_person(wang)
    dialog.widgets["mobile"].setText("13800000000")  # type: ignore[attr-defined]
    boxes = Boxes(monkeypatch, QMessageBox.StandardButton.Cancel)

    dialog.new_button.click()
    assert len(boxes.asked) == 1
    assert dialog.widgets["mobile"].text() == "13800000000"  # type: ignore[attr-defined]

    dialog.close_reporting_changes()  # 关闭
    assert len(boxes.asked) == 2 and dialog.isVisible()

    boxes.answer = QMessageBox.StandardButton.Save
    dialog.close_reporting_changes()
    assert not dialog.isVisible()
    assert register.people.get(wang).mobile == "13800000000"
    assert dialog.result() == PeopleDialog.DialogCode.Accepted


def test_units_editor_asks_before_a_new_unit_another_unit_or_close_drops_typed_input(
    qtbot, register, monkeypatch
) -> None:
    from desk_helpers import add_unit

    from ui.desk.units_editor import UnitsDialog

    first = add_unit(register, "计算机学院", "college")
    add_unit(register, "机械学院", "college")
    dialog = UnitsDialog(register)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.load(select=first)
    dialog.short_name.setText("计院")
    boxes = Boxes(monkeypatch, QMessageBox.StandardButton.Cancel)

    dialog.new_top.click()
    assert len(boxes.asked) == 1 and dialog.short_name.text() == "计院"
    other = dialog.tree.topLevelItem(1)
    dialog.tree.setCurrentItem(other)
    assert len(boxes.asked) == 2
    assert dialog.unit_id == first and dialog.short_name.text() == "计院"
    assert dialog.tree.currentItem() is not other

    boxes.answer = QMessageBox.StandardButton.Save
    dialog._close()
    assert not dialog.isVisible()
    assert register.units.get(first).short_name == "计院"
