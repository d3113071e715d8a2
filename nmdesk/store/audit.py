"""The audit trail: every write, who made it, when, and the row before and after.

Each entry carries the hash of the previous one, so that removing or editing an
entry breaks the chain. ``verify`` also compares the newest audited snapshot of
every row with the row as it is now, which exposes an UPDATE, INSERT or DELETE
made outside nmdesk (with the sqlite3 shell, say).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from typing import TYPE_CHECKING, Any

from nmdesk.compat.cpython import canonical_json
from nmdesk.store.findings import Finding as Finding  # re-exported for verification
from nmdesk.store.schema import ACCOUNT_CHILD_TABLES, AUDITED_TABLES

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore

GENESIS = "0" * 64
_PAYLOAD = json.JSONEncoder(ensure_ascii=False)
# json.dumps(row, ensure_ascii=False, sort_keys=True), without building the encoder per call
_canonical_fast = canonical_json()
_escape = json.encoder.encode_basestring


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
) -> str:
    payload = json.dumps(
        [prev, at, actor, action, table, row_id, before, after], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AuditLog:
    def __init__(self, register: StoreCore) -> None:
        self.register = register

    def record(
        self,
        action: str,
        table: str,
        row_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        db = self.register.db
        last = db.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        prev = last[0] if last else GENESIS
        at = dt.datetime.now().isoformat(timespec="microseconds")
        before_text, after_text = _canonical(before), _canonical(after)
        digest = _entry_hash(
            prev, at, self.register.actor, action, table, row_id, before_text, after_text
        )
        db.execute(
            "INSERT INTO audit_log (at, actor, action, table_name, row_id, before, after, "
            "prev_hash, hash, account_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
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

    def record_many(
        self,
        action: str,
        table: str,
        entries: list[tuple[int | None, dict[str, Any] | None, dict[str, Any] | None]],
    ) -> None:
        """Audit many writes of one action at once: (row id, before, after) each, chained
        in one pass and inserted with one executemany.

        The texts and hashes are exactly those ``record`` would store, built faster: one
        JSON encoder made once (``_canonical_fast``), and the hashed payload (the JSON
        array ``_entry_hash`` encodes) assembled from its escaped parts, the parts common
        to every entry (time, actor, action, table) escaped once."""
        if not entries:
            return
        db = self.register.db
        last = db.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        prev = last[0] if last else GENESIS
        at = dt.datetime.now().isoformat(timespec="microseconds")
        actor = self.register.actor
        params = []
        canonical, escape, sha256 = _canonical_fast, _escape, hashlib.sha256
        middle = f", {escape(at)}, {escape(actor)}, {escape(action)}, {escape(table)}, "
        children = table in ACCOUNT_CHILD_TABLES
        for row_id, before, after in entries:
            before_text = None if before is None else canonical(before)
            after_text = None if after is None else canonical(after)
            if row_id is None:
                id_text = "null"
            elif row_id.__class__ is int:
                id_text = int.__repr__(row_id)
            else:  # an int subclass or another number: as json.dumps writes it
                id_text = _PAYLOAD.encode(row_id)
            payload = (
                f"[{escape(prev)}{middle}{id_text}, "
                f"{'null' if before_text is None else escape(before_text)}, "
                f"{'null' if after_text is None else escape(after_text)}]"
            )
            digest = sha256(payload.encode()).hexdigest()  # as _entry_hash computes it
            if table == "accounts":
                account = row_id
            elif children:
                account = _account_of(table, row_id, after if after is not None else before)
            else:
                account = None
            params.append(
                (at, actor, action, table, row_id, before_text, after_text, prev, digest, account)
            )
            prev = digest
        db.conn.executemany(
            "INSERT INTO audit_log (at, actor, action, table_name, row_id, before, after, "
            "prev_hash, hash, account_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params,
        )

    def entries_for(self, table: str, row_id: int) -> list[dict[str, Any]]:
        return self.register.query(
            "SELECT id, at, actor, action, before, after FROM audit_log "
            "WHERE table_name = ? AND row_id = ? ORDER BY id",
            [table, row_id],
        )

    def history_of_account(self, account_id: int) -> list[dict[str, Any]]:
        """Audit entries touching an account or the rows that hang off it, oldest first.

        An index lookup on ``audit_log.account_id`` (set when the entry is written,
        checked by ``verify``), not a scan of the whole log."""
        return self.register.query(
            "SELECT id, at, actor, action, table_name, row_id, before, after FROM audit_log "
            "WHERE account_id = ? ORDER BY id",
            [account_id],
        )

    def count(self) -> int:
        return int(self.register.scalar("SELECT count(*) FROM audit_log"))

    def last_id(self) -> int:
        """The newest entry's id (0 for none): a window compares it before and after a
        dialog to know whether the dialog wrote anything."""
        return int(self.register.scalar("SELECT coalesce(max(id), 0) FROM audit_log"))

    def all_entries(self) -> list[dict[str, Any]]:
        return self.register.query("SELECT * FROM audit_log ORDER BY id")

    def verify(self) -> list[Finding]:
        """Check the hash chain and that every audited row matches its last audited state."""
        findings: list[Finding] = []
        db = self.register.db
        prev = GENESIS
        expected_id = None
        latest: dict[tuple[str, int], str | None] = {}
        cursor = db.execute(
            "SELECT id, at, actor, action, table_name, row_id, before, after, prev_hash, hash, "
            "account_id FROM audit_log ORDER BY id"
        )
        for entry in cursor:
            entry_id, at, actor, action, table, row_id, before, after, prev_hash, digest = entry[
                :10
            ]
            if expected_id is not None and entry_id != expected_id:
                findings.append(
                    Finding(
                        "audit_log",
                        expected_id,
                        f"审计记录 #{expected_id}–#{entry_id - 1} 缺失（被删除）",
                    )
                )
            if prev_hash != prev:
                findings.append(
                    Finding("audit_log", entry_id, "审计链断开：上一条记录被删除或改动")
                )
            if _entry_hash(prev_hash, at, actor, action, table, row_id, before, after) != digest:
                findings.append(Finding("audit_log", entry_id, "审计记录内容被改动"))
            if entry[10] != _expected_account(table, row_id, before, after):
                findings.append(
                    Finding("audit_log", entry_id, "审计记录所属账号被改动（与记录内容不符）")
                )
            prev = digest
            expected_id = entry_id + 1
            if row_id is not None:
                latest[(table, row_id)] = after
        for table in AUDITED_TABLES:
            cursor = db.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            defaults = _column_defaults(db, table)
            seen: set[int] = set()
            for values in cursor:
                row = dict(zip(names, values, strict=True))
                row_id = int(row["id"])
                seen.add(row_id)
                if (table, row_id) not in latest:
                    findings.append(
                        Finding(table, row_id, "记录在 nmdesk 之外被添加（无审计记录）")
                    )
                elif latest[(table, row_id)] is None:
                    findings.append(Finding(table, row_id, "已删除的记录在 nmdesk 之外被恢复"))
                elif latest[(table, row_id)] != _canonical(row) and (
                    changed := _changed_columns(latest[(table, row_id)], row, defaults)
                ):
                    findings.append(
                        Finding(
                            table, row_id, f"记录在 nmdesk 之外被修改（字段：{'、'.join(changed)}）"
                        )
                    )
            for (audited_table, row_id), after in latest.items():
                if audited_table == table and after is not None and row_id not in seen:
                    findings.append(Finding(table, row_id, "记录在 nmdesk 之外被删除"))
        return findings


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
    audited: str | None, row: dict[str, Any], defaults: dict[str, Any]
) -> list[str]:
    """Columns whose value differs from the audited snapshot.

    A column that a later migration added is absent from older snapshots; it
    counts as unchanged while it still holds its default.
    """
    old = json.loads(audited) if audited else {}
    changed = []
    for column in sorted(set(old) | set(row)):
        if column in old:
            if column not in row or old[column] != row[column]:
                changed.append(column)
        elif row[column] is not None and row[column] != defaults.get(column):
            changed.append(column)
    return changed


def _column_defaults(db: Any, table: str) -> dict[str, Any]:
    """Each column's default value, as SQLite evaluates the declared default."""
    defaults: dict[str, Any] = {}
    for _cid, name, _type, _notnull, default, _pk in db.execute(f"PRAGMA table_info({table})"):
        if default is not None:
            try:
                defaults[name] = db.execute(f"SELECT {default}").fetchone()[0]
            except sqlite3.Error:
                defaults[name] = None
    return defaults
