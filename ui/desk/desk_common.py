"""Small pieces shared by the clerk's data-entry dialogs.

- ``DeskDialog``: a dialog base whose message boxes and sub-dialogs all go
  through ``ModalHost`` (``exec_dialog`` / ``show_message`` / ``confirm``), so tests
  replace one method instead of patching static QMessageBox helpers. ``set_up_window``
  is every desk window's head (guide section, title, style, remembered size).
- ``RecordsDialog``: a desk window over one list of records (sanctions, the watch
  list, filings, attachments): the list on top, the groups that act on it below.
- ``FieldBox``: a field with its own inline error line underneath, so an error
  appears next to the field it is about.
- ``DateEdit``: a line edit for dates as clerks type them (2026-03-01,
  2019年3月 …); validation is left to ``nmdesk.dates``.
- ``install_ui_font``: registers the bundled CJK font so text never shows as boxes.
- Forms never lose input by accident: ``DeskDialog.leave`` asks 保存 / 放弃 / 取消
  before typed input that is not saved is dropped (取消, Esc, 关闭, the window's close
  button); ``DeskDialog.enter_presses`` makes Enter in a field press the save button,
  never a button that clears the form; ``on_enter`` gives one field its own Enter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nmdesk.changes import NOTHING, Changes
from nmdesk.dates import parse_day
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.paths import UI_FONT_FILE
from ui.common.guide import attach_guide
from ui.common.modal_host import ModalHost
from ui.common.window_fit import fit_to_screen

ERROR_STYLE = "color: #b3261e; font-size: 12px;"
WARNING_STYLE = (
    "color: #7a4b00; background: #fff4d6; border: 1px solid #f0c36d; border-radius: 3px;"
    " padding: 3px 6px;"
)
INFO_STYLE = (
    "color: #0b4a6f; background: #e6f3fa; border: 1px solid #9fd0ea; border-radius: 3px;"
    " padding: 3px 6px;"
)
GROUP_STYLE = """
QGroupBox { font-weight: bold; border: 1px solid #c9ced6; border-radius: 4px;
            margin-top: 14px; padding: 10px 8px 8px 8px; background: #fbfcfd; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; color: #1f3b63; }
QLineEdit[invalid="true"], QComboBox[invalid="true"], QPlainTextEdit[invalid="true"] {
            border: 1px solid #b3261e; background: #fff6f5; }
"""


def tr(text: str) -> str:
    return QCoreApplication.translate("desk", text)


def install_ui_font(app: QApplication | None = None) -> str:
    """Register the bundled CJK font and make it the application font; returns its family."""
    app = app or QApplication.instance()  # type: ignore[assignment]
    font_id = QFontDatabase.addApplicationFont(str(UI_FONT_FILE))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    family = families[0] if families else ""
    if app is not None and family:
        app.setFont(QFont(family, 10))
    return family


class FieldBox(QWidget):
    """A field widget with an error line beneath it, hidden until there is an error."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widget = widget
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(widget)
        self.error = QLabel(self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

    def set_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        invalid = bool(message)
        if bool(self.widget.property("invalid")) != invalid:  # re-styled only on a change
            self.widget.setProperty("invalid", invalid)
            self.widget.style().unpolish(self.widget)
            self.widget.style().polish(self.widget)

    def error_text(self) -> str:
        return self.error.text() if self.error.isVisible() or self.error.text() else ""


class DateEdit(QLineEdit):
    """A date typed as text; ``partial`` allows 2019年3月 and 2019年 (opening dates)."""

    def __init__(self, partial: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(
            tr("如 2019-03-01、2019年3月 或 2019年") if partial else tr("如 2026-03-01")
        )
        self.setMaximumWidth(190)

    def set_date(self, day: dt.date | None) -> None:
        self.setText(day.isoformat() if day else "")


def clear_errors(boxes: Iterable[FieldBox]) -> None:
    """Hide the fields' errors before they are checked again."""
    for box in boxes:
        box.set_error("")


def field_values(boxes: Iterable[FieldBox]) -> list[object]:
    """What the fields hold, to tell later whether the clerk changed any of them."""
    values: list[object] = []
    for box in boxes:
        widget = box.widget
        if isinstance(widget, QComboBox):
            values.append((widget.currentData(), widget.currentText()))
        elif isinstance(widget, QLineEdit):
            values.append(widget.text().strip())
        elif isinstance(widget, QPlainTextEdit):
            values.append(widget.toPlainText().strip())
        elif isinstance(widget, QAbstractButton):
            values.append(widget.isChecked())
        else:
            values.append(None)
    return values


def add_field_rows(form: QFormLayout, boxes: dict[str, FieldBox]) -> None:
    """One labelled row per field, in the dict's order (the keys are the labels)."""
    for key, box in boxes.items():
        form.addRow(tr(key), box)


def field_group(title: str, boxes: dict[str, FieldBox]) -> tuple[QGroupBox, QFormLayout]:
    """A titled group of labelled fields (``add_field_rows``); returns it and its form."""
    group = QGroupBox(title)
    form = QFormLayout(group)
    add_field_rows(form, boxes)
    return group, form


def add_action_row(form: QFormLayout, text: str, on_click: Callable[[], object]) -> QPushButton:
    """The button under a group of fields that acts on them."""
    button = QPushButton(text)
    button.clicked.connect(on_click)
    form.addRow("", button)
    return button


class _EnterKey(QObject):
    """Runs an action on Enter in one field, instead of the dialog's default button."""

    def __init__(self, field: QWidget, action: Callable[[], object]) -> None:
        super().__init__(field)
        self.action = action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        pressed = isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
        if pressed and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # type: ignore[attr-defined]
            self.action()
            return True
        return False


def on_enter(field: QWidget, action: Callable[[], object]) -> None:
    """Enter in this field runs action (a search box moves on to its list, say)."""
    field.installEventFilter(_EnterKey(field, action))


class DeskDialog(ModalHost, QDialog):
    """Base of the desk's dialogs: every modal goes through ``ModalHost.exec_dialog``."""

    # What the dialog saved, so that the caller refreshes only that (``nmdesk.changes``).
    changes: Changes = NOTHING
    # Set while the program (not the clerk) closes the dialog: nothing is asked then.
    _closing_quietly = False

    def set_up_window(
        self, title: str | None, *, guide: str, size: tuple[int, int], key: str
    ) -> None:
        """The head every desk window shares: F1 opens the guide at ``guide``, the
        desk's group style, and a size remembered under ``key`` (``fit_to_screen``).
        ``title`` None leaves the title to the dialog (it depends on what it shows)."""
        attach_guide(self, guide)
        if title is not None:
            self.setWindowTitle(title)
        self.setStyleSheet(GROUP_STYLE)
        fit_to_screen(self, QSize(*size), key)

    def ok_cancel_buttons(
        self, on_ok: Callable[[], object], ok_text: str | None = None
    ) -> QDialogButtonBox:
        """The ending buttons of a one-action dialog: OK (named ``ok_text``) runs ``on_ok``;
        取消 rejects, asked first when input is unsaved."""
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        if ok_text is not None:
            buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        buttons.accepted.connect(on_ok)
        buttons.rejected.connect(self.reject)
        return buttons

    # -- unsaved input -----------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        """True while the form holds typed input that is not saved (forms override it)."""
        return False

    def save_unsaved(self) -> bool:
        """Save the typed input; True when it was saved and the dialog may end."""
        return True

    def unsaved_subject(self) -> str:
        return self.windowTitle()

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        """保存 / 放弃 / 取消 for typed input that is not saved."""
        buttons = QMessageBox.StandardButton
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("尚未保存"),
            tr("“{0}”中有尚未保存的修改。保存后关闭，放弃这些修改，还是取消并继续填写？").format(
                self.unsaved_subject()
            ),
            buttons.Save | buttons.Discard | buttons.Cancel,
            self,
        )
        for button, text in (
            (buttons.Save, tr("保存")),
            (buttons.Discard, tr("放弃")),
            (buttons.Cancel, tr("取消")),
        ):
            box.button(button).setText(text)
        box.setDefaultButton(buttons.Save)
        box.setEscapeButton(buttons.Cancel)
        answer = int(self.exec_dialog(box))
        return buttons(answer) if answer in {b.value for b in buttons} else buttons.Cancel

    def may_drop_unsaved(self) -> bool:
        """Ask when typed input would be dropped; True when it was saved or may be dropped."""
        if not self.has_unsaved_changes():
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.StandardButton.Save:
            return self.save_unsaved()
        return answer == QMessageBox.StandardButton.Discard

    def leave(self, code: int) -> None:
        """End the dialog with code, unless the clerk keeps typed input that is not saved."""
        if self._closing_quietly or self.may_drop_unsaved():
            self.done(self._code_after_leaving(code))

    def _code_after_leaving(self, code: int) -> int:
        return DeskDialog.DialogCode.Accepted if self.changes else code

    def reject(self) -> None:
        """取消, Esc and the window's close button: asked first when input is unsaved."""
        self.leave(DeskDialog.DialogCode.Rejected)

    def closeEvent(self, event: QCloseEvent) -> None:
        # QDialog's closeEvent calls reject(); only the clerk's close is asked about
        self._closing_quietly = not event.spontaneous()
        try:
            super().closeEvent(event)
        finally:
            self._closing_quietly = False

    def show_refusal(self, error: NmdeskError, boxes: Mapping[str, FieldBox]) -> None:
        """A refused save: a field's error under that field, any other as a message."""
        box = boxes.get(error.field) if isinstance(error, ValidationError) else None
        if box is not None:
            box.set_error(str(error))
        else:
            self.show_message(tr("不能保存"), str(error), error=True)

    def enter_presses(self, button: QPushButton) -> None:
        """Enter in a field presses this (saving) button, never one that clears the form."""
        for other in self.findChildren(QPushButton):
            other.setAutoDefault(False)
        button.setAutoDefault(True)
        button.setDefault(True)

    def add_close_button(self, layout: QBoxLayout) -> None:
        """A 关闭 button that ends the dialog as accepted when anything was saved."""
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(tr("关闭"))
        close.rejected.connect(self.close_reporting_changes)
        layout.addWidget(close)

    def close_reporting_changes(self) -> None:
        self.leave(DeskDialog.DialogCode.Rejected)


class RecordsDialog(DeskDialog):
    """A desk window over one list of records: the list on top (``records_list``),
    the groups that add to it or act on the selected record beside each other below
    (``add_groups``), 关闭 at the bottom. ``refresh`` fills the list."""

    table: QTableWidget
    open_only: QCheckBox  # only with ``records_list(..., open_only=...)``

    def refresh(self) -> None:
        raise NotImplementedError

    def selected_record(self, title: str, hint: str) -> int | None:
        """The id of the record selected in the list; None, after telling the clerk
        ``hint`` in a message titled ``title``, when none is."""
        record_id = selected_id(self.table)
        if record_id is None:
            self.show_message(title, hint)
        return record_id

    def records_list(
        self, headers: list[str], *, open_only: str = "", only_open_at_first: bool = False
    ) -> QVBoxLayout:
        """The dialog's layout with the list (``self.table``) stretched in it. With
        ``open_only``, a check box of that text above it hides records already done."""
        layout = QVBoxLayout(self)
        if open_only:
            self.open_only = QCheckBox(open_only)
            self.open_only.setChecked(only_open_at_first)
            self.open_only.toggled.connect(self.refresh)
            layout.addWidget(self.open_only)
        self.table = make_table(headers)
        layout.addWidget(self.table, 1)
        return layout

    def add_groups(self, layout: QVBoxLayout, *groups: tuple[QWidget, int]) -> None:
        """The groups under the list, side by side, each with its stretch."""
        row = QHBoxLayout()
        for group, stretch in groups:
            row.addWidget(group, stretch)
        layout.addLayout(row)


def make_table(headers: list[str], parent: QWidget | None = None) -> QTableWidget:
    """A read-only, row-selecting table for the desk's small lists."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: list[tuple[int, list[str]]]) -> None:
    """Rows as (id, cells); the id is kept on the first cell for ``selected_id``."""
    table.setRowCount(0)
    table.setRowCount(len(rows))
    for row, (row_id, cells) in enumerate(rows):
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if col == 0:
                item.setData(Qt.ItemDataRole.UserRole, row_id)
            table.setItem(row, col, item)
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)


def selected_id(table: QTableWidget) -> int | None:
    item = table.item(table.currentRow(), 0) if table.currentRow() >= 0 else None
    if item is None:
        return None
    value = item.data(Qt.ItemDataRole.UserRole)
    return None if value is None else int(value)


def select_id(table: QTableWidget, row_id: int) -> bool:
    for row in range(table.rowCount()):
        item = table.item(row, 0)
        if item is not None and item.data(Qt.ItemDataRole.UserRole) == row_id:
            table.selectRow(row)
            table.setCurrentCell(row, 0)
            return True
    return False


def day_or_error(box: FieldBox, label: str, *, required: bool = True) -> dt.date | None:
    """Read a day from a FieldBox's line edit, showing the error inline; raises it too."""
    text = box.widget.text().strip()  # type: ignore[attr-defined]
    if not text and not required:
        box.set_error("")
        return None
    try:
        day = parse_day(text, label)
    except ValidationError as exc:
        box.set_error(str(exc))
        raise
    box.set_error("")
    return day


class DirectoryEditor(DeskDialog):
    """A directory window (units, people): a list beside one editor of ``boxes`` in
    the group box ``editor``, saved by ``on_save``. It tells ``DeskDialog.leave`` when
    the fields differ from what was last loaded or saved."""

    boxes: dict[str, FieldBox]
    editor: QGroupBox
    _shown_values: list[object] | None = None  # the fields as last loaded or saved

    def on_save(self) -> bool:
        raise NotImplementedError

    def _remember_shown(self) -> None:
        self._shown_values = field_values(self.boxes.values())

    def has_unsaved_changes(self) -> bool:
        shown = self._shown_values
        return shown is not None and field_values(self.boxes.values()) != shown

    def unsaved_subject(self) -> str:
        return self.editor.title()

    def save_unsaved(self) -> bool:
        return self.on_save()
