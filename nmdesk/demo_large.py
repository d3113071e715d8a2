"""A large synthetic register (100,000 accounts) for benchmarks, built fast.

``build_demo_register`` creates every account through the full domain flow
(application, approval, filings), which is right for a realistic demo but takes
minutes at 100,000 accounts. This builder writes the same kinds of rows through
the store's audited ``insert_row`` in one transaction, skipping the per-account
checks: units and people as in the demo, accounts with names that vary
realistically, the profile's required role holders, and a share of open change
filings (some overdue) so that the overdue filter and the deadlines board have
work to do.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from nmdesk.demo import GIVEN, PLATFORM_WEIGHTS, SURNAMES, DemoBuilder
from nmdesk.models import AccountStatus, FilingKind, PersonKind
from nmdesk.store import Register
from nmdesk.store.filings import CODE_ALPHABET

_CHUNK = 20_000

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

    Everything is written in one transaction with ``Register.insert_rows`` (one
    ``executemany`` per table and chunk, every row audited in one pass over the
    hash chain): units and people, accounts, the profile's required role holders,
    a filed opening filing per account, open change filings (some overdue), and
    last year's published annual review with a result per account.
    """
    register = Register.create(path, profile_id, actor="bench")
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


def _bulk(register: Register, table: str, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        register.insert_rows(table, rows[start : start + _CHUNK])


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
        # People: ``people_per_unit`` per unit, staff and students alternating.
        next_person = int(register.scalar("SELECT coalesce(max(id), 0) FROM people")) + 1
        people: list[dict[str, Any]] = []
        by_unit_kind: dict[tuple[int, str], list[int]] = {}
        for unit_of, person_ids in builder.people_by_unit.items():
            for person_id in person_ids:
                kind_of = builder.person_kind[person_id].value
                by_unit_kind.setdefault((unit_of, kind_of), []).append(person_id)
        for unit_id, _kind, _short in units:
            for index in range(people_per_unit):
                person_kind = PersonKind.STAFF if index % 2 else PersonKind.STUDENT
                serial = next_person
                people.append(
                    {
                        "id": next_person,
                        "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                        "kind": person_kind.value,
                        "unit_id": unit_id,
                        "title": "科员" if person_kind is PersonKind.STAFF else "学生干部",
                        "office_phone": f"010-689{rng.randint(10000, 99999)}"
                        if person_kind is PersonKind.STAFF
                        else "",
                        "mobile": f"1{rng.choice('3578')}{rng.randint(0, 9)}{serial:08d}",
                        "email": f"b{serial:06d}@{domain}",
                        "staff_or_student_no": f"{'1' if person_kind is PersonKind.STAFF else '3'}"
                        f"{serial:07d}",
                        "note": "",
                    }
                )
                by_unit_kind.setdefault((unit_id, person_kind.value), []).append(next_person)
                next_person += 1
        _bulk(register, "people", people)

        platforms = [p for p in PLATFORM_WEIGHTS if p in register.accounts.platforms()]
        weights = [PLATFORM_WEIGHTS[p] for p in platforms]
        types = {p: register.accounts.account_types(p) or ["普通账号"] for p in platforms}
        statuses = list(STATUS_WEIGHTS)
        status_weights = [STATUS_WEIGHTS[s] for s in statuses]
        required = [role for role in profile.roles if role.required]
        now = dt.datetime.now().isoformat(timespec="seconds")
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        calendar = register.calendar
        opening_days = profile.deadlines.get("opening_filing_working_days")
        change_days = profile.deadlines.get("change_filing_working_days")

        account_rows: list[dict[str, Any]] = []
        role_rows: list[dict[str, Any]] = []
        filing_rows: list[dict[str, Any]] = []
        change_rows: list[dict[str, Any]] = []
        first_account = int(register.scalar("SELECT coalesce(max(id), 0) FROM accounts")) + 1
        next_filing = int(register.scalar("SELECT coalesce(max(id), 0) FROM filings")) + 1
        for index in range(accounts):
            account_id = first_account + index
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
            account_rows.append(
                {
                    "id": account_id,
                    "serial_no": f"{profile.serial_prefix}-L{index + 1:07d}",
                    "platform": platform,
                    "account_type": rng.choice(types[platform]),
                    "name": name,
                    "platform_id": f"bench_{index:07d}",
                    "purpose": "发布本单位新闻动态、通知公告",
                    "opened_on": opened.isoformat(),
                    "level": level,
                    "unit_id": unit_id,
                    "status": status.value,
                    "verified_subject": "",
                    "campus_data_service": 0,
                    "it_approval_ref": "",
                    "miit_filing_no": "",
                    "password_rotated_on": (
                        today - dt.timedelta(days=rng.randint(1, 260))
                    ).isoformat(),
                    "last_post_on": None,
                    "note": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for role in required:
                candidates = [
                    p
                    for kind_name in role.person_kinds
                    for p in by_unit_kind.get((unit_id, kind_name), ())
                ]
                role_rows.append(
                    {
                        "account_id": account_id,
                        "role": role.id,
                        "person_id": rng.choice(candidates),
                        "start_on": opened.isoformat(),
                        "end_on": None,
                    }
                )
            if status not in (AccountStatus.APPLYING, AccountStatus.APPROVED):
                due = calendar.add_working_days(opened, opening_days) if opening_days else None
                filing_rows.append(
                    _filing(next_filing, account_id, FilingKind.OPENING, opened, due, 1, stamp)
                    | {
                        "status": "filed",
                        "filed_on": opened.isoformat(),
                        "check_code": check_code(),
                    }
                )
                next_filing += 1
            if status is AccountStatus.RUNNING and rng.random() < open_filing_share:
                event = today - dt.timedelta(days=rng.randint(1, 30))
                due = calendar.add_working_days(event, change_days) if change_days else None
                filing_rows.append(
                    _filing(next_filing, account_id, FilingKind.CHANGE, event, due, 2, stamp)
                    | {"check_code": check_code()}
                )
                change_rows.append(
                    {
                        "filing_id": next_filing,
                        "field": "账号名称",
                        "before": "旧名称",
                        "after": name,
                    }
                )
                next_filing += 1
        _bulk(register, "accounts", account_rows)
        _bulk(register, "role_assignments", role_rows)
        _bulk(register, "filings", filing_rows)
        _bulk(register, "filing_changes", change_rows)

        # Last year's annual review, published: one result per account opened before it.
        year = today.year - 1
        campaign = register.insert_row(
            "review_campaigns",
            {
                "year": year,
                "opened_on": f"{year}-11-01",
                "deadline_on": f"{year}-11-30",
                "step": "published",
                "published_on": f"{year}-12-20",
                "note": "",
            },
        )
        _bulk(
            register,
            "review_units",
            [
                {
                    "campaign_id": campaign,
                    "unit_id": unit_id,
                    "packet_returned_on": f"{year}-11-{rng.randint(10, 30):02d}",
                    "zero_report": 0,
                    "note": "",
                }
                for unit_id, _kind, _short in units
            ],
        )
        cutoff = f"{year}-11-01"
        results = []
        verdicts = (
            ["pass"] * 90 + ["rectify"] * 6 + ["suspend", "order_close"] + ["not_submitted"] * 2
        )
        for row in account_rows:
            if row["opened_on"] >= cutoff or row["status"] in ("applying", "approved"):
                continue
            verdict = rng.choice(verdicts)
            submitted = verdict != "not_submitted"
            results.append(
                {
                    "campaign_id": campaign,
                    "account_id": row["id"],
                    "in_opening_scope": 1,
                    "self_checked": int(submitted),
                    "still_operated": int(submitted),
                    "last_post_on": f"{year}-{rng.randint(8, 10):02d}-{rng.randint(1, 28):02d}"
                    if submitted
                    else None,
                    "posts_in_year": rng.randint(0, 400) if submitted else None,
                    "followers": rng.randint(50, 200_000) if submitted else None,
                    "content_reviewer": "",
                    "incident": "",
                    "materials_received": int(submitted),
                    "flags": "",
                    "verdict": verdict,
                    "verdict_deadline": f"{year + 1}-01-31" if verdict == "rectify" else None,
                    "verdict_note": "",
                }
            )
        _bulk(register, "review_results", results)
        register.accounts.refresh_search([row["id"] for row in account_rows])
    return (
        f"{len(units)} 个单位，{register.accounts.count()} 个账号，"
        f"{len(filing_rows)} 条备案记录，{len(results)} 条年审结果，"
        f"{register.audit.count()} 条审计记录"
    )


def _filing(
    filing_id: int,
    account_id: int,
    kind: FilingKind,
    event: dt.date,
    due: Any,
    version: int,
    stamp: str,
) -> dict[str, Any]:
    return {
        "id": filing_id,
        "account_id": account_id,
        "kind": kind.value,
        "event_on": event.isoformat(),
        "due_on": due.date.isoformat() if due else None,
        "due_is_estimate": int(due.is_estimate) if due else 0,
        "status": "open",
        "filed_on": None,
        "version": version,
        "check_code": "",
        "platform_closed_on": None,
        "note": "",
        "created_at": stamp,
    }
