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

from nmdesk.demo import GIVEN, PLATFORM_WEIGHTS, SURNAMES, _DemoBuilder
from nmdesk.models import AccountStatus, FieldChange, FilingKind, PersonKind
from nmdesk.store import Register

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
    """Create a register with ``accounts`` accounts at ``path``; returns a summary line."""
    register = Register.create(path, profile_id, actor="bench")
    ok = False
    try:
        rng = random.Random(seed)
        builder = _DemoBuilder(register, seed)
        today = dt.date.today()
        profile = register.profile
        prefix = "北理工" if profile.id == "bit" else "北大工学院"
        with register.transaction():
            units = builder.units()
            for unit_id, _kind, _short in units:
                for index in range(people_per_unit):
                    builder.person(unit_id, PersonKind.STAFF if index % 2 else PersonKind.STUDENT)
            platforms = [p for p in PLATFORM_WEIGHTS if p in register.accounts.platforms()]
            weights = [PLATFORM_WEIGHTS[p] for p in platforms]
            types = {p: register.accounts.account_types(p) or ["普通账号"] for p in platforms}
            statuses = list(STATUS_WEIGHTS)
            status_weights = [STATUS_WEIGHTS[s] for s in statuses]
            required = [role for role in profile.roles if role.required]
            now = dt.datetime.now().isoformat(timespec="seconds")
            ids: list[int] = []
            for index in range(accounts):
                unit_id, kind, short = units[index % (len(units) - 1) + 1] if index else units[0]
                platform = rng.choices(platforms, weights)[0]
                status = rng.choices(statuses, status_weights)[0]
                person = rng.choice(SURNAMES) + rng.choice(GIVEN)
                name = f"{prefix}{short}{rng.choice(NAME_WORDS)}"
                roll = rng.random()
                if roll < 0.3:
                    name += rng.choice(NAME_WORDS)
                elif roll < 0.4:
                    name = f"{person}工作室"
                opened = today - dt.timedelta(days=rng.randint(60, 3650))
                level = 1 if kind == "school" else 2 if index % 5 else 3
                account_id = register.insert_row(
                    "accounts",
                    {
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
                    },
                )
                ids.append(account_id)
                for role in required:
                    holder = builder.pick_person(unit_id, role.person_kinds)
                    register.insert_row(
                        "role_assignments",
                        {
                            "account_id": account_id,
                            "role": role.id,
                            "person_id": holder,
                            "start_on": opened.isoformat(),
                            "end_on": None,
                        },
                    )
                if status is AccountStatus.RUNNING and rng.random() < open_filing_share:
                    register.filings.create(
                        account_id,
                        FilingKind.CHANGE,
                        today - dt.timedelta(days=rng.randint(1, 30)),
                        [FieldChange("账号名称", "旧名称", name)],
                    )
            register.accounts.refresh_search(ids)
        ok = True
        return f"{len(units)} 个单位，{register.accounts.count()} 个账号"
    finally:
        register.close()
        if not ok:
            for leftover in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
