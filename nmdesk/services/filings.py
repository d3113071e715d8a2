"""What a filing's paper does to its account: an opening filing that comes back signed
puts the approved account into operation (已批准 → 运行中); deciding to close an account
makes it 注销中 with a closure filing, and the platform's confirmation makes it 已注销.
The store's ``Filings`` only keeps the record.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from nmdesk.models import AccountStatus, Filing, FilingKind

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


def mark_filed(register: Register, filing_id: int, filed_on: dt.date) -> None:
    """The signed paper came back: the filing is archived. An opening filing puts the
    account into operation (已批准 → 运行中)."""
    with register.transaction():
        filing = register.filings.record_filed(filing_id, filed_on)
        account = register.accounts.get(filing.account_id)
        if filing.kind is FilingKind.OPENING and account.status is AccountStatus.APPROVED:
            register.accounts.transition(filing.account_id, AccountStatus.RUNNING)


def receive_signed_copy(register: Register, code: str, received_on: dt.date) -> Filing:
    """Match a returned copy by its check code and mark its filing as received."""
    filing = register.filings.by_check_code(code)
    assert filing.id is not None
    mark_filed(register, filing.id, received_on)
    return register.filings.get(filing.id)


def start_closure(register: Register, account_id: int, event_on: dt.date, note: str = "") -> int:
    """Decide to close an account: status 注销中 and a closure filing with its deadline."""
    with register.transaction():
        register.accounts.transition(account_id, AccountStatus.CLOSING)
        return register.filings.create(account_id, FilingKind.CLOSURE, event_on, [], note=note)


def confirm_closure(register: Register, filing_id: int, platform_closed_on: dt.date) -> None:
    """The platform confirmed the account is closed: status 已注销. The record stays."""
    with register.transaction():
        filing = register.filings.record_platform_closed(filing_id, platform_closed_on)
        register.accounts.transition(filing.account_id, AccountStatus.CLOSED)
