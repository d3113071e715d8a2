"""The smaller registers: sanctions, the watch list and incidents."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NotFoundError, PolicyError
from nmdesk.models import (
    Incident,
    Sanction,
    SanctionKind,
    WatchEntry,
)
from nmdesk.names import matched_keywords
from nmdesk.store.convert import date_or_none, iso_or_none
from nmdesk.validation import require_text

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore


class SanctionStore:
    """The record of sanctions: 通报批评, 限期整改 and 暂停运行 (each with a deadline),
    责令注销 and 暂停申办资格, each open until resolved.

    What a sanction does to its account is policy, above the store
    (``nmdesk.services.sanctions``).
    """

    def __init__(self, register: StoreCore) -> None:
        self.r = register

    def add(self, sanction: Sanction) -> int:
        """Record a sanction (its reason checked). What it does to its account — a
        rectification, a suspension, an order to close — is policy
        (``nmdesk.services.sanctions.issue``)."""
        _check_reason(sanction.reason)
        return self.r.insert_row("sanctions", _sanction_row(sanction))

    def add_many(self, sanctions: list[Sanction]) -> list[int]:
        """Record many sanctions at once (a review's publication, which moves the
        accounts' statuses itself, in bulk); each reason is checked as ``add`` checks
        it. Returns their ids."""
        for sanction in sanctions:
            _check_reason(sanction.reason)
        return self.r.insert_rows("sanctions", [_sanction_row(s) for s in sanctions])

    def resolve(self, sanction_id: int, resolved_on: dt.date, resolution: str) -> Sanction:
        """Record that a sanction is closed; returns it as it was. What its account goes
        back to is policy (``nmdesk.services.sanctions.resolve``)."""
        resolution = require_text(resolution, "处理结果", 1000)
        sanction = self.get(sanction_id)
        if sanction.resolved_on is not None:
            raise PolicyError("该处理已办结")
        self.r.update_row(
            "sanctions",
            sanction_id,
            {"resolved_on": resolved_on.isoformat(), "resolution": resolution},
            action="resolved",
        )
        return sanction

    def get(self, sanction_id: int) -> Sanction:
        rows = self.r.query("SELECT * FROM sanctions WHERE id = ?", [sanction_id])
        if not rows:
            raise NotFoundError(f"处理记录 #{sanction_id} 不存在")
        return _sanction(rows[0])

    def open(self) -> list[Sanction]:
        return [
            _sanction(row)
            for row in self.r.query(
                "SELECT * FROM sanctions WHERE resolved_on IS NULL ORDER BY deadline_on IS NULL, "
                "deadline_on, id"
            )
        ]

    def for_account(self, account_id: int) -> list[Sanction]:
        return [
            _sanction(row)
            for row in self.r.query(
                "SELECT * FROM sanctions WHERE account_id = ? ORDER BY issued_on, id", [account_id]
            )
        ]

    def for_unit(self, unit_id: int) -> list[Sanction]:
        return [
            _sanction(row)
            for row in self.r.query(
                "SELECT * FROM sanctions WHERE unit_id = ? ORDER BY issued_on, id", [unit_id]
            )
        ]

    def all(self) -> list[Sanction]:
        return [_sanction(row) for row in self.r.query("SELECT * FROM sanctions ORDER BY id")]


@functools.lru_cache(maxsize=256)
def _check_reason(reason: str) -> None:
    """``require_text`` for a sanction's reason: a review's thousands of sanctions share
    a few reasons."""
    require_text(reason, "处理事由", 1000)


def _sanction_row(sanction: Sanction) -> dict[str, Any]:
    return {
        "unit_id": sanction.unit_id,
        "account_id": sanction.account_id,
        "kind": sanction.kind.value,
        "issued_on": sanction.issued_on.isoformat(),
        "reason": sanction.reason,
        "deadline_on": iso_or_none(sanction.deadline_on),
        "resolved_on": None,
        "resolution": "",
        "campaign_id": sanction.campaign_id,
    }


def _sanction(row: dict[str, Any]) -> Sanction:
    return Sanction(
        id=row["id"],
        unit_id=row["unit_id"],
        kind=SanctionKind(row["kind"]),
        issued_on=dt.date.fromisoformat(row["issued_on"]),
        reason=row["reason"],
        account_id=row["account_id"],
        deadline_on=date_or_none(row["deadline_on"]),
        resolved_on=date_or_none(row["resolved_on"]),
        resolution=row["resolution"],
        campaign_id=row["campaign_id"],
    )


class WatchStore:
    """巡查登记: unregistered accounts found misusing protected names (BIT clause 7)."""

    def __init__(self, register: StoreCore) -> None:
        self.r = register

    def add(self, entry: WatchEntry) -> int:
        name = require_text(entry.name, "账号名称", 100)
        keywords = entry.matched_keywords or "、".join(
            matched_keywords(name, self.r.profile.protected_names)
        )
        return self.r.insert_row(
            "watch_entries",
            {
                "platform": require_text(entry.platform, "平台", 30),
                "name": name,
                "platform_id": entry.platform_id.strip(),
                "holder": entry.holder.strip(),
                "found_on": entry.found_on.isoformat(),
                "matched_keywords": keywords,
                "action_taken": entry.action_taken,
                "follow_up_on": iso_or_none(entry.follow_up_on),
                "resolved_on": iso_or_none(entry.resolved_on),
                "note": entry.note,
            },
        )

    def update(self, entry_id: int, **changes: Any) -> None:
        stored = {k: iso_or_none(v) if isinstance(v, dt.date) else v for k, v in changes.items()}
        self.r.update_row("watch_entries", entry_id, stored)

    def all(self) -> list[WatchEntry]:
        return [
            WatchEntry(
                id=row["id"],
                platform=row["platform"],
                name=row["name"],
                found_on=dt.date.fromisoformat(row["found_on"]),
                platform_id=row["platform_id"],
                holder=row["holder"],
                matched_keywords=row["matched_keywords"],
                action_taken=row["action_taken"],
                follow_up_on=date_or_none(row["follow_up_on"]),
                resolved_on=date_or_none(row["resolved_on"]),
                note=row["note"],
            )
            for row in self.r.query("SELECT * FROM watch_entries ORDER BY found_on DESC, id DESC")
        ]

    def add_incident(self, incident: Incident) -> int:
        """A removed post or report to the office (处置记录, BIT clause 12)."""
        return self.r.insert_row(
            "incidents",
            {
                "account_id": incident.account_id,
                "occurred_on": incident.occurred_on.isoformat(),
                "description": require_text(incident.description, "事件描述", 2000),
                "action_taken": incident.action_taken,
                "reported_on": iso_or_none(incident.reported_on),
            },
        )

    def incidents(self, account_id: int) -> list[Incident]:
        return [
            Incident(
                row["id"],
                row["account_id"],
                dt.date.fromisoformat(row["occurred_on"]),
                row["description"],
                row["action_taken"],
                date_or_none(row["reported_on"]),
            )
            for row in self.r.query(
                "SELECT * FROM incidents WHERE account_id = ? ORDER BY occurred_on, id",
                [account_id],
            )
        ]
