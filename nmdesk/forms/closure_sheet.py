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
    chinese_date,
    form_grid,
    opinion_group,
    p,
    page_body_height,
    record_sheets,
    sheet_widths,
    two_values_row,
    wide_row,
)
from nmdesk.forms.identity import own_filing
from nmdesk.models import Filing

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
    """The closure report of the account's closure filing; blank without an account."""
    return record_sheets(
        register,
        "closure",
        account_id,
        closure_body,
        lambda _, filings: own_filing("closure", filings),
    )
