"""Review outcomes from one set of facts: each unit's submission and its marks.

The wizard's counts, the listing's unit notes (HTML, PDF, xlsx), the summary,
the notices and the publish confirmation all read a unit's state from
``unit_outcomes``, which derives it from the same facts the verdicts come from:
which of the unit's listed accounts have a self-check, whether the unit's return
is recorded, and which verdicts fail. So a unit that returned its packet is
never listed as not having submitted, and a unit whose return covers only some
of its accounts says so.

| unit's facts | submission | listing mark |
|---|---|---|
| no account listed, zero report returned | 零报告 | — |
| no account listed, nothing returned | 未交回 | 未提交年审材料 |
| every listed account self-checked | 已交回 | — |
| none self-checked, no return recorded | 未交回 | 未提交年审材料 |
| otherwise (some self-checked, or returned without every account) | 部分交回 | 部分账号未提交年审材料 |

A unit with any listed account 限期整改, 暂停运行 or 责令注销 is also marked
年审不合格. A unit whose accounts all left the review (closed since opening)
has nothing to submit and no mark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from nmdesk.models import Verdict
from nmdesk.review.records import ReviewUnit

MARK_NOT_SUBMITTED = "未提交年审材料"
MARK_PARTLY = "部分账号未提交年审材料"
MARK_FAILED = "年审不合格"
MARKS = (MARK_NOT_SUBMITTED, MARK_PARTLY, MARK_FAILED)
# Verdicts that fail the review, as BIT clause 14 asks the listing to mark.
FAILING = frozenset({Verdict.RECTIFY, Verdict.SUSPEND, Verdict.ORDER_CLOSE})
# Statuses that take an account out of the review when it has no self-check.
OUT_OF_SCOPE_STATUSES = ("closed", "refused")


class Submission(StrEnum):
    """How far a unit's return came."""

    RETURNED = "returned"
    PARTLY = "partly"
    ZERO_REPORT = "zero_report"
    NOT_RETURNED = "not_returned"
    NOTHING_DUE = "nothing_due"

    @property
    def label(self) -> str:
        return SUBMISSION_LABELS[self]


SUBMISSION_LABELS = {
    Submission.RETURNED: "已交回",
    Submission.PARTLY: "部分交回",
    Submission.ZERO_REPORT: "零报告",
    Submission.NOT_RETURNED: "未交回",
    Submission.NOTHING_DUE: "无参审账号",
}
OUTSTANDING = frozenset({Submission.PARTLY, Submission.NOT_RETURNED})


@dataclass(frozen=True)
class UnitOutcome:
    """One unit's standing in a review, as every output shows it."""

    unit_id: int
    unit_name: str
    submission: Submission
    accounts: int  # listed accounts
    submitted: int  # of which self-checked
    failed: int  # of which with a failing verdict

    @property
    def marks(self) -> tuple[str, ...]:
        marks: list[str] = []
        if self.submission is Submission.NOT_RETURNED:
            marks.append(MARK_NOT_SUBMITTED)
        elif self.submission is Submission.PARTLY:
            marks.append(MARK_PARTLY)
        if self.failed:
            marks.append(MARK_FAILED)
        return tuple(marks)

    @property
    def mark_text(self) -> str:
        return "、".join(self.marks)

    @property
    def missing(self) -> int:
        return self.accounts - self.submitted


def listed_verdict(fact: dict[str, Any]) -> Verdict | None:
    """The verdict an account is listed with, or None when it stays out of the listing.

    Before publishing, an account without a self-check is listed as 未提交 if it
    was in the scope at opening and has not left the register since; after
    publishing this is the stored verdict (publishing writes exactly this).
    """
    if fact["self_checked"]:
        return Verdict(fact["verdict"]) if fact["verdict"] else None
    if fact["in_opening_scope"] and fact["status"] not in OUT_OF_SCOPE_STATUSES:
        return Verdict.NOT_SUBMITTED
    return None


def is_listed(fact: dict[str, Any]) -> bool:
    """Whether the account appears in the listing: self-checked, listed as 未提交
    (a published campaign keeps it there), or due and missing."""
    return (
        bool(fact["self_checked"])
        or fact["verdict"] == Verdict.NOT_SUBMITTED.value
        or listed_verdict(fact) is not None
    )


def unit_outcomes(
    units: Iterable[ReviewUnit], facts: Iterable[dict[str, Any]]
) -> dict[int, UnitOutcome]:
    """Every unit's outcome, in the units' order, from the campaign's facts.

    ``facts`` may hold final verdicts (publishing, a published campaign) or not
    yet (collecting, assessing): an account counts when it is listed
    (``is_listed``), as submitted when it has a self-check, and as failed when
    its verdict fails.
    """
    tally: dict[int, list[int]] = {}
    for fact in facts:
        if not is_listed(fact):
            continue
        counts = tally.setdefault(fact["unit_id"], [0, 0, 0])
        counts[0] += 1
        if fact["self_checked"]:
            counts[1] += 1
            if fact["verdict"] and Verdict(fact["verdict"]) in FAILING:
                counts[2] += 1
    outcomes: dict[int, UnitOutcome] = {}
    for unit in units:
        accounts, submitted, failed = tally.get(unit.unit_id, (0, 0, 0))
        outcomes[unit.unit_id] = UnitOutcome(
            unit.unit_id,
            unit.unit_name,
            _submission(unit, accounts, submitted),
            accounts,
            submitted,
            failed,
        )
    return outcomes


def _submission(unit: ReviewUnit, accounts: int, submitted: int) -> Submission:
    if accounts == 0:
        if unit.account_count:
            return Submission.NOTHING_DUE  # its accounts left the review since opening
        return Submission.ZERO_REPORT if unit.responded else Submission.NOT_RETURNED
    if submitted == accounts:
        return Submission.RETURNED
    if submitted == 0 and not unit.responded:
        return Submission.NOT_RETURNED
    return Submission.PARTLY


def units_marked(outcomes: Iterable[UnitOutcome]) -> list[tuple[str, list[str]]]:
    """The listing's unit notes: each mark with the units carrying it, in unit order."""
    outcomes = list(outcomes)
    return [(mark, [o.unit_name for o in outcomes if mark in o.marks]) for mark in MARKS]


@dataclass(frozen=True)
class Outstanding:
    """What is still missing when the clerk asks to publish."""

    deadline: dt.date
    today: dt.date
    units: list[UnitOutcome]

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    @property
    def accounts_missing(self) -> int:
        return sum(u.missing for u in self.units)

    @property
    def any(self) -> bool:
        return self.days_left > 0 or bool(self.units)

    def sentence(self, shown: int = 10) -> str:
        """What is outstanding, in one or two Chinese sentences."""
        parts: list[str] = []
        if self.days_left > 0:
            parts.append(f"距提交截止日期 {self.deadline} 还有 {self.days_left} 天")
        if self.units:
            names = "、".join(
                f"{u.unit_name}（{u.submission.label}，{u.missing} 个账号未提交）"
                if u.accounts
                else f"{u.unit_name}（{u.submission.label}，零报告未交回）"
                for u in self.units[:shown]
            )
            more = f"等 {len(self.units)} 个单位" if len(self.units) > shown else ""
            parts.append(
                f"{len(self.units)} 个单位尚未交齐年审材料，共 {self.accounts_missing} "
                f"个账号将按“未提交”公示：{names}{more}"
            )
        return "；".join(parts) + ("。" if parts else "")


def outstanding(outcomes: Iterable[UnitOutcome], deadline: dt.date, today: dt.date) -> Outstanding:
    """The units not (fully) returned, and the days left before the deadline."""
    return Outstanding(deadline, today, [o for o in outcomes if o.submission in OUTSTANDING])
