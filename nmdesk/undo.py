"""Undo of unit, person and role edits (撤销), beside ``nmdesk.entry_save.undo_edit`` for
account fields. The session's history in ``ui/desk/undo.py`` holds these records.

As for account edits, undo is refused once the record changed again since, and a
role change whose personnel-change filing came back signed is not undone: the
office holds it on paper, so the way back is a new hand-over or role change. A
role change whose filing is still open was a typing mistake: the filing is voided
(作废) and the assignment taken back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from nmdesk.entry_save import cancel_filing
from nmdesk.errors import NmdeskError, PolicyError
from nmdesk.models import FilingStatus, Person
from nmdesk.services.accounts import assign_role, end_role

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


@dataclass
class UnitEdit:
    """A unit's fields as they were before an edit and after it."""

    unit_id: int
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass
class PersonEdit:
    before: Person
    after: Person


@dataclass
class RoleEdit:
    """A role given (``ended_on`` None) or ended; ``reopen`` lists the assignments a
    single-holder role's new holder ended that day."""

    assignment_id: int
    filing_id: int | None
    ended_on: dt.date | None = None
    reopen: list[int] = field(default_factory=list)


UndoRecord = UnitEdit | PersonEdit | RoleEdit


def record_unit_edit(register: Register, unit_id: int, changes: dict[str, Any]) -> UnitEdit:
    """Edit a unit and return what undoes it."""
    current = register.units.get(unit_id)
    before = {key: getattr(current, key) for key in changes}
    register.units.update(unit_id, **changes)
    saved = register.units.get(unit_id)
    return UnitEdit(unit_id, before, {key: getattr(saved, key) for key in changes})


def record_person_edit(register: Register, person: Person) -> PersonEdit:
    assert person.id is not None
    before = register.people.get(person.id)
    register.people.update(person)
    return PersonEdit(before, register.people.get(person.id))


def record_assignment(
    register: Register, account_id: int, role: str, person_id: int, day: dt.date
) -> RoleEdit | None:
    """Give the role (as ``assign_role`` does); None when the person already holds it."""
    previous = [a for a in register.accounts.current_roles(account_id) if a.role == role]
    if any(a.person_id == person_id for a in previous):
        return None
    filing_id = assign_role(register, account_id, role, person_id, day)
    now = register.accounts.current_roles(account_id)
    new = next(a for a in now if a.role == role and a.person_id == person_id)
    still = {a.id for a in now}
    assert new.id is not None
    reopen = [a.id for a in previous if a.id is not None and a.id not in still]
    return RoleEdit(new.id, filing_id, reopen=reopen)


def record_role_end(register: Register, assignment_id: int, day: dt.date) -> RoleEdit | None:
    if register.accounts.assignment(assignment_id).end_on is not None:
        return None
    filing_id = end_role(register, assignment_id, day)
    return RoleEdit(assignment_id, filing_id, ended_on=day)


def describe(register: Register, record: UndoRecord) -> str:
    """What the undo menu item says: 撤销对“…”的修改."""
    if isinstance(record, UnitEdit):
        return f"撤销对单位“{register.units.get(record.unit_id).name}”的修改"
    if isinstance(record, PersonEdit):
        return f"撤销对人员“{record.before.name}”的修改"
    assignment = register.accounts.assignment(record.assignment_id)
    account = register.accounts.get(assignment.account_id).name
    role = register.profile.role_name(assignment.role)
    person = register.people.get(assignment.person_id).name
    verb = "结束" if record.ended_on else "担任"
    return f"撤销{person}{verb}“{account}”{role}"


def undo_record(register: Register, record: UndoRecord) -> None:
    """Put back what the edit replaced, in one transaction, or raise NmdeskError."""
    if isinstance(record, UnitEdit):
        current = register.units.get(record.unit_id)
        if any(getattr(current, key) != value for key, value in record.after.items()):
            raise NmdeskError("该单位在此后又被修改过，不能撤销这次编辑")
        register.units.update(record.unit_id, **record.before)
    elif isinstance(record, PersonEdit):
        assert record.before.id is not None
        person = register.people.get(record.before.id)
        if any(getattr(person, f.name) != getattr(record.after, f.name) for f in fields(Person)):
            raise NmdeskError(f"“{person.name}”在此后又被修改过，不能撤销这次编辑")
        register.people.update(record.before)
    else:
        _undo_role(register, record)


def _undo_role(register: Register, record: RoleEdit) -> None:
    assignment = register.accounts.assignment(record.assignment_id)
    if assignment.end_on != record.ended_on:
        raise NmdeskError("该角色此后又有变动，不能撤销")
    filing = register.filings.get(record.filing_id) if record.filing_id is not None else None
    if filing is not None and filing.status is FilingStatus.FILED:
        raise PolicyError("这次人员变更的备案已交回归档，不能撤销；请重新办理人员变更或交接")
    with register.transaction():
        if filing is not None and filing.status is FilingStatus.OPEN:
            assert filing.id is not None
            cancel_filing(register, filing.id, "人员变更已撤销")
        if record.ended_on is None:
            register.accounts.take_back_assignment(record.assignment_id, record.reopen)
        else:
            register.accounts.reopen_role(record.assignment_id)
