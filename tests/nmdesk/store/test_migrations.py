"""A register from every released schema version opens with today's code, after a backup.

``tests/fixtures/registers/v1-bit.nmdesk`` was made by the first released
nmdesk (commit 31595bf, schema version 1, only migration ``0001_initial``) with
``python -m nmdesk demo --accounts 40 --seed 1``. When a release adds a schema
version, add a fixture made by that release here; never regenerate an old one.
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
from nmdesk.store.schema import SCHEMA_VERSION, MigrationSet, migrations

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
}


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
