"""A register from every released schema version opens with today's code, after a backup.

``tests/fixtures/registers/v1-bit.nmdesk`` was made by the first released
nmdesk (commit 31595bf, schema version 1, only migration ``0001_initial``) with
``python -m nmdesk demo --accounts 40 --seed 1``; ``v2-bit.nmdesk`` the same way by
the nmdesk of schema version 2 (commit 0c50274 with the version bumped, migrations up
to ``0013_perf_audit_row_sets``). When a release adds a schema version, add a fixture
made by that release here; never regenerate an old one.
``newer.nmdesk`` claims a schema version from the future and must be refused.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

import nmdesk.store.register as register_module
from nmdesk.errors import NewerRegisterError, RegisterError
from nmdesk.store import Register
from nmdesk.store import backup as backups
from nmdesk.store.migration_set import MigrationSet
from nmdesk.store.schema import SCHEMA_VERSION, SCHEMA_VERSIONS, migrations

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "registers"

# what each fixture holds, checked after opening it with today's code
EXPECTED = {
    "v1-bit.nmdesk": {
        "version": 1,
        "profile": "bit",
        "counts": {"units": 41, "people": 205, "accounts": 40, "filings": 48, "watch_entries": 4},
        "audit_entries": 697,
        "accounts": [
            (1, "BIT-2026-00001", "北理工团委0", "微信", "running"),
            (2, "BIT-2026-00002", "北理工人文团委", "微信", "approved"),
            (3, "BIT-2026-00003", "北理工光电学生会", "B站", "running"),
        ],
        "last_hash": "eb37a8c095d99a4c36efb4c85d354eacac0d603f3e9d504fa0dc5eb3af250b91",
    },
    "v2-bit.nmdesk": {
        "version": 2,
        "profile": "bit",
        "counts": {"units": 41, "people": 205, "accounts": 40, "filings": 48, "watch_entries": 4},
        "audit_entries": 698,
        "accounts": [
            (1, "BIT-2026-00001", "北理工团委0", "微信", "running"),
            (2, "BIT-2026-00002", "北理工人文团委", "微信", "approved"),
            (3, "BIT-2026-00003", "北理工光电学生会", "B站", "running"),
        ],
        "last_hash": "fab769a94e0818be6fe27e73a8749e9f844f06455b140b5ecd7904ba2d84ebee",
    },
}
BEFORE_ROW_SETS = sorted(name for name, spec in EXPECTED.items() if spec["version"] < 2)


def _content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, to compare a backup with the file it was taken from."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'"
            )
        ]
        return {t: conn.execute(f"SELECT * FROM [{t}] ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


def _applied(path: Path) -> set[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations")}
    finally:
        conn.close()


def test_every_schema_version_has_a_fixture() -> None:
    versions = {spec["version"] for spec in EXPECTED.values()}
    assert versions == set(range(1, SCHEMA_VERSION + 1))
    for name in EXPECTED:
        assert (FIXTURES / name).is_file()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_fixture_opens_with_current_code_after_a_backup(name: str, tmp_path: Path) -> None:
    spec = EXPECTED[name]
    path = tmp_path / name
    shutil.copy(FIXTURES / name, path)
    original = _content(path)
    pending = {m.name for m in migrations.migrations} - _applied(path)

    with Register.open(path, actor="tester") as register:
        assert register.schema_version() == SCHEMA_VERSION
        assert register.profile.id == spec["profile"]
        for table, count in spec["counts"].items():
            assert register.scalar(f"SELECT count(*) FROM {table}") == count, table
        rows = register.query(
            "SELECT id, serial_no, name, platform, status FROM accounts ORDER BY id LIMIT 3"
        )
        assert [tuple(r.values()) for r in rows] == spec["accounts"]
        first = register.accounts.get(1)
        assert first.serial_no == spec["accounts"][0][1]
        assert register.audit.count() == spec["audit_entries"]
        assert register.integrity_ok()
        assert register.audit.verify() == []
    assert _applied(path) == {m.name for m in migrations.migrations}

    taken = [b for b in backups.list_backups(path) if b.kind == "pre-migration"]
    if pending:
        assert len(taken) == 1
        assert _content(taken[0].path) == original
        assert _applied(taken[0].path) == _applied(FIXTURES / name)
    else:
        assert taken == []


def _future_migrations() -> MigrationSet:
    """Today's migrations plus one a future release might add to an audited table."""
    future = MigrationSet("nmdesk")
    for migration in migrations.migrations:
        future(name=migration.name)(migration.fn)

    @future(name="9999_test_future_column")
    def _add_column(db: Database) -> None:
        db.execute("ALTER TABLE accounts ADD COLUMN future_note TEXT NOT NULL DEFAULT ''")

    return future


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_pending_migration_is_backed_up_first_and_keeps_the_audit_clean(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / name
    shutil.copy(FIXTURES / name, path)
    Register.open(path, auto_backup=False).close()  # today's schema, as a clerk has it now
    for info in backups.list_backups(path):
        info.path.unlink()
    before = _content(path)

    monkeypatch.setattr(register_module, "migrations", _future_migrations())
    with Register.open(path, auto_backup=False) as register:
        columns = set(register.db.columns("accounts"))
        assert "future_note" in columns
        assert register.audit.verify() == []  # the new column holds its default
        assert (
            register.scalar("SELECT count(*) FROM accounts") == EXPECTED[name]["counts"]["accounts"]
        )
    taken = backups.list_backups(path)
    assert [b.kind for b in taken] == ["pre-migration"]
    assert _content(taken[0].path) == before
    assert "9999_test_future_column" not in _applied(taken[0].path)
    assert backups.check_backup(taken[0].path).accounts == EXPECTED[name]["counts"]["accounts"]


def test_a_failing_migration_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v1.nmdesk"
    shutil.copy(FIXTURES / "v1-bit.nmdesk", path)
    Register.open(path, auto_backup=False).close()
    before = _content(path)
    backups_before = len(backups.list_backups(path))
    broken = _future_migrations()

    @broken(name="9999_test_broken")
    def _broken(db: Database) -> None:
        db.execute("UPDATE accounts SET name = 'half done'")
        db.execute("THIS IS NOT SQL")

    monkeypatch.setattr(register_module, "migrations", broken)
    with pytest.raises(RegisterError, match="无法升级"):
        Register.open(path, auto_backup=False)
    monkeypatch.undo()
    assert _content(path) == before  # the first, good migration was rolled back too
    with Register.open(path, auto_backup=False) as register:
        assert "future_note" not in set(register.db.columns("accounts"))
        assert register.audit.verify() == []
    assert len(backups.list_backups(path)) == backups_before + 1


def test_every_migration_belongs_to_a_released_schema_version() -> None:
    """A migration added without a new schema version would let an older nmdesk open
    (and misread) the registers it changed, as version 1 did after 0002–0013."""
    names = [migration.name for migration in migrations.migrations]
    assert names[-1] == SCHEMA_VERSIONS[SCHEMA_VERSION]
    ends = [names.index(SCHEMA_VERSIONS[v]) for v in sorted(SCHEMA_VERSIONS)]
    assert ends == sorted(ends) and len(set(ends)) == len(ends)


def test_every_fixture_has_its_version_on_disk() -> None:
    for name, spec in EXPECTED.items():
        conn = sqlite3.connect(f"{(FIXTURES / name).resolve().as_uri()}?mode=ro", uri=True)
        try:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == spec["version"], name
        finally:
            conn.close()
        assert SCHEMA_VERSIONS[spec["version"]] in _applied(FIXTURES / name)


def test_a_register_that_had_a_migration_this_nmdesk_does_not_know_is_refused_untouched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "later.nmdesk"
    Register.create(path, "bit").close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('nmdesk', '9999_from_a_later_release', '2027-01-01')"
        )
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerRegisterError, match="9999_from_a_later_release"):
        Register.open(path)
    assert path.read_bytes() == before
    with pytest.raises(NewerRegisterError, match="不能用于恢复"):
        backups.check_backup(path)


def test_a_register_made_between_two_releases_gets_the_current_version(tmp_path: Path) -> None:
    """Registers made before the version was bumped have every migration and version 1."""
    path = tmp_path / "between.nmdesk"
    Register.create(path, "bit").close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Register.open(path, auto_backup=False) as register:
        assert register.schema_version() == SCHEMA_VERSION
    with Register.open(path, auto_backup=False) as register:
        assert register.audit.verify() == []


def test_a_register_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.nmdesk"
    shutil.copy(FIXTURES / "newer.nmdesk", path)
    data = path.read_bytes()
    with pytest.raises(NewerRegisterError, match="更新版本"):
        Register.open(path)
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.nmdesk"]


def test_opening_an_up_to_date_register_does_not_import_sqlite_utils(tmp_path: Path) -> None:
    """Start-up speed: sqlite-utils (and click, dateutil, pluggy) load only to migrate."""
    path = tmp_path / "v1.nmdesk"
    shutil.copy(FIXTURES / "v1-bit.nmdesk", path)
    probe = (
        "import sys\n"
        "from nmdesk.store.register import Register\n"
        f"register = Register.open({str(path)!r}, auto_backup=False)\n"
        "print(register.accounts.count(), 'sqlite_utils' in sys.modules)\n"
        "register.close()\n"
    )
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split()[1] == "True"  # the fixture predates today's migrations
    again = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    count, imported = again.stdout.split()
    assert int(count) == EXPECTED["v1-bit.nmdesk"]["counts"]["accounts"]
    assert imported == "False"


@pytest.mark.parametrize("name", BEFORE_ROW_SETS)
def test_a_register_from_before_row_sets_verifies_with_old_and_new_entries(
    name: str, tmp_path: Path
) -> None:
    """Migration 0013 adds row sets (one audit entry per bulk insert); a register written
    before it keeps its per-row entries, verifies, and mixes both kinds afterwards."""
    path = tmp_path / name
    shutil.copy(FIXTURES / name, path)
    assert "0013_perf_audit_row_sets" not in _applied(path)
    with Register.open(path, actor="tester", auto_backup=False) as register:
        assert register.audit.verify() == []
        old_history = register.audit.history_of_account(1)
        assert old_history
        entries = register.audit.count()
        with register.transaction():
            people = register.insert_rows(
                "people", [{"name": f"迁移后{n}", "kind": "staff"} for n in range(5)]
            )
            register.insert_rows(
                "role_assignments",
                [
                    {"account_id": 1, "role": "operator", "person_id": person,
                     "start_on": "2026-12-01", "end_on": None}
                    for person in people
                ],
            )  # fmt: skip
        assert register.audit.count() == entries + 2
        assert register.audit.verify() == []
        history = register.audit.history_of_account(1)
        assert history[: len(old_history)] == old_history
        assert len(history) == len(old_history) + 5
        old_head = register.scalar(
            "SELECT hash FROM audit_log ORDER BY id LIMIT 1 OFFSET ?",
            [EXPECTED[name]["audit_entries"] - 1],
        )
        assert old_head == EXPECTED[name]["last_hash"]  # the old chain is untouched
