"""The store: the only place in nmdesk that speaks SQL.

Code above the store opens a register with ``open_register`` or ``create_register``
and is typed against ``nmdesk.store.interfaces.Register``, which says nothing of
the engine underneath. ``Register`` is the SQLite engine's class (its own tests
and the store use it directly).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.store.register import Register, database_error_message
from nmdesk.store.search import AccountQuery
from nmdesk.store.sqlite_errors import os_reason

SERVER_SCHEMES = ("postgresql://", "postgres://")

# What the engine raises when the file, the disk or another program fails it (an
# engine's own error class; catch it, then ``error_message`` says what happened).
DatabaseError = sqlite3.Error

if TYPE_CHECKING:
    from nmdesk.store import interfaces


def is_server_url(location: str | Path) -> bool:
    """Whether a register's location is a server URL (``postgresql://USER@HOST[:PORT]/DB``)
    rather than a file path."""
    return isinstance(location, str) and location.startswith(SERVER_SCHEMES)


def open_register(
    path: str | Path,
    *,
    actor: str | None = None,
    read_only: bool = False,
    auto_backup: bool = True,
) -> interfaces.Register:
    """Open an existing register, migrating it to the current schema: a file
    (``Register.open``) or, for a server URL, a database on a PostgreSQL server
    (``ServerRegister.open``; the audit names the clerk's role there, not ``actor``)."""
    if is_server_url(path):
        from nmdesk.store.server_register import ServerRegister  # loads psycopg

        return ServerRegister.open(str(path), read_only=read_only)
    return Register.open(path, actor=actor, read_only=read_only, auto_backup=auto_backup)


def use_server_password(url: str, password: str | None) -> None:
    """Connect to the server register at ``url`` with ``password`` for the rest of this
    process, in memory only (never written anywhere), so that the connections its jobs
    open again use it too; None forgets it. Without one, libpq looks in the clerk's
    ``.pgpass``. Loads psycopg."""
    from nmdesk.store.server_connection import parse_server_url, use_password

    use_password(parse_server_url(url), password)


def create_register(
    path: str | Path, profile_id: str, *, actor: str | None = None
) -> interfaces.Register:
    """Create a new register with a built-in profile id or a profile path: a file
    (``Register.create``) or, for a server URL, in an empty server database."""
    if is_server_url(path):
        from nmdesk.store.server_register import ServerRegister  # loads psycopg

        return ServerRegister.create(str(path), profile_id)
    return Register.create(path, profile_id, actor=actor)


def error_message(error: BaseException, name: str = "") -> str | None:
    """A clerk's sentence for an engine error caused by the file, the disk or another
    program, else None (a bug: it stays a traceback)."""
    return database_error_message(error, name)


__all__ = [
    "AccountQuery",
    "DatabaseError",
    "Register",
    "create_register",
    "error_message",
    "is_server_url",
    "open_register",
    "os_reason",
    "use_server_password",
]
