"""Draft identities of printed forms: the check code of a form whose filing does not exist yet.

A 变更备案表 printed before any change was filed, a 备案表 of an account entered
as 补登 (no filing until its approval is recorded), a 整改通知书: each gets a
row here the first time it is printed, with its own check code, and the same row
every time it is printed again, until the signed copy comes back and is received
(``nmdesk.forms.receipt``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from nmdesk.models import FilingKind, FormDraft
from nmdesk.store.convert import date_or_none
from nmdesk.store.filings import new_check_code

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore


class FormDraftStore:
    def __init__(self, register: StoreCore) -> None:
        self.r = register

    def for_print(
        self, account_id: int, form: str, kind: FilingKind | None, version: int
    ) -> FormDraft:
        """The draft identity of this form of the account at this version, made the first
        time it is printed (one audited row), the same row afterwards."""
        found = self._find(account_id, form, version)
        if found is not None:
            return found
        with self.r.transaction():
            code = new_check_code()
            while self._code_taken(code):
                code = new_check_code()
            self.r.insert_row(
                "form_drafts",
                {
                    "account_id": account_id,
                    "form": form,
                    "kind": kind.value if kind else None,
                    "version": version,
                    "check_code": code,
                    "created_at": dt.datetime.now().isoformat(timespec="seconds"),
                    "filing_id": None,
                    "received_on": None,
                },
            )
        found = self._find(account_id, form, version)
        assert found is not None
        return found

    def by_check_code(self, code: str) -> FormDraft | None:
        rows = self.r.query("SELECT * FROM form_drafts WHERE check_code = ?", [code])
        return _draft(rows[0]) if rows else None

    def mark_received(self, draft_id: int, received_on: dt.date, filing_id: int | None) -> None:
        self.r.update_row(
            "form_drafts",
            draft_id,
            {"received_on": received_on.isoformat(), "filing_id": filing_id},
            action="received",
        )

    def _find(self, account_id: int, form: str, version: int) -> FormDraft | None:
        rows = self.r.query(
            "SELECT * FROM form_drafts WHERE account_id = ? AND form = ? AND version = ?",
            [account_id, form, version],
        )
        return _draft(rows[0]) if rows else None

    def _code_taken(self, code: str) -> bool:
        return bool(
            self.r.scalar(
                "SELECT (SELECT count(*) FROM filings WHERE check_code = ?) + "
                "(SELECT count(*) FROM form_drafts WHERE check_code = ?)",
                [code, code],
            )
        )


def _draft(row: dict[str, Any]) -> FormDraft:
    return FormDraft(
        id=row["id"],
        account_id=row["account_id"],
        form=row["form"],
        kind=FilingKind(row["kind"]) if row["kind"] else None,
        version=row["version"],
        check_code=row["check_code"],
        filing_id=row["filing_id"],
        received_on=date_or_none(row["received_on"]),
    )
