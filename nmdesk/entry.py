"""What the clerk types into the account form, checked and saved as one action.

The account form (``ui/desk/account_form.py``) mirrors the paper sheet: the BIT
filing sheet (备案表) or the PKU-CoE approval sheet (审批表). It collects plain
text into an ``AccountEntry``; this module checks the entry against the rules
(every error names its field in Chinese, as on the sheet) and saves it in one
transaction: people created or updated, the account created or edited, role
holders assigned, the application recorded. Editing a filed account produces
the change filings the policies require; their ids come back so the clerk can
see them and their due dates.

Kept free of Qt so the rules can be tested without widgets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nmdesk.dates import PartialDate, deadline_text, parse_day, parse_partial_date, today
from nmdesk.errors import DuplicateAccountError, NmdeskError, PolicyError, ValidationError
from nmdesk.models import (
    Account,
    AccountStatus,
    Application,
    ApplicationDecision,
    FieldChange,
    FilingKind,
    FilingStatus,
    Person,
    PersonKind,
    RoleAssignment,
    Unit,
)
from nmdesk.names import matched_keywords
from nmdesk.profiles import Profile
from nmdesk.services.accounts import (
    JUSTIFICATION_FIELD,
    approve,
    assign_role,
    check_unit_may_apply,
    create_account,
    edit_account,
    end_role,
    needs_justification,
)
from nmdesk.store.account_rules import (
    FIELD_LABELS,
    check_it_approval,
    check_level,
    check_listed_platform,
)
from nmdesk.store.accounts import FILED_STATUSES
from nmdesk.text_rules import field_issue
from nmdesk.validation import (
    check_role_holder,
    clean_text,
    normalize_email,
    normalize_mobile,
    normalize_office_phone,
)

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

# Account fields the form edits, in the order of the sheet.
ACCOUNT_FIELDS = (
    "platform",
    "account_type",
    "name",
    "platform_id",
    "purpose",
    "opened_on",
    "unit_id",
    "level",
    "verified_subject",
    "campus_data_service",
    "it_approval_ref",
    "miit_filing_no",
    "password_rotated_on",
    "last_post_on",
    "note",
)
CONTACT_LABELS = {"title": "职务", "office_phone": "办公电话", "mobile": "手机", "email": "邮箱"}


class DuplicateFieldError(ValidationError):
    """Platform plus platform ID already registered; ``existing_id`` points at that account."""

    def __init__(self, field: str, message: str, existing_id: int) -> None:
        super().__init__(field, message)
        self.existing_id = existing_id


def role_label(profile: Profile, role: str) -> str:
    """The role's name as printed on the profile's sheet: BIT's 备案表 calls the first
    responsible person 单位负责人 (clause 6: the unit's head)."""
    if role == "first_responsible" and profile.uses_form("filing"):
        return "单位负责人"
    return profile.role_name(role)


REQUIRED_REASON = "为必填项"


def missing_required(profile: Profile, errors: list[ValidationError]) -> dict[str, str]:
    """The fields still empty that must be filled: field → its name as the sheet says it.

    A role's field reads "具体负责人 姓名", so that the clerk sees whose name is missing.
    """
    labels = sorted((role_label(profile, rule.id) for rule in profile.roles), key=len, reverse=True)
    missing: dict[str, str] = {}
    for error in errors:
        field = error.field
        if not error.reason.startswith(REQUIRED_REASON) or field in missing:
            continue
        role = next((r for r in labels if field.startswith(r) and field != r), None)
        missing[field] = f"{role} {field[len(role) :]}" if role else field
    return missing


def required_summary(missing: list[str]) -> str:
    """One line for beside the save button: "还有 2 项必填：具体负责人 姓名、账号名称"."""
    if not missing:
        return ""
    return f"还有 {len(missing)} 项必填：{'、'.join(missing)}"


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


# -- checking ------------------------------------------------------------------------


def _collect(errors: list[ValidationError], rule: Callable[..., object], *args: Any) -> None:
    """Run one of the account rules (``nmdesk.store.account_rules``), keeping its error
    with the others instead of stopping at it."""
    try:
        rule(*args)
    except ValidationError as exc:
        errors.append(exc)


def _required(value: str, label: str, errors: list[ValidationError]) -> str:
    text = clean_text(value)
    if not text:
        errors.append(ValidationError(label, REQUIRED_REASON))
    return text


def _day(
    value: str,
    label: str,
    errors: list[ValidationError],
    *,
    required: bool = False,
    not_after: dt.date | None = None,
) -> dt.date | None:
    if not clean_text(value):
        if required:
            errors.append(ValidationError(label, REQUIRED_REASON))
        return None
    try:
        day = parse_day(value, label)
    except ValidationError as exc:
        errors.append(exc)
        return None
    if not_after is not None and day > not_after:
        errors.append(ValidationError(label, f"{day.isoformat()} 晚于今天，不能是将来的日期"))
    return day


def _check_person(
    profile: Profile, role: str, person: PersonEntry, errors: list[ValidationError]
) -> PersonEntry:
    label = role_label(profile, role)
    if not clean_text(person.name):
        errors.append(ValidationError(f"{label}姓名", "为必填项"))
    try:
        check_role_holder(profile, role, person.kind)
    except ValidationError as exc:
        errors.append(ValidationError(label, exc.reason))
    checked = PersonEntry(
        person.person_id, clean_text(person.name), person.kind, clean_text(person.title)
    )
    for attr, normalise in (
        ("office_phone", normalize_office_phone),
        ("mobile", normalize_mobile),
        ("email", normalize_email),
    ):
        try:
            setattr(
                checked, attr, normalise(getattr(person, attr), f"{label}{CONTACT_LABELS[attr]}")
            )
        except ValidationError as exc:
            errors.append(exc)
    return checked


def _identity(
    register: Register, entry: AccountEntry, account_id: int | None, errors: list[ValidationError]
) -> tuple[str, str, str, str]:
    """开设平台, 账号类型, 账号名称 and 平台账号 ID: the platform is listed, the type given
    where the platform has types, the id not held by another account."""
    platform = _required(entry.platform, "开设平台", errors)
    if platform:
        _collect(errors, check_listed_platform, platform, register.accounts.platforms())
    types = register.accounts.account_types(platform) if platform else []
    account_type = clean_text(entry.account_type)
    if types and not account_type:
        errors.append(ValidationError("账号类型", "为必填项"))
    name = _required(entry.name, FIELD_LABELS["name"], errors)
    platform_id = clean_text(entry.platform_id)
    if platform and platform_id:
        try:
            register.accounts.check_duplicate(platform, platform_id, exclude_id=account_id)
        except DuplicateAccountError as exc:
            errors.append(
                DuplicateFieldError(FIELD_LABELS["platform_id"], exc.message, exc.existing_id)
            )
    return platform, account_type, name, platform_id


def _opening(
    entry: AccountEntry, account_id: int | None, now: dt.date, errors: list[ValidationError]
) -> PartialDate | None:
    """开设时间 at its precision, never in the future; required when an opened account is
    entered after the fact (补登)."""
    if clean_text(entry.opened_on):
        try:
            opened_on = parse_partial_date(entry.opened_on, FIELD_LABELS["opened_on"])
        except ValidationError as exc:
            errors.append(exc)
            return None
        if opened_on.first_day() > now:
            errors.append(ValidationError(FIELD_LABELS["opened_on"], "不能晚于今天"))
        return opened_on
    if entry.status is not AccountStatus.APPLYING and account_id is None:
        errors.append(ValidationError(FIELD_LABELS["opened_on"], "补登已开设的账号须填写开设时间"))
    return None


def _unit(
    register: Register, entry: AccountEntry, account_id: int | None, errors: list[ValidationError]
) -> Unit | None:
    """开设单位: chosen, and allowed to apply for a new account (not suspended)."""
    if entry.unit_id is None:
        errors.append(ValidationError(FIELD_LABELS["unit_id"], "为必填项，请选择开设单位"))
        return None
    unit = register.units.get(entry.unit_id)
    if account_id is None and entry.status is AccountStatus.APPLYING:
        try:
            check_unit_may_apply(register, entry.unit_id)
        except PolicyError as exc:
            errors.append(ValidationError(FIELD_LABELS["unit_id"], exc.message))
    return unit


def _roles(
    profile: Profile, entry: AccountEntry, errors: list[ValidationError]
) -> dict[str, PersonEntry]:
    """Each role holder of the profile: required roles filled, each holder checked."""
    roles: dict[str, PersonEntry] = {}
    for rule in profile.roles:
        person = entry.roles.get(rule.id)
        if person is None or person.is_empty():
            if rule.required:
                errors.append(
                    ValidationError(
                        f"{role_label(profile, rule.id)}姓名", "为必填项，请填写姓名或选择人员"
                    )
                )
            continue
        roles[rule.id] = _check_person(profile, rule.id, person, errors)
    return roles


def _application_fields(
    profile: Profile, entry: AccountEntry, now: dt.date, errors: list[ValidationError]
) -> tuple[dt.date, dt.date | None, int | None, dt.date | None]:
    """The application's signature and decision dates, the unit's priority rank and the
    pledge (第六条): an approval needs its reference and, where the profile asks, the pledge."""
    signed_on = _day(entry.signed_on, "负责人签字日期", errors, not_after=now) or now
    decided_on = _day(entry.decided_on, "审批日期", errors, not_after=now)
    applying = entry.status is AccountStatus.APPLYING
    if (
        decided_on is not None
        and clean_text(entry.approval_ref)
        and profile.requires_pledge
        and not entry.pledge_signed
        and applying
    ):
        errors.append(
            ValidationError("承诺书", "尚未签署《保密及不侵权承诺书》，不能批准（第六条）")
        )
    if decided_on is not None and not clean_text(entry.approval_ref) and applying:
        errors.append(ValidationError("审批文号", "填写了审批日期时须同时填写审批文号或会议纪要号"))
    priority: int | None = None
    if clean_text(entry.priority_rank):
        text = clean_text(entry.priority_rank)
        if not text.isdigit() or int(text) < 1:
            errors.append(ValidationError("优先顺序", f"“{text}”应为从 1 开始的整数（1 为最优先）"))
        else:
            priority = int(text)
    pledge_on = _day(entry.pledge_signed_on, "承诺书签署日期", errors, not_after=now)
    if entry.pledge_signed and pledge_on is None and clean_text(entry.pledge_signed_on) == "":
        errors.append(ValidationError("承诺书签署日期", "已签署承诺书时须填写签署日期"))
    return signed_on, decided_on, priority, pledge_on


def _justification(
    register: Register, entry: AccountEntry, account_id: int | None, errors: list[ValidationError]
) -> None:
    """A unit that already has accounts justifies a new one with a plan (第七条)."""
    if (
        account_id is None
        and entry.unit_id is not None
        and entry.status is AccountStatus.APPLYING
        and needs_justification(register, entry.unit_id)
    ):
        if not clean_text(entry.justification):
            errors.append(
                ValidationError(
                    JUSTIFICATION_FIELD, "本单位已有账号，申请新增账号须说明必要性（第七条）"
                )
            )
        if not clean_text(entry.operation_plan):
            errors.append(
                ValidationError("运营计划", "本单位已有账号，申请新增账号须附运营计划（第七条）")
            )


def collect_errors(
    register: Register, entry: AccountEntry, account_id: int | None = None
) -> tuple[list[ValidationError], CheckedEntry | None]:
    """Every problem with the entry, in the sheet's order; and the typed values if none."""
    profile = register.profile
    errors: list[ValidationError] = []
    now = today()
    platform, account_type, name, platform_id = _identity(register, entry, account_id, errors)
    purpose = _required(entry.purpose, FIELD_LABELS["purpose"], errors)
    opened_on = _opening(entry, account_id, now, errors)
    unit = _unit(register, entry, account_id, errors)
    roles = _roles(profile, entry, errors)
    _collect(errors, check_level, profile, entry.level, unit)
    _collect(errors, check_it_approval, profile, entry.campus_data_service, entry.it_approval_ref)
    rotated = _day(
        entry.password_rotated_on, FIELD_LABELS["password_rotated_on"], errors, not_after=now
    )
    last_post = _day(entry.last_post_on, FIELD_LABELS["last_post_on"], errors, not_after=now)
    signed_on, decided_on, priority, pledge_on = _application_fields(profile, entry, now, errors)
    _justification(register, entry, account_id, errors)
    event_on = now
    if account_id is not None:
        event_on = _day(entry.event_on, "变更发生日期", errors, required=True, not_after=now) or now
    errors += _text_errors(profile, entry)
    if errors:
        return errors, None
    assert entry.unit_id is not None
    values: dict[str, Any] = {
        "platform": platform,
        "account_type": account_type,
        "name": name,
        "platform_id": platform_id,
        "purpose": purpose,
        "opened_on": opened_on,
        "unit_id": entry.unit_id,
        "level": entry.level,
        "verified_subject": clean_text(entry.verified_subject),
        "campus_data_service": entry.campus_data_service,
        "it_approval_ref": clean_text(entry.it_approval_ref),
        "miit_filing_no": clean_text(entry.miit_filing_no),
        "password_rotated_on": rotated,
        "last_post_on": last_post,
        "note": entry.note.strip(),
    }
    return [], CheckedEntry(values, roles, signed_on, decided_on, priority, pledge_on, event_on)


_TYPED_TEXT = (
    "account_type",
    "name",
    "platform_id",
    "purpose",
    "verified_subject",
    "it_approval_ref",
    "miit_filing_no",
)


def _text_errors(profile: Profile, entry: AccountEntry) -> list[ValidationError]:
    """The ``nmdesk.text_rules`` checks the store makes on saving, named by the form's fields."""
    limits = profile.text_limits
    errors = [
        ValidationError(FIELD_LABELS[key], issue)
        for key in _TYPED_TEXT
        if (issue := field_issue(limits, "accounts", key, clean_text(getattr(entry, key))))
    ]
    if issue := field_issue(limits, "accounts", "note", entry.note.strip()):
        errors.append(ValidationError(FIELD_LABELS["note"], issue))
    for key, word in (("approving_body", "审批单位"), ("approval_ref", "审批文号")):
        if issue := field_issue(limits, "applications", key, clean_text(getattr(entry, key))):
            errors.append(ValidationError(word, issue))
    for key, word in (("justification", "开设理由"), ("operation_plan", "运营计划")):
        if issue := field_issue(limits, "applications", key, getattr(entry, key).strip()):
            errors.append(ValidationError(word, issue))
    for role, person in entry.roles.items():
        for key, word in (("name", "姓名"), ("title", "职务")):
            if issue := field_issue(limits, "people", key, clean_text(getattr(person, key))):
                errors.append(ValidationError(f"{role_label(profile, role)}{word}", issue))
    return errors


def check_entry(
    register: Register, entry: AccountEntry, account_id: int | None = None
) -> CheckedEntry:
    """Raise the first ValidationError (in sheet order), or return the typed values."""
    errors, checked = collect_errors(register, entry, account_id)
    if errors:
        raise errors[0]
    assert checked is not None
    return checked


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
