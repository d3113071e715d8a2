"""The register's schema on a PostgreSQL server, as migrations run in one transaction.

A server database starts from the current schema: ``0001_server_initial`` creates
every table the SQLite migrations of ``nmdesk.store.schema`` have built up to
``SCHEMA_VERSION``, with the same columns in the same order (columns a SQLite
migration added come last, as ``ALTER TABLE … ADD COLUMN`` put them), so that a
register moved between engines has the same rows. What differs: ``bigint`` for
SQLite's ``INTEGER``; the search's indexes are ``pg_trgm`` and array GIN indexes
instead of FTS5 tables and their triggers (docs/server.md, "Design").

A later schema version appends a SQLite migration and a server migration, and both
engines record the same ``SCHEMA_VERSION``: SQLite in ``PRAGMA user_version``, the
server in the one row of ``nmdesk_schema``. All pending server migrations run in
one transaction, under an advisory lock, so that a failing one leaves the database
as it was and two clerks opening a new database at once do not both migrate it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nmdesk.store.schema import SCHEMA_VERSION
from nmdesk.store.server_connection import CHANGES_CHANNEL

if TYPE_CHECKING:
    from nmdesk.store.server_connection import ServerConnection


@dataclass(frozen=True)
class ServerMigration:
    name: str
    sql: str  # statements run in one go (psycopg's simple query protocol: no parameters)


_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS nmdesk_schema (
    id integer PRIMARY KEY CHECK (id = 1),
    version integer NOT NULL
);
CREATE TABLE IF NOT EXISTS nmdesk_migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);
"""

_INITIAL = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE meta (
    id bigint PRIMARY KEY,
    key text NOT NULL UNIQUE,
    value text NOT NULL
);
CREATE TABLE units (
    id bigint PRIMARY KEY,
    name text NOT NULL UNIQUE,
    short_name text NOT NULL DEFAULT '',
    kind text NOT NULL,
    parent_id bigint REFERENCES units(id),
    head_person_id bigint,
    note text NOT NULL DEFAULT ''
);
CREATE INDEX units_parent ON units(parent_id);
CREATE TABLE people (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('staff', 'student', 'external')),
    unit_id bigint REFERENCES units(id),
    title text NOT NULL DEFAULT '',
    office_phone text NOT NULL DEFAULT '',
    mobile text NOT NULL DEFAULT '',
    email text NOT NULL DEFAULT '',
    staff_or_student_no text NOT NULL DEFAULT '',
    note text NOT NULL DEFAULT '',
    graduates_on text
);
ALTER TABLE units ADD FOREIGN KEY (head_person_id) REFERENCES people(id);
CREATE INDEX people_name ON people(name);
CREATE INDEX people_unit ON people(unit_id);
CREATE TABLE platforms (
    id bigint PRIMARY KEY,
    name text NOT NULL UNIQUE,
    account_types text NOT NULL DEFAULT '[]',
    sort_order bigint NOT NULL DEFAULT 0
);
CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    serial_no text NOT NULL UNIQUE,
    platform text NOT NULL,
    account_type text NOT NULL DEFAULT '',
    name text NOT NULL,
    platform_id text NOT NULL DEFAULT '',
    purpose text NOT NULL DEFAULT '',
    opened_on text,
    level bigint NOT NULL CHECK (level BETWEEN 1 AND 9),
    unit_id bigint NOT NULL REFERENCES units(id),
    status text NOT NULL,
    verified_subject text NOT NULL DEFAULT '',
    campus_data_service bigint NOT NULL DEFAULT 0,
    it_approval_ref text NOT NULL DEFAULT '',
    miit_filing_no text NOT NULL DEFAULT '',
    password_rotated_on text,
    last_post_on text,
    note text NOT NULL DEFAULT '',
    created_at text NOT NULL,
    updated_at text NOT NULL
);
CREATE UNIQUE INDEX accounts_platform_id ON accounts(platform, platform_id)
    WHERE platform_id <> '';
CREATE INDEX accounts_unit ON accounts(unit_id, platform);
CREATE INDEX accounts_status ON accounts(status);
CREATE INDEX accounts_name ON accounts(name);
CREATE INDEX accounts_sort_platform ON accounts(platform);
CREATE INDEX accounts_sort_account_type ON accounts(account_type);
CREATE INDEX accounts_sort_platform_id ON accounts(platform_id);
CREATE INDEX accounts_sort_level ON accounts(level);
CREATE INDEX accounts_sort_opened_on ON accounts(opened_on);
CREATE INDEX accounts_unit_id ON accounts(unit_id);
CREATE INDEX accounts_rotation ON accounts(status, password_rotated_on);
CREATE TABLE role_assignments (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts(id),
    role text NOT NULL,
    person_id bigint NOT NULL REFERENCES people(id),
    start_on text NOT NULL,
    end_on text
);
CREATE INDEX roles_account ON role_assignments(account_id, role);
CREATE INDEX roles_person ON role_assignments(person_id);
CREATE INDEX roles_account_current ON role_assignments(account_id, role, end_on);
CREATE TABLE applications (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts(id),
    applied_on text NOT NULL,
    approving_body text NOT NULL DEFAULT '',
    decision text NOT NULL DEFAULT 'pending',
    decided_on text,
    approval_ref text NOT NULL DEFAULT '',
    refusal_reason text NOT NULL DEFAULT '',
    justification text NOT NULL DEFAULT '',
    operation_plan text NOT NULL DEFAULT '',
    priority_rank bigint,
    pledge_signed bigint NOT NULL DEFAULT 0,
    pledge_signed_on text
);
CREATE INDEX applications_account ON applications(account_id);
CREATE TABLE filings (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts(id),
    kind text NOT NULL,
    event_on text NOT NULL,
    due_on text,
    due_is_estimate bigint NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'open',
    filed_on text,
    version bigint NOT NULL DEFAULT 1,
    check_code text NOT NULL DEFAULT '',
    platform_closed_on text,
    note text NOT NULL DEFAULT '',
    created_at text NOT NULL
);
CREATE INDEX filings_account ON filings(account_id);
CREATE INDEX filings_open_due ON filings(status, due_on);
CREATE TABLE filing_changes (
    id bigint PRIMARY KEY,
    filing_id bigint NOT NULL REFERENCES filings(id),
    field text NOT NULL,
    before text NOT NULL DEFAULT '',
    after text NOT NULL DEFAULT ''
);
CREATE INDEX filing_changes_filing ON filing_changes(filing_id);
CREATE TABLE review_campaigns (
    id bigint PRIMARY KEY,
    year bigint NOT NULL UNIQUE,
    opened_on text NOT NULL,
    deadline_on text NOT NULL,
    step text NOT NULL DEFAULT 'collect',
    published_on text,
    note text NOT NULL DEFAULT ''
);
CREATE TABLE sanctions (
    id bigint PRIMARY KEY,
    unit_id bigint NOT NULL REFERENCES units(id),
    account_id bigint REFERENCES accounts(id),
    kind text NOT NULL,
    issued_on text NOT NULL,
    reason text NOT NULL DEFAULT '',
    deadline_on text,
    resolved_on text,
    resolution text NOT NULL DEFAULT '',
    campaign_id bigint REFERENCES review_campaigns(id)
);
CREATE INDEX sanctions_unit ON sanctions(unit_id);
CREATE INDEX sanctions_account ON sanctions(account_id);
CREATE TABLE incidents (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts(id),
    occurred_on text NOT NULL,
    description text NOT NULL,
    action_taken text NOT NULL DEFAULT '',
    reported_on text
);
CREATE TABLE watch_entries (
    id bigint PRIMARY KEY,
    platform text NOT NULL,
    name text NOT NULL,
    platform_id text NOT NULL DEFAULT '',
    holder text NOT NULL DEFAULT '',
    found_on text NOT NULL,
    matched_keywords text NOT NULL DEFAULT '',
    action_taken text NOT NULL DEFAULT '',
    follow_up_on text,
    resolved_on text,
    note text NOT NULL DEFAULT ''
);
CREATE TABLE attachments (
    id bigint PRIMARY KEY,
    account_id bigint REFERENCES accounts(id),
    filing_id bigint REFERENCES filings(id),
    sha256 text NOT NULL,
    original_name text NOT NULL,
    size bigint NOT NULL,
    added_at text NOT NULL,
    description text NOT NULL DEFAULT ''
);
CREATE INDEX attachments_account ON attachments(account_id);
CREATE INDEX attachments_filing ON attachments(filing_id);
CREATE TABLE calendar_overrides (
    id bigint PRIMARY KEY,
    day text NOT NULL UNIQUE,
    is_workday bigint NOT NULL,
    note text NOT NULL DEFAULT '',
    festival text NOT NULL DEFAULT ''
);
CREATE TABLE calendar_years (
    id bigint PRIMARY KEY,
    year bigint NOT NULL UNIQUE,
    note text NOT NULL DEFAULT '',
    entered_at text NOT NULL DEFAULT '',
    entered_by text NOT NULL DEFAULT '',
    origin text NOT NULL DEFAULT '',
    title text NOT NULL DEFAULT ''
);
CREATE TABLE review_units (
    id bigint PRIMARY KEY,
    campaign_id bigint NOT NULL REFERENCES review_campaigns(id),
    unit_id bigint NOT NULL REFERENCES units(id),
    packet_returned_on text,
    zero_report bigint NOT NULL DEFAULT 0,
    note text NOT NULL DEFAULT '',
    UNIQUE (campaign_id, unit_id)
);
CREATE TABLE review_results (
    id bigint PRIMARY KEY,
    campaign_id bigint NOT NULL REFERENCES review_campaigns(id),
    account_id bigint NOT NULL REFERENCES accounts(id),
    in_opening_scope bigint NOT NULL DEFAULT 1,
    self_checked bigint NOT NULL DEFAULT 0,
    still_operated bigint,
    last_post_on text,
    posts_in_year bigint,
    followers bigint,
    content_reviewer text NOT NULL DEFAULT '',
    incident text NOT NULL DEFAULT '',
    materials_received bigint NOT NULL DEFAULT 0,
    flags text NOT NULL DEFAULT '',
    verdict text,
    verdict_deadline text,
    verdict_note text NOT NULL DEFAULT '',
    UNIQUE (campaign_id, account_id)
);
CREATE TABLE trainings (
    id bigint PRIMARY KEY,
    unit_id bigint REFERENCES units(id),
    person_id bigint REFERENCES people(id),
    held_on text NOT NULL,
    kind text NOT NULL DEFAULT 'training',
    title text NOT NULL,
    note text NOT NULL DEFAULT ''
);
CREATE TABLE audit_log (
    id bigint PRIMARY KEY,
    at text NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    table_name text NOT NULL,
    row_id bigint,
    before text,
    after text,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    account_id bigint,
    row_set text,
    last_row_id bigint,
    last_account_id bigint
);
CREATE INDEX audit_row ON audit_log(table_name, row_id);
CREATE INDEX audit_account ON audit_log(account_id) WHERE account_id IS NOT NULL;
CREATE INDEX audit_row_sets ON audit_log(table_name, last_row_id, row_id)
    WHERE row_set IS NOT NULL;
CREATE INDEX audit_account_sets ON audit_log(last_account_id, account_id)
    WHERE row_set IS NOT NULL;
CREATE TABLE import_mappings (
    id bigint PRIMARY KEY,
    name text NOT NULL UNIQUE,
    mapping text NOT NULL DEFAULT '{}',
    updated_at text NOT NULL
);
CREATE TABLE imports (
    id bigint PRIMARY KEY,
    at text NOT NULL,
    source_file text NOT NULL,
    sheet text NOT NULL DEFAULT '',
    sha256 text NOT NULL DEFAULT '',
    created bigint NOT NULL DEFAULT 0,
    updated bigint NOT NULL DEFAULT 0,
    duplicates bigint NOT NULL DEFAULT 0,
    errors bigint NOT NULL DEFAULT 0,
    new_units text NOT NULL DEFAULT '[]'
);
CREATE TABLE form_drafts (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts(id),
    form text NOT NULL,
    kind text,
    version bigint NOT NULL,
    check_code text NOT NULL UNIQUE,
    created_at text NOT NULL,
    filing_id bigint REFERENCES filings(id),
    received_on text
);
CREATE UNIQUE INDEX form_drafts_identity ON form_drafts(account_id, form, version);
CREATE TABLE account_priorities (
    id bigint PRIMARY KEY,
    unit_id bigint NOT NULL REFERENCES units(id),
    account_id bigint NOT NULL UNIQUE REFERENCES accounts(id),
    rank bigint NOT NULL CHECK (rank >= 1)
);
CREATE INDEX account_priorities_unit ON account_priorities(unit_id, rank);
-- Derived search data: rebuilt from the tables above, not audited. ``grams`` holds the
-- text's one- and two-character grams (nmdesk.store.search_text.short_grams).
CREATE TABLE account_search (
    account_id bigint PRIMARY KEY REFERENCES accounts(id),
    text text NOT NULL,
    initials text NOT NULL,
    grams text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX account_search_text ON account_search USING gin (text gin_trgm_ops);
CREATE INDEX account_search_initials ON account_search USING gin (initials gin_trgm_ops);
CREATE INDEX account_search_grams ON account_search USING gin (grams);
"""

# Every statement that extends the audit chain tells the other clerks, on commit, the
# newest entry's id (LISTEN/NOTIFY: nmdesk.store.server_connection.ChangeListener).
# PostgreSQL delivers a transaction's notifications when it commits, none when it
# rolls back.
_NOTIFY = f"""
CREATE FUNCTION nmdesk_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANGES_CHANNEL}', (SELECT max(id) FROM audit_log)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER audit_log_notify AFTER INSERT ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION nmdesk_notify_change();
"""

# The server's migrations in the order they were released, each at the SQLite schema
# version (SCHEMA_VERSION) it matches. Never edit a released one.
SERVER_MIGRATIONS = (
    ServerMigration("0001_server_initial", _INITIAL),
    ServerMigration("0002_server_change_notices", _NOTIFY),
)
SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtext('nmdesk schema'))"


def applied(db: ServerConnection) -> list[str]:
    if not db.table_exists("nmdesk_migrations"):
        return []
    return [str(row[0]) for row in db.execute("SELECT name FROM nmdesk_migrations ORDER BY name")]


def unknown(db: ServerConnection) -> list[str]:
    """Migrations this database has had that this nmdesk does not know (a newer one ran)."""
    known = {migration.name for migration in SERVER_MIGRATIONS}
    return [name for name in applied(db) if name not in known]


def pending(db: ServerConnection) -> list[ServerMigration]:
    done = set(applied(db))
    return [migration for migration in SERVER_MIGRATIONS if migration.name not in done]


def apply_migrations(db: ServerConnection) -> None:
    """Every pending migration and the new version, in one transaction (PostgreSQL's
    DDL is transactional: a failing migration leaves the database as it was)."""
    with db.atomic():
        db.execute(SCHEMA_LOCK)
        db.execute(_BOOKKEEPING)
        for migration in pending(db):  # read again under the lock
            db.execute(migration.sql)
            db.execute("INSERT INTO nmdesk_migrations (name) VALUES (?)", [migration.name])
        db.execute(
            "INSERT INTO nmdesk_schema (id, version) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET version = excluded.version",
            [SCHEMA_VERSION],
        )
    db.forget_columns()
