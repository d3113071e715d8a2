"""The audit trail: every write, who made it, when, and the row before and after.

Each entry carries the hash of the previous one, so that removing or editing an
entry breaks the chain. ``verify`` also compares the newest audited snapshot of
every row with the row as it is now, which exposes an UPDATE, INSERT or DELETE
made outside nmdesk (with the sqlite3 shell, say).

A delete, and an insert or update of one row, keep that row's snapshot in
``before`` / ``after`` (``row_id`` names it). An insert of several rows at once (a
ledger import, a published review's sanctions) is one entry, one link of the chain,
per ``ROW_SET_ROWS`` rows, whose ``row_set`` lists every row it wrote with its
values: ``{"columns": [...], "rows": [[...], ...]}``. An update of several rows (a
published review's verdicts and statuses) is the same, each row as it is after the
update, and the same rows before it, in the same order, in ``"before": [[...], ...]``
(a reader that knows only ``rows`` reads the set as before). The entry's hash covers the
whole set, so a row changed, added or removed inside it breaks the chain, and
``verify`` checks every row of the table against the set as it does against a
snapshot. ``row_id`` / ``last_row_id`` and ``account_id`` / ``last_account_id``
hold the lowest and highest row and account ids in the set (checked by ``verify``),
so that one row's or one account's history finds the sets that hold it through
the ``audit_row_sets`` and ``audit_account_sets`` indexes. Readers (``entries_for``,
``history_of_account``, ``all_entries``) give a set's rows as one entry each, as if
each had its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from nmdesk.store.findings import Finding as Finding  # re-exported for verification
from nmdesk.store.schema import ACCOUNT_CHILD_TABLES, AUDITED_TABLES
from nmdesk.store.stored_rows import StoredRows

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore

GENESIS = "0" * 64
# Rows per row-set entry: a bulk insert of 10,000 accounts is 10 links of the chain, not
# 10,000, and a row's history reads sets of at most this many rows (SQLite parses a
# set's whole text to pick one row: ~1 ms for 1,000 accounts, ~30 ms for 20,000).
ROW_SET_ROWS = 1000
_PAYLOAD = json.JSONEncoder(ensure_ascii=False)


def _account_of(table: str, row_id: int | None, row: dict[str, Any] | None) -> int | None:
    """The account an audit entry belongs to (the ``audit_log.account_id`` column)."""
    if table == "accounts":
        return row_id
    if table in ACCOUNT_CHILD_TABLES and row is not None:
        value = row.get("account_id")
        return None if value is None else int(value)
    return None


def _canonical(row: dict[str, Any] | None) -> str | None:
    return None if row is None else json.dumps(row, ensure_ascii=False, sort_keys=True)


def _entry_hash(
    prev: str,
    at: str,
    actor: str,
    action: str,
    table: str,
    row_id: int | None,
    before: str | None,
    after: str | None,
    row_set: str | None = None,
) -> str:
    """The SHA-256 of the entry's fields as a JSON array. A row set enters the array as
    its own SHA-256 (a long text is not escaped a second time); an entry without one
    hashes as every entry did before row sets."""
    fields = [prev, at, actor, action, table, row_id, before, after]
    if row_set is not None:
        fields.append(hashlib.sha256(row_set.encode("utf-8")).hexdigest())
    payload = json.dumps(fields, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AuditLog:
    def __init__(self, register: StoreCore) -> None:
        self.register = register
        # {table: (schema stamp, columns, stored_rows's query up to its WHERE clause)}
        self._selects: dict[str, tuple[object, list[str], str]] = {}

    def _head(self) -> tuple[int, str]:
        """The id the next entry takes and the hash it links to. On the server, this
        transaction becomes the only one extending the chain until it ends
        (``Dialect.lock_chain``), so that concurrent clerks make one chain."""
        db = self.register.db
        lock = self.register.sql.lock_chain()
        if lock is not None:
            db.execute(lock)
        last = db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        return (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)

    def record(
        self,
        action: str,
        table: str,
        row_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        db = self.register.db
        entry_id, prev = self._head()
        at = dt.datetime.now().isoformat(timespec="microseconds")
        before_text, after_text = _canonical(before), _canonical(after)
        digest = _entry_hash(
            prev, at, self.register.actor, action, table, row_id, before_text, after_text
        )
        db.execute(
            "INSERT INTO audit_log (id, at, actor, action, table_name, row_id, before, after, "
            "prev_hash, hash, account_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                entry_id,
                at,
                self.register.actor,
                action,
                table,
                row_id,
                before_text,
                after_text,
                prev,
                digest,
                _account_of(table, row_id, after if after is not None else before),
            ],
        )

    def record_rows(self, action: str, table: str, ids: list[int]) -> None:
        """Audit the rows one insert just wrote (``ids``), read back as SQLite stored them:
        one entry per ``ROW_SET_ROWS`` rows. An entry of one row is a snapshot in
        ``after``, as ``record`` writes it; of several, a row set (``stored_rows``)."""
        for start in range(0, len(ids), ROW_SET_ROWS):
            chunk = ids[start : start + ROW_SET_ROWS]
            if len(chunk) == 1:
                self.record(action, table, chunk[0], None, self.register.row(table, chunk[0]))
            else:
                self._record_set(action, table, sorted(chunk), self.stored_rows(table, chunk))

    def record_updates(self, action: str, table: str, before: StoredRows) -> None:
        """Audit an update of the rows ``before`` holds (``stored_rows`` read just before
        it), read back as SQLite stored them: the rows that changed, one entry per
        ``ROW_SET_ROWS`` rows. An entry of one row is a snapshot in ``before`` and
        ``after``, as ``record`` writes it; of several, a row set listing each row after
        the update in ``rows`` and, in the same order, before it in ``before``. A row
        that did not change gets no entry."""
        after = self.stored_rows(table, list(before.texts))
        changed = sorted(
            row_id for row_id, text in before.texts.items() if after.texts[row_id] != text
        )
        for start in range(0, len(changed), ROW_SET_ROWS):
            chunk = changed[start : start + ROW_SET_ROWS]
            if len(chunk) == 1:
                row_id = chunk[0]
                self.record(action, table, row_id, before.row(row_id), after.row(row_id))
            else:
                self._record_set(action, table, chunk, after, before)

    def stored_rows(self, table: str, ids: list[int]) -> StoredRows:
        """These rows of ``table`` (those that exist) as SQLite stores them: each row's
        values as a JSON array, built by SQLite's JSON functions in one query. A row
        holding a REAL is encoded by Python instead (SQLite's JSON prints 15 digits, so
        0.1 + 0.2 would read back as 0.3). Built in C for the bench rows "发布 10,000 个
        账号的年度审核" (25,000 rows updated or inserted) and "导入 10,000 行台账"."""
        db, id_list = self.register.db, self.register.sql.id_list
        columns, select = self._select(table)
        params: list[Any] = [min(ids), max(ids)] if ids else [0, -1]
        where = "id BETWEEN ? AND ?"  # ids are distinct: a full range holds exactly these
        if ids and params[1] - params[0] + 1 != len(ids):
            where, params = f"id IN ({id_list})", [json.dumps(ids)]
        listed = ", ".join(f'"{column}"' for column in columns)
        found = db.execute(select + where, params).fetchall()
        row_ids = list(map(itemgetter(0), found))
        texts: dict[int, str] = dict(zip(row_ids, map(itemgetter(2), found), strict=True))
        accounts = dict(zip(row_ids, map(itemgetter(1), found), strict=True))
        floats = [row[0] for row in found if row[3]]
        if floats:
            for values in db.execute(
                f"SELECT {listed} FROM {table} WHERE id IN ({id_list})",
                [json.dumps(floats)],
            ):
                texts[values[0]] = _PAYLOAD.encode(list(values))
        return StoredRows(columns, texts, accounts)

    def _select(self, table: str) -> tuple[list[str], str]:
        """``table``'s columns and the start of ``stored_rows``'s query (the engine's,
        ``Dialect.stored_rows_select``), made once per schema (a migration or ALTER TABLE
        changes the connection's ``schema_stamp``): a single ``update_row`` reads its
        rows twice, and the publish row above updates in bulk."""
        db = self.register.db
        stamp = db.schema_stamp()
        known = self._selects.get(table)
        if known is not None and known[0] == stamp:
            return known[1], known[2]
        declared = db.declared_types(table)
        columns = [name for name, _kind in declared]
        if table == "accounts":
            account = "id"
        elif table in ACCOUNT_CHILD_TABLES and "account_id" in columns:
            account = "account_id"
        else:
            account = "NULL"
        select = self.register.sql.stored_rows_select(table, declared, account)
        self._selects[table] = (stamp, columns, select)
        return columns, select

    def _record_set(
        self, action: str, table: str, ids: list[int], after: StoredRows,
        before: StoredRows | None = None,
    ) -> None:  # fmt: skip
        """One row-set entry for these rows (sorted ids): their values ``after`` the
        write and, for an update, ``before`` it; hashed once."""
        rows = ",".join([after.texts[row_id] for row_id in ids])  # KeyError: a row not stored
        row_set = f'{{"columns": {_PAYLOAD.encode(after.columns)}, "rows": [{rows}]'
        if before is not None:
            row_set += f', "before": [{",".join([before.texts[row_id] for row_id in ids])}]'
        row_set += "}"
        accounts = [a for row_id in ids if (a := after.accounts[row_id]) is not None]
        first_account = min(accounts) if accounts else None
        last_account = max(accounts) if accounts else None
        low, high = ids[0], ids[-1]
        db = self.register.db
        entry_id, prev = self._head()
        at = dt.datetime.now().isoformat(timespec="microseconds")
        actor = self.register.actor
        digest = _entry_hash(prev, at, actor, action, table, low, None, None, row_set)
        db.execute(
            "INSERT INTO audit_log (id, at, actor, action, table_name, row_id, before, after, "
            "prev_hash, hash, account_id, row_set, last_row_id, last_account_id) "
            "VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?)",
            [entry_id, at, actor, action, table, low, prev, digest, first_account, row_set, high,
             last_account],
        )  # fmt: skip

    def entries_for(self, table: str, row_id: int) -> list[dict[str, Any]]:
        """Every entry about one row, oldest first (a row set's entry gives that row)."""
        entries = self.register.query(
            "SELECT id, at, actor, action, before, after FROM audit_log "
            "WHERE table_name = ? AND row_id = ? AND row_set IS NULL ORDER BY id",
            [table, row_id],
        )
        sets = self.register.db.execute(
            "SELECT id, at, actor, action, table_name FROM audit_log "
            f"{self.register.sql.indexed_by('audit_row_sets')} WHERE row_set IS NOT NULL AND table_name = ? AND last_row_id >= ? AND row_id <= ?",
            [table, row_id, row_id],
        ).fetchall()
        for entry in self._set_rows(sets, "id", row_id):
            del entry["table_name"], entry["row_id"]
            entries.append(entry)
        return sorted(entries, key=itemgetter("id"))

    def history_of_account(self, account_id: int) -> list[dict[str, Any]]:
        """Audit entries touching an account or the rows that hang off it, oldest first.

        An index lookup on ``audit_log.account_id`` (set when the entry is written,
        checked by ``verify``), not a scan of the whole log; a row set holding rows of
        the account (found by its account range) gives those rows, one entry each."""
        entries = self.register.query(
            "SELECT id, at, actor, action, table_name, row_id, before, after FROM audit_log "
            "WHERE account_id = ? AND row_set IS NULL ORDER BY id",
            [account_id],
        )
        sets = self.register.db.execute(
            "SELECT id, at, actor, action, table_name FROM audit_log "
            f"{self.register.sql.indexed_by('audit_account_sets')} WHERE row_set IS NOT NULL AND last_account_id >= ? AND account_id <= ?",
            [account_id, account_id],
        ).fetchall()
        accounts = [entry for entry in sets if entry[4] == "accounts"]
        children = [entry for entry in sets if entry[4] != "accounts"]
        entries += self._set_rows(accounts, "id", account_id)
        entries += self._set_rows(children, "account_id", account_id)
        return sorted(entries, key=itemgetter("id"))

    def _set_rows(self, sets: list[tuple[Any, ...]], key: str, value: int) -> list[dict[str, Any]]:
        """The rows of these row-set entries whose ``key`` column is ``value``, each as an
        entry of its own (the set's id, time, actor and action; ``after`` its snapshot,
        ``before`` the row before an update).

        The rows are picked by SQLite's JSON functions, without loading the whole set. A
        set whose text is not a row set (changed outside nmdesk, which ``verify``
        reports) gives nothing here. An update's set gives each row's ``before`` too."""
        db, sql = self.register.db, self.register.sql
        found = []
        for entry_id, at, actor, action, table in sets:
            try:
                # a set that is not JSON fails the statement, which on the server
                # would abort the whole transaction without this guard (a savepoint)
                with db.statement_guard():
                    text = db.execute(sql.row_set_columns, [entry_id]).fetchone()[0]
                    columns = json.loads(text)
                    if key not in columns or "id" not in columns:
                        continue
                    picked = db.execute(
                        sql.row_set_pick, [entry_id, columns.index(key), value]
                    ).fetchall()
                rows = [
                    (
                        dict(zip(columns, json.loads(text), strict=True)),
                        None if old is None else dict(zip(columns, json.loads(old), strict=True)),
                    )
                    for text, old in picked
                ]
            except (db.Error, ValueError, TypeError, AttributeError):
                continue
            for row, before in rows:
                found.append(
                    {"id": entry_id, "at": at, "actor": actor, "action": action,
                     "table_name": table, "row_id": row["id"], "before": _canonical(before),
                     "after": _canonical(row)}
                )  # fmt: skip
        return found

    def count(self) -> int:
        """How many entries (links of the chain) there are; a row set is one."""
        return int(self.register.scalar("SELECT count(*) FROM audit_log"))

    def last_id(self) -> int:
        """The newest entry's id (0 for none): a window compares it before and after a
        dialog to know whether the dialog wrote anything."""
        return int(self.register.scalar("SELECT coalesce(max(id), 0) FROM audit_log"))

    def all_entries(self) -> list[dict[str, Any]]:
        """Every entry, oldest first, a row set's rows as one entry each (sharing the
        set's id, time and hashes), for an export an inspector reads row by row."""
        entries = []
        for entry in self.register.query("SELECT * FROM audit_log ORDER BY id"):
            row_set = entry.pop("row_set", None)
            if row_set is None:
                entries.append(entry)
                continue
            parsed = _parse_row_set(row_set)
            if parsed is None:  # changed outside nmdesk (verify says so): shown as it is
                entries.append({**entry, "after": row_set})
                continue
            rows, befores = parsed
            for index, row in enumerate(rows):
                before = None if befores is None else _canonical(befores[index])
                entries.append(
                    {**entry, "row_id": row["id"], "before": before, "after": _canonical(row)}
                )
        return entries

    def verify(self) -> list[Finding]:
        """Check the hash chain and that every audited row matches its last audited state
        (a snapshot, or its row in a row set)."""
        db = self.register.db
        cursor = db.execute(
            "SELECT id, at, actor, action, table_name, row_id, before, after, prev_hash, hash, "
            "account_id, row_set, last_row_id, last_account_id FROM audit_log ORDER BY id"
        )
        findings, latest = _verify_chain(cursor)
        for table in AUDITED_TABLES:
            findings.extend(_verify_table(db, table, latest))
        return findings


# The newest audited state of each (table, row id): a snapshot's text, a row set's row, or
# None for a deleted row.
Latest = dict[tuple[str, int], str | dict[str, Any] | None]


def _verify_chain(entries: Iterable[tuple[Any, ...]]) -> tuple[list[Finding], Latest]:
    """Walk the audit entries, oldest first (``verify``'s columns): what is wrong with the
    chain and the entries, and the newest audited state of every row they name."""
    findings: list[Finding] = []
    latest: Latest = {}
    prev = GENESIS
    expected_id = None
    for entry in entries:
        findings.extend(_link_findings(entry, prev, expected_id))
        prev = entry[9]
        expected_id = entry[0] + 1
        findings.extend(_record_entry(entry, latest))
    return findings, latest


def _link_findings(entry: tuple[Any, ...], prev: str, expected_id: int | None) -> list[Finding]:
    """What is wrong with one entry as a link of the chain: entries missing before it, a
    previous hash that is not the last entry's, or a hash its contents do not give."""
    entry_id, at, actor, action, table, row_id, before, after, prev_hash, digest = entry[:10]
    row_set = entry[11]
    findings = []
    if expected_id is not None and entry_id != expected_id:
        findings.append(
            Finding(
                "audit_log",
                expected_id,
                f"审计记录 #{expected_id}–#{entry_id - 1} 缺失（被删除）",
            )
        )
    if prev_hash != prev:
        findings.append(Finding("audit_log", entry_id, "审计链断开：上一条记录被删除或改动"))
    if _entry_hash(prev_hash, at, actor, action, table, row_id, before, after, row_set) != digest:
        findings.append(Finding("audit_log", entry_id, "审计记录内容被改动"))
    return findings


def _record_entry(entry: tuple[Any, ...], latest: Latest) -> list[Finding]:
    """Record the rows an entry audits in ``latest``; what is wrong with the ranges a row
    set's entry carries, or with the account a single row's entry names."""
    entry_id, table, row_id, before, after = entry[0], entry[4], entry[5], entry[6], entry[7]
    account_id, row_set, last_row_id, last_account_id = entry[10:14]
    findings = []
    if row_set is not None:
        rows = _row_set_rows(table, row_set)
        if rows is None or (row_id, last_row_id, account_id, last_account_id) != _set_ranges(
            table, rows
        ):
            findings.append(
                Finding("audit_log", entry_id, "审计记录的行集与其所记范围不符（被改动）")
            )
        for row in rows or ():
            if isinstance(row.get("id"), int):
                latest[(table, row["id"])] = row
        return findings
    if account_id != _expected_account(table, row_id, before, after) or (
        last_row_id is not None or last_account_id is not None
    ):
        findings.append(Finding("audit_log", entry_id, "审计记录所属账号被改动（与记录内容不符）"))
    if row_id is not None:
        latest[(table, row_id)] = after
    return findings


def _verify_table(db: Any, table: str, latest: Latest) -> list[Finding]:
    """Every row of one audited table against its newest audited state: rows added,
    changed, restored or deleted outside nmdesk."""
    findings = []
    cursor = db.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cursor.description]
    defaults = db.column_defaults(table)
    seen: set[int] = set()
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        row_id = int(row["id"])
        seen.add(row_id)
        if (table, row_id) not in latest:
            findings.append(Finding(table, row_id, "记录在 nmdesk 之外被添加（无审计记录）"))
            continue
        audited = latest[(table, row_id)]
        if audited is None:
            findings.append(Finding(table, row_id, "已删除的记录在 nmdesk 之外被恢复"))
        elif (audited != row if isinstance(audited, dict) else audited != _canonical(row)) and (
            changed := _changed_columns(audited, row, defaults)
        ):
            findings.append(
                Finding(table, row_id, f"记录在 nmdesk 之外被修改（字段：{'、'.join(changed)}）")
            )
    for (audited_table, row_id), after in latest.items():
        if audited_table == table and after is not None and row_id not in seen:
            findings.append(Finding(table, row_id, "记录在 nmdesk 之外被删除"))
    return findings


def _row_set_rows(table: str, row_set: str) -> list[dict[str, Any]] | None:
    """A row set's rows as dicts, or None when the text is not a row set of this table's
    rows (each with an integer id)."""
    parsed = _parse_row_set(row_set)
    return None if parsed is None else parsed[0]


def _parse_row_set(row_set: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None] | None:
    """A row set's rows as dicts and, for an update's set, each row before it (same
    order, same ids); None when the text is not such a row set (each row with an
    integer id)."""
    try:
        parsed = json.loads(row_set)
        columns = parsed["columns"]
        rows = [dict(zip(columns, values, strict=True)) for values in parsed["rows"]]
        befores = None
        if "before" in parsed:
            befores = [dict(zip(columns, values, strict=True)) for values in parsed["before"]]
    except (ValueError, TypeError, KeyError):
        return None
    if not rows or "id" not in columns:
        return None
    if not all(row["id"].__class__ is int for row in rows):
        return None
    if befores is not None and [row["id"] for row in befores] != [row["id"] for row in rows]:
        return None
    return rows, befores


def _set_ranges(table: str, rows: list[dict[str, Any]]) -> tuple[int, int, int | None, int | None]:
    """(row_id, last_row_id, account_id, last_account_id) a row set's entry must carry."""
    ids = [row["id"] for row in rows]
    if table == "accounts":
        accounts = ids
    elif table in ACCOUNT_CHILD_TABLES:
        accounts = [row["account_id"] for row in rows if isinstance(row.get("account_id"), int)]
    else:
        accounts = []
    if accounts:
        return min(ids), max(ids), min(accounts), max(accounts)
    return min(ids), max(ids), None, None


def _expected_account(
    table: str, row_id: int | None, before: str | None, after: str | None
) -> int | None:
    """The ``account_id`` an entry must carry, read back from its own snapshot."""
    if table == "accounts":
        return row_id
    if table not in ACCOUNT_CHILD_TABLES:
        return None
    text = after if after is not None else before
    if not text or '"account_id"' not in text:
        return None
    try:
        value = json.loads(text).get("account_id")
    except (ValueError, AttributeError):
        return None
    return None if value is None else int(value)


def _changed_columns(
    audited: str | dict[str, Any] | None, row: dict[str, Any], defaults: dict[str, Any]
) -> list[str]:
    """Columns whose value differs from the audited snapshot (its text, or a row set's
    row).

    A column that a later migration added is absent from older snapshots; it
    counts as unchanged while it still holds its default.
    """
    old = audited if isinstance(audited, dict) else json.loads(audited) if audited else {}
    changed = []
    for column in sorted(set(old) | set(row)):
        if column in old:
            if column not in row or old[column] != row[column]:
                changed.append(column)
        elif row[column] is not None and row[column] != defaults.get(column):
            changed.append(column)
    return changed
