"""The register's domain records, as plain dataclasses.

The store returns these and accepts them; nothing here knows about SQL or Qt.
Statuses, roles and kinds are enums whose values are what the register stores,
with the Chinese label a clerk sees in ``label``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from nmdesk.dates import PartialDate


class LabelledEnum(StrEnum):
    """A stored string value with a Chinese label for display."""

    label: str

    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def from_label(cls, label: str) -> LabelledEnum:
        for member in cls:
            if member.label == label or member.value == label:
                return member
        raise KeyError(label)


class AccountStatus(LabelledEnum):
    APPLYING = ("applying", "申请中")
    APPROVED = ("approved", "已批准")
    RUNNING = ("running", "运行中")
    RECTIFYING = ("rectifying", "整改中")
    SUSPENDED = ("suspended", "暂停")
    LOST = ("lost", "失联")
    CLOSING = ("closing", "注销中")
    CLOSED = ("closed", "已注销")
    REFUSED = ("refused", "未获批准")


class PersonKind(LabelledEnum):
    STAFF = ("staff", "在职教职工")
    STUDENT = ("student", "在读学生")
    EXTERNAL = ("external", "校外人员")


class FilingKind(LabelledEnum):
    OPENING = ("opening", "开设备案")
    CHANGE = ("change", "变更备案")
    PERSONNEL = ("personnel", "人员变更")
    CLOSURE = ("closure", "注销报备")


class FilingStatus(LabelledEnum):
    OPEN = ("open", "待交回")
    FILED = ("filed", "已归档")
    CANCELLED = ("cancelled", "已作废")


class SanctionKind(LabelledEnum):
    CRITICISM = ("criticism", "通报批评")
    RECTIFY = ("rectify", "限期整改")
    ORDER_CLOSE = ("order_close", "责令注销")
    SUSPEND_RUN = ("suspend_run", "暂停运行")
    SUSPEND_APPLY = ("suspend_apply", "暂停申办资格")


# Sanctions that run until a deadline (and show on the deadlines board).
DEADLINE_KINDS = frozenset({SanctionKind.RECTIFY, SanctionKind.SUSPEND_RUN})


class Verdict(LabelledEnum):
    PASS = ("pass", "合格")
    RECTIFY = ("rectify", "限期整改")
    SUSPEND = ("suspend", "暂停运行")
    ORDER_CLOSE = ("order_close", "责令注销")
    NOT_SUBMITTED = ("not_submitted", "未提交")


class ApplicationDecision(LabelledEnum):
    PENDING = ("pending", "待审批")
    APPROVED = ("approved", "已批准")
    REFUSED = ("refused", "不予批准")


@dataclass
class Unit:
    id: int | None
    name: str
    kind: str
    parent_id: int | None = None
    head_person_id: int | None = None
    short_name: str = ""
    note: str = ""


@dataclass
class Person:
    id: int | None
    name: str
    kind: PersonKind
    unit_id: int | None = None
    title: str = ""
    office_phone: str = ""
    mobile: str = ""
    email: str = ""
    staff_or_student_no: str = ""
    note: str = ""
    # a student's expected graduation (PKU-CoE clause 9): their roles are to be handed over
    graduates_on: dt.date | None = None


@dataclass
class Account:
    """One public account on one platform. Never holds a password."""

    id: int | None
    platform: str
    account_type: str
    name: str
    unit_id: int
    level: int
    platform_id: str = ""
    purpose: str = ""
    opened_on: PartialDate | None = None
    status: AccountStatus = AccountStatus.APPLYING
    serial_no: str = ""
    verified_subject: str = ""
    campus_data_service: bool = False
    it_approval_ref: str = ""
    miit_filing_no: str = ""
    password_rotated_on: dt.date | None = None
    last_post_on: dt.date | None = None
    note: str = ""


@dataclass
class RoleAssignment:
    id: int | None
    account_id: int
    role: str
    person_id: int
    start_on: dt.date
    end_on: dt.date | None = None


@dataclass
class Application:
    """The approval request for an account (审批): who approved it, when, under which minute."""

    id: int | None
    account_id: int
    applied_on: dt.date
    approving_body: str = ""
    decision: ApplicationDecision = ApplicationDecision.PENDING
    decided_on: dt.date | None = None
    approval_ref: str = ""
    refusal_reason: str = ""
    justification: str = ""
    operation_plan: str = ""
    priority_rank: int | None = None
    pledge_signed: bool = False
    pledge_signed_on: dt.date | None = None


@dataclass
class FieldChange:
    field: str
    before: str
    after: str


@dataclass
class Filing:
    """A paper filing with the office: opening, change, personnel change or closure."""

    id: int | None
    account_id: int
    kind: FilingKind
    event_on: dt.date
    due_on: dt.date | None = None
    due_is_estimate: bool = False
    status: FilingStatus = FilingStatus.OPEN
    filed_on: dt.date | None = None
    version: int = 1
    check_code: str = ""
    platform_closed_on: dt.date | None = None
    note: str = ""
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class Sanction:
    id: int | None
    unit_id: int
    kind: SanctionKind
    issued_on: dt.date
    reason: str
    account_id: int | None = None
    deadline_on: dt.date | None = None
    resolved_on: dt.date | None = None
    resolution: str = ""
    campaign_id: int | None = None


@dataclass
class WatchEntry:
    """An unregistered account found misusing a protected name (巡查登记)."""

    id: int | None
    platform: str
    name: str
    found_on: dt.date
    platform_id: str = ""
    holder: str = ""
    matched_keywords: str = ""
    action_taken: str = ""
    follow_up_on: dt.date | None = None
    resolved_on: dt.date | None = None
    note: str = ""


@dataclass
class Incident:
    """A removed post or a report to the office (处置记录, BIT clause 12)."""

    id: int | None
    account_id: int
    occurred_on: dt.date
    description: str
    action_taken: str = ""
    reported_on: dt.date | None = None


@dataclass
class Attachment:
    id: int | None
    account_id: int | None
    filing_id: int | None
    sha256: str
    original_name: str
    size: int
    added_at: str = ""
    description: str = ""


@dataclass
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    table_name: str
    row_id: int | None
    before: str | None
    after: str | None
    hash: str


@dataclass(frozen=True)
class FormDraft:
    """A printed form's own identity while it has no filing of its own."""

    id: int
    account_id: int
    form: str
    kind: FilingKind | None
    version: int
    check_code: str
    filing_id: int | None = None
    received_on: dt.date | None = None
