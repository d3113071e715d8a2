"""Backups of a register, taken with SQLite's online backup API.

A register ``office.nmdesk`` keeps its copies in ``office-backups/`` beside it:

- a daily copy when the register is opened, at most once a day; the last
  7 daily and the last 12 monthly copies are kept;
- a copy before every schema migration (kept);
- manual copies (kept) and a safety copy of the current file before a restore.

Each copy is a complete, self-contained register (rollback-journal mode, no
``-wal`` file) written to a ``.part`` file and renamed into place, so a crash
while copying never leaves a half copy under a real name. Files are 0600 and
the folder 0700 on POSIX.

A restore checks the copy first (SQLite's ``integrity_check``, that it is an
nmdesk register, that it is not newer than this nmdesk), takes a safety copy
of the current file, and then copies the backup into the register through the
same backup API, inside SQLite's locking, so a crash during a restore leaves
either the old or the restored register.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from nmdesk.errors import NewerRegisterError, RegisterError
from nmdesk.files import create_private_file, is_companion_file
from nmdesk.store.anchors import record_file_anchor
from nmdesk.store.backup_folder import BackupInfo as BackupInfo  # re-exported
from nmdesk.store.backup_folder import backups_dir as backups_dir
from nmdesk.store.backup_folder import list_backups as list_backups
from nmdesk.store.schema import SCHEMA_VERSION, migrations
from nmdesk.store.sqlite_errors import os_reason, sqlite_sentence

DAILY_KEEP = 7
MONTHLY_KEEP = 12


@dataclass(frozen=True)
class BackupCheck:
    """What ``check_backup`` found in a backup file that passed every check."""

    path: Path
    schema_version: int
    profile_id: str
    accounts: int
    audit_entries: int


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def backup_target(register_path: Path, kind: str, now: dt.datetime) -> Path:
    folder = backups_dir(register_path)
    base = f"{register_path.stem}.{kind}.{_stamp(now)}"
    target = folder / f"{base}.nmdesk"
    counter = 1
    while target.exists():
        target = folder / f"{base}-{counter}.nmdesk"
        counter += 1
    return target


def make_private_dir(folder: Path) -> None:
    """Create a folder only the owner can enter (0700 on POSIX)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_backup(
    source: sqlite3.Connection, target: Path, register_path: Path | None = None
) -> Path:
    """Copy the database behind ``source`` into a new self-contained file at ``target``;
    with ``register_path``, its chain head goes into that register's ``anchors.log``."""
    if source.in_transaction:
        raise RegisterError("有尚未保存完的修改，请稍后再备份")
    if target.exists():
        raise RegisterError(f"文件 {target} 已存在，不会覆盖。请换一个文件名")
    part = target.with_name(target.name + ".part")
    try:
        make_private_dir(target.parent)
        part.unlink(missing_ok=True)
        create_private_file(part)
        dest = sqlite3.connect(str(part))
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
            if dest.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise RegisterError(
                    "备份副本未通过完整性检查，备份未完成：备案库本身可能已损坏。"
                    "请运行“校验备案库”，必要时从较早的备份恢复"
                )
        finally:
            dest.close()
        with open(part, "rb+") as handle:  # the copy, never the register
            os.fsync(handle.fileno())
        os.replace(part, target)
        _fsync_dir(target.parent)
        if register_path is not None:
            _record_backup_anchor(register_path, target)
    except OSError as exc:
        _remove_partial(part)
        raise RegisterError(
            f"无法写入备份 {target}：{_folder_reason(target.parent, exc)}"
        ) from None
    except sqlite3.Error as exc:
        _remove_partial(part)
        reason = sqlite_sentence(exc, part) or "数据库出错"
        raise RegisterError(f"备份失败，未写入 {target.name}：{reason}") from None
    return target


def backup_failure(error: BaseException) -> str:
    """A failed backup in one sentence, whatever raised it."""
    if isinstance(error, OSError):
        return f"备份文件夹不可用（{os_reason(error)}）。备案库照常可用，请检查备份文件夹"
    return str(error)


def _remove_partial(part: Path) -> None:
    """A failed copy leaves nothing behind: not the copy, not SQLite's journal of it."""
    for leftover in (part, *(Path(f"{part}{s}") for s in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(OSError):
            leftover.unlink(missing_ok=True)


def _folder_reason(folder: Path, error: OSError) -> str:
    if folder.exists() and not folder.is_dir():
        return f"{folder.name} 是一个文件，不是文件夹"
    return os_reason(error)


def _record_backup_anchor(register_path: Path, backup: Path) -> None:
    """The backup's chain head into ``anchors.log``; a backup folder that cannot take it
    does not undo the backup (the copy itself is an anchor too)."""
    record_file_anchor(register_path, "backup", backup, str(backup))


def auto_backup(
    register_path: Path, source: sqlite3.Connection, now: dt.datetime | None = None
) -> list[Path]:
    """The once-a-day copy (and the month's copy), then rotation; returns the new files."""
    now = now or dt.datetime.now()
    existing = list_backups(register_path)
    made: list[Path] = []
    if not any(b.kind == "daily" and b.taken_at.date() == now.date() for b in existing):
        daily = write_backup(source, backup_target(register_path, "daily", now), register_path)
        made.append(daily)
        if not any(
            b.kind == "monthly" and (b.taken_at.year, b.taken_at.month) == (now.year, now.month)
            for b in existing
        ):
            made.append(copy_file(daily, backup_target(register_path, "monthly", now)))
    if made:
        rotate(register_path)
    return made


def take_daily_backup(register_path: Path) -> list[Path]:
    """``auto_backup`` through a read-only connection of its own, so that a background
    thread can take the day's copy while the clerk works (a connection belongs to the
    thread that opened it; in WAL mode the copy reads one consistent snapshot)."""
    try:
        source = sqlite3.connect(f"{register_path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        reason = sqlite_sentence(exc, register_path) or "数据库出错"
        raise RegisterError(f"无法读取备案库 {register_path.name}：{reason}") from None
    try:
        return auto_backup(register_path, source)
    finally:
        source.close()


def copy_file(source: Path, target: Path) -> Path:
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    create_private_file(part)
    shutil.copyfile(source, part)
    os.replace(part, target)
    return target


def rotate(register_path: Path) -> list[Path]:
    """Delete daily copies beyond the newest 7 and monthly copies beyond the newest 12."""
    removed = []
    backups = list_backups(register_path)
    for kind, keep in (("daily", DAILY_KEEP), ("monthly", MONTHLY_KEEP)):
        for info in [b for b in backups if b.kind == kind][keep:]:
            with contextlib.suppress(OSError):
                info.path.unlink()
                removed.append(info.path)
    for stray in backups_dir(register_path).glob("*.part"):
        with contextlib.suppress(OSError):
            stray.unlink()
    return removed


def pre_migration_backup(register_path: Path, source: sqlite3.Connection) -> Path:
    """The copy taken before migrations change the schema of an existing register."""
    return write_backup(
        source, backup_target(register_path, "pre-migration", dt.datetime.now()), register_path
    )


def manual_backup(register_path: Path, source: sqlite3.Connection, out: Path | None = None) -> Path:
    """A copy asked for by the clerk: into the backup folder, or to ``out``."""
    if out is None:
        target = backup_target(register_path, "manual", dt.datetime.now())
        return write_backup(source, target, register_path)
    out = Path(out)
    if out.resolve() == register_path.resolve():
        raise RegisterError("备份文件不能与备案库本身同名")
    return write_backup(source, out, register_path)


# -- checking and restoring -------------------------------------------------------------


def check_backup(path: Path) -> BackupCheck:
    """Refuse a file that is not an intact nmdesk register this version can read."""
    path = Path(path)
    if not path.is_file():
        raise RegisterError(f"备份文件 {path} 不存在")
    if is_companion_file(path.name):
        raise RegisterError(f"{path.name} 是备案库的日志文件，不是备份，不能用于恢复")
    # the header is read by SQLite, never by open(): the file may be a register this
    # process holds, and closing a descriptor of it would drop SQLite's locks
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        reason = sqlite_sentence(exc, path) or "数据库出错"
        raise RegisterError(f"无法打开备份文件 {path.name}：{reason}") from None
    try:
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_NOTADB:
                raise RegisterError(
                    f"{path.name} 不是 nmdesk 备案库或其备份（不是 SQLite 数据库文件）"
                ) from None
            raise
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise RegisterError(
                f"备份文件 {path.name} 已损坏（完整性检查：{'；'.join(map(str, result[:3]))}），"
                "不能用于恢复"
            )
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise NewerRegisterError(
                f"备份文件 {path.name} 由更新版本的 nmdesk 创建（数据版本 {version}，"
                f"本程序支持到 {SCHEMA_VERSION}），不能用于恢复"
            )
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if migrations.table in tables:
            applied = (row[0] for row in conn.execute(migrations.applied_sql, [migrations.name]))
            if migrations.not_known(applied):
                raise NewerRegisterError(
                    f"备份文件 {path.name} 由更新版本的 nmdesk 升级过，不能用于恢复"
                )
        if not {"meta", "audit_log", "accounts"} <= tables:
            raise RegisterError(f"{path.name} 不是 nmdesk 备案库的备份")
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if "profile" not in meta:
            raise RegisterError(f"{path.name} 不是 nmdesk 备案库的备份（缺少策略配置）")
        accounts = int(conn.execute("SELECT count(*) FROM accounts").fetchone()[0])
        entries = int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        reason = sqlite_sentence(exc, path) or "数据库出错"
        raise RegisterError(f"备份文件 {path.name} 无法读取：{reason}") from None
    finally:
        conn.close()
    return BackupCheck(path, version, str(meta.get("profile_id", "")), accounts, entries)


def copy_into(backup: Path, target: sqlite3.Connection) -> None:
    """Replace the database behind ``target`` with the backup's content, in one step."""
    source = sqlite3.connect(f"{Path(backup).resolve().as_uri()}?mode=ro", uri=True)
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        reason = sqlite_sentence(exc) or "数据库出错"
        raise RegisterError(f"恢复失败，备案库保持原样：{reason}") from None
    finally:
        source.close()
