"""The core every repository stands on: the connection, transactions and audited writes.

``StoreCore`` holds what a repository needs from the register — one transaction
over a block, the generic audited writers (``insert_rows``, ``update_row``,
``delete_row``), the row readers, meta values and the profile — and nothing that
builds repositories. ``nmdesk.store.register.Register`` extends it and wires the
repositories on top, so that module-level imports inside ``nmdesk.store`` run one
way: core, then repositories, then the register. Repositories reach a sibling
only through the Protocols of ``nmdesk.store.interfaces`` declared here.

Everything here is private to ``nmdesk.store``: code above the store asks the
repositories for domain operations (``tests/test_layers.py`` enforces it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from nmdesk.errors import NotFoundError, RegisterError
from nmdesk.profiles import Profile, profile_from_json
from nmdesk.store.dialect import Dialect
from nmdesk.store.engine import EngineConnection
from nmdesk.text_rules import CHECKED_TABLES, check_row, field_issue

if TYPE_CHECKING:
    from nmdesk.store import interfaces
    from nmdesk.store.locking import LockInfo
    from nmdesk.store.stored_rows import StoredRows
    from nmdesk.workdays import WorkdayCalendar

DEMO_META_KEY = "demo"  # meta key set on a demo register ("1")


def now_text() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class StoreCore:
    """The connection and the audited writers of one open register (see the module)."""

    # set by ``Register``: the audit log and the repositories, by their Protocols
    audit: interfaces.AuditLog
    units: interfaces.Units
    people: interfaces.People
    accounts: interfaces.Accounts
    filings: interfaces.Filings
    sanctions: interfaces.Sanctions
    watchlist: interfaces.WatchList
    calendar_overrides: interfaces.CalendarOverrides
    attachments: interfaces.Attachments
    drafts: interfaces.Drafts
    reviews: interfaces.Reviews
    excel: interfaces.Excel

    def __init__(self, db: EngineConnection, path: Path, actor: str) -> None:
        # ``db`` is the engine's connection: SQLite's RegisterConnection or the server's
        # ServerConnection, which has the same surface
        self.db = db
        self.path = path
        self.actor = actor
        # data safety: set by ``Register.open``; see nmdesk.store.locking and .backup
        self.read_only = False
        self.lock_holder: LockInfo | None = None
        self.network_warning: str | None = None
        self.backup_warning: str | None = None
        self.stale_lock: LockInfo | None = None
        self._profile: Profile | None = None
        self._calendar: WorkdayCalendar | None = None

    @property
    def sql(self) -> Dialect:
        """The engine's SQL fragments (``nmdesk.store.dialect``)."""
        return self.db.dialect

    @property
    def read_only_message(self) -> str:
        """Why this register cannot be changed, for a banner or an error."""
        if self.lock_holder is not None:
            return self.lock_holder.read_only_message(self.path.name)
        return f"备案库 {self.path.name} 以只读方式打开，不能修改"

    def check_writable(self) -> None:
        """Raise ``RegisterError`` when this instance may not write."""
        if self.read_only:
            raise RegisterError(self.read_only_message)

    # -- transactions and audited writes ---------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Self]:
        """One transaction over everything inside; nested blocks become savepoints."""
        with self.db.atomic():
            yield self

    def insert_row(self, table: str, row: dict[str, Any], *, action: str = "insert") -> int:
        """Insert one row and audit it; returns the new id. The one audited insert path,
        ``insert_rows``, with one row."""
        return self.insert_rows(table, [row], action=action)[0]

    def insert_rows(
        self, table: str, rows: list[dict[str, Any]], *, action: str = "insert"
    ) -> list[int]:
        """Insert rows (same columns) with one executemany and audit them; returns their
        ids. Every insert nmdesk makes, one row (``insert_row``) or ten thousand (a ledger
        import), comes this way, and is one audit entry listing every row it wrote with
        its values as SQLite stored them (``AuditLog.record_rows``). Rows may carry their
        ``id`` (``nmdesk.store.bulk`` hands them out); otherwise they get the next free
        ids, in order, as SQLite would give them (no table is AUTOINCREMENT)."""
        self.check_writable()
        if not rows:
            return []
        self._check_text(table, rows)
        columns = list(rows[0])
        with self.transaction():
            if "id" not in columns:
                self.hold_ids(table)
                first = int(self.scalar(f"SELECT coalesce(max(id), 0) FROM {table}")) + 1
                rows = [{"id": first + index, **row} for index, row in enumerate(rows)]
                columns = ["id", *columns]
            ids = [int(row["id"]) for row in rows]
            self.db.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})",
                list(map(itemgetter(*columns), rows)) if len(columns) > 1 else
                [[row[columns[0]]] for row in rows],
            )  # fmt: skip
            self.audit.record_rows(action, table, ids)
        return ids

    def hold_ids(self, table: str) -> None:
        """Make this transaction the only one giving out ids (and, for accounts, serial
        numbers) of ``table`` until it ends: nothing on SQLite, whose one writer already
        is; on the server a transaction-level advisory lock (``Dialect.lock_ids``), so
        that two clerks saving at once never take the same ``max(id) + 1``."""
        lock = self.sql.lock_ids(table)
        if lock is not None:
            self.db.execute(lock)

    def _check_text(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Every write's text follows ``nmdesk.text_rules`` (lengths from the profile,
        no control or bidi characters), whichever path (form, import, packet) it came by."""
        if table not in CHECKED_TABLES:
            return
        limits = self.profile.text_limits
        if len(rows) > 1:  # many rows: each distinct value of a column checked once
            try:
                distinct = [(column, {row[column] for row in rows}) for column in rows[0]]
            except (KeyError, TypeError):  # rows that differ in columns, a value not hashable
                distinct = []
            if distinct and not any(
                field_issue(limits, table, column, value) is not None
                for column, values in distinct
                for value in values
            ):
                return
        for row in rows:  # row by row: the first error, as a write of that row reports it
            check_row(limits, table, row)

    def update_row(
        self, table: str, row_id: int, changes: dict[str, Any], *, action: str = "update"
    ) -> dict[str, Any]:
        """Update one row and audit its before and after; returns the row as it was before.
        The one audited update path, ``update_rows``, with one row."""
        self.check_writable()
        if not changes:
            return self.row(table, row_id)
        return self._update(table, {row_id: changes}, action).row(row_id)

    def update_rows(
        self, table: str, changes: dict[int, dict[str, Any]], *, action: str = "update"
    ) -> None:
        """Update rows of ``table`` ({row id: changes}) and audit them. Every update nmdesk
        makes, one row (``update_row``) or ten thousand (a published review's verdicts
        and statuses), comes this way: one ``executemany`` per set of columns, the rows
        read as SQLite stores them before and after, and the rows that changed audited
        with both (``AuditLog.record_updates``: a snapshot for one row, a row set per
        1,000 rows for many; a row that did not change gets no entry). Serves the bench
        row "发布 10,000 个账号的年度审核"."""
        self.check_writable()
        changes = {row_id: values for row_id, values in changes.items() if values}
        if changes:
            self._update(table, changes, action)

    def _update(self, table: str, changes: dict[int, dict[str, Any]], action: str) -> StoredRows:
        """``update_rows`` of rows each with changes; the rows as they were before."""
        self._check_text(table, list(changes.values()))
        by_columns: dict[tuple[str, ...], list[list[Any]]] = {}
        for row_id, values in changes.items():
            by_columns.setdefault(tuple(values), []).append([*values.values(), row_id])
        with self.transaction():
            before = self.audit.stored_rows(table, list(changes))
            missing = set(changes) - set(before.texts)
            if missing:
                raise NotFoundError(f"记录不存在：{table} #{min(missing)}")
            for columns, params in by_columns.items():
                assignments = ", ".join(f"{column} = ?" for column in columns)
                self.db.executemany(f"UPDATE {table} SET {assignments} WHERE id = ?", params)
            self.audit.record_updates(action, table, before)
        return before

    def delete_row(self, table: str, row_id: int, *, action: str = "delete") -> None:
        """Delete a dependent row (e.g. a calendar override). Accounts are never deleted."""
        self.check_writable()
        with self.transaction():
            before = self.row(table, row_id)
            self.db.execute(f"DELETE FROM {table} WHERE id = ?", [row_id])
            self.audit.record(action, table, row_id, before, None)

    def row(self, table: str, row_id: int) -> dict[str, Any]:
        cursor = self.db.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id])
        values = cursor.fetchone()
        if values is None:
            raise NotFoundError(f"记录不存在：{table} #{row_id}")
        return dict(zip([d[0] for d in cursor.description], values, strict=True))

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Rows as dicts. Used by the repositories in this package only."""
        cursor = self.db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- meta, profile and calendar --------------------------------------------------

    def meta(self, key: str, default: str = "") -> str:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", [key])
        return default if value is None else str(value)

    @property
    def is_demo(self) -> bool:
        """A register made by ``nmdesk demo`` (fictitious units, people and accounts)."""
        return self.meta(DEMO_META_KEY) == "1"

    def mark_demo(self) -> None:
        self.set_meta(DEMO_META_KEY, "1")

    def set_meta(self, key: str, value: str) -> None:
        existing = self.scalar("SELECT id FROM meta WHERE key = ?", [key])
        if existing is None:
            self.insert_row("meta", {"key": key, "value": value})
        else:
            self.update_row("meta", int(existing), {"value": value})

    @property
    def profile(self) -> Profile:
        """The policy profile this register was created with (a copy is kept inside the file)."""
        if self._profile is None:
            text = self.meta("profile")
            if not text:
                raise RegisterError("备案库缺少策略配置")
            self._profile = profile_from_json(text, source="备案库内的策略配置")
        return self._profile

    @property
    def calendar(self) -> WorkdayCalendar:
        """The working-day calendar: bundled data plus this register's overrides."""
        if self._calendar is None:
            self._calendar = self.calendar_overrides.build_calendar()
        return self._calendar

    def invalidate_calendar(self) -> None:
        self._calendar = None

    def schema_version(self) -> int:
        return self.db.schema_version()

    def integrity_ok(self) -> bool:
        return self.db.integrity_ok()

    @property
    def attachments_dir(self) -> Path:
        return self.path.with_name(self.path.stem + "-attachments")
