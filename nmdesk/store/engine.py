"""What ``StoreCore`` needs of an engine's connection, as a Protocol.

Two classes have this surface: SQLite's ``nmdesk.store.connection.RegisterConnection``
and the server's ``nmdesk.store.server_connection.ServerConnection`` (psycopg). The
core, the audit log and the repositories use nothing else of a connection, so that
one implementation of each serves both engines (docs/server.md, "Design").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from nmdesk.store.dialect import Dialect


class EngineConnection(Protocol):
    """One open connection to a register, on either engine."""

    dialect: Dialect
    Error: type[Exception]
    read_only: bool
    closed: bool
    before_commit: Callable[[], None] | None
    after_commit: Callable[[], None] | None

    def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None
    ) -> Any: ...
    def executemany(self, sql: str, rows: Any) -> None: ...
    def atomic(self) -> AbstractContextManager[Any]: ...
    def statement_guard(self) -> AbstractContextManager[Any]:
        """A block whose failing statement leaves the transaction usable (a savepoint on
        the server, where an error aborts the transaction; nothing on SQLite)."""
        ...

    def rollback(self) -> None: ...
    def close(self) -> None: ...
    def table_exists(self, name: str) -> bool: ...
    def columns(self, table: str) -> list[str]: ...
    def declared_types(self, table: str) -> list[tuple[str, str]]: ...
    def schema_stamp(self) -> object:
        """A value that changes whenever the schema does (caches of table shapes)."""
        ...

    def column_defaults(self, table: str) -> dict[str, Any]: ...
    def schema_version(self) -> int: ...
    def integrity_ok(self) -> bool: ...
