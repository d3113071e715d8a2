"""``verify`` in one place, for the command line and the window.

What a passing verify proves, and what it cannot, is in docs/data-safety.md
("What verify proves"). In short: SQLite's integrity check; the audit chain;
every audited row against its last audited state (a snapshot, or its row in
the row set of a bulk insert); the chain against every backup, against the
heads recorded in ``anchors.log`` beside the backups, and against any head the
clerk kept elsewhere (``--anchor``); and every attachment present with the
bytes its hash names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nmdesk.store.anchors import ChainHead, backup_findings, chain_head, check_anchor
from nmdesk.store.audit import Finding

if TYPE_CHECKING:
    from nmdesk.store.register import Register


@dataclass(frozen=True)
class VerifyReport:
    """Everything ``verify`` found, and the chain head it saw."""

    integrity: bool
    head: ChainHead
    findings: list[Finding]
    attachments: int
    anchors: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.integrity and not self.findings

    def lines(self) -> list[str]:
        """The report as the CLI prints it and the window shows it."""
        lines = [
            f"数据库完整性：{'正常' if self.integrity else '损坏'}",
            f"审计记录：{self.head.entries} 条",
            self.head.describe(),
            f"附件：{self.attachments} 个已核对",
        ]
        if self.anchors:
            lines.append(f"外部锚点：{len(self.anchors)} 个已核对")
        lines += [f"发现问题：{finding}" for finding in self.findings]
        if self.passed:
            lines.append("校验通过：未发现 nmdesk 之外的改动")
        else:
            lines.append(f"校验未通过：{len(self.findings)} 处问题")
        return lines


def verify_register(register: Register, anchors: Sequence[str] = ()) -> VerifyReport:
    """Run every check on an open register; ``anchors`` are heads kept outside the file."""
    conn = register.db.conn
    integrity = register.integrity_ok()
    findings = register.audit.verify()
    findings += backup_findings(register.path, conn)
    for anchor in anchors:
        missing = check_anchor(conn, anchor)
        if missing is not None:
            findings.append(missing)
    attachment_findings, checked = register.attachments.verify_files()
    findings += attachment_findings
    return VerifyReport(integrity, chain_head(conn), findings, checked, list(anchors))
