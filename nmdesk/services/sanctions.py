"""What a sanction does to its account (BIT clauses 12–15, PKU-CoE clause 15).

A 限期整改 puts a running account into 整改中 and a 暂停运行 into 暂停 while it is
open; a 责令注销 starts its closure. Resolving one puts the account back into
operation (or into 整改中 while a 限期整改 on it is still open). The store's
``Sanctions`` only keeps the record; ``issue`` and ``resolve`` here apply it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from nmdesk.errors import PolicyError
from nmdesk.lifecycle import can_transition
from nmdesk.models import DEADLINE_KINDS, AccountStatus, Sanction, SanctionKind
from nmdesk.services.filings import start_closure

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


def check_sanction(register: Register, sanction: Sanction) -> None:
    """A rectification or a suspension needs its deadline; a suspension needs an
    account that may be suspended."""
    if sanction.kind in DEADLINE_KINDS and sanction.deadline_on is None:
        raise PolicyError(f"{sanction.kind.label}须填写整改期限")
    if sanction.kind is SanctionKind.SUSPEND_RUN:
        if sanction.account_id is None:
            raise PolicyError("暂停运行须针对具体账号，请先选择账号")
        account = register.accounts.get(sanction.account_id)
        if account.status is not AccountStatus.SUSPENDED and not can_transition(
            account.status, AccountStatus.SUSPENDED
        ):
            raise PolicyError(f"“{account.name}”当前状态为“{account.status.label}”，不能暂停运行")


def issue(register: Register, sanction: Sanction) -> int:
    """Record a sanction and apply it to its account; returns its id."""
    check_sanction(register, sanction)
    with register.transaction():
        sanction_id = register.sanctions.add(sanction)
        if sanction.account_id is not None:
            _apply(register, sanction, sanction.account_id)
    return sanction_id


def _apply(register: Register, sanction: Sanction, account_id: int) -> None:
    status = register.accounts.get(account_id).status
    if sanction.kind is SanctionKind.RECTIFY and status is AccountStatus.RUNNING:
        register.accounts.transition(account_id, AccountStatus.RECTIFYING)
    elif sanction.kind is SanctionKind.SUSPEND_RUN and status is not AccountStatus.SUSPENDED:
        register.accounts.transition(account_id, AccountStatus.SUSPENDED)
    elif sanction.kind is SanctionKind.ORDER_CLOSE and status is not AccountStatus.CLOSING:
        start_closure(register, account_id, sanction.issued_on, note=f"责令注销：{sanction.reason}")


def resolve(register: Register, sanction_id: int, resolved_on: dt.date, resolution: str) -> None:
    """Close a sanction. A finished rectification or a lifted suspension puts the
    account back into operation."""
    with register.transaction():
        sanction = register.sanctions.resolve(sanction_id, resolved_on, resolution)
        if sanction.account_id is not None:
            _lift(register, sanction.kind, sanction.account_id)


def _lift(register: Register, kind: SanctionKind, account_id: int) -> None:
    """The status an account returns to once a sanction on it is resolved."""
    status = register.accounts.get(account_id).status
    still_open = {
        s.kind for s in register.sanctions.for_account(account_id) if s.resolved_on is None
    }
    if kind is SanctionKind.RECTIFY and status is AccountStatus.RECTIFYING:
        register.accounts.transition(account_id, AccountStatus.RUNNING)
    elif (
        kind is SanctionKind.SUSPEND_RUN
        and status is AccountStatus.SUSPENDED
        and SanctionKind.SUSPEND_RUN not in still_open
    ):
        back = (
            AccountStatus.RECTIFYING
            if SanctionKind.RECTIFY in still_open
            else AccountStatus.RUNNING
        )
        register.accounts.transition(account_id, back)
