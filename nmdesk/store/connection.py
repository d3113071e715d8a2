"""The register's SQLite connection: plain ``sqlite3`` with nmdesk's settings.

Opening a register must be quick (the bench row "冷启动到主窗口首次绘制（10 万账号
备案库）"), so the everyday connection is the standard library's.
sqlite-utils, with its import chain (click, dateutil, pluggy), is loaded only
when a migration is pending (``nmdesk.store.migration_set.MigrationSet.apply``).

The connection runs in autocommit mode (``isolation_level=None``): a statement
outside ``atomic()`` commits at once, exactly as sqlite-utils' ``execute``
behaves, and ``atomic()`` opens one explicit transaction, nesting as savepoints.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from nmdesk.store.dialect import SQLITE, Dialect

_savepoint_numbers = itertools.count(1)


class RegisterConnection:
    """One open SQLite connection; belongs to the thread that opened it.

    Its surface (``execute``, ``executemany``, ``atomic``, the catalogue questions,
    ``Error``, ``dialect``) is what ``StoreCore`` uses, and what the server's
    ``nmdesk.store.server_connection.ServerConnection`` offers too."""

    dialect: Dialect = SQLITE
    Error: type[Exception] = sqlite3.Error  # the engine's error class

    def __init__(self, conn: sqlite3.Connection, *, read_only: bool = False) -> None:
        self.conn = conn
        self.read_only = read_only
        self.closed = False
        # called before and after each outermost COMMIT (nmdesk.store.wal_guard)
        self.before_commit: Callable[[], None] | None = None
        self.after_commit: Callable[[], None] | None = None

    @classmethod
    def open(cls, path: Path, *, read_only: bool, timeout_s: float) -> RegisterConnection:
        if read_only:
            # as_uri() escapes the ? # % a folder name may hold
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro",
                uri=True,
                timeout=timeout_s,
                isolation_level=None,
            )
        else:
            conn = sqlite3.connect(str(path), timeout=timeout_s, isolation_level=None)
        # sqlite-utils turns recursive triggers on for every connection it opens;
        # registers were written that way, so nmdesk keeps it
        conn.execute("PRAGMA recursive_triggers = ON")
        return cls(conn, read_only=read_only)

    def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None
    ) -> sqlite3.Cursor:
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def executemany(self, sql: str, rows: Any) -> None:
        self.conn.executemany(sql, rows)

    def table_exists(self, name: str) -> bool:
        cursor = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]
        )
        return cursor.fetchone() is not None

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")]

    def declared_types(self, table: str) -> list[tuple[str, str]]:
        """(column, declared type) of each column, in order."""
        return [(row[1], str(row[2])) for row in self.conn.execute(f"PRAGMA table_info({table})")]

    def schema_stamp(self) -> object:
        """A value that changes whenever the schema does (SQLite's schema cookie)."""
        return self.conn.execute("PRAGMA schema_version").fetchone()[0]

    def column_defaults(self, table: str) -> dict[str, Any]:
        """Each column's default value, as SQLite evaluates the declared default."""
        defaults: dict[str, Any] = {}
        for _cid, name, _type, _notnull, default, _pk in self.conn.execute(
            f"PRAGMA table_info({table})"
        ):
            if default is not None:
                try:
                    defaults[name] = self.conn.execute(f"SELECT {default}").fetchone()[0]
                except sqlite3.Error:
                    defaults[name] = None
        return defaults

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def integrity_ok(self) -> bool:
        return bool(self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    @contextmanager
    def atomic(self) -> Iterator[RegisterConnection]:
        """One transaction over the block; a nested block is a savepoint inside it."""
        if self.conn.in_transaction:
            savepoint = f"nmdesk_{next(_savepoint_numbers)}"
            self.conn.execute(f"SAVEPOINT {savepoint}")
            try:
                yield self
            except BaseException:
                # a RAISE(ROLLBACK) trigger can end the whole transaction, savepoints
                # included; rolling back then would hide the original error
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                raise
            self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            return
        # A writer takes the write lock at BEGIN: a deferred transaction that has
        # read first and then meets another program's write lock fails at once
        # (SQLite skips the busy handler to avoid a deadlock), while BEGIN
        # IMMEDIATE waits out the busy timeout like any other statement.
        self.conn.execute("BEGIN" if self.read_only else "BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            if self.before_commit is not None:
                self.before_commit()
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise
        if self.after_commit is not None:
            self.after_commit()

    def statement_guard(self) -> AbstractContextManager[None]:
        """Nothing to guard: a failing statement leaves SQLite's transaction as it was."""
        return nullcontext()

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()
        self.closed = True
