"""The change filing sheet (变更备案表): what changed, before and after, when, by when filed.

BIT clause 9 asks for changes in writing within 3 working days; PKU-CoE clause 9
for personnel changes within 5. The sheet prints the filing's field changes
(including personnel changes) with their values before and after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nmdesk.forms.common import (
    GridGroup,
    GridRow,
    Sheet,
    account_group,
    chinese_date,
    form_grid,
    label,
    opinion_group,
    p,
    page_body_height,
    record_sheets,
    sheet_widths,
    two_values_row,
    wide_row,
)
from nmdesk.forms.identity import own_filing
from nmdesk.models import FieldChange, Filing

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from nmdesk.profiles import Profile
    from nmdesk.store.interfaces import Register

BLANK_ROWS = 5


def change_body(profile: Profile, info: dict[str, str], filing: Filing | None) -> list[Flowable]:
    changes = list(filing.changes) if filing is not None else []
    blank = filing is None
    rows = [
        GridRow(
            [label("变更事项"), label("变更前"), "", label("变更后"), "", ""],
            spans=[(1, 2), (3, 5)],
        )
    ]
    for change in changes or [FieldChange("", "", "")] * BLANK_ROWS:
        rows.append(
            GridRow(
                [p(change.field), p(change.before), "", p(change.after), "", ""],
                spans=[(1, 2), (3, 5)],
                min_height=40 if blank else 30,
            )
        )
    due = ""
    if filing is not None and filing.due_on is not None:
        due = chinese_date(filing.due_on) + ("（估算）" if filing.due_is_estimate else "")
    when = [
        two_values_row(
            "变更日期", p(chinese_date(filing.event_on) if filing else ""), "备案期限", p(due)
        ),
        wide_row("变更说明", p(filing.note if filing else ""), min_height=50),
    ]
    kind = filing.kind.label if filing else "变更备案 / 人员变更"
    groups = [account_group(info), GridGroup(kind, rows + when), opinion_group(profile)]
    return [form_grid(groups, sheet_widths(), page_body_height())]


def change_sheets(register: Register, account_id: int | None) -> list[Sheet]:
    """The change filing sheet of the account's own change filing; blank without an account."""
    return record_sheets(
        register,
        "change",
        account_id,
        change_body,
        lambda _, filings: own_filing("change", filings),
    )
