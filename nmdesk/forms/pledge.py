"""The confidentiality and non-infringement pledge (保密及不侵权承诺书).

Built from PKU-CoE clauses 11–12: confidentiality and lawful content (clause 11),
password custody (the first clause 11), respect for intellectual property
(clause 12), reporting personnel changes within the profile's working days, and
responsibility under the institution's policy. Signature lines for the unit's
stamp and the persons responsible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.platypus import Paragraph, Spacer

from nmdesk.forms.common import (
    STYLE_BODY,
    STYLE_RIGHT,
    GridGroup,
    GridRow,
    Sheet,
    content_width,
    date_line,
    esc,
    form_grid,
    form_title,
    label,
    p,
    page_body_height,
    role_people,
)
from nmdesk.forms.identity import form_trace

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from nmdesk.profiles import Profile
    from nmdesk.store.interfaces import Register

BLANK = "＿＿＿＿＿＿"
SIGNERS = ("first_responsible", "specific_responsible", "operator", "password_custodian")


def pledge_clauses(profile: Profile, *, unit: str, account: str, custodian: str) -> list[str]:
    """The pledge text; institution, offices, deadlines and policy title from the profile."""
    days = profile.deadlines["personnel_change_working_days"]
    office = profile.filing_office
    return [
        f"本单位（{unit}）申请开设并使用{account}，现就账号的保密和不侵权事项郑重承诺如下：",
        "一、严格遵守国家有关法律、法规和学校有关管理规定，不发布违反法律、法规及各类规范性文件的"
        "信息；严格执行国家保密法规，杜绝发布和推送涉密信息；不利用账号从事危害国家安全、泄露国家"
        "秘密等违法犯罪活动；不制作、复制和传播各种不健康信息；未经许可不从事商业经营活动。",
        f"二、建立健全本单位账号的信息安全制度，账号密码由专人（{custodian}）负责，不定期更新，"
        "严格按照操作规程和权限操作，规范管理，防范风险。",
        "三、使用图片、表格、插图、文字，严格遵守网络知识产权及新闻信息转载保护规定，保护著作权人"
        "合法权益，使用无版权纠纷的相关内容，依法依规转载信息；由此类事项造成纠纷和损失的，由本单位"
        "承担相关法律和经济责任。",
        f"四、账号第一责任人、具体负责人、具体运营人等人员信息发生变动的，在{days}个工作日内向"
        f"{profile.institution}{office}报备。",
        f"五、如违反上述承诺，本单位及有关责任人员愿按照《{profile.policy_title}》及学校有关规定"
        "承担相应责任。",
    ]


def pledge_body(
    profile: Profile, clauses: list[str], signers: list[tuple[str, str]]
) -> list[Flowable]:
    items: list[Flowable] = [Spacer(1, 8)]
    items += [Paragraph(esc(text), STYLE_BODY) for text in clauses]
    items.append(Spacer(1, 14))
    total = content_width()
    parts = (26, 100, 110, 130, 116)
    widths = [total * part / sum(parts) for part in parts]
    rows = [GridRow([label("身份"), label("姓名"), label("签字"), label("日期")])]
    rows += [
        GridRow(
            [label(role), p(name), "", Paragraph(date_line(compact=True), STYLE_RIGHT)],
            min_height=34,
        )
        for role, name in signers
    ]
    rows.append(
        GridRow(
            [label("申请单位（盖章）"), "", "", Paragraph(date_line(compact=True), STYLE_RIGHT)],
            spans=[(1, 2)],
            min_height=70,
        )
    )
    items.append(form_grid([GridGroup("承诺人", rows)], widths, page_body_height() / 2))
    return items


def pledge_sheets(register: Register, account_id: int | None) -> list[Sheet]:
    profile = register.profile
    title = form_title(profile, "pledge")
    known = {role.id for role in profile.roles}
    roles = [r for r in SIGNERS if r in known]
    if account_id is None:
        clauses = pledge_clauses(
            profile, unit=BLANK * 2, account=f"{BLANK}平台账号“{BLANK * 2}”", custodian=BLANK
        )
        signers = [(profile.role_name(r), "") for r in roles]
        return [
            Sheet(
                title,
                lambda: pledge_body(profile, clauses, signers),
                footnote=profile.filing_sheet_footnote,
            )
        ]
    account = register.accounts.get(account_id)
    unit = register.units.get(account.unit_id)
    holders = role_people(register, account_id)
    custodian = "、".join(p.name for p in holders.get("password_custodian", [])) or BLANK
    id_text = f"（账号ID：{account.platform_id}）" if account.platform_id else ""
    clauses = pledge_clauses(
        profile,
        unit=unit.name,
        custodian=custodian,
        account=f"{account.platform}{account.account_type}“{account.name}”{id_text}",
    )
    signers = [
        (profile.role_name(r), person.name) for r in roles for person in (holders.get(r) or [])
    ]
    signers = signers or [(profile.role_name(r), "") for r in roles]
    return [
        Sheet(
            title,
            lambda: pledge_body(profile, clauses, signers),
            trace=form_trace(register, "pledge", account.id or account_id),
            footnote=profile.filing_sheet_footnote,
            account_id=account_id,
        )
    ]
