"""Account search and listing, done in SQL so it stays fast at 100,000 rows.

Text of three or more characters goes through the trigram FTS index. The
trigram tokenizer cannot serve one- and two-character queries (``王``, ``王伟``),
so a second FTS index holds the same text with every character as its own
token: a one-character query is a token, a two-character query a two-token
phrase, which is exactly a substring match. A query with punctuation falls
back to LIKE. A query made of Latin letters also matches the pinyin initials
of account and unit names (``blg`` finds 北理工).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from nmdesk.store.search_text import fts_phrase as fts_phrase  # re-exported
from nmdesk.store.search_text import spaced_characters as spaced_characters  # re-exported

if TYPE_CHECKING:
    from nmdesk.store.dialect import Dialect

SORT_COLUMNS = {
    "id": "a.id",
    "serial_no": "a.serial_no",
    "platform": "a.platform",
    "account_type": "a.account_type",
    "name": "a.name",
    "platform_id": "a.platform_id",
    "unit": "u.name",
    "level": "a.level",
    "status": "a.status",
    "opened_on": "a.opened_on",
}


@dataclass
class AccountQuery:
    """What the register table shows: filters, search text and order."""

    text: str = ""
    platform: str | None = None
    level: int | None = None
    unit_id: int | None = None
    include_sub_units: bool = True
    status: str | None = None
    role_holder_id: int | None = None
    overdue_only: bool = False
    today: dt.date = field(default_factory=dt.date.today)
    rotation_days: int = 180
    order_by: str = "id"
    descending: bool = False


def normalize_search_text(text: str) -> str:
    """The form both the index and the query use: NFKC, case-folded, spaces folded."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


@lru_cache(maxsize=65536)  # unit names and name parts repeat a lot in bulk refreshes
def pinyin_initials(text: str) -> str:
    """``北理工学生会`` → ``blgxsh``; non-Chinese characters are kept lower-cased."""
    from nmdesk.compat.pypinyin import initials

    return initials(text).casefold().replace(" ", "")


def register_sql_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the schema's triggers use; every connection to a register needs them."""
    conn.create_function("nm_spaced", 1, spaced_characters, deterministic=True)


def build_account_query(q: AccountQuery, dialect: Dialect) -> tuple[str, list[Any]]:
    """SQL selecting account ids for the query, in the requested order. The text's
    index clauses are the engine's (``Dialect.text_clauses``)."""
    where: list[str] = []
    params: list[Any] = []
    text = normalize_search_text(q.text)
    clauses: list[str] = []
    if text:
        clauses, params = dialect.text_clauses(text)
        where.append("(" + " OR ".join(clauses) + ")")
    filters, filter_params = _filter_clauses(q)
    where += filters
    params += filter_params
    column = SORT_COLUMNS.get(q.order_by, "a.id")
    direction = "DESC" if q.descending else "ASC"
    if text and len(where) == 1 and column == "a.id":
        # Only search text, in id order: the index subqueries alone give the ids (every
        # account_search row is an account), without looking up 100,000 account rows.
        subqueries = [clause[len("a.id IN (") : -1] for clause in clauses]
        if len(subqueries) == 1:
            return f"SELECT * FROM ({subqueries[0]}) AS hits ORDER BY 1 {direction}", params
        return f"{' UNION '.join(subqueries)} ORDER BY 1 {direction}", params
    join = "JOIN units u ON u.id = a.unit_id" if column.startswith("u.") else ""
    sql = f"SELECT a.id FROM accounts a {join}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {column} {direction}, a.id {direction}"
    return sql, params


def _filter_clauses(q: AccountQuery) -> tuple[list[str], list[Any]]:
    """The query's filters as conditions on ``accounts a``, with their parameters:
    platform, level, status, unit (with its sub-units or not), role holder, overdue."""
    where: list[str] = []
    params: list[Any] = []
    if q.platform:
        where.append("a.platform = ?")
        params.append(q.platform)
    if q.level is not None:
        where.append("a.level = ?")
        params.append(q.level)
    if q.status:
        where.append("a.status = ?")
        params.append(q.status)
    if q.unit_id is not None:
        if q.include_sub_units:
            where.append(
                "a.unit_id IN (WITH RECURSIVE sub(id) AS (SELECT CAST(? AS BIGINT) UNION "
                "SELECT x.id FROM units x JOIN sub ON x.parent_id = sub.id) SELECT id FROM sub)"
            )
        else:
            where.append("a.unit_id = ?")
        params.append(q.unit_id)
    if q.role_holder_id is not None:
        where.append(
            "a.id IN (SELECT account_id FROM role_assignments WHERE person_id = ? AND end_on IS NULL)"
        )
        params.append(q.role_holder_id)
    if q.overdue_only:
        today = q.today.isoformat()
        cutoff = (q.today - dt.timedelta(days=q.rotation_days)).isoformat()
        where.append(
            "(a.id IN (SELECT account_id FROM filings WHERE status = 'open' AND due_on < ?) "
            "OR a.id IN (SELECT account_id FROM sanctions WHERE resolved_on IS NULL "
            "AND deadline_on < ? AND account_id IS NOT NULL) "
            "OR (a.status NOT IN ('closed', 'refused', 'applying') "
            "AND (a.password_rotated_on IS NULL OR a.password_rotated_on < ?)))"
        )
        params += [today, today, cutoff]
    return where, params
