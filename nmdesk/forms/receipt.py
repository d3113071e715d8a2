"""The signed copy's return: match it by its check code, mark it received, keep the scan.

A code names a filing (its check code) or a printed form's draft identity
(``nmdesk.store.drafts``). Receiving a filing's copy marks the filing 已归档. Receiving
a draft's copy files the form's open filing of its kind if there is one now, else
records the filing the signed paper stands for (a 变更备案 on the day it came back,
the 开设备案 of a 补登 account), or, for a 整改通知书's receipt, just notes it
received; a 注销报备表 needs the closure decided first, and an application's
opening filing its approval (the sentence says what to fill in).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.dates import deadline_text
from nmdesk.errors import NotFoundError, PolicyError
from nmdesk.forms.common import FORM_NAMES
from nmdesk.forms.identity import FORM_KINDS
from nmdesk.models import Account, AccountStatus, Filing, FilingKind, FilingStatus, FormDraft
from nmdesk.services.filings import mark_filed

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


def clean_code(code: str) -> str:
    """The check code in what was typed or scanned (a QR code holds ``serial|code``)."""
    text = code.strip().upper()
    return text.rsplit("|", 1)[1].strip() if "|" in text else text


@dataclass(frozen=True)
class CopyMatch:
    """What a check code names: a filing, or a printed form's draft identity."""

    code: str
    account: Account
    filing: Filing | None = None
    draft: FormDraft | None = None

    @property
    def received_on(self) -> dt.date | None:
        if self.filing is not None:
            return self.filing.filed_on if self.filing.status is not FilingStatus.OPEN else None
        assert self.draft is not None
        return self.draft.received_on

    @property
    def already_received(self) -> bool:
        if self.filing is not None:
            return self.filing.status is not FilingStatus.OPEN
        assert self.draft is not None
        return self.draft.received_on is not None

    def describe(self) -> str:
        """The account and what the paper is, in one or two lines of Chinese."""
        account = self.account
        head = f"{account.name}（{account.platform}，备案编号 {account.serial_no or '—'}）"
        if self.filing is not None:
            filing = self.filing
            due = f"，{deadline_text(filing.due_on)}" if filing.due_on else ""
            return (
                f"{head}\n{filing.kind.label} 第{filing.version}版，"
                f"{filing.event_on.isoformat()}{due}，状态：{filing.status.label}"
            )
        assert self.draft is not None
        draft = self.draft
        kind = f"（{draft.kind.label}，待登记）" if draft.kind else ""
        state = f"已于 {draft.received_on} 交回" if draft.received_on else "待交回"
        return f"{head}\n{FORM_NAMES.get(draft.form, draft.form)}{kind}草稿校验码，状态：{state}"


def find_copy(register: Register, code: str) -> CopyMatch:
    """The filing or draft a typed or scanned code belongs to; NotFoundError otherwise."""
    text = clean_code(code)
    if not text:
        raise NotFoundError("请先输入校验码")
    try:
        filing = register.filings.by_check_code(text)
    except NotFoundError:
        draft = register.drafts.by_check_code(text)
        if draft is None:
            raise NotFoundError(
                f"校验码“{code.strip()}”没有对应的备案记录或打印表单，请核对纸质表上的校验码"
            ) from None
        return CopyMatch(text, register.accounts.get(draft.account_id), draft=draft)
    return CopyMatch(text, register.accounts.get(filing.account_id), filing=filing)


@dataclass(frozen=True)
class Received:
    """What receiving a copy did: the filing now 已归档 (None for a notice's receipt)."""

    match: CopyMatch
    filing: Filing | None
    attachment_id: int | None = None


def receive_match(
    register: Register, match: CopyMatch, day: dt.date, scan: str | Path | None = None
) -> Received:
    """Receive the copy ``match`` names on ``day`` and attach ``scan``; the caller's
    transaction (or this one) covers every write."""
    with register.transaction():
        if match.already_received:
            when = f"（{match.received_on} 已交回）" if match.received_on else ""
            raise PolicyError(f"{match.account.name}：该表已登记交回{when}，无需再次登记")
        filing_id = _filing_to_file(register, match, day)
        if filing_id is not None:
            mark_filed(register, filing_id, day)
        if match.draft is not None:
            register.drafts.mark_received(match.draft.id, day, filing_id)
        attachment = None
        if scan is not None:
            attachment = register.attachments.add(
                scan,
                account_id=match.account.id,
                filing_id=filing_id,
                description="交回的签字表扫描件",
            )
        filing = register.filings.get(filing_id) if filing_id is not None else None
    return Received(match, filing, attachment)


def _filing_to_file(register: Register, match: CopyMatch, day: dt.date) -> int | None:
    """The filing a returned copy files: its own, the draft's kind's open one, or a new one."""
    if match.filing is not None:
        return match.filing.id
    draft = match.draft
    assert draft is not None and match.account.id is not None
    if draft.kind is None:
        return None  # a notice's receipt: no filing of its own
    kinds = FORM_KINDS.get(draft.form, (draft.kind,))
    open_ones = [
        f
        for f in register.filings.for_account(draft.account_id)
        if f.kind in kinds and f.status is FilingStatus.OPEN
    ]
    if open_ones:
        return max(open_ones, key=lambda f: (f.version, f.id or 0)).id
    name = match.account.name
    if draft.kind is FilingKind.CLOSURE:
        raise PolicyError(f"“{name}”尚未办理注销：请先登记注销决定（注销中），再登记交回注销报备表")
    if draft.kind is FilingKind.OPENING and match.account.status is AccountStatus.APPLYING:
        raise PolicyError(
            f"“{name}”尚未批准，没有开设备案：请先在账号资料中填写审批文号和审批日期，再登记交回"
        )
    note = (
        f"按交回的签字表登记（{FORM_NAMES.get(draft.form, draft.form)}，校验码 {draft.check_code}）"
    )
    return register.filings.create(draft.account_id, draft.kind, day, [], note=note)


def receive_copy(
    register: Register, code: str, day: dt.date, scan: str | Path | None = None
) -> Received:
    """Mark the copy whose check code (or scanned ``serial|code``) is given as received
    on ``day`` and attach the scan, in one transaction."""
    with register.transaction():
        return receive_match(register, find_copy(register, code), day, scan)
