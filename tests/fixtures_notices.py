"""The notices kept as fixtures (tests/fixtures/notices/), read as a clerk would paste them."""

from __future__ import annotations

from pathlib import Path

NOTICES = Path(__file__).resolve().parent / "fixtures" / "notices"


def notice_text(name: str) -> str:
    """The notice without its fixture header (the lines starting with "#")."""
    lines = (NOTICES / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("#")) + "\n"


MADE_UP_2027 = "2027-made-up"
