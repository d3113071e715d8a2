"""Anchors of the audit chain kept outside the register file.

The audit chain (``nmdesk.store.audit``) has no key: someone who edits the file
can recompute every hash after the edit, and the chain alone still checks. What
such a forger cannot recompute is a hash that already left the file. So:

- ``verify`` prints the chain's head (the newest entry's hash and the number of
  entries); a clerk who files that line, or any printed copy of it, can later run
  ``verify --anchor HASH`` (or pass the file) to prove the register still holds
  exactly that history.
- Every backup is an anchor (its newest entry must still be in the register), and
  the head of each backup and of each restore is appended to
  ``office-backups/anchors.log``, beside the register, not inside it.
- A restore legitimately replaces the chain. Backups taken before a restore are
  excused only when ``anchors.log`` records that restore; a ``restored_at`` inside
  the checked file is never believed, because the forger wrote that file.

What no keyless chain can catch: a forger who rewrites the register, deletes every
backup and edits ``anchors.log`` to match. Only an anchor kept elsewhere (a printed
``verify`` line, a copy of a backup on another disk) catches that one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nmdesk.errors import NmdeskError
from nmdesk.store.backup_folder import backups_dir, list_backups
from nmdesk.store.findings import Finding
from nmdesk.store.sqlite_errors import os_reason

ANCHORS_FILE = "anchors.log"
HEAD_LABEL = "审计链头"
_HASH = re.compile(r"\b[0-9a-f]{64}\b")
_LOG_LINE = re.compile(
    r"^(?P<at>\S+)\t(?P<kind>\S+)\t(?P<hash>[0-9a-f]{64}|-)\t(?P<entries>\d+)\t(?P<note>.*)$"
)


@dataclass(frozen=True)
class ChainHead:
    """The newest audit entry at one moment: its hash and how many entries there were."""

    hash: str
    entries: int
    last_id: int

    def describe(self) -> str:
        """The line every printed summary carries, e.g. in ``verify``'s output."""
        return f"{HEAD_LABEL}：{self.hash}（共 {self.entries} 条，最新为第 {self.last_id} 条）"


EMPTY_HEAD = ChainHead("-", 0, 0)


def chain_head(conn: Any) -> ChainHead:
    """The head of the chain in the database behind ``conn`` (a sqlite3 connection or
    either engine's register connection: anything with ``execute``)."""
    row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return EMPTY_HEAD
    count = int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])
    return ChainHead(str(row[1]), count, int(row[0]))


@dataclass(frozen=True)
class AnchorRecord:
    """One line of ``anchors.log``: a backup or a restore and the chain head it carried."""

    at: dt.datetime
    kind: str  # "backup" or "restore"
    hash: str
    entries: int
    note: str


def anchors_path(register_path: Path) -> Path:
    return backups_dir(register_path) / ANCHORS_FILE


def record_anchor(register_path: Path, kind: str, head: ChainHead, note: str) -> None:
    """Append one line to ``anchors.log`` (0600); a failure raises OSError to the caller."""
    from nmdesk.files import append_private_line

    at = dt.datetime.now().isoformat(timespec="seconds")
    note = " ".join(note.split())
    append_private_line(
        anchors_path(register_path), f"{at}\t{kind}\t{head.hash}\t{head.entries}\t{note}"
    )


def file_head(database: Path) -> ChainHead:
    """The chain head of a register or backup file, read through SQLite (read-only)."""
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return chain_head(conn)
    finally:
        conn.close()


def record_file_anchor(register_path: Path, kind: str, database: Path, note: str) -> None:
    """``record_anchor`` with the head of ``database``; a log that cannot be written is
    skipped (the backup or the restore itself must not fail for it)."""
    head = file_head(database)
    with contextlib.suppress(OSError):
        record_anchor(register_path, kind, head, note)


def recorded_anchors(register_path: Path) -> list[AnchorRecord]:
    """The lines of ``anchors.log``, oldest first; unreadable lines are skipped."""
    try:
        text = anchors_path(register_path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    found = []
    for line in text.splitlines():
        match = _LOG_LINE.match(line)
        if not match:
            continue
        try:
            at = dt.datetime.fromisoformat(match["at"])
        except ValueError:
            continue
        found.append(
            AnchorRecord(at, match["kind"], match["hash"], int(match["entries"]), match["note"])
        )
    return found


def anchors_in(text: str) -> list[str]:
    """The chain heads named in a text (a saved ``verify`` output, a listing, a log)."""
    return list(dict.fromkeys(_HASH.findall(text.lower())))


def anchors_from_argument(value: str) -> list[str]:
    """``verify --anchor``: a hash, or a text file holding one or more."""
    value = value.strip()
    if _HASH.fullmatch(value.lower()):
        return [value.lower()]
    path = Path(value)
    from nmdesk.files import refuse_register_file

    refuse_register_file(path, "校验锚点")
    try:
        text = _text_of(path)
    except OSError as exc:
        raise NmdeskError(
            f"--anchor 应为 64 位审计链头哈希，或含有链头的文本文件；无法读取 {value}："
            f"{os_reason(exc)}"
        ) from None
    found = anchors_in(text)
    if not found:
        raise NmdeskError(f"{path.name} 中没有审计链头（64 位十六进制哈希）")
    return found


def _text_of(path: Path) -> str:
    """A text file's text, or a PDF's (a printed listing or summary carries its head
    in the footer of every page)."""
    with path.open("rb") as handle:
        is_pdf = handle.read(5) == b"%PDF-"
    if not is_pdf:
        return path.read_text(encoding="utf-8", errors="replace")
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        raise NmdeskError(f"{path.name} 不是可读的 PDF 文件：{exc}") from None
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def check_anchor(conn: Any, anchor: str) -> Finding | None:
    """None when the register still holds the entry with this hash (and so, when the
    chain checks, exactly the history before it); otherwise what is wrong."""

    row = conn.execute("SELECT id FROM audit_log WHERE hash = ?", [anchor]).fetchone()
    if row is None:
        return Finding(
            "audit_log",
            None,
            f"审计链头 {anchor[:16]}… 不在备案库中：该时刻及之前的审计历史被改写或删除",
        )
    return None


def backup_findings(register_path: Path, conn: sqlite3.Connection) -> list[Finding]:
    """Compare the audit chain with the chains kept in the backups.

    The audit log only grows, so the newest entry of every backup must still be in
    the register with the same hash. A backup taken before a restore that
    ``anchors.log`` records is excused: that restore replaced the chain. The
    register's own ``restored_at`` is not believed (the forger could write it).
    """

    records = recorded_anchors(register_path)
    restores = [index for index, r in enumerate(records) if r.kind == "restore"]
    since = restores[-1] if restores else 0
    last_restore = records[since].at if restores else None
    findings: list[Finding] = []
    checked: set[str] = set()
    for info in list_backups(register_path):
        if info.kind == "pre-restore" or (last_restore and info.taken_at <= last_restore):
            continue
        try:
            head = file_head(info.path)
        except sqlite3.Error:
            continue  # an unreadable backup anchors nothing; check_backup reports it on use
        if head.entries == 0:
            continue
        checked.add(head.hash)
        if check_anchor(conn, head.hash) is not None:
            findings.append(
                Finding(
                    "audit_log",
                    head.last_id,
                    f"与备份 {info.path.name} 不一致：此条及之前的审计记录在备份之后被改写或删除",
                )
            )
    # the heads logged since the last restore (the file is in time order) outlive
    # their backup files
    for record in records[since:]:
        if record.hash in checked or record.hash == "-":
            continue
        if check_anchor(conn, record.hash) is not None:
            findings.append(
                Finding(
                    "audit_log",
                    None,
                    f"与 {ANCHORS_FILE} 中 {record.at:%Y-%m-%d %H:%M:%S} 记录的审计链头不一致："
                    "该时刻及之前的审计记录被改写或删除",
                )
            )
    return findings
