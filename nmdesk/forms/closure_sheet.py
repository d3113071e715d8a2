"""The closure report (注销报备表): the decision to close, the platform's confirmation.

PKU-CoE clause 14: a closed account is closed with the platform within 10
working days and the result reported; BIT clause 16: long-unmaintained accounts
are closed by their unit. The sheet carries the reason, the dates and the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nmdesk.forms.common import (
    GridGroup,
    Sheet,
    account_group,
    account_info,
    chinese_date,
    form_grid,
    form_title,
    opinion_group,
    p,
    page_body_height,
    pick_filing,
    sheet_widths,
    two_values_row,
    wide_row,
)
from nmdesk.forms.identity import form_trace
from nmdesk.models import Filing, FilingKind

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from nmdesk.profiles import Profile
    from nmdesk.store.interfaces import Register


def closure_body(profile: Profile, info: dict[str, str], filing: Filing | None) -> list[Flowable]:
    def day(value: object) -> str:
        return chinese_date(value) if value is not None else ""  # type: ignore[arg-type]

    closed = filing.platform_closed_on if filing else None
    result = ("已在平台完成注销" if closed else "") if filing else ""
    due = ""
    if filing is not None and filing.due_on is not None:
        due = day(filing.due_on) + ("（估算）" if filing.due_is_estimate else "")
    rows = [
        wide_row("注销原因", p(filing.note if filing else ""), min_height=70),
        two_values_row(
            "决定注销日期", p(day(filing.event_on) if filing else ""), "报备期限", p(due)
        ),
        two_values_row("平台注销日期", p(day(closed)), "注销结果", p(result)),
    ]
    groups = [account_group(info), GridGroup("注销情况", rows), opinion_group(profile)]
    return [form_grid(groups, sheet_widths(), page_body_height())]


def closure_sheets(register: Register, account_id: int | None) -> list[Sheet]:
    profile = register.profile
    title = form_title(profile, "closure")
    footnote = profile.filing_sheet_footnote
    if account_id is None:
        info = account_info(None, None)
        return [Sheet(title, lambda: closure_body(profile, info, None), footnote=footnote)]
    info = account_info(register, account_id)
    filings = register.filings.for_account(account_id)
    own = [f for f in filings if f.kind is FilingKind.CLOSURE]
    filing = pick_filing(own, (FilingKind.CLOSURE,))
    trace = form_trace(register, "closure", account_id, filings)
    return [
        Sheet(
            title,
            lambda: closure_body(profile, info, filing),
            trace=trace,
            footnote=footnote,
            account_id=account_id,
        )
    ]
