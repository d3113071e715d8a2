"""Accounts, their applications and (through ``nmdesk.store.roles.RoleRecords``) their
role holders; the account rules are ``nmdesk.store.account_rules``.

Editing a filed account, or changing its people, creates the change filing
the policies require (变更备案 / 人员变更), with before and after values and a
due date in working days from the profile.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import TYPE_CHECKING, Any

from nmdesk.dates import months_before, partial_from_iso
from nmdesk.errors import NotFoundError
from nmdesk.lifecycle import check_transition
from nmdesk.models import (
    Account,
    AccountStatus,
    Application,
    ApplicationDecision,
    FieldChange,
    Unit,
)
from nmdesk.store.account_rules import (
    FIELD_LABELS,
    checked_account_row,
    duplicate_account_error,
    stored_value,
)
from nmdesk.store.convert import date_or_none, iso_or_none
from nmdesk.store.dialect import SQLITE, Dialect
from nmdesk.store.roles import RoleRecords
from nmdesk.store.search import (
    AccountQuery,
    build_account_query,
)
from nmdesk.store.search_index import (
    refresh_search,
    refresh_search_for_person,
    refresh_search_for_unit,
)
from nmdesk.store.units import get_unit
from nmdesk.validation import clean_text, require_text

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore
    from nmdesk.store.interfaces import AccountBatch

# Statuses in which the office holds a filing for the account, so changes must be filed.
FILED_STATUSES = frozenset(
    {
        AccountStatus.RUNNING,
        AccountStatus.RECTIFYING,
        AccountStatus.SUSPENDED,
        AccountStatus.LOST,
    }
)
# Fields the office keeps for itself, not on any filed sheet: editing them is audited
# but files no change (a new last-post date is not a 变更备案).
UNFILED_FIELDS = frozenset({"last_post_on"})


def account_from_row(row: dict[str, Any]) -> Account:
    """An ``accounts`` row as an ``Account``: the one reader, for every repository."""
    return Account(
        id=row["id"],
        platform=row["platform"],
        account_type=row["account_type"],
        name=row["name"],
        unit_id=row["unit_id"],
        level=row["level"],
        platform_id=row["platform_id"],
        purpose=row["purpose"],
        opened_on=partial_from_iso(row["opened_on"]),
        status=AccountStatus(row["status"]),
        serial_no=row["serial_no"],
        verified_subject=row["verified_subject"],
        campus_data_service=bool(row["campus_data_service"]),
        it_approval_ref=row["it_approval_ref"],
        miit_filing_no=row["miit_filing_no"],
        password_rotated_on=date_or_none(row["password_rotated_on"]),
        last_post_on=date_or_none(row["last_post_on"]),
        note=row["note"],
    )


@functools.cache
def display_rows_sql(sql: Dialect) -> str:
    """The register table's display rows (``AccountStore.rows``) of the ids whose marks
    fill ``%s``, in the engine's SQL (its string aggregation and index hint), made once
    per dialect."""
    return (
        "SELECT a.id, a.serial_no, a.platform, a.account_type, a.name, a.platform_id, "
        "u.name AS unit, a.level, a.status, a.opened_on, "
        f"(SELECT {sql.group_concat('p.name', '、')} FROM role_assignments ra JOIN people p "
        " ON p.id = ra.person_id WHERE ra.account_id = a.id AND ra.end_on IS NULL "
        " AND ra.role = 'first_responsible') AS first_responsible, "
        f"(SELECT {sql.group_concat('p.name', '、')} FROM role_assignments ra JOIN people p "
        " ON p.id = ra.person_id WHERE ra.account_id = a.id AND ra.end_on IS NULL "
        " AND ra.role = 'operator') AS operator, "
        # INDEXED BY: the planner otherwise walks every open filing for each row
        f"(SELECT min(f.due_on) FROM filings f {sql.indexed_by('filings_account')} "
        "WHERE f.account_id = a.id AND f.status = 'open') AS next_due "
        "FROM accounts a JOIN units u ON u.id = a.unit_id WHERE a.id IN (%s)"
    )


# SQLite's text of that query. benchmarks/bench_table.py runs this same text on a plain
# sqlite3 connection as its baseline, so the two measure one query.
DISPLAY_ROWS_SQL = display_rows_sql(SQLITE)


class AccountStore(RoleRecords):
    def __init__(self, register: StoreCore) -> None:
        self.r = register

    # -- reading ---------------------------------------------------------------------

    def get(self, account_id: int) -> Account:
        rows = self.r.query("SELECT * FROM accounts WHERE id = ?", [account_id])
        if not rows:
            raise NotFoundError(f"账号 #{account_id} 不存在")
        return account_from_row(rows[0])

    def find(self, id_or_serial: str) -> Account:
        """An account by the id that ``list`` prints, or by its serial number (备案编号)."""
        text = id_or_serial.strip()
        if text.isdigit():
            return self.get(int(text))
        rows = self.r.query("SELECT * FROM accounts WHERE serial_no = ?", [text])
        if not rows:
            raise NotFoundError(f"没有编号或序号为“{text}”的账号")
        return account_from_row(rows[0])

    def by_platform_id(self, platform: str, platform_id: str) -> Account | None:
        if not platform_id:
            return None
        # "platform_id <> ''" lets SQLite use the partial unique index instead of a full scan
        rows = self.r.query(
            "SELECT * FROM accounts WHERE platform = ? AND platform_id = ? AND platform_id <> ''",
            [platform, platform_id],
        )
        return account_from_row(rows[0]) if rows else None

    def of_unit(self, unit_id: int, *, live_only: bool = True) -> list[Account]:
        sql = "SELECT * FROM accounts WHERE unit_id = ?"
        if live_only:
            sql += " AND status NOT IN ('closed', 'refused')"
        return [account_from_row(row) for row in self.r.query(sql + " ORDER BY id", [unit_id])]

    def count(self) -> int:
        return int(self.r.scalar("SELECT count(*) FROM accounts"))

    def ids(self, query: AccountQuery | None = None, *, limit: int | None = None) -> list[int]:
        """Account ids matching the query, sorted by the database (the first ``limit``)."""
        query = query or AccountQuery(
            rotation_days=self.r.profile.deadlines["password_rotation_days"]
        )
        sql, params = build_account_query(query, self.r.sql)
        if limit is not None:  # a literal (an int): SQLite plans the LIMIT with the query
            sql = f"{sql} LIMIT {int(limit)}"
        return [row[0] for row in self.r.db.execute(sql, params)]

    def rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """Display rows for the register table, fetched only for the ids asked for."""
        if not ids:
            return {}
        marks = ",".join("?" for _ in ids)
        result = self.r.query(display_rows_sql(self.r.sql) % marks, ids)
        return {row["id"]: row for row in result}

    def count_by_status(self) -> dict[str, int]:
        return {
            row[0]: row[1]
            for row in self.r.db.execute("SELECT status, count(*) FROM accounts GROUP BY status")
        }

    def platforms(self) -> list[str]:
        return [
            row[0]
            for row in self.r.db.execute("SELECT name FROM platforms ORDER BY sort_order, id")
        ]

    def account_types(self, platform: str) -> list[str]:
        text = self.r.scalar("SELECT account_types FROM platforms WHERE name = ?", [platform])
        return list(json.loads(text)) if text else []

    def add_platform(self, name: str, account_types: list[str] | None = None) -> int:
        name = require_text(name, "开设平台", 30)
        existing = self.r.scalar("SELECT id FROM platforms WHERE name = ?", [name])
        if existing is not None:
            return int(existing)
        order = int(self.r.scalar("SELECT coalesce(max(sort_order), 0) + 1 FROM platforms"))
        return self.r.insert_row(
            "platforms",
            {
                "name": name,
                "account_types": json.dumps(account_types or [], ensure_ascii=False),
                "sort_order": order,
            },
        )

    # -- checks ---------------------------------------------------------------------

    def check_duplicate(
        self, platform: str, platform_id: str, exclude_id: int | None = None
    ) -> None:
        """Raise DuplicateAccountError pointing at the account that already has this ID."""
        if not platform_id:
            return
        existing = self.by_platform_id(platform, platform_id)
        if existing is not None and existing.id != exclude_id:
            assert existing.id is not None
            raise duplicate_account_error(
                platform, platform_id, existing.name, (existing.id, existing.serial_no)
            )

    def same_platform(
        self, unit_id: int, platform: str, exclude_id: int | None = None, *, names: int = 5
    ) -> tuple[int, list[str]]:
        """How many live accounts the unit has on the platform, and the first ``names``
        of their names, for the total-quantity warning (checked as the clerk types:
        a count and a few names, not every account of a large unit)."""
        where = (
            "unit_id = ? AND platform = ? AND status NOT IN ('closed', 'refused') "
            f"AND id {self.r.sql.distinct_from} ?"
        )
        params = [unit_id, platform, exclude_id]
        count = int(self.r.scalar(f"SELECT count(*) FROM accounts WHERE {where}", params))
        first = self.r.db.execute(
            f"SELECT name FROM accounts WHERE {where} ORDER BY id LIMIT ?", [*params, names]
        )
        return count, [row[0] for row in first]

    def _unit(self, unit_id: int) -> Unit:
        return get_unit(self.r, unit_id)

    def _check_fields(self, account: Account) -> dict[str, Any]:
        return checked_account_row(self.r.profile, account, self.platforms(), self._unit)

    # -- writing --------------------------------------------------------------------

    def create(
        self,
        account: Account,
        *,
        application: Application | None = None,
        batch: AccountBatch | None = None,
    ) -> int:
        """Record a new account, its fields checked (platform list, levels, unit, duplicate
        platform IDs). Whether a unit may apply is policy, checked above the store
        (``nmdesk.services.accounts.create_account``) before it comes here.

        With ``batch`` (a bulk import), an account that is not an application is
        checked and queued in the batch, which writes it, audited, on ``flush``."""
        if batch is not None:
            if application is None and account.status is not AccountStatus.APPLYING:
                return batch.add_account(account)
            batch.flush()
        row = self._check_fields(account)
        self.check_duplicate(row["platform"], row["platform_id"])
        now = dt.datetime.now().isoformat(timespec="seconds")
        with self.r.transaction():
            row.update(
                status=account.status.value,
                serial_no=self.next_serial(),
                created_at=now,
                updated_at=now,
            )
            account_id = self.r.insert_row("accounts", row)
            if application is not None:
                application.account_id = account_id
                self.add_application(application)
            self.refresh_search([account_id])
        return account_id

    def update_fields(
        self, account_id: int, changes: dict[str, Any]
    ) -> tuple[AccountStatus, list[FieldChange]]:
        """Edit an account's fields (checked as ``create`` checks them); returns the
        account's status and the changes a change filing would list, as the paper shows
        them. Whether the change is filed is policy (``nmdesk.services.accounts``)."""
        unknown = set(changes) - set(FIELD_LABELS)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        current = self.get(account_id)
        for field, value in changes.items():
            setattr(current, field, value)
        row = self._check_fields(current)
        self.check_duplicate(row["platform"], row["platform_id"], exclude_id=account_id)
        new_values = {field: row[field] for field in changes}
        with self.r.transaction():
            before = self.r.update_row(
                "accounts",
                account_id,
                {**new_values, "updated_at": dt.datetime.now().isoformat(timespec="seconds")},
            )
            field_changes = [
                FieldChange(
                    FIELD_LABELS[f], self._display(f, before[f]), self._display(f, new_values[f])
                )
                for f in changes
                if before[f] != new_values[f] and f not in UNFILED_FIELDS
            ]
            self.refresh_search([account_id])
        return current.status, field_changes

    def _display(self, field: str, value: Any) -> str:
        if value is None:
            return ""
        if field == "unit_id":
            return self._unit(int(value)).name
        if field == "level":
            return self.r.profile.level(int(value)).name
        if field == "campus_data_service":
            return "是" if value else "否"
        return str(value)

    def transition(self, account_id: int, target: AccountStatus) -> None:
        """Move an account to another status, as the lifecycle allows."""
        account = self.get(account_id)
        check_transition(account.status, target)
        self.r.update_row(
            "accounts",
            account_id,
            {"status": target.value, "updated_at": dt.datetime.now().isoformat(timespec="seconds")},
            action=f"status:{account.status.value}->{target.value}",
        )

    def transition_many(
        self, account_ids: list[int], source: AccountStatus, target: AccountStatus
    ) -> None:
        """``transition`` for many accounts now in status ``source`` (a review's verdicts),
        checked against the lifecycle once and written in one pass."""
        check_transition(source, target)
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        self.r.update_rows(
            "accounts",
            {
                account_id: {"status": target.value, "updated_at": stamp}
                for account_id in account_ids
            },
            action=f"status:{source.value}->{target.value}",
        )

    def next_serial(self) -> str:
        """The serial number (备案编号) the next account of this year gets."""
        prefix = f"{self.r.profile.serial_prefix}-{dt.date.today().year}-"
        self.r.hold_ids("accounts")  # the serial is given out with the account's id
        last = self.r.scalar(
            "SELECT max(serial_no) FROM accounts WHERE serial_no LIKE ?", [prefix + "%"]
        )
        number = int(last[len(prefix) :]) + 1 if last else 1
        return f"{prefix}{number:05d}"

    # -- applications ----------------------------------------------------------------

    def add_application(self, app: Application) -> int:
        return self.r.insert_row(
            "applications",
            {
                "account_id": app.account_id,
                "applied_on": app.applied_on.isoformat(),
                "approving_body": clean_text(app.approving_body),
                "decision": app.decision.value,
                "decided_on": iso_or_none(app.decided_on),
                "approval_ref": clean_text(app.approval_ref),
                "refusal_reason": app.refusal_reason,
                "justification": app.justification,
                "operation_plan": app.operation_plan,
                "priority_rank": app.priority_rank,
                "pledge_signed": int(app.pledge_signed),
                "pledge_signed_on": iso_or_none(app.pledge_signed_on),
            },
        )

    def application(self, account_id: int) -> Application | None:
        rows = self.r.query(
            "SELECT * FROM applications WHERE account_id = ? ORDER BY id DESC LIMIT 1", [account_id]
        )
        if not rows:
            return None
        row = rows[0]
        return Application(
            id=row["id"],
            account_id=row["account_id"],
            applied_on=dt.date.fromisoformat(row["applied_on"]),
            approving_body=row["approving_body"],
            decision=ApplicationDecision(row["decision"]),
            decided_on=date_or_none(row["decided_on"]),
            approval_ref=row["approval_ref"],
            refusal_reason=row["refusal_reason"],
            justification=row["justification"],
            operation_plan=row["operation_plan"],
            priority_rank=row["priority_rank"],
            pledge_signed=bool(row["pledge_signed"]),
            pledge_signed_on=date_or_none(row["pledge_signed_on"]),
        )

    def update_application(self, application_id: int, **changes: Any) -> None:
        stored = {
            k: stored_value(k, v) if k not in ("justification", "operation_plan") else v
            for k, v in changes.items()
        }
        if "decision" in stored and isinstance(changes["decision"], ApplicationDecision):
            stored["decision"] = changes["decision"].value
        self.r.update_row("applications", application_id, stored)

    def record_approval(
        self, account_id: int, decided_on: dt.date, approving_body: str, approval_ref: str
    ) -> None:
        """Record the approval (审批) of an application: the account is 已批准 and its
        application carries the decision. What an approval needs first, and the opening
        filing it opens, is policy (``nmdesk.services.accounts.approve``)."""
        with self.r.transaction():
            self.transition(account_id, AccountStatus.APPROVED)
            app = self.application(account_id)
            fields = dict(
                decision=ApplicationDecision.APPROVED,
                decided_on=decided_on,
                approving_body=approving_body,
                approval_ref=approval_ref,
            )
            if app is None:
                self.add_application(
                    Application(
                        None,
                        account_id,
                        decided_on,
                        approving_body,
                        ApplicationDecision.APPROVED,
                        decided_on,
                        approval_ref,
                    )
                )
            else:
                assert app.id is not None
                self.update_application(app.id, **fields)

    def refuse(self, account_id: int, decided_on: dt.date, reason: str) -> None:
        limit = self.r.profile.text_limits["applications.refusal_reason"]
        reason = require_text(reason, "不予批准理由", limit)
        with self.r.transaction():
            self.transition(account_id, AccountStatus.REFUSED)
            app = self.application(account_id)
            if app is not None and app.id is not None:
                self.update_application(
                    app.id,
                    decision=ApplicationDecision.REFUSED,
                    decided_on=decided_on,
                    refusal_reason=reason,
                )

    def rotation_overdue(self, today: dt.date) -> list[Account]:
        """Live accounts whose password was not rotated within the profile's interval."""
        cutoff = today - dt.timedelta(days=self.r.profile.deadlines["password_rotation_days"])
        return [
            account_from_row(row)
            for row in self.r.query(
                "SELECT * FROM accounts WHERE status IN ('running', 'rectifying', 'suspended', 'lost') "
                "AND (password_rotated_on IS NULL OR password_rotated_on < ?) ORDER BY password_rotated_on",
                [cutoff.isoformat()],
            )
        ]

    def rotation_overdue_brief(self, today: dt.date) -> list[tuple[int, str, dt.date | None]]:
        """(id, name, rotated on) of the accounts ``rotation_overdue`` returns, same order,
        without building every account: the deadlines board needs only these."""
        cutoff = today - dt.timedelta(days=self.r.profile.deadlines["password_rotation_days"])
        return [
            (row[0], row[1], date_or_none(row[2]))
            for row in self.r.db.execute(
                "SELECT id, name, password_rotated_on FROM accounts WHERE status IN "
                "('running', 'rectifying', 'suspended', 'lost') AND (password_rotated_on IS NULL "
                "OR password_rotated_on < ?) ORDER BY password_rotated_on, id",
                [cutoff.isoformat()],
            )
        ]

    def inactive_brief(self, today: dt.date) -> list[tuple[int, str, dt.date]]:
        """(id, name, last post) of live accounts whose last recorded post is older than
        the profile's inactivity threshold (BIT clause 16, PKU-CoE clause 7), oldest
        first. Accounts with no recorded date are not listed: nothing is known of them."""
        cutoff = months_before(today, self.r.profile.deadlines["low_activity_months"])
        return [
            (row[0], row[1], dt.date.fromisoformat(row[2]))
            for row in self.r.db.execute(
                "SELECT id, name, last_post_on FROM accounts WHERE status IN "
                "('running', 'rectifying', 'suspended', 'lost') AND last_post_on IS NOT NULL "
                "AND last_post_on < ? ORDER BY last_post_on, id",
                [cutoff.isoformat()],
            )
        ]

    def record_last_posts(self, last_posts: dict[int, dt.date]) -> int:
        """Take the last-post dates a review packet or self-check reports, where they are
        later than the account's recorded one; returns how many accounts moved on."""
        newer = {}
        for account_id, day in last_posts.items():
            rows = self.r.db.execute(
                "SELECT last_post_on FROM accounts WHERE id = ?", [account_id]
            ).fetchall()
            if rows and (rows[0][0] is None or rows[0][0] < day.isoformat()):
                newer[account_id] = day
        with self.r.transaction():
            for account_id, day in newer.items():
                self.r.update_row(
                    "accounts", account_id, {"last_post_on": day.isoformat()}, action="last_post"
                )
        return len(newer)

    # -- search text -----------------------------------------------------------------

    def refresh_search(self, account_ids: list[int]) -> None:
        """Rebuild the derived search text of these accounts (``nmdesk.store.search_index``)."""
        refresh_search(self.r, account_ids)

    def refresh_search_for_unit(self, unit_id: int) -> None:
        refresh_search_for_unit(self.r, unit_id)

    def refresh_search_for_person(self, person_id: int) -> None:
        refresh_search_for_person(self.r, person_id)
