"""The annual review's records: a campaign, a unit's return and an account's result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from nmdesk.models import Verdict


class Step(StrEnum):
    """Where a campaign stands; the wizard resumes at this step."""

    COLLECT = "collect"
    ASSESS = "assess"
    PUBLISHED = "published"


@dataclass
class Campaign:
    id: int
    year: int
    opened_on: dt.date
    deadline_on: dt.date
    step: Step
    published_on: dt.date | None = None
    note: str = ""

    @property
    def is_published(self) -> bool:
        return self.published_on is not None


@dataclass
class ReviewUnit:
    """One unit's return in a campaign: the packet and its date, or a zero report."""

    id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    packet_returned_on: dt.date | None
    zero_report: bool
    account_count: int = 0
    note: str = ""

    @property
    def responded(self) -> bool:
        return self.packet_returned_on is not None


@dataclass
class SelfCheck:
    """A unit's answers for one account (自查)."""

    still_operated: bool | None = None
    last_post_on: dt.date | None = None
    posts_in_year: int | None = None
    followers: int | None = None
    content_reviewer: str = ""
    incident: str = ""


@dataclass
class ReviewResult:
    """One account's line in a campaign: scope, self-check, materials, flags and verdict."""

    id: int
    campaign_id: int
    account_id: int
    in_opening_scope: bool
    self_checked: bool
    check: SelfCheck
    materials_received: bool
    flags: str
    verdict: Verdict | None
    verdict_deadline: dt.date | None
    verdict_note: str = ""
    extra: dict[str, object] = field(default_factory=dict)
