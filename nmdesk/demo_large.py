"""A large synthetic register (100,000 accounts) for benchmarks, built fast.

``build_demo_register`` creates every account through the full domain flow
(application, approval, filings), which is right for a realistic demo but takes
minutes at 100,000 accounts. This builder writes the same kinds of records in one
transaction through the store's bulk operations (the ledger import's batch for
people, accounts and roles, each checked as one would be; ``filings.record_many``
and ``reviews.record_published`` for history): units and people as in the demo,
accounts with names that vary realistically, the profile's required role holders,
and a share of open change filings (some overdue) so that the overdue filter and
the deadlines board have work to do.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from nmdesk.dates import PartialDate
from nmdesk.demo import GIVEN, PLATFORM_WEIGHTS, SURNAMES, DemoBuilder
from nmdesk.models import (
    Account,
    AccountStatus,
    FieldChange,
    Filing,
    FilingKind,
    FilingStatus,
    Person,
    PersonKind,
    Verdict,
)
from nmdesk.review.records import Campaign, Step
from nmdesk.store import create_register
from nmdesk.store.filings import CODE_ALPHABET
from nmdesk.store.interfaces import ImportBatch, Register

NAME_WORDS = [
    "青年",
    "之声",
    "视界",
    "资讯",
    "学生会",
    "团委",
    "研究生",
    "就业",
    "招生",
    "校友",
    "科研",
    "学术",
    "志愿",
    "实践",
    "文化",
    "体育",
    "心理",
    "国际",
    "创新",
    "读书",
]
STATUS_WEIGHTS = {
    AccountStatus.RUNNING: 80,
    AccountStatus.APPLYING: 5,
    AccountStatus.APPROVED: 3,
    AccountStatus.RECTIFYING: 4,
    AccountStatus.SUSPENDED: 2,
    AccountStatus.CLOSING: 2,
    AccountStatus.CLOSED: 4,
}
# Last year's review verdicts, drawn with these odds (in hundredths).
VERDICTS = ["pass"] * 90 + ["rectify"] * 6 + ["suspend", "order_close"] + ["not_submitted"] * 2


def build_large_register(
    path: str | Path,
    accounts: int = 100_000,
    profile_id: str = "bit",
    *,
    seed: int = 2026,
    people_per_unit: int = 40,
    open_filing_share: float = 0.05,
) -> str:
    """Create a register with ``accounts`` accounts at ``path``; returns a summary line.

    Everything is written in one transaction through the store's bulk operations
    (one ``executemany`` per table, every row audited in one pass over the hash
    chain): units and people, accounts, the profile's required role holders,
    a filed opening filing per account, open change filings (some overdue), and
    last year's published annual review with a result per account.
    """
    register = create_register(path, profile_id, actor="bench")
    ok = False
    try:
        summary = _fill(register, accounts, seed, people_per_unit, open_filing_share)
        ok = True
        return summary
    finally:
        register.close()
        if not ok:
            for leftover in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)


def _fill(
    register: Register, accounts: int, seed: int, people_per_unit: int, open_filing_share: float
) -> str:
    filler = _LargeFill(register, seed, open_filing_share)
    with register.transaction():
        register.mark_demo()
        units = filler.builder.units()  # ~40 units with their heads, through the domain flow
        # New people, accounts and roles go through the import's batch: each checked as
        # the single-row operations check it, written with one executemany per table.
        batch = register.import_batch()
        filler.add_people(batch, units, people_per_unit)
        filings = filler.add_accounts(batch, units, accounts)
        batch.flush()  # audited, and the accounts' search text refreshed
        register.filings.record_many([Filing(**filing) for filing in filings])
        results = filler.publish_last_review(units)
    return (
        f"{len(units)} 个单位，{register.accounts.count()} 个账号，"
        f"{len(filings)} 条备案记录，{len(results)} 条年审结果，"
        f"{register.audit.count()} 条审计记录"
    )


Units = list[tuple[int, str, str]]
"""The demo's units as ``DemoBuilder.units`` returns them: (id, kind, short name)."""


class _LargeFill:
    """The state of one fill: the seeded random source (every draw in a fixed order, so
    that one seed gives one register), the people of each unit by kind, and what the
    accounts' filings and the review need to know of each account."""

    def __init__(self, register: Register, seed: int, open_filing_share: float) -> None:
        self.register = register
        self.rng = random.Random(seed)
        self.builder = DemoBuilder(register, seed)
        self.today = dt.date.today()
        self.open_filing_share = open_filing_share
        self.codes: set[str] = set()
        self.by_unit_kind: dict[tuple[int, str], list[int]] = {}
        self.kinds: dict[int, PersonKind] = {}
        self.opened_of: dict[int, dt.date] = {}
        self.status_of: dict[int, AccountStatus] = {}

    def check_code(self) -> str:
        """A filing check code not used before in this register."""
        while True:
            code = "".join(self.rng.choices(CODE_ALPHABET, k=6))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def add_people(self, batch: ImportBatch, units: Units, people_per_unit: int) -> None:
        """``people_per_unit`` people per unit, staff and students alternating, after the
        people the demo builder made for the units."""
        builder = self.builder
        for unit_of, person_ids in builder.people_by_unit.items():
            for person_id in person_ids:
                kind_of = builder.person_kind[person_id].value
                self.by_unit_kind.setdefault((unit_of, kind_of), []).append(person_id)
        self.kinds = dict(builder.person_kind)
        serial = max(self.kinds, default=0) + 1
        for unit_id, _kind, _short in units:
            for index in range(people_per_unit):
                person_kind = PersonKind.STAFF if index % 2 else PersonKind.STUDENT
                person_id = batch.add_person(self._person(unit_id, person_kind, serial))
                self.kinds[person_id] = person_kind
                self.by_unit_kind.setdefault((unit_id, person_kind.value), []).append(person_id)
                serial += 1

    def _person(self, unit_id: int, person_kind: PersonKind, serial: int) -> Person:
        rng = self.rng
        staff = person_kind is PersonKind.STAFF
        domain = "bit.edu.cn" if self.register.profile.id == "bit" else "pku.edu.cn"
        return Person(
            id=None,
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            kind=person_kind,
            unit_id=unit_id,
            title="科员" if staff else "学生干部",
            office_phone=f"010-689{rng.randint(10000, 99999)}" if staff else "",
            mobile=f"1{rng.choice('3578')}{rng.randint(0, 9)}{serial:08d}",
            email=f"b{serial:06d}@{domain}",
            staff_or_student_no=f"{'1' if staff else '3'}{serial:07d}",
        )

    def add_accounts(self, batch: ImportBatch, units: Units, accounts: int) -> list[dict[str, Any]]:
        """``accounts`` accounts, the first of the school and the rest spread over the
        other units, each with the profile's required role holders; returns their filings
        (``Filing`` fields)."""
        choices = _AccountChoices(self.register)
        filings: list[dict[str, Any]] = []
        for index in range(accounts):
            unit = units[index % (len(units) - 1) + 1] if index else units[0]
            account_id, opened, name, status = self._account(batch, choices, index, unit)
            for role in choices.required:
                candidates = [
                    p
                    for kind_name in role.person_kinds
                    for p in self.by_unit_kind.get((unit[0], kind_name), ())
                ]
                holder = self.rng.choice(candidates)
                batch.assign_role(account_id, role.id, holder, self.kinds[holder], opened)
            filings.extend(self._filings(choices, account_id, opened, name, status))
        return filings

    def _account(
        self, batch: ImportBatch, choices: _AccountChoices, index: int, unit: tuple[int, str, str]
    ) -> tuple[int, dt.date, str, AccountStatus]:
        """One account, added to the batch: its id, opening day, name and status."""
        rng, today = self.rng, self.today
        unit_id, kind, short = unit
        platform = rng.choices(choices.platforms, choices.platform_weights)[0]
        status = rng.choices(choices.statuses, choices.status_weights)[0]
        studio_owner = rng.choice(SURNAMES) + rng.choice(GIVEN)
        name = f"{choices.prefix}{short}{rng.choice(NAME_WORDS)}"
        roll = rng.random()
        if roll < 0.3:
            name += rng.choice(NAME_WORDS)
        elif roll < 0.4:
            name = f"{studio_owner}工作室"
        opened = today - dt.timedelta(days=rng.randint(60, 3650))
        level = 1 if kind == "school" else 2 if index % 5 else 3
        account_id = batch.add_account(
            Account(
                id=None,
                platform=platform,
                account_type=rng.choice(choices.types[platform]),
                name=name,
                unit_id=unit_id,
                level=level,
                platform_id=f"bench_{index:07d}",
                purpose="发布本单位新闻动态、通知公告",
                opened_on=PartialDate(opened.year, opened.month, opened.day),
                status=status,
                password_rotated_on=today - dt.timedelta(days=rng.randint(1, 260)),
            )
        )
        self.opened_of[account_id] = opened
        self.status_of[account_id] = status
        return account_id, opened, name, status

    def _filings(
        self,
        choices: _AccountChoices,
        account_id: int,
        opened: dt.date,
        name: str,
        status: AccountStatus,
    ) -> list[dict[str, Any]]:
        """An account's filings: its filed opening filing once approved, and for a share
        of the running accounts an open change filing of the last month."""
        filings = []
        calendar = choices.calendar
        if status not in (AccountStatus.APPLYING, AccountStatus.APPROVED):
            days = choices.opening_days
            due = calendar.add_working_days(opened, days) if days else None
            filings.append(
                _filing(account_id, FilingKind.OPENING, opened, due, 1)
                | {
                    "status": FilingStatus.FILED,
                    "filed_on": opened,
                    "check_code": self.check_code(),
                }
            )
        if status is AccountStatus.RUNNING and self.rng.random() < self.open_filing_share:
            event = self.today - dt.timedelta(days=self.rng.randint(1, 30))
            days = choices.change_days
            due = calendar.add_working_days(event, days) if days else None
            filings.append(
                _filing(account_id, FilingKind.CHANGE, event, due, 2)
                | {
                    "check_code": self.check_code(),
                    "changes": [FieldChange("账号名称", "旧名称", name)],
                }
            )
        return filings

    def publish_last_review(self, units: Units) -> dict[int, dict[str, Any]]:
        """Last year's annual review, published: one result per account opened before it
        (applications aside); returns the results by account."""
        rng = self.rng
        year = self.today.year - 1
        campaign = Campaign(
            id=0,
            year=year,
            opened_on=dt.date(year, 11, 1),
            deadline_on=dt.date(year, 11, 30),
            step=Step.PUBLISHED,
            published_on=dt.date(year, 12, 20),
        )
        returns: dict[int, dt.date | None] = {
            unit_id: dt.date(year, 11, rng.randint(10, 30)) for unit_id, _kind, _short in units
        }
        results: dict[int, dict[str, Any]] = {}
        for account_id, opened in self.opened_of.items():
            if opened >= campaign.opened_on or self.status_of[account_id] in (
                AccountStatus.APPLYING,
                AccountStatus.APPROVED,
            ):
                continue
            results[account_id] = self._result(year, rng.choice(VERDICTS))
        self.register.reviews.record_published(campaign, returns, results)
        return results

    def _result(self, year: int, verdict: str) -> dict[str, Any]:
        """One account's review result with this verdict (its fields as the review
        stores them)."""
        rng = self.rng
        submitted = verdict != "not_submitted"
        return {
            "self_checked": submitted,
            "still_operated": submitted,
            "last_post_on": dt.date(year, rng.randint(8, 10), rng.randint(1, 28))
            if submitted
            else None,
            "posts_in_year": rng.randint(0, 400) if submitted else None,
            "followers": rng.randint(50, 200_000) if submitted else None,
            "content_reviewer": "",
            "incident": "",
            "materials_received": submitted,
            "flags": "",
            "verdict": Verdict(verdict),
            "verdict_deadline": dt.date(year + 1, 1, 31) if verdict == "rectify" else None,
            "verdict_note": "",
        }


class _AccountChoices:
    """What every generated account draws from: the profile's platforms and their types,
    the statuses and their weights, the required roles, the calendar and the filing
    deadlines."""

    def __init__(self, register: Register) -> None:
        profile = register.profile
        self.prefix = "北理工" if profile.id == "bit" else "北大工学院"
        self.platforms = [p for p in PLATFORM_WEIGHTS if p in register.accounts.platforms()]
        self.platform_weights = [PLATFORM_WEIGHTS[p] for p in self.platforms]
        self.types = {p: register.accounts.account_types(p) or ["普通账号"] for p in self.platforms}
        self.statuses = list(STATUS_WEIGHTS)
        self.status_weights = [STATUS_WEIGHTS[s] for s in self.statuses]
        self.required = [role for role in profile.roles if role.required]
        self.calendar = register.calendar
        self.opening_days = profile.deadlines.get("opening_filing_working_days")
        self.change_days = profile.deadlines.get("change_filing_working_days")


def _filing(
    account_id: int, kind: FilingKind, event: dt.date, due: Any, version: int
) -> dict[str, Any]:
    """A filing's fields (``Filing``), open unless the caller says otherwise."""
    return {
        "id": None,
        "account_id": account_id,
        "kind": kind,
        "event_on": event,
        "due_on": due.date if due else None,
        "due_is_estimate": bool(due.is_estimate) if due else False,
        "version": version,
    }
