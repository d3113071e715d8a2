"""Defence in depth for WAL mode: the writer checks its ``-wal`` is still the file on disk.

Another process that wrongly believes it is a register's last connection (because
this process lost its POSIX locks, sqlite.org/howtocorrupt.html §2.2) checkpoints
the ``-wal`` and deletes it while this process still writes into it: every commit
after that lands in a deleted file and is gone when this process dies.

``WalGuard`` remembers the ``-wal``'s device and inode (``os.stat`` only: a stat
opens no descriptor, so it cannot drop a lock). Before every commit the register's
connection asks ``check``. When the file on disk is missing or is another file,
the pending change is rolled back, everything committed so far is checkpointed
from the ``-wal`` this connection still holds into the main file, the register
stops writing, and the clerk gets one sentence (``WalReplacedError``).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from nmdesk.errors import RegisterError


class WalReplacedError(RegisterError):
    """The register's ``-wal`` was deleted or replaced by another program."""


def wal_path(register_path: Path) -> Path:
    return Path(f"{register_path}-wal")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


class WalGuard:
    """The identity of one connection's ``-wal`` file, checked before each commit."""

    def __init__(self, register_path: Path) -> None:
        self.register_path = register_path
        self.path = wal_path(register_path)
        self.identity = _identity(self.path)
        self.tripped: str | None = None

    def replaced(self) -> bool:
        """True when the ``-wal`` this connection writes into is no longer the one on disk."""
        if self.identity is None:  # not created yet: the first commit creates it
            return False
        return _identity(self.path) != self.identity

    def committed(self) -> None:
        """After a commit: remember the ``-wal`` the first commit created."""
        if self.identity is None:
            self.identity = _identity(self.path)

    def trip(self, conn: sqlite3.Connection) -> str:
        """Roll back the pending change, checkpoint the rest into the main file, and say so."""
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        name = self.register_path.name
        try:
            busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(FULL)").fetchone()
            saved = busy == 0 and frames == copied
        except sqlite3.Error:
            saved = False
        if saved:
            self.tripped = (
                f"备案库 {name} 的日志文件（{self.path.name}）被另一个程序删除或替换。"
                "此前保存的修改已全部写入备案库文件，本次修改未保存；本窗口已停止写入，"
                "请关闭其他打开该备案库的程序后重新打开它"
            )
        else:
            self.tripped = (
                f"备案库 {name} 的日志文件（{self.path.name}）被另一个程序删除或替换，"
                "本次修改未保存，已停止写入。请不要关闭本窗口，"
                "先用 文件 → 备份备案库… 另存一份备份，再关闭其他程序后重新打开备案库"
            )
        return self.tripped
