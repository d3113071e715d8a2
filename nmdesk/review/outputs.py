"""The listing files and notices of a publish: what to write and where, and writing them.

Publishing writes the listing (xlsx, PDF, HTML) and one rectification notice per
unit concerned, into the publish's staging folder, before the transaction is
committed. They were once written by a helper process alongside the register's
writes; issue 16 removed it: the bench row "发布 10,000 个账号的年度审核" is met
without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nmdesk.review.listing import Listing, ListingRow

# The steps of ``write_work``, as progress reports them.
STEPS = ("公示（Excel）", "公示（PDF）", "公示（网页）", "整改通知")

Job = tuple[int, list["ListingRow"], Path]  # unit id, its rows, the notice's path


@dataclass
class Work:
    """What to write: the listing's xlsx, PDF and HTML, and the notices."""

    listing: Listing
    xlsx: Path
    pdf: Path
    html: Path
    notices: list[Job] = field(default_factory=list)


def notice_jobs(listing: Listing, folder: Path) -> list[Job]:
    """Each unit that gets a notice, with its accounts concerned and the file to write."""
    from nmdesk.review.pdfs import notice_units

    year = listing.campaign.year
    return [
        (unit_id, rows, folder / f"{year}年度整改通知-{unit_id:03d}-{_safe(rows[0].unit_name)}.pdf")
        for unit_id, rows in notice_units(listing).items()
    ]


def _safe(name: str) -> str:
    return "".join(c for c in name if c not in '\\/:*?"<>|').strip() or "单位"


def write_work(work: Work, step: Callable[[int], None] = lambda index: None) -> None:
    """Write the listing files and the notices; ``step(i)`` before each of ``STEPS``
    (it may raise to stop)."""
    from nmdesk.review.listing import write_listing_html, write_listing_xlsx
    from nmdesk.review.pdfs import write_listing_pdf, write_notice_pdf

    step(0)
    write_listing_xlsx(work.listing, work.xlsx)
    step(1)
    write_listing_pdf(work.listing, work.pdf)
    step(2)
    write_listing_html(work.listing, work.html)
    step(3)
    if work.notices:
        work.notices[0][2].parent.mkdir(parents=True, exist_ok=True)
    for unit_id, rows, path in work.notices:
        write_notice_pdf(work.listing, unit_id, rows, path)
