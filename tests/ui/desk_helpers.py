"""Helpers for the data-entry dialog tests: answer dialogs without a human."""

from __future__ import annotations

from nmdesk.models import Person, PersonKind, Unit
from ui.desk.desk_common import install_ui_font


class Answers:
    """Replaces ``DeskDialog.show_message`` / ``confirm`` / ``run_dialog`` and records calls."""

    def __init__(self, dialog, *, confirm: bool = True, run=None) -> None:
        self.messages: list[tuple[str, str, bool]] = []
        self.confirms: list[str] = []
        self._confirm = confirm
        self._run = run
        dialog.show_message = self.show_message
        dialog.confirm = self.confirm
        if run is not None:
            dialog.run_dialog = run

    def show_message(self, title: str, text: str, *, error: bool = False) -> None:
        self.messages.append((title, text, error))

    def confirm(self, title: str, text: str) -> bool:
        self.confirms.append(text)
        return self._confirm


def setup_font(qapp) -> None:
    """The bundled font, registered with Qt."""
    install_ui_font(qapp)


def add_unit(register, name: str, kind: str, parent: int | None = None) -> int:
    return register.units.add(Unit(None, name, kind, parent_id=parent))


def add_person(register, name: str, kind: PersonKind = PersonKind.STAFF, **fields) -> int:
    return register.people.add(Person(None, name, kind, **fields))
