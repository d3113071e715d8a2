"""Every running clock in the register, for the deadlines board and ``nmdesk check``.

Change and personnel filings waiting for paper, closures, rectification
deadlines, password rotations older than the profile's interval, accounts
lacking a required role, and the coming annual review. Overdue first.

Accounts with no recorded rotation date at all are one grouped item ("N 个账号
未登记密码更换日期"), not one overdue item each: after an import of a ledger
without that column every account lacks it, and twenty identical red lines
would hide the deadlines that are really running.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from nmdesk.dates import months_before
from nmdesk.models import DEADLINE_KINDS, FilingKind

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


class ClockKind(StrEnum):
    FILING = "filing"
    CLOSURE = "closure"
    RECTIFICATION = "rectification"
    ROTATION = "rotation"
    ROTATION_UNRECORDED = "rotation_unrecorded"
    INACTIVE = "inactive"
    GRADUATION = "graduation"
    MISSING_ROLE = "missing_role"
    REVIEW = "review"


# How many account names a grouped item shows.
GROUP_NAMES_SHOWN = 10

CLOCK_LABELS = {
    ClockKind.FILING: "备案待交回",
    ClockKind.CLOSURE: "注销办理",
    ClockKind.RECTIFICATION: "限期整改",
    ClockKind.ROTATION: "密码未按期更换",
    ClockKind.ROTATION_UNRECORDED: "密码更换未登记",
    ClockKind.INACTIVE: "长期未更新",
    ClockKind.GRADUATION: "学生毕业交接",
    ClockKind.MISSING_ROLE: "责任人缺失",
    ClockKind.REVIEW: "年审",
}


@dataclass(frozen=True)
class Clock:
    """One deadline: what, for which account, due when, and whether the date is an estimate."""

    kind: ClockKind
    title: str
    due_on: dt.date | None
    account_id: int | None = None
    filing_id: int | None = None
    sanction_id: int | None = None
    is_estimate: bool = False
    # a grouped item (e.g. every account with no rotation date): the accounts it stands
    # for, and a few of their names
    account_ids: tuple[int, ...] = ()
    detail: str = ""
    # a person's item (a graduating student): whose roles to hand over
    person_id: int | None = None

    def days_left(self, today: dt.date) -> int | None:
        return None if self.due_on is None else (self.due_on - today).days

    def is_overdue(self, today: dt.date) -> bool:
        return self.due_on is not None and self.due_on < today

    @property
    def label(self) -> str:
        return CLOCK_LABELS[self.kind]


def running_clocks(register: Register, today: dt.date) -> list[Clock]:
    """All clocks, overdue first, then by due date; undated problems (missing roles) last."""
    clocks: list[Clock] = []
    open_filings = register.filings.open_filings()
    names = {
        row_id: row
        for row_id, row in register.accounts.rows([f.account_id for f in open_filings]).items()
    }
    for filing in open_filings:
        account = names.get(filing.account_id)
        account_name = account["name"] if account else f"#{filing.account_id}"
        kind = ClockKind.CLOSURE if filing.kind is FilingKind.CLOSURE else ClockKind.FILING
        clocks.append(
            Clock(
                kind,
                f"{filing.kind.label}：{account_name}",
                filing.due_on,
                filing.account_id,
                filing_id=filing.id,
                is_estimate=filing.due_is_estimate,
            )
        )
    for sanction in register.sanctions.open():
        if sanction.kind in DEADLINE_KINDS and sanction.deadline_on is not None:
            unit = register.units.get(sanction.unit_id).name
            clocks.append(
                Clock(
                    ClockKind.RECTIFICATION,
                    f"{sanction.kind.label}：{unit}（{sanction.reason}）",
                    sanction.deadline_on,
                    sanction.account_id,
                    sanction_id=sanction.id,
                )
            )
    clocks += rotation_clocks(register, today)
    clocks += inactivity_clocks(register, today)
    clocks += graduation_clocks(register, today)
    for account_id, role in register.accounts.missing_required_roles():
        name = register.accounts.get(account_id).name
        clocks.append(
            Clock(
                ClockKind.MISSING_ROLE,
                f"缺少{register.profile.role_name(role)}：{name}",
                None,
                account_id,
            )
        )
    review_due = next_review_deadline(register, today)
    clocks.append(Clock(ClockKind.REVIEW, f"{review_due.year} 年度年审材料截止", review_due))

    def order(clock: Clock) -> tuple[int, dt.date]:
        if clock.due_on is None:
            return (1, dt.date.max)
        return (0, clock.due_on)

    return sorted(clocks, key=order)


def rotation_clocks(register: Register, today: dt.date) -> list[Clock]:
    """One clock per account whose recorded rotation is older than the profile's
    interval, and one grouped item for the accounts with no rotation date."""
    rotation_days = register.profile.deadlines["password_rotation_days"]
    clocks: list[Clock] = []
    unrecorded: list[int] = []
    names: list[str] = []
    for account_id, name, rotated_on in register.accounts.rotation_overdue_brief(today):
        if rotated_on is None:
            unrecorded.append(account_id)
            if len(names) < GROUP_NAMES_SHOWN:
                names.append(f"“{name}”")
            continue
        due = rotated_on + dt.timedelta(days=rotation_days)
        clocks.append(Clock(ClockKind.ROTATION, f"密码更换：{name}", due, account_id))
    if unrecorded:
        clocks.append(
            Clock(
                ClockKind.ROTATION_UNRECORDED,
                f"{len(unrecorded)} 个账号未登记密码更换日期",
                None,
                account_ids=tuple(unrecorded),
                detail="、".join(names) + ("等" if len(unrecorded) > len(names) else ""),
            )
        )
    return clocks


def inactivity_clocks(register: Register, today: dt.date) -> list[Clock]:
    """One clock per live account whose last recorded post is older than the profile's
    threshold (BIT clause 16: close what is left unmaintained; PKU-CoE clause 7: low
    activity); it fell due the day the threshold passed."""
    months = register.profile.deadlines["low_activity_months"]
    return [
        Clock(
            ClockKind.INACTIVE,
            f"超过 {months} 个月未更新：{name}",
            months_before(last, -months),
            account_id,
            detail=f"最近发布于 {last}",
        )
        for account_id, name, last in register.accounts.inactive_brief(today)
    ]


def graduation_clocks(register: Register, today: dt.date) -> list[Clock]:
    """One clock per student who still holds roles and graduates within the profile's
    notice (PKU-CoE clause 9: operators may be students). It falls due on the expected
    graduation day; handing the roles over (交接) ends it and opens the personnel-change
    filing with its working-day deadline."""
    weeks = register.profile.deadlines["graduation_notice_weeks"]
    clocks = []
    for person, held in register.people.graduating(today + dt.timedelta(weeks=weeks)):
        roles = "、".join(
            f"“{name}”{register.profile.role_name(role)}" for _account, name, role in held
        )
        account_ids = tuple(dict.fromkeys(account_id for account_id, _n, _r in held))
        clocks.append(
            Clock(
                ClockKind.GRADUATION,
                f"{person.name} 预计 {person.graduates_on} 毕业，请办理交接",
                person.graduates_on,
                account_ids[0],
                account_ids=account_ids if len(account_ids) > 1 else (),
                detail=roles,
                person_id=person.id,
            )
        )
    return clocks


def next_review_deadline(register: Register, today: dt.date) -> dt.date:
    """The end of this year's review month, or next year's once it has passed."""
    profile = register.profile
    year = today.year
    while True:
        month_end = (
            dt.date(year, profile.review_month % 12 + 1, 1)
            if profile.review_month < 12
            else dt.date(year + 1, 1, 1)
        ) - dt.timedelta(days=1)
        due = dt.date(year, profile.review_month, min(profile.review_deadline_day, month_end.day))
        if due >= today:
            return due
        year += 1
