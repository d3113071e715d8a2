"""PKU-CoE clause 7: each unit's 账号优先顺序表, kept per unit, printed as an attachment
to the 审批表, and read by the review's quota check."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from nmdesk.dates import PartialDate
from nmdesk.errors import ValidationError
from nmdesk.forms import render_form
from nmdesk.models import Account, AccountStatus, Unit, Verdict
from nmdesk.review import campaign as review
from nmdesk.review.assess import assessment
from nmdesk.store import Register


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def unit_with_accounts(register: Register) -> tuple[int, dict[str, int]]:
    unit_id = register.units.add(Unit(None, "力学与工程科学系", "department"))
    ids = {}
    for index, (platform, name) in enumerate(
        [
            ("微信", "力学系"),
            ("微信", "力学系研究生"),
            ("微博", "力学系微博"),
            ("微信", "力学系校友"),
        ]
    ):
        ids[name] = register.accounts.create(
            Account(
                None,
                platform,
                "订阅号" if platform == "微信" else "",
                name,
                unit_id,
                2,
                platform_id=f"pku_mech_{index}",
                opened_on=PartialDate(2020 + index),
                status=AccountStatus.RUNNING,
            )
        )
    return unit_id, ids


def test_the_ranking_is_kept_per_unit_and_checked(pku_register: Register) -> None:
    unit_id, ids = unit_with_accounts(pku_register)
    # never ranked: every live account, oldest first, and no ranks
    assert pku_register.units.priorities(unit_id) == list(ids.values())
    assert pku_register.units.priority_ranks(unit_id) == {}
    order = [ids["力学系研究生"], ids["力学系微博"], ids["力学系"], ids["力学系校友"]]
    pku_register.units.set_priorities(unit_id, order)
    assert pku_register.units.priorities(unit_id) == order
    assert pku_register.units.priority_ranks(unit_id)[ids["力学系"]] == 3
    # re-ranked: rows updated in place; one left out falls to the end, unranked
    pku_register.units.set_priorities(unit_id, [ids["力学系"], ids["力学系研究生"]])
    assert pku_register.units.priority_ranks(unit_id) == {ids["力学系"]: 1, ids["力学系研究生"]: 2}
    assert pku_register.units.priorities(unit_id)[:2] == [ids["力学系"], ids["力学系研究生"]]
    other = pku_register.units.add(Unit(None, "材料系", "department"))
    with pytest.raises(ValidationError, match="两次"):
        pku_register.units.set_priorities(unit_id, [ids["力学系"], ids["力学系"]])
    with pytest.raises(ValidationError, match="不是“材料系”在用的账号"):
        pku_register.units.set_priorities(other, [ids["力学系"]])
    # every write audited: verify finds nothing outside nmdesk
    assert pku_register.audit.verify() == []


def test_the_review_quota_check_reads_the_unit_ranking(pku_register: Register) -> None:
    unit_id, ids = unit_with_accounts(pku_register)
    pku_register.units.set_priorities(
        unit_id, [ids["力学系微博"], ids["力学系研究生"], ids["力学系"], ids["力学系校友"]]
    )
    opened = review.open_campaign(pku_register, 2026, today=dt.date(2026, 12, 1))
    rows = {r.account_id: r for r in assessment(pku_register, opened, dt.date(2026, 12, 7))}
    # three WeChat accounts against PKU-CoE's quota of one per platform: the unit's
    # second-ranked account is its first on WeChat, the one to keep
    assert rows[ids["力学系研究生"]].priority_rank == 1
    assert rows[ids["力学系"]].priority_rank == 2
    assert rows[ids["力学系校友"]].priority_rank == 3
    quota = {
        account_id: [f.reason for f in row.flags if f.code == "over_quota"]
        for account_id, row in rows.items()
    }
    assert quota[ids["力学系微博"]] == []
    assert "在该平台按本单位优先顺序排第 1 位" in quota[ids["力学系研究生"]][0]
    assert "在该平台按本单位优先顺序排第 3 位" in quota[ids["力学系校友"]][0]
    from nmdesk.review.assess import Flag, suggest_verdict

    over = [Flag("over_quota", "")]
    assert suggest_verdict(over, rows[ids["力学系研究生"]].priority_rank) is Verdict.PASS
    assert suggest_verdict(over, rows[ids["力学系"]].priority_rank) is Verdict.RECTIFY


def test_the_approval_sheet_carries_the_ranking_as_its_attachment(
    pku_register: Register, tmp_path: Path
) -> None:
    unit_id, ids = unit_with_accounts(pku_register)
    out = render_form(pku_register, "approval", ids["力学系校友"], tmp_path / "unranked.pdf")
    text = squash("".join(page.extract_text() for page in PdfReader(out).pages))
    assert "附件：本单位账号优先顺序表" in text
    assert "本单位尚未登记账号优先顺序" in text
    pku_register.units.set_priorities(
        unit_id, [ids["力学系校友"], ids["力学系"], ids["力学系微博"], ids["力学系研究生"]]
    )
    out = render_form(pku_register, "approval", ids["力学系校友"], tmp_path / "approval.pdf")
    pages = [squash(page.extract_text()) for page in PdfReader(out).pages]
    attachments = [t for t in pages if "随审批表一并提交" in t]
    assert len(attachments) == 2  # 一式两份, as the sheet itself
    for page in attachments:
        places = [
            page.index(f"{n}{platform}")
            for n, platform in ((1, "微信"), (2, "微信"), (3, "微博"), (4, "微信"))
        ]
        assert places == sorted(places), page
        assert "力学系校友（本申请）" in page
        assert "力学系研究生" in page and "尚未登记" not in page
    sheets = [t for t in pages if "本账号在本单位全部4个账号中排第1位" in t]
    assert len(sheets) == 2


def test_a_rank_given_on_the_application_never_contradicts_the_unranked_attachment(
    pku_register: Register, tmp_path: Path
) -> None:
    """Seen on the demo: the sheet said 排第 3 位 while its attachment listed every
    account, this one included, as 未排序."""
    from nmdesk.models import Application

    unit_id, _ids = unit_with_accounts(pku_register)
    account = pku_register.accounts.create(
        Account(None, "抖音", "", "力学系抖音", unit_id, 2, platform_id="pku_mech_dy"),
        application=Application(
            None,
            0,
            dt.date(2026, 11, 2),
            justification="服务短视频传播",
            operation_plan="每周两条",
            priority_rank=3,
        ),
    )
    out = render_form(pku_register, "approval", account, tmp_path / "approval.pdf")
    text = squash("".join(page.extract_text() for page in PdfReader(out).pages))
    assert "本单位尚未登记账号优先顺序" in text and "未排序" in text
    assert "本账号在本单位全部账号中排第3位" not in text
    assert "申请时填报排第3位" in text and "优先顺序表尚未登记此账号" in text


def test_the_pku_demo_prints_approval_sheets_whose_rank_agrees_with_the_attachment(
    tmp_path: Path,
) -> None:
    from nmdesk.demo import build_demo_register
    from nmdesk.forms.approval_sheet import approval_data

    path = tmp_path / "pku.nmdesk"
    build_demo_register(path, "pku-coe", accounts=120, seed=7)
    with Register.open(path, auto_backup=False) as register:
        ranked_units = 0
        for unit in register.units.all():
            ranks = register.units.priority_ranks(unit.id)
            ranked_units += bool(ranks)
            order = register.units.priorities(unit.id)
            for place, account_id in enumerate(order):
                data = approval_data(register, account_id)
                shown = data.ranking[place][0]  # the attachment's row for this account
                assert data.ranking[place][3].endswith("（本申请）")
                if account_id in ranks:
                    assert shown == str(ranks[account_id])
                    assert f"排第 {ranks[account_id]} 位" in data.priority
                else:
                    assert shown == "未排序" and "全部账号中排第" not in data.priority
        assert ranked_units > 0
