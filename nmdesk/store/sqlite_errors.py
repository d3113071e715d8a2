"""Every failure of the file or the disk as one Chinese sentence, chosen by code.

SQLite errors are told apart by their result code (``sqlite_errorcode``, the
primary code in its low byte), never by their English text; OS errors by
``errno``. When SQLite cannot open a file it does not say why, so the path is
looked at (``os.stat``/``os.statvfs`` only, which open nothing): a folder where the
file should be, a missing folder, no permission, a read-only file system.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

BUSY_WAIT_S = 5  # SQLite's busy timeout: how long a locked register is waited for

_BY_CODE = {
    sqlite3.SQLITE_FULL: "磁盘已满，修改未保存。请腾出磁盘空间后重试",
    sqlite3.SQLITE_READONLY: "备案库文件或其所在位置只读，不能修改",
    sqlite3.SQLITE_BUSY: (
        f"备案库正被另一个程序占用（已等待 {BUSY_WAIT_S} 秒），修改未保存。"
        "请关闭正在使用该备案库的其他程序（如 SQLite 工具）后重试"
    ),
    sqlite3.SQLITE_LOCKED: (
        f"备案库正被另一个程序占用（已等待 {BUSY_WAIT_S} 秒），修改未保存。"
        "请关闭正在使用该备案库的其他程序后重试"
    ),
    sqlite3.SQLITE_CORRUPT: (
        "备案库文件已损坏。请从备份恢复（文件 → 备份备案库…，或 python -m nmdesk restore）"
    ),
    sqlite3.SQLITE_NOTADB: "该文件不是 nmdesk 备案库（不是 SQLite 数据库文件）",
    sqlite3.SQLITE_IOERR: "读写备案库时磁盘出错，修改未保存。请检查磁盘，必要时从备份恢复",
    sqlite3.SQLITE_PERM: "没有访问备案库文件的权限",
    sqlite3.SQLITE_NOLFS: "备案库文件过大，所在的文件系统不支持",
    sqlite3.SQLITE_PROTOCOL: (
        f"备案库正被另一个程序占用（已等待 {BUSY_WAIT_S} 秒），请关闭其他程序后重试"
    ),
}

_BY_ERRNO = {
    errno.ENOSPC: "磁盘已满",
    errno.EROFS: "所在位置是只读的（只读文件系统或写保护的介质）",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中的某一级不是文件夹",
    errno.ENOENT: "文件或文件夹不存在",
    errno.EEXIST: "已有同名的文件或文件夹",
    errno.EFBIG: "文件过大",
    errno.EIO: "磁盘读写出错",
    errno.ENAMETOOLONG: "文件名过长",
}


if hasattr(errno, "EDQUOT"):  # not on Windows
    _BY_ERRNO[errno.EDQUOT] = "磁盘配额已用完"


def primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def os_reason(error: OSError) -> str:
    """What an OSError means, in a few Chinese words (by errno)."""
    if error.errno in _BY_ERRNO:
        return _BY_ERRNO[error.errno]
    return f"系统错误 {error.errno}" if error.errno else "系统错误"


def is_read_only_filesystem(path: Path) -> bool:
    """True when the folder holding ``path`` is on a file system mounted read-only."""
    folder = path if path.is_dir() else path.parent
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def cannot_open_reason(path: Path) -> str:
    """Why SQLite could not open ``path``, from the path itself."""
    if path.is_dir():
        return f"{path.name} 是一个文件夹，不是备案库文件"
    if not path.parent.is_dir():
        return f"文件夹 {path.parent} 不存在"
    if is_read_only_filesystem(path):
        return "所在位置是只读的（只读文件系统或写保护的介质），无法打开"
    if path.exists() and not os.access(path, os.R_OK):
        return f"没有读取 {path.name} 的权限"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"没有在文件夹 {path.parent} 中写入的权限"
    return "无法打开该文件"


def sqlite_sentence(error: BaseException, path: Path | None = None) -> str | None:
    """A clerk's sentence for an SQLite error caused by the file, the disk or another
    program; None for errors that mean a bug (bad SQL, a missing column)."""
    if not isinstance(error, sqlite3.Error):
        return None
    code = primary_code(error)
    if code == sqlite3.SQLITE_CANTOPEN:
        return cannot_open_reason(path) if path is not None else "无法打开该文件"
    if code == sqlite3.SQLITE_READONLY and path is not None and is_read_only_filesystem(path):
        return "备案库所在位置是只读的（只读文件系统或写保护的介质），不能修改"
    if code is not None:
        return _BY_CODE.get(code)
    return None


def os_sentence(error: OSError, what: str) -> str:
    """``what`` (e.g. "无法写入备份 x") followed by the reason."""
    return f"{what}：{os_reason(error)}"
