"""Publishing an annual review: statuses, sanctions, listing (xlsx, PDF, HTML), notices, summary.

A large register (``nmdesk.demo_large``) gets a campaign opened, self-checks for
most accounts (some units never answer), suggested verdicts taken in bulk, and
is then published. Only ``publish`` is timed: one transaction over every
account plus the files. Prints a Markdown table.

    python -m benchmarks.bench_review            # 10,000 accounts
    python -m benchmarks.bench_review --quick    # 2,000 accounts
    python -m benchmarks review [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
FULL_ACCOUNTS = 10_000
QUICK_ACCOUNTS = 2_000
YEAR = 2026


def _template(accounts: int) -> Path:
    """A cached large register with ``accounts`` accounts (built once, copied per run)."""
    from nmdesk.demo_large import build_large_register

    path = OUT / f"review-{accounts}.nmdesk"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        build_large_register(path, accounts=accounts, people_per_unit=8)
    return path


def _prepare(path: Path, today: dt.date) -> dict[str, Any]:
    """Open the campaign, collect (every 7th unit silent), decide verdicts in bulk."""
    from nmdesk.review import assess, campaign
    from nmdesk.review.records import SelfCheck
    from nmdesk.store import Register

    with Register.open(path, actor="bench") as register:
        camp = campaign.open_campaign(register, YEAR, today=today)
        answer = SelfCheck(True, today - dt.timedelta(days=9), 40, 800, "王伟", "")
        silent = 0
        with register.transaction():
            for unit in register.reviews.units(camp.id):
                if unit.unit_id % 7 == 0:
                    silent += 1
                    continue
                campaign.record_unit_return(
                    register, camp, unit.unit_id, today, zero_report=unit.account_count == 0
                )
            for fact in register.reviews.facts(camp.id):
                if fact["unit_id"] % 7:
                    campaign.record_self_check(
                        register, camp, fact["account_id"], answer, materials_received=True
                    )
        assess.apply_suggestions(
            register, camp, today, rectify_deadline=today + dt.timedelta(days=90)
        )
        return {"accounts": len(register.reviews.results(camp.id)), "silent_units": silent}


def run(quick: bool) -> list[dict[str, Any]]:
    """Publish a campaign of 2,000 (quick) or 10,000 accounts; returns one result row."""
    from nmdesk.review.publish import publish
    from nmdesk.store import Register

    accounts = QUICK_ACCOUNTS if quick else FULL_ACCOUNTS
    template = _template(accounts)
    today = dt.date(YEAR, 12, 1)
    with tempfile.TemporaryDirectory(prefix="nmdesk-bench-review-") as folder:
        work = Path(folder) / "review.nmdesk"
        shutil.copy(template, work)
        started = time.perf_counter()
        prepared = _prepare(work, today)
        prepare_s = time.perf_counter() - started
        out = Path(folder) / "out"
        with Register.open(work, actor="bench") as register:
            started = time.perf_counter()
            result = publish(register, YEAR, out, today=dt.date(YEAR + 1, 1, 5))
            publish_s = time.perf_counter() - started
            findings = len(register.audit.verify())
        pdf_pages = _pages(result.listing_pdf)
        size = sum(p.stat().st_size for p in result.files)
    return [
        {
            "name": "review publish",
            "accounts": prepared["accounts"],
            "silent_units": prepared["silent_units"],
            "verdicts": dict(sorted(result.counts.items())),
            "notices": len(result.notices),
            "listing_pdf_pages": pdf_pages,
            "files_mb": round(size / 1e6, 2),
            "prepare_s": round(prepare_s, 2),
            "publish_s": round(publish_s, 2),
            "accounts_per_s": round(prepared["accounts"] / publish_s),
            "audit_findings": findings,
        }
    ]


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_review", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 accounts instead of 10,000")
    args = parser.parse_args(argv)
    rows = run(args.quick)
    print(
        "| accounts | units silent | notices | listing PDF pages | files MB | "
        "publish s | accounts/s | audit findings |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['accounts']:,} | {row['silent_units']} | {row['notices']} | "
            f"{row['listing_pdf_pages']} | {row['files_mb']} | {row['publish_s']} | "
            f"{row['accounts_per_s']:,} | {row['audit_findings']} |"
        )
        print(f"\nverdicts: {row['verdicts']}; preparing the campaign took {row['prepare_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
