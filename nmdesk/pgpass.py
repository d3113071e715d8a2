"""A clerk's server password in libpq's password file (``.pgpass``), never in nmdesk's own settings.

A server register's URL carries no password: libpq looks it up in the file named by
``PGPASSFILE``, else ``~/.pgpass`` (``%APPDATA%\\postgresql\\pgpass.conf`` on Windows),
whose lines read ``host:port:database:user:password``. libpq ignores the file when
others may read it, so it is written with 0600 permissions. The connection dialog
puts a typed password there for the connection (``PasswordEntry``) and takes it out
again afterwards unless the clerk asked to remember it. Where the optional ``keyring``
package has a working backend (``usable_keyring``), a remembered password is kept in
the system keyring instead and put in the file only while nmdesk runs, until the
store takes a password from its caller (docs/server.md).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def password_file() -> Path:
    """The file libpq reads passwords from on this computer."""
    named = os.environ.get("PGPASSFILE")
    if named:
        return Path(named)
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def _escaped(field: str) -> str:
    return field.replace("\\", "\\\\").replace(":", "\\:")


def _fields(line: str) -> list[str]:
    """A line's fields, with ``\\:`` and ``\\\\`` undone."""
    fields, current, escaped = [], "", False
    for char in line:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\":
            escaped = True
        elif char == ":":
            fields.append(current)
            current = ""
        else:
            current += char
    fields.append(current)
    return fields


@dataclass(frozen=True)
class PasswordEntry:
    """The password of one role on one database of one server."""

    host: str
    port: int
    database: str
    user: str

    def _key(self) -> list[str]:
        return [self.host, str(self.port), self.database, self.user]

    def line(self, password: str) -> str:
        return ":".join(_escaped(field) for field in [*self._key(), password])

    def _matches(self, line: str) -> bool:
        return _fields(line)[:4] == self._key()

    def saved_line(self, path: Path | None = None) -> str | None:
        """The line for exactly this entry in the file, if there is one."""
        target = path or password_file()
        try:
            lines = target.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return None
        return next((line for line in lines if self._matches(line)), None)

    def put(self, line: str | None, path: Path | None = None) -> None:
        """Make the file hold ``line`` for this entry (None: no line for it), keeping
        every other line; the file is (re)made with 0600 permissions."""
        target = path or password_file()
        try:
            lines = target.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            lines = []
        kept = [existing for existing in lines if not self._matches(existing)]
        if line is not None:
            kept.insert(0, line)  # libpq takes the first line that matches
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("".join(f"{each}\n" for each in kept))
        if sys.platform != "win32":
            os.chmod(target, 0o600)  # an existing file keeps its mode through O_TRUNC


# The keyring's service name for a server password; the user name is the register's URL.
KEYRING_SERVICE = "nmdesk"


def usable_keyring() -> Any | None:
    """The system keyring (the optional ``keyring`` package) when it has a backend that
    keeps passwords, else None: not installed, or only its fail or null backend (a
    headless machine), whose priority is not above 0."""
    try:
        import keyring
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        priority = float(getattr(backend, "priority", 0))
    except Exception:  # a broken backend is no keyring: the .pgpass is used
        return None
    return backend if priority > 0 else None
