"""Undo of the edits saved in this session (撤销): account fields, and unit, person
and role edits (``nmdesk.undo``).

The session's history lives on the main window (``edit_history``), created on
first use, so every account form opened from the window records into it and
``Ctrl+Z`` in the window undoes the newest edit.

What undo does, as a clerk expects it (details in docs/desk-forms.md): the
previous values are put back through ``register.accounts.update``. If the
edit's change filing is still open — the paper has not gone out — the edit was
a typing mistake: the filing and the reverse change are both voided (作废) and
nothing is left to file. If the filing already came back signed, the office
holds the new values on paper, so the change back is a real change and gets
its own change filing and due date. Unit, person and role edits follow the same
rule (details in ``nmdesk/undo.py``).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from nmdesk.entry_save import EditRecord, describe_filing, undo_edit
from nmdesk.errors import NmdeskError
from nmdesk.store.interfaces import Register
from nmdesk.undo import UndoRecord, describe, undo_record
from ui.desk.desk_common import tr


class EditHistory(QObject):
    """The session's saved edits, newest last."""

    changed = Signal()

    def __init__(self, register: Register, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.records: list[EditRecord | UndoRecord] = []

    def push(self, record: EditRecord | UndoRecord) -> None:
        self.records.append(record)
        self.changed.emit()

    def can_undo(self) -> bool:
        return bool(self.records)

    def undo_text(self) -> str:
        if not self.records:
            return tr("撤销")
        record = self.records[-1]
        if not isinstance(record, EditRecord):
            return tr(describe(self.register, record))
        name = self.register.accounts.get(record.account_id).name
        return tr("撤销对“{0}”的修改").format(name)

    def undo(self) -> int | None:
        """Undo the newest edit; returns the reverse filing still to be sent, if any."""
        record = self.records[-1]
        if isinstance(record, EditRecord):
            filing_id = undo_edit(self.register, record)
        else:
            undo_record(self.register, record)
            filing_id = None
        self.records.pop()
        self.changed.emit()
        return filing_id


def session_history(owner: QObject, register: Register) -> EditHistory:
    """The history kept on ``owner`` (the main window), created on first use."""
    history = getattr(owner, "edit_history", None)
    if not isinstance(history, EditHistory) or history.register is not register:
        history = EditHistory(register, owner)
        owner.edit_history = history  # type: ignore[attr-defined]
    return history


def undo_last_edit(register: Register, parent: QWidget | None = None) -> str:
    """Undo the newest edit of the session; returns a status-bar message."""
    if parent is None:
        raise NmdeskError(tr("没有可撤销的修改"))
    history = session_history(parent, register)
    if not history.can_undo():
        return tr("本次会话没有可撤销的修改")
    text = history.undo_text()
    account_edit = isinstance(history.records[-1], EditRecord)
    reverse = history.undo()
    if not account_edit:
        return tr("已{0}").format(text)
    if reverse is None:
        return tr("已{0}，相应的变更备案已作废").format(text)
    return tr("已{0}。原变更已归档，已生成反向变更：{1}").format(
        text, describe_filing(register, reverse)
    )
