"""What every form module uses: the form names, the profile's rules for forms, people
and account fields as printed, and (re-exported) text, grid and document helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from nmdesk.errors import PolicyError
from nmdesk.forms.document import (
    Cancelled,
    Sheet,
    Trace,
    pick_filing,
    trace_for,
    write_pdf,
)
from nmdesk.forms.grid import (
    GRID_STYLE,
    GridGroup,
    GridRow,
    account_group,
    form_grid,
    opinion_group,
    sheet_widths,
    signature_block,
    two_values_row,
    wide_row,
)
from nmdesk.forms.identity import form_trace
from nmdesk.forms.text import (
    FORM_FONT,
    STYLE_BODY,
    STYLE_RIGHT,
    STYLE_SMALL,
    STYLE_SUBTITLE,
    chinese_date,
    content_width,
    date_line,
    esc,
    gap,
    label,
    p,
    page_body_height,
    register_fonts,
    style,
)
from nmdesk.models import Filing, Person

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from nmdesk.profiles import Profile
    from nmdesk.store.interfaces import Register

FORM_NAMES = {
    "filing": "备案表",
    "approval": "审批表",
    "pledge": "保密及不侵权承诺书",
    "change": "变更备案表",
    "closure": "注销报备表",
    "rectification": "整改通知书",
    "ledger": "账号台账",
}


def person_fields(person: Person | None) -> dict[str, str]:
    """Name, title and contacts as printed; empty strings for a missing person."""
    if person is None:
        return {"name": "", "title": "", "office_phone": "", "mobile": "", "email": ""}
    return {
        "name": person.name,
        "title": person.title,
        "office_phone": person.office_phone,
        "mobile": person.mobile,
        "email": person.email,
    }


def first(people: Sequence[Person] | None) -> Person | None:
    return people[0] if people else None


def role_people(register: Register, account_id: int) -> dict[str, list[Person]]:
    """Current holders of each role of the account, in assignment order."""
    holders: dict[str, list[Person]] = {}
    for assignment in register.accounts.current_roles(account_id):
        holders.setdefault(assignment.role, []).append(register.people.get(assignment.person_id))
    return holders


def require_form(profile: Profile, form: str) -> None:
    """Raise PolicyError when the register's profile does not use this form."""
    if form not in FORM_NAMES:
        raise PolicyError(f"没有名为“{form}”的表单，可选：{'、'.join(FORM_NAMES)}")
    if not profile.uses_form(form):
        used = "、".join(f"{f}（{FORM_NAMES[f]}）" for f in profile.forms)
        raise PolicyError(
            f"策略配置“{profile.name}”不使用{FORM_NAMES[form]}（{form}），可打印的表单：{used}"
        )


def form_title(profile: Profile, form: str) -> str:
    """The sheet title: a profile's ``form_titles`` entry, the profile's filing sheet title
    for its main sheet, else the institution's name and the form's name."""
    titles = profile.raw.get("form_titles")
    if isinstance(titles, dict) and isinstance(titles.get(form), str) and titles[form].strip():
        return str(titles[form])
    main_sheet = next((f for f in profile.forms if f in ("filing", "approval")), None)
    if form == main_sheet:
        return profile.filing_sheet_title
    suffix = {
        "filing": "新媒体公共账号备案表",
        "approval": "开设新媒体公共账号审批表",
        "pledge": "开设使用新媒体账号保密及不侵权承诺书",
        "change": "新媒体公共账号变更备案表",
        "closure": "新媒体公共账号注销报备表",
        "rectification": "新媒体公共账号整改通知书",
        "ledger": "新媒体公共账号台账",
    }[form]
    return f"{profile.institution}{suffix}"


def account_info(register: Register | None, account_id: int | None) -> dict[str, str]:
    """The account's identifying fields as printed (empty strings for a blank form)."""
    keys = ("name", "platform", "account_type", "platform_id", "unit", "opened_on", "serial_no")
    if register is None or account_id is None:
        return dict.fromkeys(keys, "")
    account = register.accounts.get(account_id)
    return {
        "name": account.name,
        "platform": account.platform,
        "account_type": account.account_type,
        "platform_id": account.platform_id,
        "unit": register.units.get(account.unit_id).name,
        "opened_on": account.opened_on.chinese() if account.opened_on else "",
        "serial_no": account.serial_no,
    }


Record = TypeVar("Record")


def record_sheets(
    register: Register,
    form: str,
    account_id: int | None,
    body: Callable[[Profile, dict[str, str], Record | None], list[Flowable]],
    record: Callable[[int, list[Filing]], Record | None],
) -> list[Sheet]:
    """The sheet of a form about one record of an account (a change filing, a closure,
    a sanction) under the rows naming the account: blank without an account; else
    ``body`` of the ``record`` found among the account's filings (or elsewhere), the
    sheet carrying the form's identity (``form_trace``)."""
    profile = register.profile
    title = form_title(profile, form)
    footnote = profile.filing_sheet_footnote
    if account_id is None:
        blank = account_info(None, None)
        return [Sheet(title, lambda: body(profile, blank, None), footnote=footnote)]
    info = account_info(register, account_id)
    filings = register.filings.for_account(account_id)
    found = record(account_id, filings)
    trace = form_trace(register, form, account_id, filings)
    return [
        Sheet(
            title,
            lambda: body(profile, info, found),
            trace=trace,
            footnote=footnote,
            account_id=account_id,
        )
    ]


__all__ = [
    "FORM_FONT",
    "FORM_NAMES",
    "GRID_STYLE",
    "STYLE_BODY",
    "STYLE_RIGHT",
    "STYLE_SMALL",
    "STYLE_SUBTITLE",
    "Cancelled",
    "GridGroup",
    "GridRow",
    "Sheet",
    "Trace",
    "account_group",
    "account_info",
    "chinese_date",
    "content_width",
    "date_line",
    "esc",
    "first",
    "form_grid",
    "form_title",
    "gap",
    "label",
    "opinion_group",
    "p",
    "page_body_height",
    "person_fields",
    "pick_filing",
    "record_sheets",
    "register_fonts",
    "require_form",
    "role_people",
    "sheet_widths",
    "signature_block",
    "style",
    "trace_for",
    "two_values_row",
    "wide_row",
    "write_pdf",
]
