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
from typing import TYPE_CHECKING

from nmdesk.store.anchors import chain_head, check_anchor
from nmdesk.store.findings import Finding
from nmdesk.store.verify_report import VerifyReport as VerifyReport  # re-exported

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore


def verify_register(
    register: StoreCore, anchors: Sequence[str] = (), backups: Sequence[Finding] | None = None
) -> VerifyReport:
    """Run every check on an open register; ``anchors`` are heads kept outside the file.
    ``backups``: what the engine found checking the chain against its backups (a file's:
    ``anchors.backup_findings``); None for an engine that has none yet."""
    conn = register.db
    integrity = register.integrity_ok()
    findings = register.audit.verify()
    findings += backups or []
    for anchor in anchors:
        missing = check_anchor(conn, anchor)
        if missing is not None:
            findings.append(missing)
    attachment_findings, checked = register.attachments.verify_files()
    findings += attachment_findings
    return VerifyReport(integrity, chain_head(conn), findings, checked, list(anchors))
