"""The SQL that differs between the register's two engines, SQLite and PostgreSQL.

A repository writes one statement for both engines and takes the few fragments
that differ from here, through ``core.sql`` (the connection's ``dialect``):
JSON arrays as sets, string aggregation, index hints, the audit's row sets, the
search index and the locks a server needs between clerks. Placeholders are ``?``
on both (the server's connection rewrites them). docs/server.md has the table of
what differs and why.
"""

from __future__ import annotations

import json
from typing import Any

from nmdesk.store.search_text import fts_phrase, short_grams, spaced_characters


class Dialect:
    """SQLite's SQL: FTS5 for search, JSON1 for arrays, one writer at a time."""

    name = "sqlite"
    # a JSON array parameter (json.dumps of a list) as a one-column set of ids / texts
    id_list = "SELECT value FROM json_each(?)"
    text_list = "SELECT value FROM json_each(?)"
    distinct_from = "IS NOT"  # a null-safe ``<>``
    not_distinct_from = "IS"  # a null-safe ``=``

    def group_concat(self, expression: str, separator: str = ",") -> str:
        return f"group_concat({expression}, '{separator}')"

    def group_concat_distinct(self, expression: str) -> str:
        return f"group_concat(DISTINCT {expression})"

    def indexed_by(self, index: str) -> str:
        return f"INDEXED BY {index}"

    # -- locks between writers (none: SQLite has one writer, BEGIN IMMEDIATE) ----------

    def lock_ids(self, table: str) -> str | None:
        """A statement that makes this transaction the only one giving out ids of ``table``."""
        return None

    def lock_chain(self) -> str | None:
        """A statement that makes this transaction the only one extending the audit chain."""
        return None

    # -- the audit's row sets ----------------------------------------------------------

    def row_set_sql(self, listed: str, accounts: str, table: str, where: str) -> str:
        """One query: the rows' JSON array, their count, first and last account."""
        return (
            f"SELECT json_group_array(json_array({listed})), count(*), {accounts} "
            f"FROM (SELECT * FROM {table} WHERE {where} ORDER BY id)"
        )

    row_set_columns = "SELECT row_set ->> '$.columns' FROM audit_log WHERE id = ?"
    row_set_pick = (
        "SELECT j.value FROM audit_log, json_each(audit_log.row_set, '$.rows') j "
        "WHERE audit_log.id = ? AND j.value ->> ? = ?"
    )

    # -- the account search ------------------------------------------------------------

    def search_upsert(self, values: list[tuple[int, str, str]]) -> tuple[str, list[Any]]:
        """The statement writing the derived search rows (id, text, initials)."""
        return (
            "INSERT INTO account_search (account_id, text, initials) "
            "SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE true "
            "ON CONFLICT(account_id) DO UPDATE SET text = excluded.text, "
            "initials = excluded.initials",
            [json.dumps(values, ensure_ascii=False)],
        )

    def text_clauses(self, text: str) -> tuple[list[str], list[Any]]:
        """The alternatives (each ``a.id IN (…)``) that match normalized search text, with
        their parameters: the trigram index from three characters, the character index for
        one or two, LIKE for punctuation; and for Latin letters the names' pinyin initials."""
        clauses = []
        params: list[Any] = []
        if len(text) >= 3:
            clauses.append(
                "a.id IN (SELECT rowid FROM account_search_fts WHERE account_search_fts MATCH ?)"
            )
            params.append(fts_phrase(text))
        elif all(ch.isalnum() or ch.isspace() for ch in text):
            clauses.append(
                "a.id IN (SELECT rowid FROM account_chars_fts WHERE account_chars_fts MATCH ?)"
            )
            params.append(fts_phrase(spaced_characters(text)))
        else:
            clauses.append("a.id IN (SELECT account_id FROM account_search WHERE text LIKE ?)")
            params.append(f"%{text}%")
        letters = text.replace(" ", "")
        if text.isascii() and letters.isalpha():
            if len(letters) >= 3:  # trigram index over the initials (migration 0006)
                clauses.append(
                    "a.id IN (SELECT rowid FROM account_initials_fts "
                    "WHERE account_initials_fts MATCH ?)"
                )
                params.append(fts_phrase(letters))
            else:
                clauses.append(
                    "a.id IN (SELECT account_id FROM account_search WHERE initials LIKE ?)"
                )
                params.append(f"%{letters}%")
        return clauses, params


def _like_pattern(text: str) -> str:
    """``%text%`` with LIKE's own characters escaped (the escape character is ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class PostgresDialect(Dialect):
    """PostgreSQL's SQL: pg_trgm for search, json functions, advisory locks between clerks."""

    name = "postgresql"
    id_list = "SELECT json_array_elements_text(?::json)::bigint"
    text_list = "SELECT json_array_elements_text(?::json)"
    distinct_from = "IS DISTINCT FROM"
    not_distinct_from = "IS NOT DISTINCT FROM"

    def group_concat(self, expression: str, separator: str = ",") -> str:
        return f"string_agg({expression}, '{separator}')"

    def group_concat_distinct(self, expression: str) -> str:
        return f"string_agg(DISTINCT {expression}, ',')"

    def indexed_by(self, index: str) -> str:
        return ""

    def lock_ids(self, table: str) -> str | None:
        return f"SELECT pg_advisory_xact_lock(hashtext('nmdesk ids {table}'))"

    def lock_chain(self) -> str | None:
        return "SELECT pg_advisory_xact_lock(hashtext('nmdesk audit chain'))"

    def row_set_sql(self, listed: str, accounts: str, table: str, where: str) -> str:
        return (
            f"SELECT json_agg(json_build_array({listed}) ORDER BY id)::text, count(*), "
            f"{accounts} FROM {table} WHERE {where}"
        )

    row_set_columns = "SELECT row_set::json ->> 'columns' FROM audit_log WHERE id = ?"
    row_set_pick = (
        "SELECT j.value::text FROM audit_log, json_array_elements(audit_log.row_set::json "
        "-> 'rows') j(value) WHERE audit_log.id = ? AND j.value ->> ?::int = ?::text"
    )

    def search_upsert(self, values: list[tuple[int, str, str]]) -> tuple[str, list[Any]]:
        rows = [
            (account_id, text, initials, short_grams(text)) for account_id, text, initials in values
        ]
        return (
            "INSERT INTO account_search (account_id, text, initials, grams) "
            "SELECT (value ->> 0)::bigint, value ->> 1, value ->> 2, "
            "ARRAY(SELECT json_array_elements_text(value -> 3)) "
            "FROM json_array_elements(?::json) "
            "ON CONFLICT(account_id) DO UPDATE SET text = excluded.text, "
            "initials = excluded.initials, grams = excluded.grams",
            [json.dumps(rows, ensure_ascii=False)],
        )

    def text_clauses(self, text: str) -> tuple[list[str], list[Any]]:
        """As SQLite's: LIKE on the pg_trgm GIN index from three characters, the grams'
        GIN index for one or two, LIKE for punctuation; the pinyin initials likewise."""
        clauses = []
        params: list[Any] = []
        if len(text) < 3 and all(ch.isalnum() or ch.isspace() for ch in text):
            clauses.append("a.id IN (SELECT account_id FROM account_search WHERE grams @> ?)")
            params.append(["".join(text.split())])
        else:
            clauses.append(
                "a.id IN (SELECT account_id FROM account_search WHERE text LIKE ? ESCAPE '\\')"
            )
            params.append(_like_pattern(text))
        letters = text.replace(" ", "")
        if text.isascii() and letters.isalpha():
            clauses.append(
                "a.id IN (SELECT account_id FROM account_search WHERE initials LIKE ? ESCAPE '\\')"
            )
            params.append(_like_pattern(letters))
        return clauses, params


SQLITE = Dialect()
POSTGRES = PostgresDialect()
