"""Filings with the office: opening, change, personnel change and closure.

A filing records the day the event happened and gets a due date in Chinese
working days from the profile (BIT: changes within 3; PKU-CoE: personnel
changes within 5, closures within 10). It stays open until the signed paper
comes back and the clerk marks it filed. Each filing carries a short check
code printed on its sheet, so that a returned copy can be matched by typing
or scanning it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NotFoundError, PolicyError
from nmdesk.models import FieldChange, Filing, FilingKind, FilingStatus
from nmdesk.store.convert import date_or_none, iso_or_none
from nmdesk.store.core import now_text
from nmdesk.workdays import DueDate

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEADLINE_KEY = {
    FilingKind.CHANGE: "change_filing_working_days",
    FilingKind.PERSONNEL: "personnel_change_working_days",
    FilingKind.CLOSURE: "closure_working_days",
}


def new_check_code() -> str:
    """Six characters without look-alikes (no 0/O, 1/I), easy to type from paper."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def filing_row(filing: Filing, created_at: str) -> dict[str, Any]:
    """A filing as its row in ``filings`` (its field changes are rows of their own)."""
    return {
        "account_id": filing.account_id,
        "kind": filing.kind.value,
        "event_on": filing.event_on.isoformat(),
        "due_on": iso_or_none(filing.due_on),
        "due_is_estimate": int(filing.due_is_estimate),
        "status": filing.status.value,
        "filed_on": iso_or_none(filing.filed_on),
        "version": filing.version,
        "check_code": filing.check_code,
        "platform_closed_on": iso_or_none(filing.platform_closed_on),
        "note": filing.note,
        "created_at": created_at,
    }


def change_row(filing_id: int, change: FieldChange) -> dict[str, Any]:
    """A field change of a filing as its row in ``filing_changes``."""
    return {
        "filing_id": filing_id,
        "field": change.field,
        "before": change.before,
        "after": change.after,
    }


class FilingStore:
    def __init__(self, register: StoreCore) -> None:
        self.r = register

    def due_date(self, kind: FilingKind, event_on: dt.date) -> DueDate | None:
        key = DEADLINE_KEY.get(kind)
        if key is None:
            return None
        return self.r.calendar.add_working_days(event_on, self.r.profile.deadlines[key])

    def create(
        self,
        account_id: int,
        kind: FilingKind,
        event_on: dt.date,
        changes: list[FieldChange],
        *,
        note: str = "",
    ) -> int:
        due = self.due_date(kind, event_on)
        version = 1 + int(
            self.r.scalar("SELECT count(*) FROM filings WHERE account_id = ?", [account_id])
        )
        filing = Filing(
            None,
            account_id,
            kind,
            event_on,
            due_on=due.date if due else None,
            due_is_estimate=due.is_estimate if due else False,
            version=version,
            check_code=new_check_code(),
            note=note,
        )
        with self.r.transaction():
            filing_id = self.r.insert_row("filings", filing_row(filing, now_text()))
            for change in changes:
                self.r.insert_row("filing_changes", change_row(filing_id, change))
        return filing_id

    def record_many(self, filings: list[Filing]) -> list[int]:
        """Record filings as they already stand, with their field changes, in one pass:
        history brought in at once (a register built for the benchmarks). Their due
        dates, statuses and check codes are taken as given; returns their ids."""
        stamp = now_text()
        ids = self.r.insert_rows("filings", [filing_row(filing, stamp) for filing in filings])
        self.r.insert_rows(
            "filing_changes",
            [
                change_row(filing_id, change)
                for filing_id, filing in zip(ids, filings, strict=True)
                for change in filing.changes
            ],
        )
        return ids

    def _open(self, filing_id: int, refused: str = "") -> Filing:
        """The filing, while it is open (waiting for its paper); else refused, the
        refusal ending with ``refused`` (what cannot be done to it)."""
        filing = self.get(filing_id)
        if filing.status is not FilingStatus.OPEN:
            raise PolicyError(f"该备案已是“{filing.status.label}”状态{refused}")
        return filing

    def get(self, filing_id: int) -> Filing:
        rows = self.r.query("SELECT * FROM filings WHERE id = ?", [filing_id])
        if not rows:
            raise NotFoundError(f"备案记录 #{filing_id} 不存在")
        return self._filing(rows[0])

    def by_check_code(self, code: str) -> Filing:
        """The filing a returned paper copy belongs to, by the check code printed on it."""
        text = code.strip().upper()
        if "|" in text:  # a scanned QR code holds "serial|code"
            text = text.rsplit("|", 1)[1]
        rows = self.r.query("SELECT * FROM filings WHERE check_code = ?", [text])
        if not rows:
            raise NotFoundError(f"校验码“{code.strip()}”没有对应的备案记录，请核对纸质表上的校验码")
        return self._filing(rows[0])

    def for_account(self, account_id: int) -> list[Filing]:
        return [
            self._filing(row)
            for row in self.r.query(
                "SELECT * FROM filings WHERE account_id = ? ORDER BY event_on, id", [account_id]
            )
        ]

    def open_filings(self) -> list[Filing]:
        """Every filing still waiting for its signed paper, earliest due first."""
        rows = self.r.query(
            "SELECT * FROM filings WHERE status = 'open' ORDER BY due_on IS NULL, due_on, id"
        )
        # every open filing's changes in one query, not one query per filing
        changes: dict[int, list[FieldChange]] = {row["id"]: [] for row in rows}
        for filing_id, field_name, before, after in self.r.db.execute(
            "SELECT c.filing_id, c.field, c.before, c.after FROM filing_changes c "
            "JOIN filings f ON f.id = c.filing_id WHERE f.status = 'open' ORDER BY c.id"
        ):
            if filing_id in changes:
                changes[filing_id].append(FieldChange(field_name, before, after))
        return [self._filing(row, changes[row["id"]]) for row in rows]

    def _filing(self, row: dict[str, Any], changes: list[FieldChange] | None = None) -> Filing:
        if changes is None:
            changes = [
                FieldChange(c["field"], c["before"], c["after"])
                for c in self.r.query(
                    "SELECT field, before, after FROM filing_changes WHERE filing_id = ? "
                    "ORDER BY id",
                    [row["id"]],
                )
            ]
        return Filing(
            id=row["id"],
            account_id=row["account_id"],
            kind=FilingKind(row["kind"]),
            event_on=dt.date.fromisoformat(row["event_on"]),
            due_on=date_or_none(row["due_on"]),
            due_is_estimate=bool(row["due_is_estimate"]),
            status=FilingStatus(row["status"]),
            filed_on=date_or_none(row["filed_on"]),
            version=row["version"],
            check_code=row["check_code"],
            platform_closed_on=date_or_none(row["platform_closed_on"]),
            note=row["note"],
            changes=changes,
        )

    def record_filed(self, filing_id: int, filed_on: dt.date) -> Filing:
        """Record that the signed paper came back: the filing is archived. Returns it as
        it was; what that does to the account is ``nmdesk.services.filings``."""
        filing = self._open(filing_id)
        self.r.update_row(
            "filings",
            filing_id,
            {"status": FilingStatus.FILED.value, "filed_on": filed_on.isoformat()},
            action="filed",
        )
        return filing

    def refresh_due_dates(self) -> int:
        """Recompute open filings' due dates after the calendar changed; returns how many moved."""
        moved = 0
        with self.r.transaction():
            for filing in self.open_filings():
                due = self.due_date(filing.kind, filing.event_on)
                if due is None or filing.id is None:
                    continue
                if due.date != filing.due_on or due.is_estimate != filing.due_is_estimate:
                    self.r.update_row(
                        "filings",
                        filing.id,
                        {"due_on": due.date.isoformat(), "due_is_estimate": int(due.is_estimate)},
                    )
                    moved += 1
        return moved

    def cancel(self, filing_id: int, reason: str) -> None:
        """Void a filing whose paper was never sent (作废); it stays in the record."""
        filing = self._open(filing_id, "，不能作废")
        self.r.update_row(
            "filings",
            filing_id,
            {
                "status": FilingStatus.CANCELLED.value,
                "note": (filing.note + "；" if filing.note else "") + reason,
            },
            action="cancelled",
        )

    # -- closure (注销) ---------------------------------------------------------------

    def record_platform_closed(self, filing_id: int, platform_closed_on: dt.date) -> Filing:
        """Record the day the platform confirmed a closure filing's account closed;
        returns the filing. Its account's status is ``nmdesk.services.filings``."""
        filing = self.get(filing_id)
        if filing.kind is not FilingKind.CLOSURE:
            raise PolicyError("只有注销报备可以确认注销")
        self.r.update_row(
            "filings",
            filing_id,
            {"platform_closed_on": iso_or_none(platform_closed_on)},
            action="closure-confirmed",
        )
        return filing
