"""The derived search text of accounts (``account_search``): name, IDs, serial, platform,
unit and the current role holders, with pinyin initials. Every repository that changes
what it is made of (an account, a unit's name, a person's name, a role) refreshes it
here, without going through a sibling repository.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from nmdesk.store.search import normalize_search_text, pinyin_initials

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore


def refresh_search(core: StoreCore, account_ids: list[int]) -> None:
    """Rebuild the derived search text of these accounts (name, IDs, unit, people).

    Batched: one query and one upsert statement for all of them, each over a JSON
    array of ids or rows. The upsert is one INSERT … SELECT, not an executemany:
    FTS5 flushes its pending terms at the end of every statement that fired its
    triggers, which made a row-by-row refresh, and even a statement per 900
    accounts, too slow for the bench row "导入 10,000 行台账"."""
    if not account_ids:
        return
    sql = core.sql
    rows = core.db.execute(
        "SELECT a.id, a.name, a.platform_id, a.serial_no, a.platform, u.name, u.short_name, "
        f"(SELECT {sql.group_concat('p.name', ' ')} FROM role_assignments ra JOIN people p "
        "ON p.id = ra.person_id WHERE ra.account_id = a.id AND ra.end_on IS NULL) "
        "FROM accounts a JOIN units u ON u.id = a.unit_id "
        f"WHERE a.id IN ({sql.id_list})",
        [json.dumps(account_ids)],
    ).fetchall()
    values = []
    for account_id, name, platform_id, serial, platform, unit, short, people in rows:
        text = normalize_search_text(
            " ".join(
                part
                for part in (name, platform_id, serial, platform, unit, short, people or "")
                if part
            )
        )
        initials = " ".join(pinyin_initials(part) for part in (name, unit, short) if part)
        values.append((account_id, text, initials))
    core.db.execute(*sql.search_upsert(values))


def refresh_search_for_unit(core: StoreCore, unit_id: int) -> None:
    refresh_search(
        core,
        [row[0] for row in core.db.execute("SELECT id FROM accounts WHERE unit_id = ?", [unit_id])],
    )


def refresh_search_for_person(core: StoreCore, person_id: int) -> None:
    refresh_search(
        core,
        [
            row[0]
            for row in core.db.execute(
                "SELECT DISTINCT account_id FROM role_assignments WHERE person_id = ?",
                [person_id],
            )
        ],
    )
