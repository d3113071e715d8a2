"""Accounts' policy: who may apply for an account (eligibility, PKU-CoE clause 5; a
suspended right to apply, clause 15; the justification an extra account needs,
clause 7; the pledge an approval needs, clause 6) and when an edit must be filed (a filed account's change filing, or its
personnel-change filing when a role changes hands).

``create_account`` is the way a new account enters the register from the desk, the
demo and a ledger import alike, ``edit_account`` the way its fields change and
``assign_role`` / ``end_role`` / ``hand_over`` the way its people do; the store's
``Accounts`` below them only keep the record (fields, platform list, duplicate
platform IDs, who may hold a role) and say what changed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from nmdesk.errors import PolicyError, ValidationError
from nmdesk.models import Account, AccountStatus, Application, FieldChange, FilingKind
from nmdesk.store.accounts import FILED_STATUSES
from nmdesk.validation import clean_text

if TYPE_CHECKING:
    from nmdesk.store.interfaces import AccountBatch, Register

JUSTIFICATION_FIELD = "新增账号必要性说明"


def check_unit_may_apply(register: Register, unit_id: int) -> None:
    """Eligibility (PKU-CoE clause 5) and suspension of the right to apply (clause 15):
    PolicyError naming the unit when it may not apply for a new account."""
    unit = register.units.get(unit_id)
    profile = register.profile
    if unit.kind not in profile.eligible_unit_kinds:
        raise PolicyError(
            f"“{unit.name}”（{profile.unit_kind_name(unit.kind)}）不能申请开设账号："
            f"{profile.ineligible_reason}"
        )
    if register.units.is_apply_suspended(unit_id):
        raise PolicyError(f"“{unit.name}”的账号申办资格已被暂停，整改完成并解除前不能提交新的申请")


def needs_justification(register: Register, unit_id: int) -> bool:
    """Whether an application of this unit must say why it needs another account and how
    it will run it (PKU-CoE clause 7: the unit already has an account)."""
    return register.profile.requires_justification_when_existing and bool(
        register.accounts.of_unit(unit_id)
    )


def check_application(
    register: Register, account: Account, application: Application | None
) -> None:
    """Every policy rule a new application (status 申请中) must meet."""
    check_unit_may_apply(register, account.unit_id)
    if (
        application is not None
        and not clean_text(application.justification)
        and needs_justification(register, account.unit_id)
    ):
        raise ValidationError(
            JUSTIFICATION_FIELD,
            "本单位已有账号，申请新增账号须说明必要性并附运营计划（第七条）",
        )


def create_account(
    register: Register,
    account: Account,
    *,
    application: Application | None = None,
    batch: AccountBatch | None = None,
) -> int:
    """Register a new account: an application (status 申请中) is checked against policy
    first; then the store records it (with ``batch``, queued in a bulk import)."""
    if account.status is AccountStatus.APPLYING:
        if batch is not None:
            batch.flush()  # its unit may be queued in the batch; an application is not
        check_application(register, account, application)
    return register.accounts.create(account, application=application, batch=batch)


def edit_account(
    register: Register,
    account_id: int,
    changes: dict[str, Any],
    *,
    event_on: dt.date,
    note: str = "",
) -> int | None:
    """Edit an account's fields. For a filed account (its opening filing went out) the
    change is filed: a change filing listing what changed, whose id is returned;
    otherwise None."""
    with register.transaction():
        status, field_changes = register.accounts.update_fields(account_id, changes)
        if field_changes and status in FILED_STATUSES:
            return register.filings.create(
                account_id, FilingKind.CHANGE, event_on, field_changes, note=note
            )
    return None


def _file_personnel(
    register: Register, account_id: int, on: dt.date, changes: list[FieldChange]
) -> int | None:
    """A personnel-change filing for a filed account; None for one not yet filed."""
    if register.accounts.get(account_id).status not in FILED_STATUSES:
        return None
    return register.filings.create(account_id, FilingKind.PERSONNEL, on, changes)


def assign_role(
    register: Register,
    account_id: int,
    role: str,
    person_id: int,
    start_on: dt.date,
    *,
    file_change: bool = True,
) -> int | None:
    """Give a person a role from a date (a single-holder role's previous holder ends that
    day). For a filed account a personnel-change filing is created and its id returned,
    unless ``file_change`` is off (the change is part of another filing)."""
    with register.transaction():
        change = register.accounts.assign_role(account_id, role, person_id, start_on)
        if change is None or not file_change:
            return None
        return _file_personnel(register, account_id, start_on, [change])


def end_role(
    register: Register, assignment_id: int, end_on: dt.date, *, file_change: bool = True
) -> int | None:
    """End one role assignment; a filed account gets a personnel-change filing (its id)."""
    account_id = register.accounts.assignment(assignment_id).account_id
    with register.transaction():
        change = register.accounts.end_role(assignment_id, end_on)
        if change is None or not file_change:
            return None
        return _file_personnel(register, account_id, end_on, [change])


def hand_over(register: Register, from_person_id: int, to_person_id: int, on: dt.date) -> list[int]:
    """Hand every current role of one person to another, in one transaction: one
    personnel-change filing per filed account, whose ids are returned."""
    filing_ids: list[int] = []
    with register.transaction():
        for account_id, changes in register.accounts.hand_over(
            from_person_id, to_person_id, on
        ).items():
            filing_id = _file_personnel(register, account_id, on, changes)
            if filing_id is not None:
                filing_ids.append(filing_id)
    return filing_ids


def approve(
    register: Register,
    account_id: int,
    decided_on: dt.date,
    approving_body: str,
    approval_ref: str,
) -> int:
    """Approve an application (审批) and open its opening filing (备案); returns the
    filing's id. Where the profile asks for it, the pledge must be signed first
    (PKU-CoE clause 6); the approval's reference is required."""
    if register.profile.requires_pledge:
        application = register.accounts.application(account_id)
        if application is None or not application.pledge_signed:
            raise PolicyError("尚未签署《保密及不侵权承诺书》，不能批准（第六条）")
    if not clean_text(approval_ref):
        raise ValidationError("审批文号/会议纪要号", "为必填项")
    with register.transaction():
        register.accounts.record_approval(account_id, decided_on, approving_body, approval_ref)
        return register.filings.create(account_id, FilingKind.OPENING, decided_on, [])
