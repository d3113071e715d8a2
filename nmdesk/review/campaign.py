"""Opening a campaign, collecting the units' returns, and where the campaign stands."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nmdesk.errors import NotFoundError, PolicyError, ValidationError
from nmdesk.review.outcomes import (
    OUTSTANDING,
    Outstanding,
    Submission,
    UnitOutcome,
    outstanding,
    unit_outcomes,
)
from nmdesk.review.records import Campaign, ReviewUnit, SelfCheck, Step

if TYPE_CHECKING:
    from nmdesk.profiles import Profile
    from nmdesk.store.interfaces import Register

# The wizard's first page, shown while no campaign exists for the year.
OPEN_STEP = "open"


def default_deadline(profile: Profile, year: int) -> dt.date:
    """The submission deadline of ``year``'s review, from the profile's review month and day."""
    month = profile.review_month
    day = min(profile.review_deadline_day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def check_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise ValidationError("年审年度", f"{year} 不在 2000–2100 之间")
    return year


def open_campaign(
    register: Register, year: int, *, today: dt.date, deadline: dt.date | None = None
) -> Campaign:
    """Open ``year``'s campaign: every unit and every account not closed, frozen now."""
    check_year(year)
    deadline = deadline or default_deadline(register.profile, year)
    if deadline < today:
        raise ValidationError("提交截止日期", f"{deadline} 早于开启日期 {today}")
    campaign_id = register.reviews.create(year, today, deadline)
    return register.reviews.get(campaign_id)


def get_campaign(register: Register, year: int) -> Campaign:
    campaign = register.reviews.campaign(year)
    if campaign is None:
        raise NotFoundError(f"{year} 年度年审尚未开启")
    return campaign


def resume_step(register: Register, year: int) -> str:
    """Where the wizard continues for ``year``: ``open``, ``collect``, ``assess`` or ``published``."""
    campaign = register.reviews.campaign(year)
    return OPEN_STEP if campaign is None else campaign.step.value


def set_step(register: Register, campaign: Campaign, step: Step) -> None:
    if step is Step.PUBLISHED:
        raise PolicyError("发布须通过“发布公示”完成")
    register.reviews.set_step(campaign.id, step)


def record_unit_return(
    register: Register,
    campaign: Campaign,
    unit_id: int,
    returned_on: dt.date | None,
    *,
    zero_report: bool = False,
) -> None:
    """The unit's packet (or its zero report, 零报告) came back on ``returned_on``; None undoes it."""
    unit = register.reviews.unit(campaign.id, unit_id)
    if zero_report and unit.account_count:
        raise PolicyError(
            f"“{unit.unit_name}”有 {unit.account_count} 个账号参加年审，"
            "不能按零报告登记，请交回自查表"
        )
    if returned_on is not None and returned_on < campaign.opened_on:
        raise ValidationError("交回日期", f"{returned_on} 早于年审开启日期 {campaign.opened_on}")
    register.reviews.set_unit_return(campaign.id, unit_id, returned_on, zero_report=zero_report)


def check_self_check(check: SelfCheck, year: int) -> None:
    """Raise ValidationError naming the answer that is out of range."""
    if check.posts_in_year is not None and not 0 <= check.posts_in_year <= 1_000_000:
        raise ValidationError("本年度发文数", "应为 0 或正整数")
    if check.followers is not None and not 0 <= check.followers <= 10_000_000_000:
        raise ValidationError("粉丝数", "应为 0 或正整数")
    if check.last_post_on is not None and check.last_post_on.year > year + 1:
        raise ValidationError("最近发布日期", f"{check.last_post_on} 晚于年审年度")
    if len(check.content_reviewer) > 100:
        raise ValidationError("内容审核人", "不超过 100 字")
    if len(check.incident) > 2000:
        raise ValidationError("舆情及处置情况", "不超过 2000 字")


def self_check_changes(check: SelfCheck) -> dict[str, object]:
    return {
        "still_operated": check.still_operated,
        "last_post_on": check.last_post_on,
        "posts_in_year": check.posts_in_year,
        "followers": check.followers,
        "content_reviewer": check.content_reviewer.strip(),
        "incident": check.incident.strip(),
        "self_checked": True,
    }


def record_self_check(
    register: Register,
    campaign: Campaign,
    account_id: int,
    check: SelfCheck,
    *,
    materials_received: bool | None = None,
) -> None:
    """Record a unit's self-check answers for one account, and whether materials came."""
    check_self_check(check, campaign.year)
    changes = self_check_changes(check)
    if materials_received is not None:
        changes["materials_received"] = materials_received
    with register.transaction():
        register.reviews.update_result(campaign.id, account_id, changes)
        if check.last_post_on is not None:
            register.accounts.record_last_posts({account_id: check.last_post_on})


def set_materials_received(
    register: Register, campaign: Campaign, account_id: int, received: bool
) -> None:
    register.reviews.update_result(campaign.id, account_id, {"materials_received": received})


@dataclass
class Progress:
    """How far collection has come. ``units`` lists units still owing something first
    (not returned, then partly returned), then the others.

    Each unit's state is its ``UnitOutcome`` (``nmdesk.review.outcomes``): the same
    one the listing, the summary and the publish confirmation show.
    """

    units_total: int
    units_responded: int  # returned in full, or a zero report
    accounts_total: int
    accounts_checked: int
    overdue: bool
    units: list[ReviewUnit]
    outcomes: dict[int, UnitOutcome]
    outstanding: Outstanding

    @property
    def pending(self) -> list[ReviewUnit]:
        """Units that still owe their return or some of their accounts' self-checks."""
        return [u for u in self.units if self.outcomes[u.unit_id].submission in OUTSTANDING]

    @property
    def units_partly(self) -> int:
        return sum(1 for o in self.outcomes.values() if o.submission is Submission.PARTLY)


def progress(register: Register, campaign: Campaign, today: dt.date) -> Progress:
    units = register.reviews.units(campaign.id)
    facts = register.reviews.facts(campaign.id, assessing=False)
    outcomes = unit_outcomes(units, facts)
    order = {
        Submission.NOT_RETURNED: 0,
        Submission.PARTLY: 1,
        Submission.RETURNED: 2,
        Submission.ZERO_REPORT: 2,
        Submission.NOTHING_DUE: 3,
    }
    units.sort(key=lambda u: (order[outcomes[u.unit_id].submission], u.unit_id))
    done = (Submission.RETURNED, Submission.ZERO_REPORT)
    return Progress(
        units_total=len(units),
        units_responded=sum(1 for o in outcomes.values() if o.submission in done),
        accounts_total=len(facts),
        accounts_checked=sum(1 for f in facts if f["self_checked"]),
        overdue=today > campaign.deadline_on,
        units=units,
        outcomes=outcomes,
        outstanding=outstanding(outcomes.values(), campaign.deadline_on, today),
    )


def reminder_rows(register: Register, campaign: Campaign, today: dt.date) -> list[dict[str, str]]:
    """The units still to respond, with their head's contact, for a reminder list (催交名单)."""
    rows: list[dict[str, str]] = []
    late = today > campaign.deadline_on
    for unit in progress(register, campaign, today).pending:
        head = register.units.get(unit.unit_id).head_person_id
        person = register.people.get(head) if head is not None else None
        rows.append(
            {
                "单位": unit.unit_name,
                "账号数": str(unit.account_count),
                "材料类型": "自查表" if unit.account_count else "零报告",
                "状态": f"已逾期 {(today - campaign.deadline_on).days} 天" if late else "未交回",
                "截止日期": campaign.deadline_on.isoformat(),
                "单位负责人": person.name if person else "",
                "办公电话": person.office_phone if person else "",
                "手机": person.mobile if person else "",
                "邮箱": person.email if person else "",
            }
        )
    return rows
