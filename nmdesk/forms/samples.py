"""Sample forms for the documentation: ``python -m nmdesk.forms.samples docs/forms``.

Builds small demo registers (BIT and PKU-CoE) in a temporary folder, prints each
form for a fitting account and, when poppler's ``pdftoppm`` is installed, turns
the first page of each into a PNG next to the PDF.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from nmdesk.demo import build_demo_register
from nmdesk.forms import render_form
from nmdesk.models import FilingKind
from nmdesk.store import open_register
from nmdesk.store.interfaces import Register


def _account_for(register: Register, form: str) -> int:
    ids = register.accounts.ids()
    for account_id in ids:
        filings = register.filings.for_account(account_id)
        if form == "change" and any(f.kind is FilingKind.CHANGE and f.changes for f in filings):
            return account_id
        if form == "closure" and any(f.kind is FilingKind.CLOSURE for f in filings):
            return account_id
        if form == "rectification" and register.sanctions.for_account(account_id):
            return account_id
        if form in ("filing", "approval", "pledge") and any(
            f.kind is FilingKind.OPENING for f in filings
        ):
            return account_id
    return ids[0]


def write_samples(out_dir: Path) -> list[Path]:
    """Write one PDF (and PNG of its first page) per form; returns the PDF paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        for profile_id in ("bit", "pku-coe"):
            path = Path(tmp) / f"{profile_id}.nmdesk"
            build_demo_register(path, profile_id, accounts=60, seed=11)
            with open_register(path) as register:
                for form in register.profile.forms:
                    target = out_dir / f"{form}.pdf"
                    if target in written:
                        continue
                    account = None if form == "ledger" else _account_for(register, form)
                    written.append(render_form(register, form, account, target))
                if profile_id == "bit":
                    written.append(
                        render_form(
                            register, "filing", None, out_dir / "filing-blank.pdf", blank=True
                        )
                    )
    if shutil.which("pdftoppm"):
        for pdf in written:
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "70",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(pdf.with_suffix("")),
                ],
                check=True,
            )
    return written


if __name__ == "__main__":
    for written_path in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "forms")):
        print(written_path)
