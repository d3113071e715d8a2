"""Where a register is, for the UI: a file's path or a server register's URL.

A job on the register worker opens its own register again (``ui/common/tasks.py``),
so it needs where the window's register is. For a file that is ``register.path``;
a server register's ``path`` only names its database in messages, and its URL
(``postgresql://USER@HOST:PORT/DB``, no password) is where it is. The store's
``Register`` protocol does not say which one a register is yet (docs/server.md,
"For the clerk"), so this module asks the server register's ``address``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

Location = str | Path


def _address(register: Any) -> Any:
    return getattr(register, "address", None)


def on_server(register: Any) -> bool:
    """Whether the register is a database on a PostgreSQL server."""
    return _address(register) is not None


def location(register: Any) -> Location:
    """What ``open_register`` takes to open this register again: its URL or its path."""
    address = _address(register)
    return str(address.url) if address is not None else Path(register.path)


def display_name(register: Any) -> str:
    """How a title names it: the file's name, or “数据库（服务器 主机）”."""
    address = _address(register)
    if address is not None:
        return f"{address.database}（服务器 {address.host}）"
    return Path(register.path).name


def as_location(value: Location) -> Location:
    """A location given as text or a path: a server URL stays text (``Path`` would fold
    its ``//``), anything else becomes a ``Path``."""
    from nmdesk.store import is_server_url

    if isinstance(value, str) and is_server_url(value):
        return value
    return Path(value)


def folder(register: Any) -> Path:
    """Where the file dialogs start and outputs go by default: the register file's
    folder, or nmdesk's data folder for a server register (it has no folder here)."""
    if on_server(register):
        from nmdesk.paths import default_register_path

        return default_register_path().parent
    return Path(register.path).parent
