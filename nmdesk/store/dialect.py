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

    def stored_rows_select(self, table: str, declared: list[tuple[str, str]], account: str) -> str:
        """The start of ``AuditLog.stored_rows``'s query, up to its WHERE clause: each row's
        id, its account (``account``: a column, or NULL), its values as a JSON array built
        by the engine, and whether it holds a REAL (which Python encodes instead: SQLite's
        JSON prints 15 digits). ``declared``: (column, declared type) of each column."""
        listed = ", ".join(f'"{name}"' for name, _kind in declared)
        real = " OR ".join(f"typeof(\"{name}\") = 'real'" for name, _kind in declared)
        account = f"CASE WHEN typeof({account}) = 'integer' THEN {account} END"  # as verify
        return f"SELECT id, {account}, json_array({listed}), {real} FROM {table} WHERE "

    row_set_columns = "SELECT row_set ->> '$.columns' FROM audit_log WHERE id = ?"
    # the rows of one set whose column (by index) has a value, each with the row at the
    # same place in the set's "before" (an update's set; NULL for an insert's)
    row_set_pick = (
        "SELECT j.value, audit_log.row_set -> ('$.before[' || j.key || ']') "
        "FROM audit_log, json_each(audit_log.row_set, '$.rows') j "
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


_FLOATS = ("double precision", "real")  # information_schema's names of PostgreSQL's floats


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

    def stored_rows_select(self, table: str, declared: list[tuple[str, str]], account: str) -> str:
        """As SQLite's: the values by ``json_build_array`` (its text, spaced, is what the
        server's sets and hashes hold); a row is Python's to encode when a floating-point
        column holds a value (the columns are typed: bigint and text need no check)."""
        listed = ", ".join(f'"{name}"' for name, _kind in declared)
        floats = [f'"{name}" IS NOT NULL' for name, kind in declared if kind.lower() in _FLOATS]
        real = " OR ".join(floats) or "false"
        return f"SELECT id, {account}, json_build_array({listed})::text, {real} FROM {table} WHERE "

    row_set_columns = "SELECT row_set::json ->> 'columns' FROM audit_log WHERE id = ?"
    row_set_pick = (
        "SELECT j.value::text, (audit_log.row_set::json -> 'before' -> (j.n - 1)::int)::text "
        "FROM audit_log, json_array_elements(audit_log.row_set::json -> 'rows') "
        "WITH ORDINALITY j(value, n) "
        "WHERE audit_log.id = ? AND j.value ->> ?::int = ?::text"
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
