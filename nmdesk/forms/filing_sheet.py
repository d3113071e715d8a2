"""The filing sheet (备案表), field by field as in the BIT policy's appendix.

Groups in a left column spanning their rows: 公共账号基本信息 (platform, type,
name, ID, purpose, opening date), 开设单位基本信息 (unit, the unit's head and
the maintainer with title, office phone, mobile and e-mail) and 单位意见 (the
head's signature, the unit's stamp and the date). The foot note comes from
the profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nmdesk.forms.common import (
    GridGroup,
    GridRow,
    Sheet,
    Trace,
    first,
    form_grid,
    form_title,
    label,
    p,
    page_body_height,
    person_fields,
    role_people,
    sheet_widths,
    signature_block,
    two_values_row,
    wide_row,
)
from nmdesk.forms.fixed import FixedBody, SlotFactory
from nmdesk.forms.identity import form_trace
from nmdesk.models import FilingKind

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from nmdesk.store.interfaces import Register

FILING_KINDS = (FilingKind.OPENING, FilingKind.CHANGE, FilingKind.PERSONNEL)


@dataclass
class FilingSheetData:
    platform: str = ""
    account_type: str = ""
    name: str = ""
    platform_id: str = ""
    purpose: str = ""
    opened_on: str = ""
    unit: str = ""
    head: dict[str, str] | None = None
    maintainer: dict[str, str] | None = None


def filing_data(register: Register, account_id: int) -> FilingSheetData:
    """The values the sheet prints for an account, from the register."""
    account = register.accounts.get(account_id)
    unit = register.units.get(account.unit_id)
    people = role_people(register, account_id)
    head = first(people.get("first_responsible"))
    if head is None and unit.head_person_id is not None:
        head = register.people.get(unit.head_person_id)
    maintainer = first(
        people.get("ops_contact") or people.get("specific_responsible") or people.get("operator")
    )
    return FilingSheetData(
        platform=account.platform,
        account_type=account.account_type,
        name=account.name,
        platform_id=account.platform_id,
        purpose=account.purpose,
        opened_on=account.opened_on.chinese() if account.opened_on else "",
        unit=unit.name,
        head=person_fields(head),
        maintainer=person_fields(maintainer),
    )


PERSON_KEYS = ("name", "title", "office_phone", "mobile", "email")


def filing_values(data: FilingSheetData) -> dict[str, str]:
    """The sheet's value cells by key (``head.name``, ``purpose`` …), as printed."""
    values = {
        "platform": data.platform,
        "account_type": data.account_type,
        "name": data.name,
        "platform_id": data.platform_id,
        "purpose": data.purpose,
        "opened_on": data.opened_on,
        "unit": data.unit,
    }
    for role, who in (("head", data.head), ("maintainer", data.maintainer)):
        fields = who or person_fields(None)
        for key in PERSON_KEYS:
            values[f"{role}.{key}"] = fields[key]
    return values


def filing_body(data: FilingSheetData, *, blank: bool = False) -> list[Flowable]:
    """The bordered grid of the sheet; ``blank`` leaves room for handwriting."""
    values = filing_values(data)
    return filing_grid(lambda key: p(values[key]), blank=blank)


def filing_grid(value: SlotFactory, *, blank: bool = False) -> list[Flowable]:
    """The grid of the sheet with ``value(key)`` in each value cell (see ``filing_values``):
    the values' paragraphs in the full layout, slots in the fast path's template."""
    groups = [
        GridGroup(
            "公共账号基本信息",
            [
                two_values_row("开设平台", value("platform"), "账号类型", value("account_type")),
                two_values_row(
                    "账号名称", value("name"), "账号\u00a0ID\u00a0号", value("platform_id")
                ),
                wide_row("账号主要用途", value("purpose"), min_height=130 if blank else 80),
                wide_row("开设时间", value("opened_on")),
            ],
        ),
        GridGroup(
            "开设单位基本信息",
            [
                wide_row("账号开设单位", value("unit")),
                *_person_rows(value, "单位负责人", "head"),
                *_person_rows(value, "运维负责人", "maintainer"),
            ],
        ),
        GridGroup(
            "单位意见",
            [
                GridRow(
                    [
                        signature_block(
                            ["负责人（签字）：|单位盖章："], space_above=110, sign_width=150
                        ),
                        "",
                        "",
                        "",
                        "",
                        "",
                    ],
                    spans=[(0, 5)],
                    valign="BOTTOM",
                ),
            ],
        ),
    ]
    return [form_grid(groups, sheet_widths(), page_body_height())]


def _person_rows(value: SlotFactory, role: str, who: str) -> list[GridRow]:
    """A person's two rows of the sheet: name, title and office phone, then mobile and
    e-mail; ``who`` is ``head`` or ``maintainer`` (the keys of ``filing_values``)."""
    return [
        GridRow(
            [
                label(role),
                value(f"{who}.name"),
                label("职务"),
                value(f"{who}.title"),
                label("办公电话"),
                value(f"{who}.office_phone"),
            ]
        ),
        two_values_row("手机", value(f"{who}.mobile"), "邮箱", value(f"{who}.email")),
    ]


def filing_sheets(register: Register, account_id: int | None) -> list[Sheet]:
    """The filing sheet of one account, or a blank one when ``account_id`` is None."""
    profile = register.profile
    title = form_title(profile, "filing")
    if account_id is None:
        data = FilingSheetData()
        return [
            Sheet(
                title, lambda: filing_body(data, blank=True), footnote=profile.filing_sheet_footnote
            )
        ]
    account = register.accounts.get(account_id)
    data = filing_data(register, account_id)
    return [
        filing_sheet(
            title,
            data,
            form_trace(register, "filing", account.id or account_id),
            profile.filing_sheet_footnote,
            account_id=account_id,
        )
    ]


def filing_sheet(
    title: str,
    data: FilingSheetData,
    trace: Trace,
    footnote: str,
    *,
    account_id: int | None = None,
) -> Sheet:
    """A filled filing sheet. Its grid is a fixed frame with value cells, so it prints
    on the fast path when the values fit their cells (``nmdesk.forms.fixed``)."""
    fixed = FixedBody("filing", filing_grid, filing_values(data))
    return Sheet(
        title, fixed.body, trace=trace, footnote=footnote, account_id=account_id, fixed=fixed
    )
