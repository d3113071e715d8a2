"""What ``verify`` reports: one finding per thing wrong (audit chain, rows, files)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One thing ``verify`` found wrong, in words a clerk or an inspector can follow."""

    table: str
    row_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.table} #{self.row_id}" if self.row_id is not None else self.table
        return f"{where}：{self.problem}"
