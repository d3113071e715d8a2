"""Rows as SQLite stores them, as the audit trail reads them around an update."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class StoredRows:
    """Rows as SQLite stores them (``AuditLog.stored_rows``): the table's columns, each
    row's values as a JSON array by id, and the account each row belongs to."""

    columns: list[str]
    texts: dict[int, str]
    accounts: dict[int, int | None]

    def row(self, row_id: int) -> dict[str, Any]:
        """One row as a dict, as ``StoreCore.row`` reads it."""
        return dict(zip(self.columns, json.loads(self.texts[row_id]), strict=True))
