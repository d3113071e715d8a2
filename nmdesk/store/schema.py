"""The register's schema: the released migrations, applied on open.

Each released schema version appends migrations here and names its last one in
SCHEMA_VERSIONS. The newest version, SCHEMA_VERSION, is written to ``PRAGMA
user_version`` so that an older nmdesk refuses a register written by a newer one;
a register that has had a migration this nmdesk does not know is refused as well,
in case a version was ever not bumped. Never edit a released migration.
How migrations are declared and run is ``nmdesk.store.migration_set``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nmdesk.store.migration_set import MigrationSet, run_script

if TYPE_CHECKING:
    from sqlite_utils import Database

# The last migration of each released schema version. Version 1 knows no audit row
# sets (0013): an nmdesk of version 1 would read every row set as a broken link.
# A new migration gets a new version here (tests/nmdesk/store/test_migrations.py).
SCHEMA_VERSIONS = {1: "0001_initial", 2: "0013_perf_audit_row_sets"}
SCHEMA_VERSION = max(SCHEMA_VERSIONS)

migrations = MigrationSet("nmdesk")

# Tables whose every row change is recorded in the audit trail, and checked by verify.
AUDITED_TABLES = (
    "meta",
    "units",
    "people",
    "platforms",
    "accounts",
    "role_assignments",
    "applications",
    "filings",
    "filing_changes",
    "sanctions",
    "incidents",
    "watch_entries",
    "attachments",
    "calendar_overrides",
    "calendar_years",
    "review_campaigns",
    "review_units",
    "review_results",
    "trainings",
    "import_mappings",
    "imports",
    "form_drafts",
    "account_priorities",
)


@migrations(name="0001_initial")
def _initial(db: Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE meta (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            value TEXT NOT NULL
        );
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            short_name TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL,
            parent_id INTEGER REFERENCES units(id),
            head_person_id INTEGER REFERENCES people(id),
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX units_parent ON units(parent_id);
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('staff', 'student', 'external')),
            unit_id INTEGER REFERENCES units(id),
            title TEXT NOT NULL DEFAULT '',
            office_phone TEXT NOT NULL DEFAULT '',
            mobile TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            staff_or_student_no TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX people_name ON people(name);
        CREATE INDEX people_unit ON people(unit_id);
        CREATE TABLE platforms (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            account_types TEXT NOT NULL DEFAULT '[]',
            sort_order INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            serial_no TEXT NOT NULL UNIQUE,
            platform TEXT NOT NULL,
            account_type TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL,
            platform_id TEXT NOT NULL DEFAULT '',
            purpose TEXT NOT NULL DEFAULT '',
            opened_on TEXT,
            level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 9),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            status TEXT NOT NULL,
            verified_subject TEXT NOT NULL DEFAULT '',
            campus_data_service INTEGER NOT NULL DEFAULT 0,
            it_approval_ref TEXT NOT NULL DEFAULT '',
            miit_filing_no TEXT NOT NULL DEFAULT '',
            password_rotated_on TEXT,
            last_post_on TEXT,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX accounts_platform_id ON accounts(platform, platform_id)
            WHERE platform_id <> '';
        CREATE INDEX accounts_unit ON accounts(unit_id, platform);
        CREATE INDEX accounts_status ON accounts(status);
        CREATE INDEX accounts_name ON accounts(name);
        CREATE TABLE role_assignments (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            role TEXT NOT NULL,
            person_id INTEGER NOT NULL REFERENCES people(id),
            start_on TEXT NOT NULL,
            end_on TEXT
        );
        CREATE INDEX roles_account ON role_assignments(account_id, role);
        CREATE INDEX roles_person ON role_assignments(person_id);
        CREATE TABLE applications (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            applied_on TEXT NOT NULL,
            approving_body TEXT NOT NULL DEFAULT '',
            decision TEXT NOT NULL DEFAULT 'pending',
            decided_on TEXT,
            approval_ref TEXT NOT NULL DEFAULT '',
            refusal_reason TEXT NOT NULL DEFAULT '',
            justification TEXT NOT NULL DEFAULT '',
            operation_plan TEXT NOT NULL DEFAULT '',
            priority_rank INTEGER,
            pledge_signed INTEGER NOT NULL DEFAULT 0,
            pledge_signed_on TEXT
        );
        CREATE INDEX applications_account ON applications(account_id);
        CREATE TABLE filings (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            kind TEXT NOT NULL,
            event_on TEXT NOT NULL,
            due_on TEXT,
            due_is_estimate INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'open',
            filed_on TEXT,
            version INTEGER NOT NULL DEFAULT 1,
            check_code TEXT NOT NULL DEFAULT '',
            platform_closed_on TEXT,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX filings_account ON filings(account_id);
        CREATE INDEX filings_open_due ON filings(status, due_on);
        CREATE TABLE filing_changes (
            id INTEGER PRIMARY KEY,
            filing_id INTEGER NOT NULL REFERENCES filings(id),
            field TEXT NOT NULL,
            before TEXT NOT NULL DEFAULT '',
            after TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX filing_changes_filing ON filing_changes(filing_id);
        CREATE TABLE sanctions (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            account_id INTEGER REFERENCES accounts(id),
            kind TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            deadline_on TEXT,
            resolved_on TEXT,
            resolution TEXT NOT NULL DEFAULT '',
            campaign_id INTEGER REFERENCES review_campaigns(id)
        );
        CREATE INDEX sanctions_unit ON sanctions(unit_id);
        CREATE INDEX sanctions_account ON sanctions(account_id);
        CREATE TABLE incidents (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            occurred_on TEXT NOT NULL,
            description TEXT NOT NULL,
            action_taken TEXT NOT NULL DEFAULT '',
            reported_on TEXT
        );
        CREATE TABLE watch_entries (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            name TEXT NOT NULL,
            platform_id TEXT NOT NULL DEFAULT '',
            holder TEXT NOT NULL DEFAULT '',
            found_on TEXT NOT NULL,
            matched_keywords TEXT NOT NULL DEFAULT '',
            action_taken TEXT NOT NULL DEFAULT '',
            follow_up_on TEXT,
            resolved_on TEXT,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            account_id INTEGER REFERENCES accounts(id),
            filing_id INTEGER REFERENCES filings(id),
            sha256 TEXT NOT NULL,
            original_name TEXT NOT NULL,
            size INTEGER NOT NULL,
            added_at TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX attachments_account ON attachments(account_id);
        CREATE INDEX attachments_filing ON attachments(filing_id);
        CREATE TABLE calendar_overrides (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL UNIQUE,
            is_workday INTEGER NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE calendar_years (
            id INTEGER PRIMARY KEY,
            year INTEGER NOT NULL UNIQUE,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE review_campaigns (
            id INTEGER PRIMARY KEY,
            year INTEGER NOT NULL UNIQUE,
            opened_on TEXT NOT NULL,
            deadline_on TEXT NOT NULL,
            step TEXT NOT NULL DEFAULT 'collect',
            published_on TEXT,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE review_units (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES review_campaigns(id),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            packet_returned_on TEXT,
            zero_report INTEGER NOT NULL DEFAULT 0,
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (campaign_id, unit_id)
        );
        CREATE TABLE review_results (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES review_campaigns(id),
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            in_opening_scope INTEGER NOT NULL DEFAULT 1,
            self_checked INTEGER NOT NULL DEFAULT 0,
            still_operated INTEGER,
            last_post_on TEXT,
            posts_in_year INTEGER,
            followers INTEGER,
            content_reviewer TEXT NOT NULL DEFAULT '',
            incident TEXT NOT NULL DEFAULT '',
            materials_received INTEGER NOT NULL DEFAULT 0,
            flags TEXT NOT NULL DEFAULT '',
            verdict TEXT,
            verdict_deadline TEXT,
            verdict_note TEXT NOT NULL DEFAULT '',
            UNIQUE (campaign_id, account_id)
        );
        CREATE TABLE trainings (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER REFERENCES units(id),
            person_id INTEGER REFERENCES people(id),
            held_on TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'training',
            title TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            table_name TEXT NOT NULL,
            row_id INTEGER,
            before TEXT,
            after TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_row ON audit_log(table_name, row_id);
        -- Derived search data: rebuilt from the tables above, not audited.
        CREATE TABLE account_search (
            account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
            text TEXT NOT NULL,
            initials TEXT NOT NULL
        );
        CREATE VIRTUAL TABLE account_search_fts USING fts5(
            text, content='account_search', content_rowid='account_id', tokenize='trigram'
        );
        CREATE TRIGGER account_search_ai AFTER INSERT ON account_search BEGIN
            INSERT INTO account_search_fts(rowid, text) VALUES (new.account_id, new.text);
        END;
        CREATE TRIGGER account_search_ad AFTER DELETE ON account_search BEGIN
            INSERT INTO account_search_fts(account_search_fts, rowid, text)
                VALUES ('delete', old.account_id, old.text);
        END;
        CREATE TRIGGER account_search_au AFTER UPDATE ON account_search BEGIN
            INSERT INTO account_search_fts(account_search_fts, rowid, text)
                VALUES ('delete', old.account_id, old.text);
            INSERT INTO account_search_fts(rowid, text) VALUES (new.account_id, new.text);
        END;
        """,
    )


@migrations(name="0002_excel_mappings")
def _excel_mappings(db: Database) -> None:
    """Named column mappings for the ledger import, and a log of committed imports."""
    run_script(
        db,
        """
        CREATE TABLE import_mappings (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            mapping TEXT NOT NULL DEFAULT '{}',
            updated_at TEXT NOT NULL
        );
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            source_file TEXT NOT NULL,
            sheet TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL DEFAULT '',
            created INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            new_units TEXT NOT NULL DEFAULT '[]'
        );
        """,
    )


@migrations(name="0003_search_single_characters")
def _search_single_characters(db: Database) -> None:
    """One- and two-character search through an index of single-character tokens.

    ``nm_spaced`` is registered on every connection (``nmdesk.store.search``).
    """
    run_script(
        db,
        """
        CREATE VIRTUAL TABLE account_chars_fts USING fts5(chars, tokenize='unicode61');
        CREATE TRIGGER account_chars_fts_ai AFTER INSERT ON account_search BEGIN
            INSERT INTO account_chars_fts(rowid, chars)
                VALUES (new.account_id, nm_spaced(new.text));
        END;
        CREATE TRIGGER account_chars_fts_ad AFTER DELETE ON account_search BEGIN
            DELETE FROM account_chars_fts WHERE rowid = old.account_id;
        END;
        CREATE TRIGGER account_chars_fts_au AFTER UPDATE OF text ON account_search BEGIN
            DELETE FROM account_chars_fts WHERE rowid = old.account_id;
            INSERT INTO account_chars_fts(rowid, chars)
                VALUES (new.account_id, nm_spaced(new.text));
        END;
        INSERT INTO account_chars_fts(rowid, chars)
            SELECT account_id, nm_spaced(text) FROM account_search;
        """,
    )


# Audited tables whose rows belong to one account through their ``account_id`` column.
ACCOUNT_CHILD_TABLES = (
    "role_assignments",
    "filings",
    "applications",
    "attachments",
    "incidents",
    "review_results",
    "form_drafts",
)


@migrations(name="0004_perf_audit_account_id")
def _audit_account_id(db: Database) -> None:
    """The account an audit entry belongs to, indexed, so an account's history is a
    lookup instead of a scan of the whole log. Not part of the entry's hash; ``verify``
    checks it against the row the entry describes."""
    children = ", ".join(f"'{table}'" for table in ACCOUNT_CHILD_TABLES)
    run_script(
        db,
        f"""
        ALTER TABLE audit_log ADD COLUMN account_id INTEGER;
        UPDATE audit_log SET account_id = CASE
            WHEN table_name = 'accounts' THEN row_id
            ELSE json_extract(coalesce(after, before), '$.account_id') END
            WHERE table_name = 'accounts' OR table_name IN ({children});
        CREATE INDEX audit_account ON audit_log(account_id) WHERE account_id IS NOT NULL;
        """,
    )


@migrations(name="0005_perf_sort_indexes")
def _sort_indexes(db: Database) -> None:
    """An index for every column the register table sorts by, so a click on a header
    reads an index in order instead of sorting 100,000 rows (``accounts_unit_id`` gives
    the unit sort its accounts in id order within each unit)."""
    run_script(
        db,
        """
        CREATE INDEX IF NOT EXISTS accounts_sort_platform ON accounts(platform);
        CREATE INDEX IF NOT EXISTS accounts_sort_account_type ON accounts(account_type);
        CREATE INDEX IF NOT EXISTS accounts_sort_platform_id ON accounts(platform_id);
        CREATE INDEX IF NOT EXISTS accounts_sort_level ON accounts(level);
        CREATE INDEX IF NOT EXISTS accounts_sort_opened_on ON accounts(opened_on);
        CREATE INDEX IF NOT EXISTS accounts_unit_id ON accounts(unit_id);
        """,
    )


@migrations(name="0006_perf_initials_fts")
def _initials_fts(db: Database) -> None:
    """Pinyin initials of three or more letters (``blg``) through a trigram index
    instead of a LIKE scan of every account's initials."""
    run_script(
        db,
        """
        CREATE VIRTUAL TABLE account_initials_fts USING fts5(
            initials, content='account_search', content_rowid='account_id', tokenize='trigram'
        );
        CREATE TRIGGER account_initials_fts_ai AFTER INSERT ON account_search BEGIN
            INSERT INTO account_initials_fts(rowid, initials)
                VALUES (new.account_id, new.initials);
        END;
        CREATE TRIGGER account_initials_fts_ad AFTER DELETE ON account_search BEGIN
            INSERT INTO account_initials_fts(account_initials_fts, rowid, initials)
                VALUES ('delete', old.account_id, old.initials);
        END;
        CREATE TRIGGER account_initials_fts_au AFTER UPDATE ON account_search BEGIN
            INSERT INTO account_initials_fts(account_initials_fts, rowid, initials)
                VALUES ('delete', old.account_id, old.initials);
            INSERT INTO account_initials_fts(rowid, initials)
                VALUES (new.account_id, new.initials);
        END;
        INSERT INTO account_initials_fts(account_initials_fts) VALUES ('rebuild');
        """,
    )


@migrations(name="0007_perf_account_ids_index")
def _account_ids_index(db: Database) -> None:
    """The register table's default listing (every id, in id order) reads this narrow
    index instead of every wide account row: a third less at start-up on 100,000."""
    db.execute("CREATE INDEX IF NOT EXISTS accounts_ids ON accounts(id)")


@migrations(name="0008_perf_deadline_indexes")
def _deadline_indexes(db: Database) -> None:
    """The deadlines board's checks answered from indexes alone: current role holders
    per account and role, and live accounts by password rotation date."""
    run_script(
        db,
        """
        CREATE INDEX IF NOT EXISTS roles_account_current
            ON role_assignments(account_id, role, end_on);
        CREATE INDEX IF NOT EXISTS accounts_rotation
            ON accounts(status, password_rotated_on);
        """,
    )


@migrations(name="0009_form_drafts")
def _form_drafts(db: Database) -> None:
    """Draft identities of printed forms (issue 14): a form printed for a kind of
    filing the account does not have yet carries its own check code, which
    ``receive`` matches later; ``filing_id`` is the filing it was received into."""
    run_script(
        db,
        """
        CREATE TABLE form_drafts (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            form TEXT NOT NULL,
            kind TEXT,
            version INTEGER NOT NULL,
            check_code TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            filing_id INTEGER REFERENCES filings(id),
            received_on TEXT
        );
        CREATE UNIQUE INDEX form_drafts_identity ON form_drafts(account_id, form, version);
        """,
    )


@migrations(name="0010_calendar_year_entries")
def _calendar_year_entries(db: Database) -> None:
    """A year's schedule entered from the State Council's notice: who entered it, when
    and from what, and each day's festival (the calendar window shows them)."""
    run_script(
        db,
        """
        ALTER TABLE calendar_years ADD COLUMN entered_at TEXT NOT NULL DEFAULT '';
        ALTER TABLE calendar_years ADD COLUMN entered_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE calendar_years ADD COLUMN origin TEXT NOT NULL DEFAULT '';
        ALTER TABLE calendar_years ADD COLUMN title TEXT NOT NULL DEFAULT '';
        ALTER TABLE calendar_overrides ADD COLUMN festival TEXT NOT NULL DEFAULT '';
        """,
    )


@migrations(name="0011_people_graduation")
def _people_graduation(db: Database) -> None:
    """A student's expected graduation date (PKU-CoE clause 9: operators may be enrolled
    students), which starts the hand-over reminder on the deadlines board."""
    db.execute("ALTER TABLE people ADD COLUMN graduates_on TEXT")


@migrations(name="0012_account_priorities")
def _account_priorities(db: Database) -> None:
    """Each unit's 账号优先顺序表 (PKU-CoE clause 7): the ranking of all its accounts,
    1 first, attached to a new application and read by the review's quota check."""
    run_script(
        db,
        """
        CREATE TABLE account_priorities (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            account_id INTEGER NOT NULL UNIQUE REFERENCES accounts(id),
            rank INTEGER NOT NULL CHECK (rank >= 1)
        );
        CREATE INDEX account_priorities_unit ON account_priorities(unit_id, rank);
        """,
    )


@migrations(name="0013_perf_audit_row_sets")
def _audit_row_sets(db: Database) -> None:
    """An insert of many rows is one audit entry listing every row with its values
    (``row_set``, see nmdesk/store/audit.py), not one entry per row: one link of the
    chain instead of ten thousand for a ledger import. The lowest and highest row and
    account ids of a set (``row_id`` .. ``last_row_id``, ``account_id`` ..
    ``last_account_id``) let one row's or one account's history find the sets that hold
    it through two small indexes of row-set entries only (each covering its lookup, so
    that no set's long text is read to test it). Existing entries are unchanged."""
    run_script(
        db,
        """
        ALTER TABLE audit_log ADD COLUMN row_set TEXT;
        ALTER TABLE audit_log ADD COLUMN last_row_id INTEGER;
        ALTER TABLE audit_log ADD COLUMN last_account_id INTEGER;
        CREATE INDEX audit_row_sets ON audit_log(table_name, last_row_id, row_id)
            WHERE row_set IS NOT NULL;
        CREATE INDEX audit_account_sets ON audit_log(last_account_id, account_id)
            WHERE row_set IS NOT NULL;
        """,
    )
