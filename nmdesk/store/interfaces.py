"""What code above the store may ask a register for: typed Protocols, one per repository.

These Protocols are the store's interface. The SQLite engine (``nmdesk.store.register``
and the repositories beside it) implements them; a second engine (PostgreSQL, for
offices where several clerks share one register) would implement the same ones.
Code above the store (``nmdesk.commands``, ``.excel``, ``.review``, ``.forms``,
``ui``) is typed against them and never against the SQLite classes, and sees no
SQL, no connection and no generic row writer (``tests/test_layers.py``).

The module imports no engine module: repositories and the core import it (for
their siblings' types), so it must sit below them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from nmdesk.holidays.schedule import EntryInfo, HolidaySchedule
    from nmdesk.models import (
        Account,
        AccountStatus,
        Application,
        Attachment,
        FieldChange,
        Filing,
        FilingKind,
        FormDraft,
        Incident,
        Person,
        PersonKind,
        RoleAssignment,
        Sanction,
        Unit,
        WatchEntry,
    )
    from nmdesk.profiles import Profile
    from nmdesk.review.records import Campaign, ReviewResult, ReviewUnit, Step
    from nmdesk.store.anchors import ChainHead
    from nmdesk.store.findings import Finding
    from nmdesk.store.locking import LockInfo
    from nmdesk.store.search import AccountQuery
    from nmdesk.store.stored_rows import StoredRows
    from nmdesk.store.verify_report import VerifyReport
    from nmdesk.workdays import DueDate, WorkdayCalendar


class AccountBatch(Protocol):
    """A bulk import's queue of new rows (``nmdesk.store.bulk.ImportBatch``), as
    ``Accounts.create`` hands an account to it."""

    def add_account(self, account: Account) -> int:
        """Queue a new account, checked as a single ``create`` checks it; its id."""

    def flush(self) -> list[int]:
        """Write everything queued (audited); the ids of the accounts written."""


class ImportBatch(AccountBatch, Protocol):
    """A ledger import's new units, people, accounts and roles, each checked as the
    single-row operations check it and written, audited, on ``flush``
    (``Register.import_batch``). Nothing here commits: the caller's transaction does."""

    def find_unit(self, name: str) -> int | None:
        """The id of the unit of that name, queued in this batch or in the register."""

    def add_unit(self, unit: Unit) -> int:
        """Queue a new unit, checked as ``Units.add`` checks it."""

    def unit_name(self, unit_id: int) -> str:
        """The name of a unit, queued here or in the register, as it is stored."""

    def find_person(self, name: str, unit_id: int) -> Person | None:
        """The first person of that name in the unit (queued here or in the register)."""

    def add_person(self, person: Person) -> int:
        """Queue a new person, checked and normalised as ``People.add`` does."""

    def fill_contacts(self, person: Person, filled: dict[str, str]) -> None:
        """Give a person contacts they lack."""

    def assign_role(
        self, account_id: int, role: str, person_id: int, kind: PersonKind, start_on: dt.date
    ) -> None:
        """Give a person a role on an account created in this import."""


class AuditWriter(Protocol):
    """The audit log as the engine's writers append to it (private to the store)."""

    def record(
        self,
        action: str,
        table: str,
        row_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        """One audited write, chained to the entry before it."""

    def record_rows(self, action: str, table: str, ids: list[int]) -> None:
        """Rows just inserted, audited as SQLite stored them: one entry for one row, row
        sets for many."""

    def stored_rows(self, table: str, ids: list[int]) -> StoredRows:
        """These rows as SQLite stores them, read before an update (``record_updates``)."""

    def record_updates(self, action: str, table: str, before: StoredRows) -> None:
        """Rows just updated, audited with their values before and after: one entry for
        one row, row sets for many."""


class AuditTrail(Protocol):
    """The audit log as code above the store reads it."""

    def entries_for(self, table: str, row_id: int) -> list[dict[str, Any]]:
        """The entries of one row, oldest first."""

    def history_of_account(self, account_id: int) -> list[dict[str, Any]]:
        """Audit entries touching an account or the rows that hang off it, oldest first."""

    def count(self) -> int:
        """How many entries the log holds."""

    def last_id(self) -> int:
        """The newest entry's id (0 for none): a window compares it before and after a
        dialog to know whether the dialog wrote anything."""

    def all_entries(self) -> list[dict[str, Any]]:
        """Every entry, oldest first."""

    def verify(self) -> list[Finding]:
        """Check the hash chain and that every audited row matches its last audited state."""


class AuditLog(AuditWriter, AuditTrail, Protocol):
    """The audit log as the engine holds it: appended to by the writers, read above."""


class Units(Protocol):
    """The unit tree, its priorities and quotas."""

    def add(self, unit: Unit) -> int: ...
    def update(self, unit_id: int, **changes: Any) -> None: ...
    def get(self, unit_id: int) -> Unit: ...
    def find_by_name(self, name: str) -> Unit | None: ...
    def all(self) -> list[Unit]: ...
    def children(self, unit_id: int | None) -> list[Unit]: ...
    def subtree_ids(self, unit_id: int) -> list[int]:
        """The unit and every unit below it."""

    def priorities(self, unit_id: int) -> list[int]:
        """The unit's 账号优先顺序表 (PKU-CoE clause 7): its live accounts' ids, first to last."""

    def priority_ranks(self, unit_id: int) -> dict[int, int]:
        """{account id: rank} of the unit's ranked live accounts (empty: never ranked)."""

    def set_priorities(self, unit_id: int, account_ids: list[int]) -> None:
        """Replace the unit's ranking with ``account_ids``, first = rank 1, in one transaction."""

    def is_apply_suspended(self, unit_id: int) -> bool:
        """True while the unit has an unresolved 暂停申办资格 sanction (PKU-CoE clause 15)."""

    def account_counts(self) -> dict[int, int]:
        """Live accounts per unit, for total-quantity control."""


class People(Protocol):
    """People who hold roles."""

    def add(self, person: Person) -> int: ...
    def update(self, person: Person) -> None:
        """Save a person's details; renaming refreshes the search text of their accounts."""

    def graduating(self, until: dt.date) -> list[tuple[Person, list[tuple[int, str, str]]]]:
        """Students graduating by ``until`` who still hold a role, soonest first, each with
        (account id, account name, role id) of the roles they hold."""

    def get(self, person_id: int) -> Person: ...
    def find(self, name: str, unit_id: int | None = ...) -> list[Person]: ...
    def all(self) -> list[Person]: ...
    def picker_rows(self) -> list[tuple[int, str, str | None, PersonKind, int]]:
        """(id, name, unit name, kind, how many people share the name) by name, for pickers:
        one query, no ``Person`` objects (a form has six pickers of 10,000 people)."""

    def search(self, text: str, limit: int = ...) -> list[Person]: ...


class Accounts(Protocol):
    """Accounts, their platforms, applications and roles."""

    def get(self, account_id: int) -> Account: ...
    def find(self, id_or_serial: str) -> Account:
        """An account by the id that ``list`` prints, or by its serial number (备案编号)."""

    def by_platform_id(self, platform: str, platform_id: str) -> Account | None: ...
    def of_unit(self, unit_id: int, *, live_only: bool = ...) -> list[Account]: ...
    def count(self) -> int: ...
    def ids(self, query: AccountQuery | None = ..., *, limit: int | None = ...) -> list[int]:
        """Account ids matching the query, sorted by the database (the first ``limit``)."""

    def rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """Display rows for the register table, fetched only for the ids asked for."""

    def count_by_status(self) -> dict[str, int]: ...
    def platforms(self) -> list[str]: ...
    def account_types(self, platform: str) -> list[str]: ...
    def add_platform(self, name: str, account_types: list[str] | None = ...) -> int: ...
    def check_duplicate(
        self, platform: str, platform_id: str, exclude_id: int | None = ...
    ) -> None:
        """Raise DuplicateAccountError pointing at the account that already has this ID."""

    def same_platform(
        self, unit_id: int, platform: str, exclude_id: int | None = ..., *, names: int = ...
    ) -> tuple[int, list[str]]:
        """How many live accounts the unit has on the platform, and the first ``names`` of
        their names, for the total-quantity warning (checked as the clerk types: a count and
        a few names, not every account of a large unit)."""

    def create(
        self,
        account: Account,
        *,
        application: Application | None = ...,
        batch: AccountBatch | None = ...,
    ) -> int:
        """Record a new account, its fields checked; policy is checked above
        (``nmdesk.services``)."""

    def update_fields(
        self, account_id: int, changes: dict[str, Any]
    ) -> tuple[AccountStatus, list[FieldChange]]:
        """Edit an account\'s fields; its status and the changes a change filing would list."""

    def transition(self, account_id: int, target: AccountStatus) -> None:
        """Move an account to another status, as the lifecycle allows."""

    def transition_many(
        self, account_ids: list[int], source: AccountStatus, target: AccountStatus
    ) -> None:
        """``transition`` for many accounts now in status ``source`` (a review's verdicts)."""

    def next_serial(self) -> str:
        """The serial number (备案编号) the next account of this year gets."""

    def add_application(self, app: Application) -> int: ...
    def application(self, account_id: int) -> Application | None: ...
    def update_application(self, application_id: int, **changes: Any) -> None: ...
    def record_approval(
        self, account_id: int, decided_on: dt.date, approving_body: str, approval_ref: str
    ) -> None:
        """Record the approval (审批) of an application: the account is 已批准."""

    def refuse(self, account_id: int, decided_on: dt.date, reason: str) -> None: ...
    def current_roles(self, account_id: int) -> list[RoleAssignment]: ...
    def role_history(self, account_id: int) -> list[RoleAssignment]: ...
    def holder(self, account_id: int, role: str) -> int | None: ...
    def assign_role(
        self,
        account_id: int,
        role: str,
        person_id: int,
        start_on: dt.date,
    ) -> FieldChange | None:
        """Give a person a role from a date (a single-holder role's previous holder ends
        that day); the change as a personnel-change filing lists it, None if held."""

    def end_role(self, assignment_id: int, end_on: dt.date) -> FieldChange | None:
        """End one role assignment; the change as a personnel-change filing lists it."""

    def assignment(self, assignment_id: int) -> RoleAssignment: ...
    def take_back_assignment(self, assignment_id: int, reopen: list[int]) -> None:
        """Undo an assignment entered by mistake: its row goes (audited) and the assignments it
        ended that day are current again."""

    def reopen_role(self, assignment_id: int) -> None:
        """Undo the end of an assignment: it is current again."""

    def responsibilities(self, person_id: int) -> list[RoleAssignment]:
        """Everything a person currently holds, for hand-over when they leave or graduate."""

    def person_role_history(self, person_id: int) -> list[RoleAssignment]:
        """Every role a person holds or held, current first, then by start date."""

    def hand_over(
        self, from_person_id: int, to_person_id: int, on: dt.date
    ) -> dict[int, list[FieldChange]]:
        """Hand every current role of one person to another, in one transaction;
        {account id: the changes a personnel-change filing lists}."""

    def missing_required_roles(self) -> list[tuple[int, str]]:
        """(account id, role id) for live accounts lacking a role the profile requires."""

    def rotation_overdue(self, today: dt.date) -> list[Account]:
        """Live accounts whose password was not rotated within the profile's interval."""

    def rotation_overdue_brief(self, today: dt.date) -> list[tuple[int, str, dt.date | None]]:
        """(id, name, rotated on) of the accounts ``rotation_overdue`` returns, same order,
        without building every account: the deadlines board needs only these."""

    def inactive_brief(self, today: dt.date) -> list[tuple[int, str, dt.date]]:
        """(id, name, last post) of live accounts whose last recorded post is older than the
        profile's inactivity threshold (BIT clause 16, PKU-CoE clause 7), oldest first."""

    def record_last_posts(self, last_posts: dict[int, dt.date]) -> int:
        """Take the last-post dates a review packet or self-check reports, where they are later
        than the account's recorded one; returns how many accounts moved on."""

    def refresh_search(self, account_ids: list[int]) -> None:
        """Rebuild the derived search text of these accounts (name, IDs, unit, people)."""

    def refresh_search_for_unit(self, unit_id: int) -> None: ...
    def refresh_search_for_person(self, person_id: int) -> None: ...


class Filings(Protocol):
    """Filings (备案) and closure."""

    def due_date(self, kind: FilingKind, event_on: dt.date) -> DueDate | None: ...
    def create(
        self,
        account_id: int,
        kind: FilingKind,
        event_on: dt.date,
        changes: list[FieldChange],
        *,
        note: str = ...,
    ) -> int: ...
    def record_many(self, filings: list[Filing]) -> list[int]:
        """Record filings as they already stand, with their field changes (history
        brought in at once); returns their ids."""

    def get(self, filing_id: int) -> Filing: ...
    def by_check_code(self, code: str) -> Filing:
        """The filing a returned paper copy belongs to, by the check code printed on it."""

    def for_account(self, account_id: int) -> list[Filing]: ...
    def open_filings(self) -> list[Filing]:
        """Every filing still waiting for its signed paper, earliest due first."""

    def record_filed(self, filing_id: int, filed_on: dt.date) -> Filing:
        """Record that the signed paper came back (the filing is archived); the filing as it was."""

    def cancel(self, filing_id: int, reason: str) -> None:
        """Void a filing whose paper was never sent (作废); it stays in the record."""

    def refresh_due_dates(self) -> int:
        """Recompute open filings' due dates after the calendar changed; returns how many moved."""

    def record_platform_closed(self, filing_id: int, platform_closed_on: dt.date) -> Filing:
        """Record the day the platform confirmed a closure filing's account closed."""


class Sanctions(Protocol):
    """Sanctions: 通报批评, 限期整改, 暂停运行, 责令注销 and 暂停申办资格."""

    def add(self, sanction: Sanction) -> int:
        """Record a sanction (its reason checked); its effect is ``nmdesk.services.sanctions``."""

    def add_many(self, sanctions: list[Sanction]) -> list[int]:
        """Record many sanctions (a review's verdicts) without applying them to their
        accounts (the caller moves statuses in bulk); their ids."""

    def resolve(self, sanction_id: int, resolved_on: dt.date, resolution: str) -> Sanction:
        """Record that a sanction is closed; returns it as it was."""

    def get(self, sanction_id: int) -> Sanction: ...
    def open(self) -> list[Sanction]: ...
    def for_account(self, account_id: int) -> list[Sanction]: ...
    def for_unit(self, unit_id: int) -> list[Sanction]: ...
    def all(self) -> list[Sanction]: ...


class WatchList(Protocol):
    """巡查登记: unregistered accounts found misusing protected names (BIT clause 7)."""

    def add(self, entry: WatchEntry) -> int: ...
    def update(self, entry_id: int, **changes: Any) -> None: ...
    def all(self) -> list[WatchEntry]: ...
    def add_incident(self, incident: Incident) -> int:
        """A removed post or report to the office (处置记录, BIT clause 12)."""

    def incidents(self, account_id: int) -> list[Incident]: ...


class CalendarOverrides(Protocol):
    """The clerk's corrections to the working-day calendar, and years entered in full."""

    def set_day(self, day: dt.date, is_workday: bool, note: str = ...) -> None:
        """One day set by hand, outside a year's full entry."""

    def confirm_year(self, year: int, note: str = ...) -> None:
        """Declare that the overrides now hold the year's official schedule: no more estimates."""

    def replace_year(self, schedule: HolidaySchedule, entry: EntryInfo) -> None:
        """The year's days replaced by ``schedule``'s, audited, in the caller's transaction."""

    def entered_years(self) -> list[int]: ...
    def entered_schedule(self, year: int) -> HolidaySchedule | None:
        """The year as the clerk entered it, with who and when; None if it was not entered."""

    def days(self) -> list[tuple[dt.date, bool, str]]: ...
    def build_calendar(self) -> WorkdayCalendar: ...


class Attachments(Protocol):
    """Scans and documents kept beside the register."""

    @property
    def folder(self) -> Path: ...
    def stored_path(self, attachment: Attachment) -> Path:
        """Where the file lives; always inside the attachments folder."""

    def add(
        self,
        source: str | Path,
        *,
        account_id: int | None = ...,
        filing_id: int | None = ...,
        description: str = ...,
    ) -> int:
        """Copy a scan (PDF or image) into the register's folder and record it."""

    def get(self, attachment_id: int) -> Attachment: ...
    def for_account(self, account_id: int) -> list[Attachment]: ...
    def for_filing(self, filing_id: int) -> list[Attachment]: ...
    def is_intact(self, attachment: Attachment) -> bool:
        """True when the stored file exists and still has the recorded hash."""

    def problem(self, attachment: Attachment) -> str | None:
        """Why the stored file is not the one recorded (missing, other bytes), or None."""

    def verify_files(self) -> tuple[list[Finding], int]:
        """Every attachment checked: the findings, and how many were checked."""


class Drafts(Protocol):
    """Printed forms that have no filing of their own yet."""

    def for_print(
        self, account_id: int, form: str, kind: FilingKind | None, version: int
    ) -> FormDraft:
        """The draft identity of this form of the account at this version, made the first time
        it is printed (one audited row), the same row afterwards."""

    def by_check_code(self, code: str) -> FormDraft | None: ...
    def mark_received(self, draft_id: int, received_on: dt.date, filing_id: int | None) -> None: ...


class Reviews(Protocol):
    """The annual review: campaigns, their units and results."""

    def campaign(self, year: int) -> Campaign | None: ...
    def get(self, campaign_id: int) -> Campaign: ...
    def campaigns(self) -> list[Campaign]: ...
    def previous_published(self, year: int) -> Campaign | None:
        """The latest published campaign before ``year``: what this year compares against."""

    def scope_unit_ids(self) -> list[int]: ...
    def scope_account_ids(self) -> list[int]:
        """Every account that is not closed or refused, as the review's scope."""

    def scope_account_count(self) -> int:
        """How many accounts ``scope_account_ids`` would give: all less the closed and refused,
        two counts answered from indexes (the ids themselves took 85 ms at 100,000 accounts,
        for a number the review wizard shows)."""

    def create(self, year: int, opened_on: dt.date, deadline_on: dt.date) -> int:
        """Open a campaign and freeze its scope: every unit and every live account."""

    def record_published(
        self,
        campaign: Campaign,
        returns: dict[int, dt.date | None],
        results: dict[int, dict[str, Any]],
    ) -> int:
        """Record a campaign held and published before, with its units' returns and its
        results {account id: values of ``RESULT_COLUMNS``}; returns its id."""

    def writable(self, campaign_id: int) -> Campaign:
        """The campaign, if it may still be changed; PolicyError once it is published."""

    def set_step(self, campaign_id: int, step: Step) -> None: ...
    def set_deadline(self, campaign_id: int, deadline_on: dt.date) -> None: ...
    def mark_published(self, campaign_id: int, published_on: dt.date) -> None: ...
    def units(self, campaign_id: int) -> list[ReviewUnit]:
        """Units of the campaign with the number of their accounts under review."""

    def unit(self, campaign_id: int, unit_id: int) -> ReviewUnit: ...
    def set_unit_return(
        self,
        campaign_id: int,
        unit_id: int,
        returned_on: dt.date | None,
        *,
        zero_report: bool = ...,
        note: str | None = ...,
    ) -> None: ...
    def results(self, campaign_id: int) -> list[ReviewResult]: ...
    def result(self, campaign_id: int, account_id: int) -> ReviewResult: ...
    def add_late_accounts(self, campaign_id: int) -> list[int]:
        """Add accounts registered since the campaign opened (新增账号); returns their ids."""

    def update_result(self, campaign_id: int, account_id: int, changes: dict[str, Any]) -> None:
        """Change an account's review line (self-check, materials, flags or verdict)."""

    def update_results(self, campaign_id: int, changes: dict[int, dict[str, Any]]) -> None:
        """``update_result`` for many accounts at once: {account id: changes}."""

    def facts(self, campaign_id: int, *, assessing: bool = ...) -> list[dict[str, Any]]:
        """Each reviewed account with what assessment and the listing need, in one query."""

    def live_counts_by_unit_platform(self) -> dict[tuple[int, str], int]:
        """Live accounts per (unit, platform), for the total-quantity check."""


class Excel(Protocol):
    """Column mappings, the import log and the lookups of a ledger import."""

    def mapping_names(self) -> list[str]: ...
    def load_mapping(self, name: str) -> dict[str, str]:
        """The saved mapping: header text as in the ledger → register field key."""

    def save_mapping(self, name: str, mapping: dict[str, str]) -> int:
        """Save (or replace) a mapping under a name; returns its id."""

    def record_import(
        self,
        source_file: str,
        *,
        sheet: str,
        sha256: str,
        counts: dict[str, int],
        new_units: list[str],
    ) -> int:
        """One audited row naming the source file of a committed import."""

    def imports(self) -> list[dict[str, Any]]: ...
    def find_account_by_name(self, platform: str, name: str, unit_id: int) -> int | None:
        """An account without a platform ID, matched by platform, name and unit when unique."""

    def find_account_by_serial(self, serial_no: str) -> Account | None:
        """The account with this serial number (备案编号), as an export lists it."""

    def accounts_by_serials(self, serials: set[str]) -> dict[str, Account]:
        """The register's accounts with these serial numbers (备案编号), by serial number,
        in a few queries instead of one per row."""

    def current_holders(self, account_id: int) -> dict[str, list[dict[str, Any]]]:
        """role id → the current holders' person rows (oldest first), to compare with a ledger."""

    def accounts_by_platform_ids(
        self, pairs: set[tuple[str, str]]
    ) -> dict[tuple[str, str], Account]:
        """The register's accounts with these (platform, platform ID) pairs, in a few queries
        (per platform, through the unique index) instead of one per row."""

    def people_by_name(self, unit_ids: list[int]) -> dict[tuple[str, int], list[Person]]:
        """Everyone in these units: (name, unit id) → people of that name, oldest first."""

    def holders_of(self, account_ids: list[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
        """``current_holders`` of many accounts at once: account id → role → person rows."""

    def export_rows(self, ids: list[int]) -> list[dict[str, Any]]:
        """Rows for the export, in the order of ``ids``: the account fields it shows, unit
        name, its parent's name ("" at the top) and its kind, and for each role in
        EXPORT_ROLES the current holders' names and contacts (``first_responsible.mobile``
        …); several holders of a role are joined with ``、``, each contact in its holder's
        place (``、139…`` when the first has no mobile), so that an import gives each one
        their own."""


class Register(Protocol):
    """An open register: its repositories, one transaction over a block, its profile,
    calendar and data-safety state. Open one with ``nmdesk.store.open_register``."""

    @property
    def path(self) -> Path: ...
    @property
    def actor(self) -> str: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def lock_holder(self) -> LockInfo | None: ...
    @property
    def network_warning(self) -> str | None: ...
    @property
    def backup_warning(self) -> str | None: ...
    @property
    def stale_lock(self) -> LockInfo | None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def read_only_message(self) -> str:
        """Why this register cannot be changed, for a banner or an error."""

    @property
    def audit(self) -> AuditTrail: ...
    @property
    def units(self) -> Units: ...
    @property
    def people(self) -> People: ...
    @property
    def accounts(self) -> Accounts: ...
    @property
    def filings(self) -> Filings: ...
    @property
    def sanctions(self) -> Sanctions: ...
    @property
    def watchlist(self) -> WatchList: ...
    @property
    def calendar_overrides(self) -> CalendarOverrides: ...
    @property
    def attachments(self) -> Attachments: ...
    @property
    def drafts(self) -> Drafts: ...
    @property
    def reviews(self) -> Reviews: ...
    @property
    def excel(self) -> Excel: ...
    @property
    def profile(self) -> Profile:
        """The policy profile this register was created with."""

    @property
    def calendar(self) -> WorkdayCalendar:
        """The working-day calendar: bundled data plus this register's overrides."""

    @property
    def is_demo(self) -> bool:
        """A register made by ``nmdesk demo``."""

    @property
    def attachments_dir(self) -> Path: ...
    def transaction(self) -> AbstractContextManager[Any]:
        """One transaction over everything inside; nested blocks become savepoints."""

    def check_writable(self) -> None:
        """Raise ``RegisterError`` when this instance may not write."""

    def meta(self, key: str, default: str = ...) -> str: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def mark_demo(self) -> None: ...
    def invalidate_calendar(self) -> None: ...
    def schema_version(self) -> int: ...
    def integrity_ok(self) -> bool: ...
    def import_batch(self) -> ImportBatch:
        """A new batch for a bulk import of units, people, accounts and roles."""

    def chain_head(self) -> ChainHead:
        """The head of the audit chain: its newest entry's hash and how many entries."""

    def verify(self, anchors: Sequence[str] = ...) -> VerifyReport:
        """Every check on the register (integrity, audit chain, backups, ``anchors`` kept
        outside the file, attachments)."""

    def backup(self, out: str | Path | None = ...) -> Path:
        """A manual backup into the register's backup folder, or to ``out``."""

    def close(self) -> None: ...
    def __enter__(self) -> Register: ...
    def __exit__(self, *exc: object) -> None: ...
