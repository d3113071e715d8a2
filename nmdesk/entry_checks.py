"""The account form's entry checked against the rules, every error at once.

``collect_errors`` goes through an ``AccountEntry`` (``nmdesk.entry``) in the
sheet's order and names each problem by its field, as on the paper sheet; the
account rules themselves are ``nmdesk.store.account_rules``, called rule by rule so
that the clerk sees every error, not the first. With no error, it returns the
typed values (``CheckedEntry``) that ``nmdesk.entry_save`` stores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nmdesk.dates import PartialDate, parse_day, parse_partial_date, today
from nmdesk.entry import (
    CONTACT_LABELS,
    AccountEntry,
    CheckedEntry,
    PersonEntry,
    role_label,
)
from nmdesk.errors import DuplicateAccountError, PolicyError, ValidationError
from nmdesk.models import (
    AccountStatus,
    Unit,
)
from nmdesk.profiles import Profile
from nmdesk.services.accounts import (
    JUSTIFICATION_FIELD,
    check_unit_may_apply,
    needs_justification,
)
from nmdesk.store.account_rules import (
    FIELD_LABELS,
    check_it_approval,
    check_level,
    check_listed_platform,
)
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


class DuplicateFieldError(ValidationError):
    """Platform plus platform ID already registered; ``existing_id`` points at that account."""

    def __init__(self, field: str, message: str, existing_id: int) -> None:
        super().__init__(field, message)
        self.existing_id = existing_id


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
