"""Which identity a printed form carries: its filing's, or a draft of its own.

Every form printed for an account carries a serial number (the account's 备案编号),
a version, a check code and a QR code. The check code is that of the form's own
filing (the open one of the form's kinds, else the latest of them); when the
account has no filing of those kinds yet (a 变更备案表 before any change, the 备案表
of a 补登 account whose approval is not recorded), it is a draft identity of the
form (``nmdesk.store.drafts``), made on first print and matched by ``receive``
later. A form is never stamped with another kind's filing.

| form | its filings | draft kind |
|---|---|---|
| 备案表 | 开设备案, 变更备案, 人员变更 | 开设备案 |
| 审批表, 承诺书 | 开设备案 | 开设备案 |
| 变更备案表 | 变更备案, 人员变更 | 变更备案 |
| 注销报备表 | 注销报备 | 注销报备 |
| 整改通知书 | — (one draft per sanction) | — |

A blank form printed without an account cannot carry a check code: its trace
says so (the preview shows it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from nmdesk.errors import NmdeskError
from nmdesk.forms.document import Trace, pick_filing, trace_for
from nmdesk.models import AccountStatus, Filing, FilingKind
from nmdesk.store import DatabaseError

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

FORM_KINDS: dict[str, tuple[FilingKind, ...]] = {
    "filing": (FilingKind.OPENING, FilingKind.CHANGE, FilingKind.PERSONNEL),
    "approval": (FilingKind.OPENING,),
    "pledge": (FilingKind.OPENING,),
    "change": (FilingKind.CHANGE, FilingKind.PERSONNEL),
    "closure": (FilingKind.CLOSURE,),
    "rectification": (),
}
BLANK_NOTE = (
    "空白表没有对应账号，不带校验码：录入账号后打印的表（或为该账号打印的空白表）带校验码和二维码"
)


def draft_note(register: Register, account_id: int, kind: FilingKind | None) -> str:
    """Why a draft identity was printed, and what makes it a filing."""
    if kind is None:
        return "本通知书使用自己的校验码，交回的回执按此登记"
    if kind is FilingKind.OPENING:
        account = register.accounts.get(account_id)
        if account.status is AccountStatus.APPLYING:
            return (
                "该账号尚无开设备案：表上为草稿校验码。请在账号资料中填写审批文号和审批日期，"
                "保存后生成开设备案；交回的签字表仍可按此校验码登记"
            )
        return (
            "该账号为补登账号，尚无开设备案：表上为草稿校验码。交回的签字表按此校验码登记时，"
            "将补建开设备案并归档；如需审批文号和审批日期，请先在账号资料中填写"
        )
    return f"该账号尚无{kind.label}记录：表上为草稿校验码，交回时按此登记并建立{kind.label}"


def own_filing(form: str, filings: Sequence[Filing]) -> Filing | None:
    """The filing ``form`` belongs to, among the account's: the open one of the form's
    kinds, else the latest of them; None when it has none (or the form has no kinds)."""
    kinds = FORM_KINDS.get(form, ())
    return pick_filing([f for f in filings if f.kind in kinds], kinds) if kinds else None


def form_trace(
    register: Register,
    form: str,
    account_id: int,
    filings: Sequence[Filing] | None = None,
) -> Trace:
    """The identity ``form`` prints for the account: its own filing's, else its draft."""
    account = register.accounts.get(account_id)
    kinds = FORM_KINDS.get(form, ())
    if filings is None:
        filings = register.filings.for_account(account_id)
    filing = own_filing(form, filings)
    if filing is not None:
        return trace_for(account.serial_no, filing)
    kind = kinds[0] if kinds else None
    if kind is None:
        sanctions = register.sanctions.for_account(account_id)
        version = max((s.id or 0 for s in sanctions), default=0)
        version_text = f"整改通知（处理记录 #{version}）"
    else:
        version = len(filings) + 1
        version_text = f"第{version}版（{kind.label}，待登记）"
    try:
        draft = register.drafts.for_print(account_id, form, kind, version)
    except (NmdeskError, DatabaseError) as error:  # a register opened read-only, say
        return Trace(account.serial_no, version_text, "", note=f"无法生成校验码：{error}")
    return Trace(
        account.serial_no,
        version_text,
        draft.check_code,
        note=draft_note(register, account_id, kind),
    )
