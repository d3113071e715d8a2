"""Changes made outside nmdesk (the sqlite3 module, the sqlite3 shell) are found by verify."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from nmdesk.store import Register
from nmdesk.store.audit import Finding


def _tamper(path: Path, *statements: str) -> None:
    """Edit the register the way a curious colleague with the sqlite3 shell would."""
    conn = sqlite3.connect(str(path))
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _findings(path: Path) -> list[Finding]:
    with Register.open(path, auto_backup=False) as register:
        return register.audit.verify()


def _verify_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nmdesk", "verify", "--path", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_untouched_register_verifies(demo_path: Path) -> None:
    assert _findings(demo_path) == []
    done = _verify_cli(demo_path)
    assert done.returncode == 0 and "校验通过" in done.stdout


EDITS: dict[str, tuple[list[str], str, int, str]] = {
    "update account": (
        ["UPDATE accounts SET name = '被改掉的名字' WHERE id = 7"],
        "accounts",
        7,
        "name",
    ),
    "update account status": (
        ["UPDATE accounts SET status = 'running', note = 'x' WHERE id = 12"],
        "accounts",
        12,
        "note",
    ),
    "update person": (
        ["UPDATE people SET mobile = '13900000000' WHERE id = 3"],
        "people",
        3,
        "mobile",
    ),
    "update filing": (
        ["UPDATE filings SET due_on = '2099-01-01' WHERE id = 2"],
        "filings",
        2,
        "due_on",
    ),
    "update profile": (
        ["UPDATE meta SET value = value || ' ' WHERE key = 'profile'"],
        "meta",
        1,
        "value",
    ),
    "delete role": (["DELETE FROM role_assignments WHERE id = 4"], "role_assignments", 4, "删除"),
    "delete filing": (
        ["DELETE FROM filing_changes WHERE filing_id = 5", "DELETE FROM filings WHERE id = 5"],
        "filings",
        5,
        "删除",
    ),
    "insert person": (
        ["INSERT INTO people (id, name, kind) VALUES (99999, '冒名者', 'staff')"],
        "people",
        99999,
        "添加",
    ),
    "insert account": (
        [
            "CREATE TEMP TABLE shadow AS SELECT * FROM accounts WHERE id = 1",
            "UPDATE shadow SET id = 88888, serial_no = 'X-1', platform_id = 'shadow_1', "
            "name = '影子账号'",
            "INSERT INTO accounts SELECT * FROM shadow",
        ],
        "accounts",
        88888,
        "添加",
    ),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_every_out_of_band_row_edit_is_found(kind: str, demo_path: Path) -> None:
    statements, table, row_id, word = EDITS[kind]
    _tamper(demo_path, *statements)
    findings = _findings(demo_path)
    assert any(f.table == table and f.row_id == row_id for f in findings), findings
    hit = next(f for f in findings if f.table == table and f.row_id == row_id)
    assert word in hit.problem
    done = _verify_cli(demo_path)
    assert done.returncode == 1
    assert f"{table} #{row_id}" in done.stdout and "校验未通过" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_deleted_row_is_found_even_when_its_dependants_go_too(demo_path: Path) -> None:
    _tamper(demo_path, "PRAGMA foreign_keys = OFF", "DELETE FROM units WHERE id = 20")
    findings = _findings(demo_path)
    assert Finding("units", 20, "记录在 nmdesk 之外被删除") in findings


def _audit_ids(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(str(path))
    try:
        low, high = conn.execute("SELECT min(id), max(id) FROM audit_log").fetchone()
    finally:
        conn.close()
    return int(low), int(high)


AuditEdit = Callable[[int, int], list[str]]
AUDIT_EDITS: dict[str, tuple[AuditEdit, str]] = {
    "delete a middle entry": (
        lambda low, high: [f"DELETE FROM audit_log WHERE id = {(low + high) // 2}"],
        "缺失",
    ),
    "delete a range": (
        lambda low, high: [f"DELETE FROM audit_log WHERE id BETWEEN {low + 10} AND {low + 30}"],
        "缺失",
    ),
    "delete the first entry": (lambda low, high: [f"DELETE FROM audit_log WHERE id = {low}"], ""),
    "delete the newest entry": (
        lambda low, high: [f"DELETE FROM audit_log WHERE id = {high}"],
        "",
    ),
    "edit an entry's after": (
        lambda low, high: [
            f"UPDATE audit_log SET after = replace(after, '\"', '\"') || ' ' WHERE id = {low + 5}"
        ],
        "内容被改动",
    ),
    "edit an entry's actor": (
        lambda low, high: [f"UPDATE audit_log SET actor = 'someone' WHERE id = {low + 50}"],
        "内容被改动",
    ),
    "rehash one entry": (
        # the edit is hashed again, but the next entry still names the old hash
        lambda low, high: [
            f"UPDATE audit_log SET actor = 'someone', hash = '{'a' * 64}' WHERE id = {low + 50}"
        ],
        "审计",
    ),
}


@pytest.mark.parametrize("kind", sorted(AUDIT_EDITS))
def test_every_audit_trail_edit_is_found(kind: str, demo_path: Path) -> None:
    edit, word = AUDIT_EDITS[kind]
    low, high = _audit_ids(demo_path)
    _tamper(demo_path, *edit(low, high))
    findings = _findings(demo_path)
    assert findings, kind
    assert any(word in f.problem for f in findings), findings
    done = _verify_cli(demo_path)
    assert done.returncode == 1 and "发现问题" in done.stdout


def test_removing_the_newest_entry_exposes_the_row_it_described(demo_path: Path) -> None:
    conn = sqlite3.connect(str(demo_path))
    table, row_id, high = conn.execute(
        "SELECT table_name, row_id, id FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    conn.close()
    _tamper(demo_path, f"DELETE FROM audit_log WHERE id = {high}")
    assert any(f.table == table and f.row_id == row_id for f in _findings(demo_path))


def _rewrite_history(path: Path, entry_id: int) -> None:
    """The determined attacker: edit an audited row AND recompute every later hash."""
    from nmdesk.store.audit import _entry_hash

    conn = sqlite3.connect(str(path))
    try:
        table, row_id, after = conn.execute(
            "SELECT table_name, row_id, after FROM audit_log WHERE id = ?", [entry_id]
        ).fetchone()
        forged = after.replace('"note": ""', '"note": "forged"')
        conn.execute("UPDATE audit_log SET after = ? WHERE id = ?", [forged, entry_id])
        rows = conn.execute(
            "SELECT id, at, actor, action, table_name, row_id, before, after FROM audit_log "
            "WHERE id >= ? ORDER BY id",
            [entry_id],
        ).fetchall()
        prev = conn.execute(
            "SELECT hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1", [entry_id]
        ).fetchone()[0]
        for entry, at, actor, action, tbl, rid, before, after_text in rows:
            digest = _entry_hash(prev, at, actor, action, tbl, rid, before, after_text)
            conn.execute(
                "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, entry]
            )
            prev = digest
        conn.execute(f"UPDATE {table} SET note = 'forged' WHERE id = ?", [row_id])
        conn.commit()
    finally:
        conn.close()


def test_a_rewritten_chain_is_caught_by_the_backups(demo_path: Path) -> None:
    from nmdesk.store.backup import anchor_findings

    with Register.open(demo_path, auto_backup=False) as register:
        register.backup()
        entry = register.scalar(
            "SELECT min(id) FROM audit_log WHERE table_name = 'people' AND action = 'insert'"
        )
        row_id = register.scalar("SELECT row_id FROM audit_log WHERE id = ?", [entry])
        # a later update of that person would expose the forgery; this one was never edited
        assert (
            register.scalar(
                "SELECT count(*) FROM audit_log WHERE table_name = 'people' AND row_id = ?",
                [row_id],
            )
            == 1
        )
    _rewrite_history(demo_path, entry)
    with Register.open(demo_path, auto_backup=False) as register:
        assert register.people.get(row_id).note == "forged"
        assert register.audit.verify() == []  # the chain alone cannot tell
        anchored = anchor_findings(register.path, register.db.conn)
    assert len(anchored) == 1 and "与备份" in anchored[0].problem
    done = _verify_cli(demo_path)
    assert done.returncode == 1 and "与备份" in done.stdout


def test_a_restore_does_not_look_like_a_rewrite(demo_path: Path) -> None:
    from nmdesk.models import Person, PersonKind
    from nmdesk.store.backup import anchor_findings, restore

    with Register.open(demo_path, auto_backup=False) as register:
        older = register.backup()
        with register.transaction():
            register.people.add(Person(None, "之后加入", PersonKind.STAFF))
        register.backup()  # a newer backup whose chain the restore will abandon
    restore(demo_path, older)
    with Register.open(demo_path) as register:
        with register.transaction():
            register.people.add(Person(None, "恢复后加入", PersonKind.STAFF))
        assert register.audit.verify() == []
        assert anchor_findings(register.path, register.db.conn) == []
    assert _verify_cli(demo_path).returncode == 0
