"""The report of a whole ``verify`` run (``nmdesk.store.verification`` makes it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from nmdesk.store.anchors import ChainHead
from nmdesk.store.findings import Finding


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
