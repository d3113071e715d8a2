"""The approval sheet (审批表) of profiles that approve before filing (PKU-CoE clauses 5–9).

Applying unit, the account (name, platform, type, ID, positioning and purpose),
the first responsible, specific responsible, operators and password custodian
with their contacts, the necessity of an additional account, the operation
plan and the unit's priority ranking, then the unit's opinion, the approving
body's opinion with the party head's and the admin head's signatures, and the
filing office's entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nmdesk.forms.common import (
    STYLE_SMALL,
    GridGroup,
    GridRow,
    Sheet,
    form_grid,
    form_title,
    label,
    p,
    page_body_height,
    person_fields,
    role_people,
    sheet_widths,
    signature_block,
    wide_row,
)
from nmdesk.forms.identity import form_trace
from nmdesk.models import Person

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from nmdesk.profiles import Profile
    from nmdesk.store.interfaces import Register

_PARTS = (26, 78, 58, 68, 78, 76, 98)
RANKING_TITLE = "附件：本单位账号优先顺序表"
RANKING_FOOTNOTE = (
    "注：按本单位全部在用账号排序，1 为最优先（《管理办法》第七条），随审批表一并提交"
)
COMPACT_ROW = 26.0
EXISTING_SHOWN = 6
STYLE_CONTACT = STYLE_SMALL.clone("contact", fontSize=9, leading=12)
ROLE_ORDER = ("first_responsible", "specific_responsible", "operator", "password_custodian")


@dataclass
class ApprovalData:
    unit: str = ""
    unit_kind: str = ""
    level: str = ""
    platform: str = ""
    account_type: str = ""
    name: str = ""
    platform_id: str = ""
    purpose: str = ""
    people: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    existing: str = ""
    justification: str = ""
    operation_plan: str = ""
    priority: str = ""
    decision: str = ""
    # the unit's 账号优先顺序表 (PKU-CoE clause 7), printed as the sheet's attachment:
    # (rank, platform, type, name, status) per live account, and a note above it
    ranking: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    ranking_note: str = ""


def approval_data(register: Register, account_id: int) -> ApprovalData:
    profile = register.profile
    account = register.accounts.get(account_id)
    unit = register.units.get(account.unit_id)
    holders = role_people(register, account_id)
    people: list[tuple[str, dict[str, str]]] = []
    for role in _roles(profile):
        holders_of_role: list[Person | None] = list(holders.get(role, [])) or [None]
        for person in holders_of_role:
            people.append((profile.role_name(role), person_fields(person)))
    others = [a for a in register.accounts.of_unit(account.unit_id) if a.id != account_id]
    existing = "；".join(f"{a.platform}{a.account_type}“{a.name}”" for a in others[:EXISTING_SHOWN])
    if len(others) > EXISTING_SHOWN:
        existing += "等（详见本单位账号优先顺序表）"
    application = register.accounts.application(account_id)
    data = ApprovalData(
        unit=unit.name,
        unit_kind=profile.unit_kind_name(unit.kind),
        level=profile.level(account.level).name,
        platform=account.platform,
        account_type=account.account_type,
        name=account.name,
        platform_id=account.platform_id,
        purpose=account.purpose,
        people=people,
        existing=f"共 {len(others)} 个：{existing}" if others else "无",
    )
    ranks = register.units.priority_ranks(account.unit_id)
    order = register.units.priorities(account.unit_id)
    for place, ranked_id in enumerate(order, start=1):
        ranked = register.accounts.get(ranked_id)
        data.ranking.append(
            (
                str(place) if ranked_id in ranks else "未排序",
                ranked.platform,
                ranked.account_type,
                ranked.name + ("（本申请）" if ranked_id == account_id else ""),
                ranked.status.label,
            )
        )
    if not ranks:
        data.ranking_note = "本单位尚未登记账号优先顺序，以下按开设先后列出。"
    if account_id in ranks:
        data.priority = (
            f"本账号在本单位全部 {len(order)} 个账号中排第 {ranks[account_id]} 位"
            "（详见附件：本单位账号优先顺序表）"
        )
    if application is not None:
        data.justification = application.justification
        data.operation_plan = application.operation_plan
        if not data.priority and application.priority_rank is not None:
            data.priority = (
                f"申请时填报排第 {application.priority_rank} 位"
                "（本单位账号优先顺序表尚未登记此账号，见附件）"
            )
        if application.decided_on is not None or application.approval_ref:
            decided = application.decided_on.isoformat() if application.decided_on else ""
            data.decision = " ".join(
                x for x in (application.decision.label, decided, application.approval_ref) if x
            )
    return data


def _roles(profile: Profile) -> list[str]:
    known = {role.id for role in profile.roles}
    return [role for role in ROLE_ORDER if role in known]


def pair(first: str, first_value: str, second: str, second_value: str) -> GridRow:
    """A row of two labelled values, each value two columns wide."""
    cells = [label(first), p(first_value), "", label(second), p(second_value), ""]
    return GridRow(cells, spans=[(1, 2), (4, 5)])


def approval_body(profile: Profile, data: ApprovalData, *, blank: bool = False) -> list[Flowable]:
    """The bordered grid of the approval sheet, in the paper's sections; ``blank``
    leaves room for handwriting in the free-text rows."""
    widths = sheet_widths(_PARTS)
    body = profile.offices.get("approving_body") or profile.levels[0].approving_body
    office = profile.filing_office
    person_rows = _person_rows(profile, data)
    tall = 90 if blank else 30
    groups = [
        GridGroup(
            "申请单位",
            [
                wide_row("申请单位", p(data.unit)),
                pair("单位类别", data.unit_kind, "账号级别", data.level),
            ],
        ),
        GridGroup(
            "账号信息",
            [
                pair("开设平台", data.platform, "账号类型", data.account_type),
                pair("账号名称", data.name, "账号\u00a0ID\u00a0号", data.platform_id),
                wide_row("账号定位及主要用途", p(data.purpose), min_height=tall),
            ],
        ),
        GridGroup("责任人", person_rows),
        GridGroup(
            "总量控制",
            [
                wide_row("本单位已有账号", p(data.existing)),
                wide_row("新增账号必要性", p(data.justification), min_height=tall),
                wide_row("运营计划", p(data.operation_plan), min_height=tall),
                wide_row("账号优先顺序", p(data.priority)),
            ],
        ),
        GridGroup("审批意见", _opinion_rows(body, office, data.decision)),
    ]
    for group in groups:
        for row in group.rows:
            if row.min_height == GridRow.min_height:
                row.min_height = COMPACT_ROW
    return [form_grid(groups, widths, page_body_height(), padding=3)]


def _person_rows(profile: Profile, data: ApprovalData) -> list[GridRow]:
    """The 责任人 section: a header, then one row per role holder (the profile's roles
    with empty fields when the sheet has no people)."""
    people = data.people or [(profile.role_name(r), person_fields(None)) for r in _roles(profile)]
    person_rows: list[GridRow] = [
        GridRow([label(text) for text in ("角色", "姓名", "职务", "办公电话", "手机", "邮箱")])
    ]
    for role_name, who in people:
        person_rows.append(
            GridRow(
                [
                    label(role_name),
                    p(who["name"]),
                    p(who["title"]),
                    p(who["office_phone"]),
                    p(who["mobile"]),
                    p(who["email"], STYLE_CONTACT),
                ]
            )
        )
    return person_rows


def _opinion_rows(body: str, office: str, decision: str) -> list[GridRow]:
    """The 审批意见 section: the applicant unit's, the approving body's (with its
    decision when there is one) and the filing office's signatures."""
    return [
        wide_row(
            "申请单位意见",
            signature_block(["第一责任人（签字）：|单位盖章："], space_above=12),
            valign="BOTTOM",
        ),
        wide_row(
            f"{body}意见",
            [
                p(f"审议结果：{decision}" if decision else ""),
                *signature_block(["党委负责人（签字）：|行政负责人（签字）："], space_above=12),
            ],
            valign="BOTTOM",
        ),
        wide_row(
            f"{office}备案",
            signature_block(["经办人（签字）："], space_above=14),
            valign="BOTTOM",
        ),
    ]


RANKING_BLANK_ROWS = 10


def ranking_body(data: ApprovalData) -> list[Flowable]:
    """附件：本单位账号优先顺序表 — every live account of the unit, 1 first."""
    widths = sheet_widths(_PARTS)
    head = GridRow(
        [label(text) for text in ("顺序", "开设平台", "账号类型", "账号名称", "", "状态")],
        spans=[(3, 4)],
    )
    rows = [head]
    entries = data.ranking or [("", "", "", "", "")] * RANKING_BLANK_ROWS
    for rank, platform, account_type, name, status in entries:
        rows.append(
            GridRow(
                [p(rank), p(platform), p(account_type), p(name), "", p(status)],
                spans=[(3, 4)],
                min_height=COMPACT_ROW,
            )
        )
    unit_line = wide_row("申请单位", p(data.unit), min_height=COMPACT_ROW)
    groups = [GridGroup("申请单位", [unit_line]), GridGroup("账号优先顺序", rows)]
    flowables: list[Flowable] = []
    if data.ranking_note:
        flowables.append(p(data.ranking_note, STYLE_SMALL))
    flowables.append(form_grid(groups, widths, page_body_height(), padding=3))
    return flowables


def approval_sheets(register: Register, account_id: int | None) -> list[Sheet]:
    profile = register.profile
    title = form_title(profile, "approval")
    if account_id is None:
        blank = ApprovalData()
        return [
            Sheet(
                title,
                lambda: approval_body(profile, blank, blank=True),
                footnote=profile.filing_sheet_footnote,
            ),
            Sheet(RANKING_TITLE, lambda: ranking_body(blank), footnote=RANKING_FOOTNOTE),
        ]
    account = register.accounts.get(account_id)
    data = approval_data(register, account_id)
    trace = form_trace(register, "approval", account.id or account_id)
    return [
        Sheet(
            title,
            lambda: approval_body(profile, data),
            trace=trace,
            footnote=profile.filing_sheet_footnote,
            account_id=account_id,
        ),
        Sheet(
            RANKING_TITLE,
            lambda: ranking_body(data),
            trace=trace,
            footnote=RANKING_FOOTNOTE,
            account_id=account_id,
        ),
    ]
