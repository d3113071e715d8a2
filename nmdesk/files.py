"""Paths that must never be opened outside SQLite, and files only their owner may read.

A register's file and SQLite's companion files (``-wal``, ``-shm``, ``-journal``)
belong to SQLite: an ``open()`` and ``close()`` of any of them by this process
drops every POSIX lock SQLite holds on the register (sqlite.org/howtocorrupt.html
§2.2). Anything that reads or writes a file the clerk chose (an import, an
attachment, an export target) first asks ``refuse_register_file``, which decides
by the name alone, without opening it.

Files that hold personal data (a full export, the audit export, an import's
error report) are written through ``private_output``: created 0600 on POSIX
before the first byte. The public listing (公示) is written normally.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from nmdesk.errors import NmdeskError

REGISTER_SUFFIX = ".nmdesk"
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")
LOCK_SUFFIX = ".lock"


def is_companion_file(name: str) -> bool:
    """True for SQLite's ``-wal``/``-shm``/``-journal`` files and nmdesk's lock files."""
    lowered = name.lower()
    return lowered.endswith(COMPANION_SUFFIXES) or lowered.endswith(REGISTER_SUFFIX + LOCK_SUFFIX)


def is_register_file(path: str | Path) -> bool:
    """True when the name is a register's (``*.nmdesk``) or one of its companion files."""
    name = Path(path).name
    return name.lower().endswith(REGISTER_SUFFIX) or is_companion_file(name)


def _held_identities() -> set[tuple[int, int]]:
    """Device and inode of the registers this process holds and their -wal/-shm (stat only)."""
    from nmdesk.store.locking import held_registers

    found = set()
    for register in held_registers():
        for candidate in (register, *(Path(f"{register}{s}") for s in COMPANION_SUFFIXES)):
            try:
                status = os.stat(candidate)
            except OSError:
                continue
            found.add((status.st_dev, status.st_ino))
    return found


def is_held_register_file(path: str | Path) -> bool:
    """True when ``path`` is, under any name, a file of a register this process holds."""
    try:
        status = os.stat(path)
    except OSError:
        return False
    return (status.st_dev, status.st_ino) in _held_identities()


def refuse_register_file(path: str | Path, use: str) -> None:
    """Raise unless ``path`` may be opened outside SQLite; ``use`` says what for (导入 …).

    Decided from the name and ``os.stat`` alone, which open no descriptor."""
    if is_register_file(path) or is_held_register_file(path):
        raise NmdeskError(
            f"{Path(path).name} 是 nmdesk 备案库或其日志文件，不能用于{use}。请选择其他文件"
        )


def create_private_file(path: Path) -> None:
    """Create an empty file readable only by its owner; SQLite gives -wal/-shm the same mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def make_private(path: Path) -> None:
    """Restrict an existing file to its owner (0600); nothing on Windows."""
    if os.name == "posix":
        os.chmod(path, 0o600)


def append_private_line(path: Path, line: str) -> None:
    """Append one line to a text file only its owner may read (created 0600, folder 0700)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (line.rstrip("\n") + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def private_output(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path``, created 0600, renamed onto ``path`` when the block
    ends without error and removed otherwise: the personal data is never readable by others,
    and a failed write never leaves half a file under the real name."""
    path = Path(path)
    temp = path.with_name(f".{path.name}.part")
    temp.unlink(missing_ok=True)
    try:
        create_private_file(temp)
        yield temp
        make_private(temp)  # a writer that replaced the file may have made it 0644
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
