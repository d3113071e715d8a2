"""Restoring a register from a checked backup, after saving a safety copy of it.

Above ``nmdesk.store.register``: a restore opens the register it wrote.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from nmdesk.errors import RegisterError
from nmdesk.store import locking
from nmdesk.store.anchors import record_file_anchor
from nmdesk.store.backup import (
    BackupCheck,
    backup_target,
    check_backup,
    copy_file,
    copy_into,
    make_private_dir,
    write_backup,
)
from nmdesk.store.register import Register


@dataclass(frozen=True)
class RestoreResult:
    """A finished restore: what was restored and where the previous register was saved."""

    restored: BackupCheck
    safety_copy: Path | None


def restore(register_path: Path, backup: Path, *, actor: str | None = None) -> RestoreResult:
    """Replace the register with a checked backup, after saving a safety copy of it.

    The register must not be open elsewhere (another instance makes this raise);
    a window that has it open should close it first and open it again afterwards.
    """
    register_path = Path(register_path)
    backup = Path(backup)
    if backup.resolve() == register_path.resolve():
        raise RegisterError("不能用备案库本身作为备份来恢复")
    checked = check_backup(backup)
    lock, holder = locking.acquire(register_path)
    if lock is None:
        assert holder is not None
        raise RegisterError(
            f"{holder.read_only_message(register_path.name)}，无法恢复。请先关闭另一个 nmdesk"
        )
    try:
        safety = _replace_with(register_path, backup, actor)
        with (
            Register.open(register_path, actor=actor, auto_backup=False) as register,
            register.transaction(),
        ):
            register.set_meta("restored_at", dt.datetime.now().isoformat(timespec="seconds"))
            register.set_meta(
                "last_restore",
                f"{dt.datetime.now().isoformat(timespec='seconds')} 从 {backup.name} 恢复"
                + (f"，原库副本 {safety.name}" if safety else ""),
            )
        _record_restore_anchor(register_path, backup)
    finally:
        lock.release()
    return RestoreResult(checked, safety)


def _record_restore_anchor(register_path: Path, backup: Path) -> None:
    """The restore, and the head of the chain it left, into ``anchors.log`` (outside the
    file: ``verify`` excuses older backups only for a restore recorded there)."""
    record_file_anchor(register_path, "restore", register_path, f"从 {backup} 恢复")


def _replace_with(register_path: Path, backup: Path, actor: str | None) -> Path | None:
    now = dt.datetime.now()
    if register_path.exists():
        try:
            current = Register.open(register_path, actor=actor, auto_backup=False)
        except RegisterError:
            current = None
        if current is not None:
            try:
                target = backup_target(register_path, "pre-restore", now)
                safety = write_backup(current.db.conn, target, register_path)
                copy_into(backup, current.db.conn)
            finally:
                current.close()
            return safety
        # the current file cannot be opened (damaged, newer): keep it byte for byte
        safety = backup_target(register_path, "pre-restore", now)
        make_private_dir(safety.parent)
        copy_file(register_path, safety)
        for suffix in ("-wal", "-shm"):
            extra = Path(f"{register_path}{suffix}")
            if extra.exists():
                copy_file(extra, Path(f"{safety}{suffix}"))
    else:
        safety = None
    part = register_path.with_name(register_path.name + ".restoring")
    part.unlink(missing_ok=True)
    copy_file(backup, part)
    for suffix in ("-wal", "-shm"):
        Path(f"{register_path}{suffix}").unlink(missing_ok=True)
    os.replace(part, register_path)
    return safety
