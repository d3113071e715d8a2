"""A register's backup folder: where it is, and the backups in it, newest first.

Below both ``nmdesk.store.backup`` (which writes backups) and
``nmdesk.store.anchors`` (which compares the audit chain with them).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

KIND_NAMES = {
    "daily": "每日自动备份",
    "monthly": "每月自动备份",
    "pre-migration": "升级前备份",
    "manual": "手动备份",
    "pre-restore": "恢复前的安全副本",
}
_NAME = re.compile(
    r"^(?P<stem>.+)\.(?P<kind>daily|monthly|pre-migration|manual|pre-restore)"
    r"\.(?P<stamp>\d{8}-\d{6}(?:-\d+)?)\.nmdesk$"
)


@dataclass(frozen=True)
class BackupInfo:
    """One backup file in a register's backup folder."""

    path: Path
    kind: str
    taken_at: dt.datetime
    size: int

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    def describe(self) -> str:
        return (
            f"{self.taken_at:%Y-%m-%d %H:%M:%S}  {self.kind_name}  "
            f"{self.size / 1048576:.1f} MB  {self.path.name}"
        )


def backups_dir(register_path: Path) -> Path:
    return register_path.with_name(f"{register_path.stem}-backups")


def list_backups(register_path: Path) -> list[BackupInfo]:
    """The backups in the register's folder, newest first."""
    folder = backups_dir(register_path)
    if not folder.is_dir():
        return []
    found: list[tuple[int, BackupInfo]] = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if not match or match["stem"] != register_path.stem:
            continue
        taken = dt.datetime.strptime(match["stamp"][:15], "%Y%m%d-%H%M%S")
        status = path.stat()
        found.append((status.st_mtime_ns, BackupInfo(path, match["kind"], taken, status.st_size)))
    # newest first; copies taken within the same second in the order they were written
    found.sort(key=lambda pair: (pair[1].taken_at, pair[0], pair[1].path.name), reverse=True)
    return [info for _mtime, info in found]
