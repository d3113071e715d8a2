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
from nmdesk.store.interfaces import Register

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
    rng = random.Random(seed)
    builder = DemoBuilder(register, seed)
    today = dt.date.today()
    profile = register.profile
    prefix = "北理工" if profile.id == "bit" else "北大工学院"
    domain = "bit.edu.cn" if profile.id == "bit" else "pku.edu.cn"
    codes: set[str] = set()

    def check_code() -> str:
        while True:
            code = "".join(rng.choices(CODE_ALPHABET, k=6))
            if code not in codes:
                codes.add(code)
                return code

    with register.transaction():
        register.mark_demo()
        units = builder.units()  # ~40 units with their heads, through the domain flow
        # New people, accounts and roles go through the import's batch: each checked as
        # the single-row operations check it, written with one executemany per table.
        batch = register.import_batch()
        # People: ``people_per_unit`` per unit, staff and students alternating.
        by_unit_kind: dict[tuple[int, str], list[int]] = {}
        for unit_of, person_ids in builder.people_by_unit.items():
            for person_id in person_ids:
                kind_of = builder.person_kind[person_id].value
                by_unit_kind.setdefault((unit_of, kind_of), []).append(person_id)
        kinds: dict[int, PersonKind] = dict(builder.person_kind)
        serial = max(kinds, default=0) + 1
        for unit_id, _kind, _short in units:
            for index in range(people_per_unit):
                person_kind = PersonKind.STAFF if index % 2 else PersonKind.STUDENT
                person_id = batch.add_person(
                    Person(
                        id=None,
                        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                        kind=person_kind,
                        unit_id=unit_id,
                        title="科员" if person_kind is PersonKind.STAFF else "学生干部",
                        office_phone=f"010-689{rng.randint(10000, 99999)}"
                        if person_kind is PersonKind.STAFF
                        else "",
                        mobile=f"1{rng.choice('3578')}{rng.randint(0, 9)}{serial:08d}",
                        email=f"b{serial:06d}@{domain}",
                        staff_or_student_no=f"{'1' if person_kind is PersonKind.STAFF else '3'}"
                        f"{serial:07d}",
                    )
                )
                kinds[person_id] = person_kind
                by_unit_kind.setdefault((unit_id, person_kind.value), []).append(person_id)
                serial += 1

        platforms = [p for p in PLATFORM_WEIGHTS if p in register.accounts.platforms()]
        weights = [PLATFORM_WEIGHTS[p] for p in platforms]
        types = {p: register.accounts.account_types(p) or ["普通账号"] for p in platforms}
        statuses = list(STATUS_WEIGHTS)
        status_weights = [STATUS_WEIGHTS[s] for s in statuses]
        required = [role for role in profile.roles if role.required]
        calendar = register.calendar
        opening_days = profile.deadlines.get("opening_filing_working_days")
        change_days = profile.deadlines.get("change_filing_working_days")

        opened_of: dict[int, dt.date] = {}
        status_of: dict[int, AccountStatus] = {}
        filings: list[dict[str, Any]] = []
        for index in range(accounts):
            unit_id, kind, short = units[index % (len(units) - 1) + 1] if index else units[0]
            platform = rng.choices(platforms, weights)[0]
            status = rng.choices(statuses, status_weights)[0]
            studio_owner = rng.choice(SURNAMES) + rng.choice(GIVEN)
            name = f"{prefix}{short}{rng.choice(NAME_WORDS)}"
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
                    account_type=rng.choice(types[platform]),
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
            opened_of[account_id] = opened
            status_of[account_id] = status
            for role in required:
                candidates = [
                    p
                    for kind_name in role.person_kinds
                    for p in by_unit_kind.get((unit_id, kind_name), ())
                ]
                holder = rng.choice(candidates)
                batch.assign_role(account_id, role.id, holder, kinds[holder], opened)
            if status not in (AccountStatus.APPLYING, AccountStatus.APPROVED):
                due = calendar.add_working_days(opened, opening_days) if opening_days else None
                filings.append(
                    _filing(account_id, FilingKind.OPENING, opened, due, 1)
                    | {"status": FilingStatus.FILED, "filed_on": opened, "check_code": check_code()}
                )
            if status is AccountStatus.RUNNING and rng.random() < open_filing_share:
                event = today - dt.timedelta(days=rng.randint(1, 30))
                due = calendar.add_working_days(event, change_days) if change_days else None
                filings.append(
                    _filing(account_id, FilingKind.CHANGE, event, due, 2)
                    | {
                        "check_code": check_code(),
                        "changes": [FieldChange("账号名称", "旧名称", name)],
                    }
                )
        batch.flush()  # audited, and the accounts' search text refreshed
        register.filings.record_many([Filing(**filing) for filing in filings])

        # Last year's annual review, published: one result per account opened before it.
        year = today.year - 1
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
        verdicts = (
            ["pass"] * 90 + ["rectify"] * 6 + ["suspend", "order_close"] + ["not_submitted"] * 2
        )
        for account_id, opened in opened_of.items():
            if opened >= campaign.opened_on or status_of[account_id] in (
                AccountStatus.APPLYING,
                AccountStatus.APPROVED,
            ):
                continue
            verdict = rng.choice(verdicts)
            submitted = verdict != "not_submitted"
            results[account_id] = {
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
        register.reviews.record_published(campaign, returns, results)
    return (
        f"{len(units)} 个单位，{register.accounts.count()} 个账号，"
        f"{len(filings)} 条备案记录，{len(results)} 条年审结果，"
        f"{register.audit.count()} 条审计记录"
    )


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
