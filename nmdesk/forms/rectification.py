"""The rectification notice (整改通知书) for a sanction, with a receipt to sign and return.

BIT clause 16 and PKU-CoE clause 15: 通报批评, 限期整改 (with a deadline), 责令注销,
暂停申办资格. The notice names the account, the finding and what is required, is
issued by the supervising office named in the profile, and has a receipt (回执)
where the unit reports what it did, signs and stamps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.platypus import Paragraph, Spacer

from nmdesk.errors import PolicyError
from nmdesk.forms.common import (
    STYLE_BODY,
    STYLE_RIGHT,
    STYLE_SUBTITLE,
    GridGroup,
    Sheet,
    account_group,
    chinese_date,
    date_line,
    esc,
    form_grid,
    gap,
    p,
    record_sheets,
    sheet_widths,
    signature_block,
    two_values_row,
    wide_row,
)
from nmdesk.models import Sanction, SanctionKind

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from nmdesk.profiles import Profile
    from nmdesk.store.interfaces import Register

REQUIREMENT = {
    SanctionKind.CRITICISM: "请你单位高度重视，认真查找原因，切实加强账号管理和内容审核。",
    SanctionKind.RECTIFY: "请你单位于{deadline}前完成整改，并将整改情况书面报{office}。",
    SanctionKind.ORDER_CLOSE: "请你单位立即停止账号运行，按规定向平台申请注销，并将注销结果报{office}。",
    SanctionKind.SUSPEND_RUN: "自即日起暂停该账号运行，请你单位于{deadline}前完成整改，经{office}同意后方可恢复。",
    SanctionKind.SUSPEND_APPLY: "自即日起暂停你单位新媒体账号申办资格，整改完成并经同意后方可恢复。",
}


def notice_text(profile: Profile, info: dict[str, str], sanction: Sanction | None) -> list[str]:
    office = profile.offices.get("supervising_office") or profile.filing_office
    if sanction is None:
        blank = "＿" * 8
        return [
            f"{blank}（单位）：",
            f"经查，你单位开设的{blank}平台账号“{blank}”存在以下问题：{blank * 3}。",
            f"根据《{profile.policy_title}》有关规定，现予以{blank}。请你单位于{blank}前完成"
            f"整改，并将整改情况书面报{office}。",
        ]
    deadline = chinese_date(sanction.deadline_on) if sanction.deadline_on else "规定期限"
    requirement = REQUIREMENT[sanction.kind].format(deadline=deadline, office=office)
    account = (
        f"{info['platform']}{info['account_type']}“{info['name']}”" if info["name"] else "账号"
    )
    return [
        f"{info['unit']}：",
        f"经查，你单位开设的{account}存在以下问题：{sanction.reason}",
        f"根据《{profile.policy_title}》有关规定，现予以{sanction.kind.label}。{requirement}",
    ]


def rectification_body(
    profile: Profile, info: dict[str, str], sanction: Sanction | None
) -> list[Flowable]:
    office = profile.offices.get("supervising_office") or profile.filing_office
    lines = notice_text(profile, info, sanction)
    items: list[Flowable] = [
        Paragraph(esc(lines[0]), STYLE_SUBTITLE.clone("addressee", alignment=0))
    ]
    items += [Paragraph(esc(text), STYLE_BODY) for text in lines[1:]]
    items.append(Spacer(1, 16))
    items.append(Paragraph(esc(f"{profile.institution}{office}") + gap(12), STYLE_RIGHT))
    issued = sanction.issued_on if sanction else None
    items.append(Paragraph(date_line(issued) + gap(12), STYLE_RIGHT))
    items.append(Spacer(1, 14))
    items.append(
        Paragraph(
            "- - - - - - - - - - - - - - - - - - - - 回执 - - - - - - - - - - - - - - - - - - - -",
            STYLE_SUBTITLE,
        )
    )
    deadline = chinese_date(sanction.deadline_on) if sanction and sanction.deadline_on else ""
    kind = sanction.kind.label if sanction else ""
    rows = [
        two_values_row("处理类型", p(kind), "整改期限", p(deadline)),
        wide_row("整改情况", "", min_height=110),
        wide_row(
            "单位意见",
            signature_block(["负责人（签字）：|单位盖章："], space_above=30, sign_width=120),
            valign="BOTTOM",
        ),
    ]
    groups = [account_group(info), GridGroup("整改回执", rows)]
    items.append(form_grid(groups, sheet_widths(), 10_000))
    return items


def pick_sanction(sanctions: list[Sanction]) -> Sanction | None:
    """The open sanction issued last, else the last one."""
    open_ones = [s for s in sanctions if s.resolved_on is None]
    pool = open_ones or sanctions
    return max(pool, key=lambda s: (s.issued_on, s.id or 0)) if pool else None


def rectification_sheets(register: Register, account_id: int | None) -> list[Sheet]:
    """The notice of the account's open sanction issued last (else its last one); blank
    without an account. An account without any sanction has no notice to print."""

    def sanction_of(account_id: int, _filings: object) -> Sanction:
        sanction = pick_sanction(register.sanctions.for_account(account_id))
        if sanction is None:
            raise PolicyError(
                f"账号“{register.accounts.get(account_id).name}”没有处理记录（通报批评、限期整改等），"
                "无法打印整改通知书；请先登记处理记录，或打印空白表"
            )
        return sanction

    return record_sheets(register, "rectification", account_id, rectification_body, sanction_of)
