"""The annual review's storage: campaigns, units' returns and accounts' results.

The only SQL of the review lives here. Every write checks that the campaign
is not published: a published campaign is the record the next year compares
against, and it is read-only.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NotFoundError, PolicyError
from nmdesk.models import Verdict
from nmdesk.review.records import Campaign, ReviewResult, ReviewUnit, SelfCheck, Step
from nmdesk.store.convert import date_or_none, iso_or_none

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore

# Accounts outside the review: already closed, or never approved.
OUT_OF_SCOPE_STATUSES = ("closed", "refused")
RESULT_COLUMNS = (
    "still_operated",
    "last_post_on",
    "posts_in_year",
    "followers",
    "content_reviewer",
    "incident",
    "materials_received",
    "self_checked",
    "flags",
    "verdict",
    "verdict_deadline",
    "verdict_note",
)


def _campaign(row: dict[str, Any]) -> Campaign:
    return Campaign(
        id=row["id"],
        year=row["year"],
        opened_on=dt.date.fromisoformat(row["opened_on"]),
        deadline_on=dt.date.fromisoformat(row["deadline_on"]),
        step=Step(row["step"]),
        published_on=date_or_none(row["published_on"]),
        note=row["note"],
    )


def _bool_or_none(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _result(row: dict[str, Any]) -> ReviewResult:
    return ReviewResult(
        id=row["id"],
        campaign_id=row["campaign_id"],
        account_id=row["account_id"],
        in_opening_scope=bool(row["in_opening_scope"]),
        self_checked=bool(row["self_checked"]),
        check=SelfCheck(
            still_operated=_bool_or_none(row["still_operated"]),
            last_post_on=date_or_none(row["last_post_on"]),
            posts_in_year=row["posts_in_year"],
            followers=row["followers"],
            content_reviewer=row["content_reviewer"],
            incident=row["incident"],
        ),
        materials_received=bool(row["materials_received"]),
        flags=row["flags"],
        verdict=Verdict(row["verdict"]) if row["verdict"] else None,
        verdict_deadline=date_or_none(row["verdict_deadline"]),
        verdict_note=row["verdict_note"],
    )


def _stored(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Verdict):
        return value.value
    return value


# The account's place, 1 first, among its unit's live accounts on the same platform,
# by the unit's 账号优先顺序表; the latest application's rank where the unit keeps none.
PLATFORM_PLACE = (
    "COALESCE((SELECT 1 + (SELECT count(*) FROM account_priorities p2 "
    "JOIN accounts a2 ON a2.id = p2.account_id AND a2.unit_id = p2.unit_id "
    "WHERE p2.unit_id = a.unit_id AND a2.platform = a.platform AND p2.rank < p.rank "
    "AND a2.status NOT IN ('closed', 'refused')) "
    "FROM account_priorities p WHERE p.account_id = a.id AND p.unit_id = a.unit_id), "
    "(SELECT ap.priority_rank FROM applications ap WHERE ap.account_id = a.id "
    "ORDER BY ap.id DESC LIMIT 1))"
)


class ReviewStore:
    def __init__(self, register: StoreCore) -> None:
        self.r = register
        # {table: {column: the Python type stored as bound}} ({} when it has triggers)

    # -- campaigns -------------------------------------------------------------------

    def campaign(self, year: int) -> Campaign | None:
        rows = self.r.query("SELECT * FROM review_campaigns WHERE year = ?", [year])
        return _campaign(rows[0]) if rows else None

    def get(self, campaign_id: int) -> Campaign:
        rows = self.r.query("SELECT * FROM review_campaigns WHERE id = ?", [campaign_id])
        if not rows:
            raise NotFoundError(f"年审 #{campaign_id} 不存在")
        return _campaign(rows[0])

    def campaigns(self) -> list[Campaign]:
        return [
            _campaign(row) for row in self.r.query("SELECT * FROM review_campaigns ORDER BY year")
        ]

    def previous_published(self, year: int) -> Campaign | None:
        """The latest published campaign before ``year``: what this year compares against."""
        rows = self.r.query(
            "SELECT * FROM review_campaigns WHERE year < ? AND published_on IS NOT NULL "
            "ORDER BY year DESC LIMIT 1",
            [year],
        )
        return _campaign(rows[0]) if rows else None

    def scope_unit_ids(self) -> list[int]:
        return [row[0] for row in self.r.db.execute("SELECT id FROM units ORDER BY id")]

    def scope_account_ids(self) -> list[int]:
        """Every account that is not closed or refused, as the review's scope."""
        marks = ",".join("?" for _ in OUT_OF_SCOPE_STATUSES)
        return [
            row[0]
            for row in self.r.db.execute(
                f"SELECT id FROM accounts WHERE status NOT IN ({marks}) ORDER BY id",
                OUT_OF_SCOPE_STATUSES,
            )
        ]

    def scope_account_count(self) -> int:
        """How many accounts ``scope_account_ids`` would give: all less the closed and
        refused, two counts answered from indexes (reading the ids themselves was slow
        at 100,000 accounts, for a number the review wizard shows)."""
        marks = ",".join("?" for _ in OUT_OF_SCOPE_STATUSES)
        ended = self.r.scalar(
            f"SELECT count(*) FROM accounts WHERE status IN ({marks})", OUT_OF_SCOPE_STATUSES
        )
        return int(self.r.scalar("SELECT count(*) FROM accounts")) - int(ended)

    def create(self, year: int, opened_on: dt.date, deadline_on: dt.date) -> int:
        """Open a campaign and freeze its scope: every unit and every live account."""
        if self.campaign(year) is not None:
            raise PolicyError(f"{year} 年度年审已开启，不能重复开启")
        with self.r.transaction():
            campaign_id = self.r.insert_row(
                "review_campaigns",
                {
                    "year": year,
                    "opened_on": opened_on.isoformat(),
                    "deadline_on": deadline_on.isoformat(),
                    "step": Step.COLLECT.value,
                    "published_on": None,
                    "note": "",
                },
            )
            for unit_id in self.scope_unit_ids():
                self.r.insert_row(
                    "review_units",
                    {
                        "campaign_id": campaign_id,
                        "unit_id": unit_id,
                        "packet_returned_on": None,
                        "zero_report": 0,
                        "note": "",
                    },
                )
            for account_id in self.scope_account_ids():
                self.r.insert_row(
                    "review_results",
                    {"campaign_id": campaign_id, "account_id": account_id, "in_opening_scope": 1},
                )
        return campaign_id

    def record_published(
        self,
        campaign: Campaign,
        returns: dict[int, dt.date | None],
        results: dict[int, dict[str, Any]],
    ) -> int:
        """Record a campaign held and published before (history brought in at once: a
        register built for the benchmarks): its units' returns {unit id: returned on}
        and its results {account id: values of ``RESULT_COLUMNS``}. Returns its id."""
        for values in results.values():
            unknown = set(values) - set(RESULT_COLUMNS)
            if unknown:
                raise ValueError(f"not a review result column: {sorted(unknown)}")
        with self.r.transaction():
            campaign_id = self.r.insert_row(
                "review_campaigns",
                {
                    "year": campaign.year,
                    "opened_on": campaign.opened_on.isoformat(),
                    "deadline_on": campaign.deadline_on.isoformat(),
                    "step": Step.PUBLISHED.value,
                    "published_on": iso_or_none(campaign.published_on),
                    "note": campaign.note,
                },
            )
            self.r.insert_rows(
                "review_units",
                [
                    {
                        "campaign_id": campaign_id,
                        "unit_id": unit_id,
                        "packet_returned_on": iso_or_none(returned_on),
                        "zero_report": 0,
                        "note": "",
                    }
                    for unit_id, returned_on in returns.items()
                ],
            )
            self.r.insert_rows(
                "review_results",
                [
                    {
                        "campaign_id": campaign_id,
                        "account_id": account_id,
                        "in_opening_scope": 1,
                        **{column: _stored(values.get(column)) for column in RESULT_COLUMNS},
                    }
                    for account_id, values in results.items()
                ],
            )
        return campaign_id

    def writable(self, campaign_id: int) -> Campaign:
        """The campaign, if it may still be changed; PolicyError once it is published."""
        campaign = self.get(campaign_id)
        if campaign.is_published:
            raise PolicyError(
                f"{campaign.year} 年度年审已于 {campaign.published_on} 发布，结果只读，不能再修改"
            )
        return campaign

    def set_step(self, campaign_id: int, step: Step) -> None:
        campaign = self.writable(campaign_id)
        if campaign.step is not step:
            self.r.update_row("review_campaigns", campaign_id, {"step": step.value})

    def set_deadline(self, campaign_id: int, deadline_on: dt.date) -> None:
        self.writable(campaign_id)
        self.r.update_row("review_campaigns", campaign_id, {"deadline_on": deadline_on.isoformat()})

    def mark_published(self, campaign_id: int, published_on: dt.date) -> None:
        self.writable(campaign_id)
        self.r.update_row(
            "review_campaigns",
            campaign_id,
            {"published_on": published_on.isoformat(), "step": Step.PUBLISHED.value},
            action="review-published",
        )

    # -- units -----------------------------------------------------------------------

    def units(self, campaign_id: int) -> list[ReviewUnit]:
        """Units of the campaign with the number of their accounts under review."""
        rows = self.r.query(
            "SELECT ru.*, u.name AS unit_name, coalesce(c.n, 0) AS account_count "
            "FROM review_units ru JOIN units u ON u.id = ru.unit_id LEFT JOIN "
            "(SELECT a.unit_id, count(*) AS n FROM review_results rr JOIN accounts a "
            " ON a.id = rr.account_id WHERE rr.campaign_id = ? GROUP BY a.unit_id) c "
            "ON c.unit_id = ru.unit_id WHERE ru.campaign_id = ? ORDER BY ru.unit_id",
            [campaign_id, campaign_id],
        )
        return [
            ReviewUnit(
                id=row["id"],
                campaign_id=row["campaign_id"],
                unit_id=row["unit_id"],
                unit_name=row["unit_name"],
                packet_returned_on=date_or_none(row["packet_returned_on"]),
                zero_report=bool(row["zero_report"]),
                account_count=row["account_count"],
                note=row["note"],
            )
            for row in rows
        ]

    def unit(self, campaign_id: int, unit_id: int) -> ReviewUnit:
        for item in self.units(campaign_id):
            if item.unit_id == unit_id:
                return item
        raise NotFoundError(f"单位 #{unit_id} 不在本次年审范围内")

    def set_unit_return(
        self,
        campaign_id: int,
        unit_id: int,
        returned_on: dt.date | None,
        *,
        zero_report: bool = False,
        note: str | None = None,
    ) -> None:
        self.writable(campaign_id)
        row_id = self.r.scalar(
            "SELECT id FROM review_units WHERE campaign_id = ? AND unit_id = ?",
            [campaign_id, unit_id],
        )
        if row_id is None:
            raise NotFoundError(f"单位 #{unit_id} 不在本次年审范围内")
        changes: dict[str, Any] = {
            "packet_returned_on": iso_or_none(returned_on),
            "zero_report": int(zero_report),
        }
        if note is not None:
            changes["note"] = note
        self.r.update_row("review_units", int(row_id), changes)

    # -- results ---------------------------------------------------------------------

    def results(self, campaign_id: int) -> list[ReviewResult]:
        return [
            _result(row)
            for row in self.r.query(
                "SELECT * FROM review_results WHERE campaign_id = ? ORDER BY account_id",
                [campaign_id],
            )
        ]

    def result(self, campaign_id: int, account_id: int) -> ReviewResult:
        rows = self.r.query(
            "SELECT * FROM review_results WHERE campaign_id = ? AND account_id = ?",
            [campaign_id, account_id],
        )
        if not rows:
            raise NotFoundError(f"账号 #{account_id} 不在本次年审中")
        return _result(rows[0])

    def add_late_accounts(self, campaign_id: int) -> list[int]:
        """Add accounts registered since the campaign opened (新增账号); returns their ids."""
        self.writable(campaign_id)
        marks = ",".join("?" for _ in OUT_OF_SCOPE_STATUSES)
        ids = [
            row[0]
            for row in self.r.db.execute(
                f"SELECT a.id FROM accounts a WHERE a.status NOT IN ({marks}) AND NOT EXISTS "
                "(SELECT 1 FROM review_results rr WHERE rr.campaign_id = ? AND rr.account_id = a.id) "
                "ORDER BY a.id",
                [*OUT_OF_SCOPE_STATUSES, campaign_id],
            )
        ]
        with self.r.transaction():
            for account_id in ids:
                self.r.insert_row(
                    "review_results",
                    {"campaign_id": campaign_id, "account_id": account_id, "in_opening_scope": 0},
                )
        return ids

    def update_result(self, campaign_id: int, account_id: int, changes: dict[str, Any]) -> None:
        """Change an account's review line (self-check, materials, flags or verdict)."""
        unknown = set(changes) - set(RESULT_COLUMNS)
        if unknown:
            raise ValueError(f"not a review result column: {sorted(unknown)}")
        self.writable(campaign_id)
        row_id = self.r.scalar(
            "SELECT id FROM review_results WHERE campaign_id = ? AND account_id = ?",
            [campaign_id, account_id],
        )
        if row_id is None:
            raise NotFoundError(f"账号 #{account_id} 不在本次年审中")
        self.r.update_row(
            "review_results", int(row_id), {key: _stored(value) for key, value in changes.items()}
        )

    def update_results(self, campaign_id: int, changes: dict[int, dict[str, Any]]) -> None:
        """``update_result`` for many accounts at once: {account id: changes}."""
        for values in changes.values():
            unknown = set(values) - set(RESULT_COLUMNS)
            if unknown:
                raise ValueError(f"not a review result column: {sorted(unknown)}")
        self.writable(campaign_id)
        row_ids = {
            row[1]: row[0]
            for row in self.r.db.execute(
                "SELECT id, account_id FROM review_results WHERE campaign_id = ?", [campaign_id]
            )
        }
        missing = set(changes) - set(row_ids)
        if missing:
            raise NotFoundError(f"账号 #{min(missing)} 不在本次年审中")
        self.r.update_rows(
            "review_results",
            {
                row_ids[account_id]: {key: _stored(value) for key, value in values.items()}
                for account_id, values in changes.items()
            },
        )

    def facts(self, campaign_id: int, *, assessing: bool = True) -> list[dict[str, Any]]:
        """Each reviewed account with what assessment and the listing need, in one query.

        Columns: the result's columns prefixed ``r_``, the account's name, purpose,
        platform, level, status, unit, dates, the current holders of each role
        (``roles``, comma-separated role ids) and ``priority_rank``: the account's place
        among its unit's accounts on the same platform by the unit's 账号优先顺序表
        (PKU-CoE clause 7), else the rank its latest application gave.
        Without ``assessing``, ``roles`` and ``priority_rank`` are None (the listing
        and the checks before publishing do not need them, and they cost most).
        """
        extra = (
            f"(SELECT {self.r.sql.group_concat_distinct('ra.role')} FROM role_assignments ra "
            " WHERE ra.account_id = a.id AND ra.end_on IS NULL) AS roles, "
            + PLATFORM_PLACE
            + " AS priority_rank "
            if assessing
            else "NULL AS roles, NULL AS priority_rank "
        )
        return self.r.query(
            "SELECT rr.id AS result_id, rr.account_id, rr.in_opening_scope, rr.self_checked, "
            "rr.still_operated, rr.last_post_on AS r_last_post_on, rr.posts_in_year, rr.followers, "
            "rr.content_reviewer, rr.incident, rr.materials_received, rr.flags, rr.verdict, "
            "rr.verdict_deadline, rr.verdict_note, a.serial_no, a.name, a.purpose, a.platform, "
            "a.platform_id, a.level, a.status, a.unit_id, u.name AS unit_name, "
            "a.password_rotated_on, a.last_post_on AS a_last_post_on, "
            + extra
            + "FROM review_results rr JOIN accounts a ON a.id = rr.account_id "
            "JOIN units u ON u.id = a.unit_id WHERE rr.campaign_id = ? "
            "ORDER BY u.id, a.platform, a.id",
            [campaign_id],
        )

    def live_counts_by_unit_platform(self) -> dict[tuple[int, str], int]:
        """Live accounts per (unit, platform), for the total-quantity check."""
        marks = ",".join("?" for _ in OUT_OF_SCOPE_STATUSES)
        return {
            (row[0], row[1]): row[2]
            for row in self.r.db.execute(
                f"SELECT unit_id, platform, count(*) FROM accounts WHERE status NOT IN ({marks}) "
                "GROUP BY unit_id, platform",
                OUT_OF_SCOPE_STATUSES,
            )
        }
