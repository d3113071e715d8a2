"""The 100,000-account register the table, start-up and UI benchmarks share.

Built once with ``nmdesk.demo_large`` (what ``python -m nmdesk demo --accounts
100000`` runs) into ``benchmarks/out/`` (not committed) and reused afterwards.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
ACCOUNTS = 100_000


def large_register(accounts: int = ACCOUNTS, rebuild: bool = False) -> tuple[Path, float | None]:
    """The register's path and, when it had to be built now, the seconds it took.

    Opened once after building so that migrations and the day's automatic backup
    are not part of any measurement."""
    from nmdesk.demo_large import build_large_register
    from nmdesk.store import Register

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"scale-{accounts}.nmdesk"
    built = None
    if rebuild or not path.exists():
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        start = time.perf_counter()
        build_large_register(path, accounts)
        built = time.perf_counter() - start
    Register.open(path, actor="bench").close()
    return path, built


def row(
    what: str,
    measured: float | None,
    baseline: float | None,
    target: str,
    met: bool | None,
    unit: str,
    **extra: Any,
) -> dict[str, Any]:
    """One result row in the shape every ``bench_*.run`` returns."""
    ratio = None if not baseline or measured is None else measured / baseline
    return {
        "what": what,
        "measured": measured,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "met": met,
        "unit": unit,
        **extra,
    }


def median(values: list[float]) -> float:
    return statistics.median(values)
