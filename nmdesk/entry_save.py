"""The account form's entry saved as one action, and an edit undone.

``save_entry`` checks the entry (``nmdesk.entry_checks``) and stores it in one
transaction: people created or updated, the account created or edited, role
holders assigned, the application recorded. Editing a filed account produces the
change filings the policies require; their ids come back so the clerk can see them
and their due dates (``describe_filing``). ``undo_edit`` puts an edit back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nmdesk.dates import deadline_text, today
from nmdesk.entry import (
    CONTACT_LABELS,
    AccountEntry,
    CheckedEntry,
    PersonEntry,
    is_approval_sheet,
    role_label,
)
from nmdesk.entry_checks import check_entry
from nmdesk.errors import NmdeskError
from nmdesk.models import (
    Account,
    AccountStatus,
    Application,
    ApplicationDecision,
    FieldChange,
    FilingKind,
    FilingStatus,
    Person,
    RoleAssignment,
)
from nmdesk.services.accounts import (
    approve,
    assign_role,
    create_account,
    edit_account,
    end_role,
)
from nmdesk.store.account_rules import (
    FIELD_LABELS,
)
from nmdesk.store.accounts import FILED_STATUSES
from nmdesk.validation import (
    clean_text,
)

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


@dataclass
class SaveResult:
    account_id: int
    filing_ids: list[int] = field(default_factory=list)
    created_people: list[int] = field(default_factory=list)
    edit: EditRecord | None = None


@dataclass
class EditRecord:
    """One saved edit of account fields, kept by the session for undo."""

    account_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    filing_id: int | None


# -- saving --------------------------------------------------------------------------


def _person_id(
    register: Register, person: PersonEntry, unit_id: int, created: list[int]
) -> tuple[int, list[tuple[str, str, str]]]:
    """The stored person for an entry, creating or updating it; returns contact changes."""
    if person.person_id is None:
        pid = register.people.add(
            Person(
                None,
                person.name,
                person.kind,
                unit_id,
                person.title,
                person.office_phone,
                person.mobile,
                person.email,
            )
        )
        created.append(pid)
        return pid, []
    stored = register.people.get(person.person_id)
    changes = [
        (CONTACT_LABELS[attr], getattr(stored, attr), getattr(person, attr))
        for attr in CONTACT_LABELS
        if getattr(stored, attr) != getattr(person, attr)
    ]
    if stored.name != person.name:
        changes.insert(0, ("姓名", stored.name, person.name))
    if changes or stored.kind is not person.kind:
        stored.name, stored.kind, stored.title = person.name, person.kind, person.title
        stored.office_phone, stored.mobile, stored.email = (
            person.office_phone,
            person.mobile,
            person.email,
        )
        register.people.update(stored)
    return person.person_id, changes


def save_entry(
    register: Register, entry: AccountEntry, account_id: int | None = None
) -> SaveResult:
    """Check and store the entry in one transaction: a new account or an edit."""
    checked = check_entry(register, entry, account_id)
    with register.transaction():
        if account_id is None:
            result = _create(register, entry, checked)
        else:
            result = _edit(register, entry, checked, account_id)
        if entry.unit_ranking is not None and entry.unit_id is not None:
            register.units.set_priorities(
                entry.unit_id,
                [result.account_id if i is None else i for i in entry.unit_ranking],
            )
        return result


def _application(entry: AccountEntry, checked: CheckedEntry, account_id: int) -> Application:
    return Application(
        None,
        account_id,
        checked.signed_on,
        approving_body=clean_text(entry.approving_body),
        justification=entry.justification.strip(),
        operation_plan=entry.operation_plan.strip(),
        priority_rank=checked.priority_rank,
        pledge_signed=entry.pledge_signed,
        pledge_signed_on=checked.pledge_signed_on if entry.pledge_signed else None,
    )


def _create(register: Register, entry: AccountEntry, checked: CheckedEntry) -> SaveResult:
    values = checked.account
    account = Account(None, status=entry.status, **values)
    account_id = create_account(register, account, application=_application(entry, checked, 0))
    result = SaveResult(account_id)
    start_on = checked.signed_on
    for role, person in checked.roles.items():
        pid, _ = _person_id(register, person, values["unit_id"], result.created_people)
        assign_role(register, account_id, role, pid, start_on, file_change=False)
    if (
        entry.status is AccountStatus.APPLYING
        and checked.decided_on is not None
        and clean_text(entry.approval_ref)
    ):
        body = (
            clean_text(entry.approving_body) or register.profile.level(entry.level).approving_body
        )
        result.filing_ids.append(
            approve(register, account_id, checked.decided_on, body, clean_text(entry.approval_ref))
        )
    return result


def _edit(
    register: Register, entry: AccountEntry, checked: CheckedEntry, account_id: int
) -> SaveResult:
    current = register.accounts.get(account_id)
    result = SaveResult(account_id)
    changed = {f: v for f, v in checked.account.items() if getattr(current, f) != v}
    if changed:
        before = {f: getattr(current, f) for f in changed}
        filing_id = edit_account(register, account_id, changed, event_on=checked.event_on)
        if filing_id is not None:
            result.filing_ids.append(filing_id)
        result.edit = EditRecord(account_id, before, changed, filing_id)
    personnel: list[FieldChange] = []
    profile = register.profile
    holders: dict[str, RoleAssignment] = {}
    for assignment in register.accounts.current_roles(account_id):
        holders.setdefault(assignment.role, assignment)
    for role in [r.id for r in profile.roles]:
        label = role_label(profile, role)
        person = checked.roles.get(role)
        old = holders.get(role)
        if person is None:
            if old is not None:
                assert old.id is not None
                end_role(register, old.id, checked.event_on, file_change=False)
                personnel.append(FieldChange(label, register.people.get(old.person_id).name, ""))
            continue
        pid, contact_changes = _person_id(
            register, person, checked.account["unit_id"], result.created_people
        )
        if old is None or old.person_id != pid:
            if old is not None:
                assert old.id is not None
                end_role(register, old.id, checked.event_on, file_change=False)
            assign_role(register, account_id, role, pid, checked.event_on, file_change=False)
            before_name = register.people.get(old.person_id).name if old is not None else ""
            personnel.append(FieldChange(label, before_name, person.name))
        else:
            personnel += [FieldChange(f"{label}{what}", b, a) for what, b, a in contact_changes]
    if personnel and current.status in FILED_STATUSES:
        result.filing_ids.append(
            register.filings.create(account_id, FilingKind.PERSONNEL, checked.event_on, personnel)
        )
    app = register.accounts.application(account_id)
    new_app = _application(entry, checked, account_id)
    if app is None:
        if is_approval_sheet(profile) or clean_text(entry.approving_body):
            register.accounts.add_application(new_app)
    else:
        assert app.id is not None
        fields = {
            "applied_on": new_app.applied_on,
            "justification": new_app.justification,
            "operation_plan": new_app.operation_plan,
            "priority_rank": new_app.priority_rank,
            "pledge_signed": new_app.pledge_signed,
            "pledge_signed_on": new_app.pledge_signed_on,
        }
        if app.decision is ApplicationDecision.PENDING:
            fields["approving_body"] = new_app.approving_body
        diff = {k: v for k, v in fields.items() if getattr(app, k) != v}
        if diff:
            register.accounts.update_application(app.id, **diff)
    if (
        current.status is AccountStatus.APPLYING
        and checked.decided_on is not None
        and clean_text(entry.approval_ref)
    ):
        body = clean_text(entry.approving_body) or profile.level(entry.level).approving_body
        result.filing_ids.append(
            approve(register, account_id, checked.decided_on, body, clean_text(entry.approval_ref))
        )
    return result


# -- filings and undo ----------------------------------------------------------------


def describe_filing(register: Register, filing_id: int) -> str:
    """One line a clerk reads after saving: kind, due date (estimate flagged), check code."""
    filing = register.filings.get(filing_id)
    due = ""
    if filing.due_on is not None:
        due = f"，交回{register.profile.filing_office}{deadline_text(filing.due_on)}"
        if filing.due_is_estimate:
            due += "（估算：该年节假日安排尚未录入）"
    changes = "；".join(
        f"{c.field}：{c.before or '（空）'} → {c.after or '（空）'}" for c in filing.changes
    )
    return (
        f"{filing.kind.label} 第{filing.version}版（变更日 {filing.event_on.isoformat()}{due}，"
        f"校验码 {filing.check_code}）" + (f" {changes}" if changes else "")
    )


def cancel_filing(register: Register, filing_id: int, reason: str) -> None:
    """Void a filing whose paper was never sent (作废); it stays in the record."""
    register.filings.cancel(filing_id, reason)


def undo_edit(register: Register, record: EditRecord, on: dt.date | None = None) -> int | None:
    """Put back the values an edit replaced. Returns the filing that remains to be sent.

    What a clerk expects: an edit undone before its change filing went out was a
    typing mistake, so nothing is to be filed — the edit's open filing and the
    reverse change are both voided. Once the edit's filing came back signed, the
    office holds the new values on paper, so undoing is a real change back and
    gets its own change filing with a due date from ``on``.
    """
    on = on or today()
    current = register.accounts.get(record.account_id)
    for field_name, value in record.after.items():
        if getattr(current, field_name) != value:
            raise NmdeskError(f"“{FIELD_LABELS[field_name]}”在此后又被修改过，不能撤销这次编辑")
    with register.transaction():
        original = register.filings.get(record.filing_id) if record.filing_id is not None else None
        reverse = edit_account(
            register, record.account_id, dict(record.before), event_on=on, note="撤销上一次编辑"
        )
        if original is not None and original.status is FilingStatus.OPEN:
            assert original.id is not None
            cancel_filing(register, original.id, "编辑已撤销")
            if reverse is not None:
                cancel_filing(register, reverse, "撤销编辑，无需备案")
            return None
        return reverse
