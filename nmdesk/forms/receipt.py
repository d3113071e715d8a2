"""The signed copy's return: match it by its check code, mark it received, keep the scan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.models import Filing

if TYPE_CHECKING:
    from nmdesk.store.register import Register


def receive_copy(
    register: Register, code: str, day: dt.date, scan: str | Path | None = None
) -> Filing:
    """Mark the filing whose check code (or scanned ``serial|code``) is given as received
    on ``day`` and attach the scan, in one transaction; returns the updated filing."""
    with register.transaction():
        filing = register.filings.receive_signed_copy(code, day)
        if scan is not None:
            register.attachments.add(scan, filing_id=filing.id, description="交回的签字表扫描件")
    return filing
