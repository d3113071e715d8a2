"""Scans of signed copies, stored beside the register and addressed by their SHA-256.

A register ``office.nmdesk`` keeps its files in ``office-attachments/``, each
named by the hash of its content plus the original suffix, so the same scan
stored twice takes the space once and a stored file can be checked against its
hash. The original name is kept only as data: it never becomes a path, so a
name like ``../../etc/passwd`` cannot escape the folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NmdeskError, NotFoundError, ValidationError
from nmdesk.files import refuse_register_file
from nmdesk.models import Attachment
from nmdesk.store.findings import Finding
from nmdesk.store.sqlite_errors import os_reason

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore

ALLOWED_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
MAX_BYTES = 100 * 1024 * 1024
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


def _attachment(row: dict[str, Any]) -> Attachment:
    return Attachment(
        row["id"],
        row["account_id"],
        row["filing_id"],
        row["sha256"],
        row["original_name"],
        row["size"],
        row["added_at"],
        row["description"],
    )


class AttachmentStore:
    def __init__(self, register: StoreCore) -> None:
        self.r = register

    @property
    def folder(self) -> Path:
        return self.r.attachments_dir

    def stored_path(self, attachment: Attachment) -> Path:
        """Where the file lives; always inside the attachments folder."""
        suffix = Path(attachment.original_name).suffix.lower()
        if not _SAFE_SUFFIX.match(suffix):
            suffix = ""
        if not re.fullmatch(r"[0-9a-f]{64}", attachment.sha256):
            raise NmdeskError("附件记录的校验值无效")
        return self.folder / f"{attachment.sha256}{suffix}"

    def add(
        self,
        source: str | Path,
        *,
        account_id: int | None = None,
        filing_id: int | None = None,
        description: str = "",
    ) -> int:
        """Copy a scan (PDF or image) into the register's folder and record it."""
        source = Path(source)
        refuse_register_file(source, "附件")
        suffix = source.suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise ValidationError("附件", f"只能添加 PDF 或图片文件（{source.name} 不是）")
        if not source.is_file():
            raise ValidationError("附件", f"文件 {source} 不存在")
        size = source.stat().st_size
        if size > MAX_BYTES:
            raise ValidationError("附件", f"文件过大（{size // 1048576} MB），上限 100 MB")
        if filing_id is not None and account_id is None:
            account_id = self.r.scalar("SELECT account_id FROM filings WHERE id = ?", [filing_id])
            if account_id is None:
                raise NotFoundError(f"备案记录 #{filing_id} 不存在")
        digest = hashlib.sha256()
        with source.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        original_name = Path(source.name).name
        record = Attachment(None, account_id, filing_id, digest.hexdigest(), original_name, size)
        target = self.stored_path(record)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not target.exists():
            temporary = target.with_suffix(target.suffix + ".part")
            shutil.copyfile(source, temporary)
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        return self.r.insert_row(
            "attachments",
            {
                "account_id": account_id,
                "filing_id": filing_id,
                "sha256": record.sha256,
                "original_name": original_name,
                "size": size,
                "added_at": dt.datetime.now().isoformat(timespec="seconds"),
                "description": description,
            },
        )

    def get(self, attachment_id: int) -> Attachment:
        rows = self.r.query("SELECT * FROM attachments WHERE id = ?", [attachment_id])
        if not rows:
            raise NotFoundError(f"附件 #{attachment_id} 不存在")
        return _attachment(rows[0])

    def for_account(self, account_id: int) -> list[Attachment]:
        return [
            _attachment(row)
            for row in self.r.query(
                "SELECT * FROM attachments WHERE account_id = ? ORDER BY id", [account_id]
            )
        ]

    def for_filing(self, filing_id: int) -> list[Attachment]:
        return [
            _attachment(row)
            for row in self.r.query(
                "SELECT * FROM attachments WHERE filing_id = ? ORDER BY id", [filing_id]
            )
        ]

    def is_intact(self, attachment: Attachment) -> bool:
        """True when the stored file exists and still has the recorded hash."""
        return self.problem(attachment) is None

    def problem(self, attachment: Attachment) -> str | None:
        """Why the stored file is not the one recorded (missing, other bytes), or None."""
        try:
            path = self.stored_path(attachment)
        except NmdeskError as exc:
            return str(exc)
        if not path.is_file():
            return f"附件文件 {path.name} 不存在（被删除或移走）"
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            return f"附件文件 {path.name} 无法读取（{os_reason(exc)}）"
        if digest.hexdigest() != attachment.sha256:
            return f"附件文件 {path.name} 的内容被改动（与记录的校验值不符）"
        return None

    def verify_files(self) -> tuple[list[Finding], int]:
        """Every attachment checked: the findings, and how many were checked."""

        rows = self.r.query("SELECT * FROM attachments ORDER BY id")
        findings = []
        for row in rows:
            attachment = _attachment(row)
            problem = self.problem(attachment)
            if problem is not None:
                findings.append(Finding("attachments", attachment.id, problem))
        return findings, len(rows)
