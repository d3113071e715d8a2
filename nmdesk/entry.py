"""What the clerk types into the account form, as an entry of plain text.

The account form (``ui/desk/account_form.py``) mirrors the paper sheet: the BIT
filing sheet (备案表) or the PKU-CoE approval sheet (审批表). It collects plain
text into an ``AccountEntry``, read from a stored account by ``entry_from_account``.
``nmdesk.entry_checks`` checks the entry against the rules (every error names its
field in Chinese, as on the sheet); ``nmdesk.entry_save`` saves it in one transaction
and undoes an edit. ``entry_warnings`` says what the clerk should see but that does
not block saving.

Kept free of Qt so the rules can be tested without widgets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nmdesk.dates import today
from nmdesk.models import (
    AccountStatus,
    Person,
    PersonKind,
)
from nmdesk.names import matched_keywords
from nmdesk.profiles import Profile
from nmdesk.store.accounts import FILED_STATUSES
from nmdesk.validation import (
    clean_text,
)

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

CONTACT_LABELS = {"title": "职务", "office_phone": "办公电话", "mobile": "手机", "email": "邮箱"}


def role_label(profile: Profile, role: str) -> str:
    """The role's name as printed on the profile's sheet: BIT's 备案表 calls the first
    responsible person 单位负责人 (clause 6: the unit's head)."""
    if role == "first_responsible" and profile.uses_form("filing"):
        return "单位负责人"
    return profile.role_name(role)


def sheet_roles(profile: Profile) -> list[str]:
    """Roles the paper sheet asks for with full contacts, in the sheet's order."""
    if profile.uses_form("filing"):
        wanted = ["first_responsible", "ops_contact"]
    else:
        wanted = ["first_responsible", "specific_responsible", "operator"]
    known = {role.id for role in profile.roles}
    return [role for role in wanted if role in known]


def extra_roles(profile: Profile) -> list[str]:
    """The profile's other roles, kept in the register but not printed on the sheet."""
    on_sheet = set(sheet_roles(profile))
    return [role.id for role in profile.roles if role.id not in on_sheet]


def is_approval_sheet(profile: Profile) -> bool:
    """True when the form is PKU-CoE's 审批表 with justification, plan, ranking and pledge."""
    return profile.requires_pledge or profile.requires_justification_when_existing


@dataclass
class PersonEntry:
    """A role holder as typed: an existing person (``person_id``) or a new one by name."""

    person_id: int | None = None
    name: str = ""
    kind: PersonKind = PersonKind.STAFF
    title: str = ""
    office_phone: str = ""
    mobile: str = ""
    email: str = ""

    def is_empty(self) -> bool:
        typed = (self.name, self.title, self.office_phone, self.mobile, self.email)
        return self.person_id is None and not any(clean_text(text) for text in typed)


def person_entry(person: Person) -> PersonEntry:
    """A stored person as the form shows them: picked, with their contacts."""
    return PersonEntry(
        person.id,
        person.name,
        person.kind,
        person.title,
        person.office_phone,
        person.mobile,
        person.email,
    )


@dataclass
class AccountEntry:
    """The account form's values as text, exactly as typed."""

    platform: str = ""
    account_type: str = ""
    name: str = ""
    platform_id: str = ""
    purpose: str = ""
    opened_on: str = ""
    unit_id: int | None = None
    level: int = 2
    verified_subject: str = ""
    campus_data_service: bool = False
    it_approval_ref: str = ""
    miit_filing_no: str = ""
    password_rotated_on: str = ""
    last_post_on: str = ""
    note: str = ""
    # the unit's 账号优先顺序表 as the form orders it (None = this account), or None
    # when the form does not edit it (PKU-CoE clause 7)
    unit_ranking: list[int | None] | None = None
    status: AccountStatus = AccountStatus.APPLYING
    roles: dict[str, PersonEntry] = field(default_factory=dict)
    # 单位意见 / approval
    signed_on: str = ""
    approving_body: str = ""
    approval_ref: str = ""
    decided_on: str = ""
    # PKU-CoE 审批表
    justification: str = ""
    operation_plan: str = ""
    priority_rank: str = ""
    pledge_signed: bool = False
    pledge_signed_on: str = ""
    # when editing: the day the change happened
    event_on: str = ""


@dataclass
class CheckedEntry:
    """An entry that passed every check, with typed values ready to store."""

    account: dict[str, Any]
    roles: dict[str, PersonEntry]
    signed_on: dt.date
    decided_on: dt.date | None
    priority_rank: int | None
    pledge_signed_on: dt.date | None
    event_on: dt.date


# -- reading an account into an entry ------------------------------------------------


def entry_from_account(register: Register, account_id: int) -> AccountEntry:
    """The form's values for an existing account, its role holders and application."""
    account = register.accounts.get(account_id)
    entry = AccountEntry(
        platform=account.platform,
        account_type=account.account_type,
        name=account.name,
        platform_id=account.platform_id,
        purpose=account.purpose,
        opened_on=account.opened_on.chinese() if account.opened_on else "",
        unit_id=account.unit_id,
        level=account.level,
        verified_subject=account.verified_subject,
        campus_data_service=account.campus_data_service,
        it_approval_ref=account.it_approval_ref,
        miit_filing_no=account.miit_filing_no,
        password_rotated_on=account.password_rotated_on.isoformat()
        if account.password_rotated_on
        else "",
        last_post_on=account.last_post_on.isoformat() if account.last_post_on else "",
        note=account.note,
        status=account.status,
        event_on=today().isoformat(),
    )
    for assignment in register.accounts.current_roles(account_id):
        if assignment.role in entry.roles:
            continue
        person = register.people.get(assignment.person_id)
        entry.roles[assignment.role] = person_entry(person)
    app = register.accounts.application(account_id)
    if app is not None:
        entry.signed_on = app.applied_on.isoformat()
        entry.approving_body = app.approving_body
        entry.approval_ref = app.approval_ref
        entry.decided_on = app.decided_on.isoformat() if app.decided_on else ""
        entry.justification = app.justification
        entry.operation_plan = app.operation_plan
        entry.priority_rank = str(app.priority_rank) if app.priority_rank else ""
        entry.pledge_signed = app.pledge_signed
        entry.pledge_signed_on = app.pledge_signed_on.isoformat() if app.pledge_signed_on else ""
    return entry


def entry_warnings(
    register: Register, entry: AccountEntry, account_id: int | None = None
) -> list[str]:
    """Things the clerk should see but that do not block saving.

    A name using a protected name (北理工, 北大 …) is in scope: it warns while the
    account is not registered (new, applying or refused). A unit that already has
    accounts on the platform gets the total-quantity warning (PKU-CoE clause 7).
    """
    profile = register.profile
    warnings: list[str] = []
    keywords = matched_keywords(entry.name, profile.protected_names)
    registered = account_id is not None and entry.status in FILED_STATUSES | {
        AccountStatus.APPROVED
    }
    if keywords and not registered:
        warnings.append(name_warning(keywords))
    if entry.unit_id is not None and clean_text(entry.platform):
        count, first = register.accounts.same_platform(
            entry.unit_id, clean_text(entry.platform), exclude_id=account_id
        )
        if count >= profile.accounts_per_platform:
            names = "、".join(f"“{name}”" for name in first)
            warnings.append(
                f"总量控制：本单位在{clean_text(entry.platform)}已有 {count} 个账号（{names}），"
                f"请确认没有功能重复、定位模糊的账号"
            )
    return warnings


def name_warning(keywords: list[str]) -> str:
    used = "、".join(f"“{k}”" for k in keywords)
    return f"账号名称使用了受保护的名称{used}，属于管理范围，须经审批备案后方可使用"
