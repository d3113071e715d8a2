"""Changes made outside nmdesk (the sqlite3 module, the sqlite3 shell) are found by verify."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from nmdesk.store import Register
from nmdesk.store.audit import Finding, _canonical
from nmdesk.store.backup import backups_dir, list_backups


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
    from nmdesk.store.anchors import backup_findings as anchor_findings

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
    from nmdesk.store.anchors import backup_findings as anchor_findings
    from nmdesk.store.restore import restore

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


# -- issue 12 item 2: forgeries of a determined attacker, and the anchors that catch them


def _verify_with(path: Path, *anchors: str) -> subprocess.CompletedProcess[str]:
    options = [option for anchor in anchors for option in ("--anchor", anchor)]
    return subprocess.run(
        [sys.executable, "-m", "nmdesk", "verify", "--path", str(path), *options],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _untouched_person_entry(path: Path) -> int:
    """An audit entry inserting a person never edited since: a forger's easiest target."""
    with Register.open(path, auto_backup=False) as register:
        return int(
            register.scalar(
                "SELECT min(a.id) FROM audit_log a WHERE a.table_name = 'people' "
                "AND a.action = 'insert' AND (SELECT count(*) FROM audit_log b "
                "WHERE b.table_name = 'people' AND b.row_id = a.row_id) = 1"
            )
        )


def _forge_restored_at(path: Path, when: str) -> None:
    """Add ``meta.restored_at`` with its own, correctly chained audit entry."""
    from nmdesk.store.audit import _canonical, _entry_hash

    conn = sqlite3.connect(str(path))
    try:
        row_id = conn.execute(
            "INSERT INTO meta (key, value) VALUES ('restored_at', ?)", [when]
        ).lastrowid
        row = dict(
            zip(
                ["id", "key", "value"],
                conn.execute("SELECT id, key, value FROM meta WHERE id = ?", [row_id]).fetchone(),
                strict=True,
            )
        )
        prev = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0]
        at, after = "2026-12-07T09:00:00.000000", _canonical(row)
        digest = _entry_hash(prev, at, "forger", "insert", "meta", row_id, None, after)
        conn.execute(
            "INSERT INTO audit_log (at, actor, action, table_name, row_id, before, after, "
            "prev_hash, hash, account_id) VALUES (?, 'forger', 'insert', 'meta', ?, NULL, ?, "
            "?, ?, NULL)",
            [at, row_id, after, prev, digest],
        )
        conn.commit()
    finally:
        conn.close()


def _printed_head(output: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith("审计链头："))
    return line.split("：", 1)[1].split("（", 1)[0]


def test_verify_prints_the_head_hash_and_the_entry_count(demo_path: Path) -> None:
    done = _verify_with(demo_path)
    assert done.returncode == 0, done.stdout + done.stderr
    with Register.open(demo_path, auto_backup=False) as register:
        head, count = register.db.execute(
            "SELECT hash, (SELECT count(*) FROM audit_log) FROM audit_log ORDER BY id DESC"
        ).fetchone()
    assert _printed_head(done.stdout) == head
    assert f"审计记录：{count} 条" in done.stdout and f"共 {count} 条" in done.stdout


def test_forgery_1_a_forged_restored_at_no_longer_excuses_the_backups(demo_path: Path) -> None:
    """Rewrite an old entry, recompute the chain, and forge a restore inside the file."""
    with Register.open(demo_path, auto_backup=False) as register:
        register.backup()
    _rewrite_history(demo_path, _untouched_person_entry(demo_path))
    _forge_restored_at(demo_path, "2099-01-01T00:00:00")
    with Register.open(demo_path, auto_backup=False) as register:
        assert register.audit.verify() == []  # the chain itself checks
    done = _verify_with(demo_path)
    assert done.returncode == 1 and "与备份" in done.stdout


def test_forgery_2_backups_deleted_but_the_head_was_printed(demo_path: Path, tmp_path) -> None:
    """Rewrite the chain and delete every backup: the head printed earlier catches it."""
    printed = _verify_with(demo_path)
    listing = tmp_path / "verify-2026-12-07.txt"
    listing.write_text(printed.stdout, encoding="utf-8")
    head = _printed_head(printed.stdout)
    _rewrite_history(demo_path, _untouched_person_entry(demo_path))
    shutil.rmtree(backups_dir(demo_path), ignore_errors=True)
    for anchor in (head, str(listing)):
        done = _verify_with(demo_path, anchor)
        assert done.returncode == 1, anchor
        assert "不在备案库中" in done.stdout


def test_forgery_3_backup_files_deleted_but_the_anchors_log_kept(demo_path: Path) -> None:
    """Rewrite the chain and delete the backup files: anchors.log still holds their heads."""
    with Register.open(demo_path, auto_backup=False) as register:
        register.backup()
    _rewrite_history(demo_path, _untouched_person_entry(demo_path))
    for info in list_backups(demo_path):
        info.path.unlink()
    done = _verify_with(demo_path)
    assert done.returncode == 1 and "anchors.log" in done.stdout


def test_forgery_4_the_newest_history_cut_off(demo_path: Path) -> None:
    """Delete the newest entries and the rows they added: the rest is a valid chain."""
    from nmdesk.models import Person, PersonKind

    with Register.open(demo_path, auto_backup=False) as register:
        before = register.audit.count()
        with register.transaction():
            added = register.people.add(Person(None, "后来加入", PersonKind.STAFF))
        head = register.scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
    _tamper(
        demo_path,
        f"DELETE FROM people WHERE id = {added}",
        f"DELETE FROM audit_log WHERE id > {before}",
    )
    shutil.rmtree(backups_dir(demo_path), ignore_errors=True)
    assert _verify_with(demo_path).returncode == 0  # without an anchor it looks whole
    done = _verify_with(demo_path, head)
    assert done.returncode == 1 and "不在备案库中" in done.stdout


def test_the_limit_a_full_rewrite_with_every_anchor_destroyed_passes(demo_path: Path) -> None:
    """What a keyless chain cannot catch (docs/data-safety.md): rewrite the register,
    delete every backup and anchors.log, and keep no head elsewhere."""
    _rewrite_history(demo_path, _untouched_person_entry(demo_path))
    shutil.rmtree(backups_dir(demo_path), ignore_errors=True)
    assert _verify_with(demo_path).returncode == 0


def test_backups_and_restores_record_their_head_outside_the_file(demo_path: Path) -> None:
    from nmdesk.store.anchors import chain_head, recorded_anchors
    from nmdesk.store.restore import restore

    with Register.open(demo_path, auto_backup=False) as register:
        copy = register.backup()
        head = chain_head(register.db.conn)
    records = recorded_anchors(demo_path)
    assert records[-1].kind == "backup" and records[-1].hash == head.hash
    assert records[-1].entries == head.entries and copy.name in records[-1].note
    restore(demo_path, copy)
    with Register.open(demo_path, auto_backup=False) as register:
        restored_head = chain_head(register.db.conn)
    assert recorded_anchors(demo_path)[-1].kind == "restore"
    assert recorded_anchors(demo_path)[-1].hash == restored_head.hash
    assert oct(backups_dir(demo_path).joinpath("anchors.log").stat().st_mode & 0o777) == "0o600"


def _with_attachment(path: Path, tmp_path: Path) -> Path:
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"signed copy" * 100)
    with Register.open(path, auto_backup=False) as register:
        account = register.scalar("SELECT min(id) FROM accounts")
        attachment = register.attachments.add(scan, account_id=account)
        return register.attachments.stored_path(register.attachments.get(attachment))


def test_an_attachment_whose_bytes_were_replaced_fails_verify(demo_path, tmp_path) -> None:
    stored = _with_attachment(demo_path, tmp_path)
    assert _verify_with(demo_path).returncode == 0
    stored.write_bytes(b"\x89PNG\r\n\x1a\n" + b"forged copy" * 100)
    done = _verify_with(demo_path)
    assert done.returncode == 1 and "内容被改动" in done.stdout


def test_an_attachment_deleted_from_its_folder_fails_verify(demo_path, tmp_path) -> None:
    stored = _with_attachment(demo_path, tmp_path)
    stored.unlink()
    done = _verify_with(demo_path)
    assert done.returncode == 1 and "不存在" in done.stdout


def _published_outputs(path: Path, out: Path) -> dict[str, Path]:
    from nmdesk.cli import main

    args = ["--path", str(path), "--year", "2026"]
    assert main(["review", "open", *args, "--today", "2026-11-02"]) == 0
    assert (
        main(["review", "publish", *args, "--out", str(out), "--today", "2026-12-28", "--force"])
        == 0
    )
    return {
        "listing PDF": out / "2026年度年审公示.pdf",
        "listing HTML": out / "2026年度年审公示.html",
        "summary PDF": out / "2026年度年审汇总.pdf",
        "summary HTML": out / "2026年度年审汇总.html",
    }


def test_every_published_listing_and_summary_anchors_the_chain(demo_path, tmp_path) -> None:
    """Issue 12 item 2: a printed listing or summary records the head at that moment,
    and ``verify --anchor FILE`` proves the register still holds that history."""
    from nmdesk.store.anchors import anchors_from_argument, chain_head

    files = _published_outputs(demo_path, tmp_path / "out")
    with Register.open(demo_path, auto_backup=False) as register:
        entries = register.scalar("SELECT count(*) FROM audit_log")
        known = {row[0] for row in register.db.execute("SELECT hash FROM audit_log")}
        head = chain_head(register.db.conn)
    for what, file in files.items():
        anchors = anchors_from_argument(str(file))
        assert len(anchors) == 1 and anchors[0] in known, what
        assert entries > 0 and head.entries == entries
        done = _verify_with(demo_path, str(file))
        assert done.returncode == 0 and "外部锚点：1 个已核对" in done.stdout, what
    _rewrite_history(demo_path, _untouched_person_entry(demo_path))
    shutil.rmtree(backups_dir(demo_path), ignore_errors=True)
    for what, file in files.items():
        done = _verify_with(demo_path, str(file))
        assert done.returncode == 1 and "不在备案库中" in done.stdout, what


# -- issue 17 part 5: a bulk insert is one audit entry listing every row it wrote (a row set)

SET_PEOPLE = 6


def _with_row_sets(path: Path) -> tuple[list[int], list[int]]:
    """Add people and role assignments with one ``insert_rows`` each (one row set each),
    as a ledger import writes them; returns the new people's and assignments' ids."""
    with Register.open(path, auto_backup=False) as register:
        account = int(register.scalar("SELECT min(id) FROM accounts"))
        with register.transaction():
            people = register.insert_rows(
                "people",
                [
                    {"name": f"批量{n}", "kind": "staff", "mobile": f"1390000{n:04d}"}
                    for n in range(SET_PEOPLE)
                ],
            )
            roles = register.insert_rows(
                "role_assignments",
                [
                    {"account_id": account + n % 2, "role": "operator", "person_id": person,
                     "start_on": "2026-12-01", "end_on": None}
                    for n, person in enumerate(people)
                ],
            )  # fmt: skip
        assert register.audit.verify() == []
    return people, roles


def _set_entry(path: Path, table: str) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return int(
            conn.execute(
                "SELECT max(id) FROM audit_log WHERE table_name = ? AND row_set IS NOT NULL",
                [table],
            ).fetchone()[0]
        )
    finally:
        conn.close()


def test_a_bulk_insert_is_one_entry_that_lists_every_row(demo_path: Path) -> None:
    with Register.open(demo_path, auto_backup=False) as register:
        before = register.audit.count()
    people, roles = _with_row_sets(demo_path)
    with Register.open(demo_path, auto_backup=False) as register:
        assert register.audit.count() == before + 2  # two links of the chain, not twelve
        for person in people:
            (entry,) = register.audit.entries_for("people", person)
            assert entry["action"] == "insert" and entry["before"] is None
            assert entry["after"] == _canonical(register.row("people", person))
        account = int(register.scalar("SELECT min(id) FROM accounts"))
        history = register.audit.history_of_account(account)
        mine = [e for e in history if e["table_name"] == "role_assignments"
                and e["row_id"] in roles]  # fmt: skip
        assert [e["row_id"] for e in mine] == roles[0::2]
        exported = [e for e in register.audit.all_entries() if e["table_name"] == "people"]
        assert [e["row_id"] for e in exported][-SET_PEOPLE:] == people


ROW_EDITS: dict[str, tuple[Callable[[list[int]], list[str]], int, str]] = {
    # (statements given the set's people ids, which person, the finding's word)
    "change a row the set wrote": (
        lambda ids: [f"UPDATE people SET mobile = '13800000000' WHERE id = {ids[2]}"],
        2,
        "修改",
    ),
    "delete a row the set wrote": (
        lambda ids: [f"DELETE FROM people WHERE id = {ids[3]}"],
        3,
        "删除",
    ),
    "insert a row inside the set's range": (
        lambda ids: [
            f"DELETE FROM people WHERE id = {ids[4]}",
            f"INSERT INTO people (id, name, kind) VALUES ({ids[4]}, '冒名者', 'staff')",
        ],
        4,
        "修改",
    ),
    "insert a row after the set": (
        lambda ids: [
            f"INSERT INTO people (id, name, kind) VALUES ({ids[-1] + 50}, '冒名者', 'staff')"
        ],
        -1,
        "添加",
    ),
}


@pytest.mark.parametrize("kind", sorted(ROW_EDITS))
def test_every_edit_of_a_row_from_a_row_set_is_found(kind: str, demo_path: Path) -> None:
    people, _roles = _with_row_sets(demo_path)
    edit, which, word = ROW_EDITS[kind]
    _tamper(demo_path, "PRAGMA foreign_keys = OFF", *edit(people))
    row_id = people[which] if which >= 0 else people[-1] + 50
    findings = _findings(demo_path)
    hit = [f for f in findings if f.table == "people" and f.row_id == row_id]
    assert hit and word in hit[0].problem, findings
    done = _verify_cli(demo_path)
    assert done.returncode == 1 and f"people #{row_id}" in done.stdout


SET_EDITS: dict[str, tuple[str, Callable[[int], list[str]], list[str]]] = {
    # (table of the set, statements given the entry id, words every one of which is found)
    "change one row's value inside the set": (
        "people",
        lambda entry: [
            f"UPDATE audit_log SET row_set = replace(row_set, '13900000002', '13800000000') "
            f"WHERE id = {entry}"
        ],
        ["内容被改动", "修改"],
    ),
    "remove one row from the set": (
        "people",
        lambda entry: [
            f"UPDATE audit_log SET row_set = json_remove(row_set, '$.rows[1]') WHERE id = {entry}"
        ],
        ["内容被改动", "无审计记录"],
    ),
    "add a row to the set": (
        "people",
        lambda entry: [
            "UPDATE audit_log SET row_set = json_insert(row_set, '$.rows[#]', "
            "json_extract(row_set, '$.rows[0]')) WHERE id = " + str(entry)
        ],
        ["内容被改动"],
    ),
    "empty the set": (
        "people",
        lambda entry: [f"UPDATE audit_log SET row_set = NULL WHERE id = {entry}"],
        ["内容被改动", "无审计记录"],
    ),
    "delete the set's entry": (
        "people",
        lambda entry: [f"DELETE FROM audit_log WHERE id = {entry}"],
        ["缺失", "无审计记录"],
    ),
    "move the set to another account": (
        "role_assignments",
        lambda entry: [
            f"UPDATE audit_log SET account_id = account_id + 7, last_account_id = "
            f"last_account_id + 7 WHERE id = {entry}"
        ],
        ["范围不符"],
    ),
    "shrink the set's row range": (
        "people",
        lambda entry: [f"UPDATE audit_log SET last_row_id = row_id WHERE id = {entry}"],
        ["范围不符"],
    ),
    "empty the set's rows": (
        "people",
        lambda entry: [
            f"UPDATE audit_log SET row_set = json_set(row_set, '$.rows', json('[]')) "
            f"WHERE id = {entry}"
        ],
        ["内容被改动", "范围不符", "无审计记录"],
    ),
    "break the set's text": (
        "people",
        lambda entry: [f"UPDATE audit_log SET row_set = substr(row_set, 1, 40) WHERE id = {entry}"],
        ["内容被改动", "范围不符", "无审计记录"],
    ),
}


@pytest.mark.parametrize("kind", sorted(SET_EDITS))
def test_every_edit_of_a_row_set_is_found(kind: str, demo_path: Path) -> None:
    _with_row_sets(demo_path)
    table, edit, words = SET_EDITS[kind]
    _tamper(demo_path, *edit(_set_entry(demo_path, table)))
    findings = _findings(demo_path)
    for word in words:
        assert any(word in f.problem for f in findings), (word, findings)
    done = _verify_cli(demo_path)
    assert done.returncode == 1 and "校验未通过" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_row_set_rewritten_with_its_chain_is_caught_by_the_backups(demo_path: Path) -> None:
    """The determined attacker edits a row and its row in the set, and rehashes the chain
    from there: the chain agrees with itself, the backup's head does not."""
    from nmdesk.store.anchors import backup_findings as anchor_findings
    from nmdesk.store.audit import _entry_hash

    people, _roles = _with_row_sets(demo_path)
    with Register.open(demo_path, auto_backup=False) as register:
        register.backup()
    entry_id = _set_entry(demo_path, "people")
    conn = sqlite3.connect(str(demo_path))
    try:
        conn.execute(
            "UPDATE audit_log SET row_set = replace(row_set, '13900000001', '13800000001') "
            "WHERE id = ?",
            [entry_id],
        )
        conn.execute(f"UPDATE people SET mobile = '13800000001' WHERE id = {people[1]}")
        prev = conn.execute(
            "SELECT hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1", [entry_id]
        ).fetchone()[0]
        for entry, *fields, row_set in conn.execute(
            "SELECT id, at, actor, action, table_name, row_id, before, after, row_set "
            "FROM audit_log WHERE id >= ? ORDER BY id",
            [entry_id],
        ).fetchall():
            digest = _entry_hash(prev, *fields, row_set)
            conn.execute(
                "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, entry]
            )
            prev = digest
        conn.commit()
    finally:
        conn.close()
    with Register.open(demo_path, auto_backup=False) as register:
        assert register.people.get(people[1]).mobile == "13800000001"
        assert register.audit.verify() == []  # the chain alone cannot tell
        anchored = anchor_findings(register.path, register.db.conn)
    assert len(anchored) == 1 and "与备份" in anchored[0].problem


def test_a_row_set_of_scattered_ids_lists_exactly_its_rows(register: Register) -> None:
    """Rows given their own ids, with another row between them: the set holds just them,
    as SQLite stored them (the defaults of the columns not given filled in)."""
    with register.transaction():
        between = register.insert_row("people", {"id": 1002, "name": "中间的", "kind": "staff"})
        ids = register.insert_rows(
            "people",
            [
                {"id": 1001, "name": "甲", "kind": "staff"},
                {"id": 1003, "name": "乙", "kind": "staff"},
            ],
        )
    assert ids == [1001, 1003] and between == 1002
    entry = register.audit.all_entries()[-2:]
    assert [(e["row_id"], e["id"]) for e in entry] == [
        (1001, entry[0]["id"]),
        (1003, entry[0]["id"]),
    ]
    assert [e["after"] for e in entry] == [_canonical(register.row("people", i)) for i in ids]
    assert register.audit.verify() == []


def test_a_large_insert_is_one_entry_per_row_set_size(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sets hold at most ``ROW_SET_ROWS`` rows (a row's history parses sets that small);
    a last chunk of one row is a snapshot, as any one-row insert is."""
    from nmdesk.store import audit

    monkeypatch.setattr(audit, "ROW_SET_ROWS", 3)
    before = register.audit.count()
    with register.transaction():
        ids = register.insert_rows(
            "people", [{"name": f"分块{n}", "kind": "staff"} for n in range(7)]
        )
    entries = register.query(
        "SELECT row_id, last_row_id, row_set IS NOT NULL AS is_set, after IS NOT NULL AS snap "
        "FROM audit_log WHERE id > ? ORDER BY id",
        [before],
    )
    assert [tuple(e.values()) for e in entries] == [
        (ids[0], ids[2], 1, 0),
        (ids[3], ids[5], 1, 0),
        (ids[6], None, 0, 1),
    ]
    for person in ids:
        (entry,) = register.audit.entries_for("people", person)
        assert entry["after"] == _canonical(register.row("people", person))
    assert register.audit.verify() == []


def test_a_bulk_update_is_one_row_set_with_each_row_before_and_after(register: Register) -> None:
    """On either engine: an update of several rows is one entry whose set lists each
    changed row after and before the update (a row left as it was gets nothing), a row's
    history gives both, one updated row is a snapshot, and verify agrees with the rows."""
    with register.transaction():
        ids = register.insert_rows(
            "people", [{"name": f"更新{n}", "kind": "staff"} for n in range(3)]
        )
    before = register.audit.count()
    with register.transaction():
        register.update_rows(
            "people",
            {ids[0]: {"title": "科长"}, ids[1]: {"title": "处长"}, ids[2]: {"name": "更新2"}},
        )
    assert register.audit.count() == before + 1  # one set of the two changed rows
    (entry,) = register.query(
        "SELECT row_id, last_row_id, row_set FROM audit_log WHERE id > ?", [before]
    )
    assert (entry["row_id"], entry["last_row_id"]) == (ids[0], ids[1])
    row_set = json.loads(entry["row_set"])
    assert [row[0] for row in row_set["rows"]] == [row[0] for row in row_set["before"]]
    for person, title in ((ids[0], "科长"), (ids[1], "处长")):
        (_insert, update) = register.audit.entries_for("people", person)
        assert update["after"] == _canonical(register.row("people", person))
        assert json.loads(update["after"])["title"] == title
        assert json.loads(update["before"])["title"] == ""
    assert len(register.audit.entries_for("people", ids[2])) == 1  # unchanged: no entry
    register.update_row("people", ids[2], {"mobile": "13800000000"})
    (snapshot,) = register.audit.entries_for("people", ids[2])[1:]
    assert json.loads(snapshot["before"])["mobile"] == ""
    assert snapshot["after"] == _canonical(register.row("people", ids[2]))
    assert register.audit.verify() == []


def test_a_column_added_after_a_row_set_holds_its_default_and_verifies(demo_path: Path) -> None:
    """A later migration adds a column: the set's rows lack it, which counts as unchanged
    while the column holds its default, as for a snapshot."""
    people, _roles = _with_row_sets(demo_path)
    _tamper(demo_path, "ALTER TABLE people ADD COLUMN future_note TEXT NOT NULL DEFAULT ''")
    assert _findings(demo_path) == []
    _tamper(demo_path, f"UPDATE people SET future_note = 'x' WHERE id = {people[0]}")
    (hit,) = _findings(demo_path)
    assert (hit.table, hit.row_id) == ("people", people[0]) and "future_note" in hit.problem


def test_a_broken_row_set_leaves_history_and_export_readable(demo_path: Path) -> None:
    """A set changed into text that is no row set: verify reports it (above); the
    history pane and the audit export still read everything else."""
    _people, roles = _with_row_sets(demo_path)
    entry = _set_entry(demo_path, "role_assignments")
    _tamper(demo_path, f"UPDATE audit_log SET row_set = 'not json' WHERE id = {entry}")
    with Register.open(demo_path, auto_backup=False) as register:
        account = int(register.scalar("SELECT min(id) FROM accounts"))
        history = register.audit.history_of_account(account)
        assert history and not any(e["id"] == entry for e in history)
        exported = [e for e in register.audit.all_entries() if e["id"] == entry]
        assert [e["after"] for e in exported] == ["not json"]
        assert register.audit.entries_for("role_assignments", roles[0]) == []


# -- row sets of a bulk update: each row after the update and, in ``before``, before it


def _with_updated_set(path: Path) -> list[int]:
    """Update the note of six accounts twice, with one ``update_rows`` each (one row set
    each), as publishing a review writes its verdicts; returns the accounts' ids."""
    with Register.open(path, auto_backup=False) as register:
        ids = [row[0] for row in register.db.execute("SELECT id FROM accounts ORDER BY id")][:6]
        with register.transaction():
            register.update_rows("accounts", {a: {"note": f"旧备注{n}"} for n, a in enumerate(ids)})
        with register.transaction():
            register.update_rows("accounts", {a: {"note": f"新备注{n}"} for n, a in enumerate(ids)})
        assert register.audit.verify() == []
    return ids


def test_a_bulk_update_is_one_entry_with_every_row_before_and_after(demo_path: Path) -> None:
    with Register.open(demo_path, auto_backup=False) as register:
        count = register.audit.count()
    ids = _with_updated_set(demo_path)
    with Register.open(demo_path, auto_backup=False) as register:
        assert register.audit.count() == count + 2  # two links of the chain, not twelve
        for n, account in enumerate(ids):
            latest = register.audit.entries_for("accounts", account)[-1]
            assert latest["action"] == "update"
            assert latest["after"] == _canonical(register.row("accounts", account))
            before = json.loads(latest["before"])
            assert before == {**register.row("accounts", account), "note": f"旧备注{n}"}
            history = register.audit.history_of_account(account)
            notes = [json.loads(e["after"])["note"] for e in history[-2:]]
            assert notes == [f"旧备注{n}", f"新备注{n}"]
            assert json.loads(history[-1]["before"])["note"] == f"旧备注{n}"
        exported = [e for e in register.audit.all_entries() if e["table_name"] == "accounts"]
        assert [json.loads(e["before"])["note"] for e in exported[-6:]] == [
            f"旧备注{n}" for n in range(6)
        ]


def test_an_edit_of_a_row_a_bulk_update_wrote_is_found(demo_path: Path) -> None:
    ids = _with_updated_set(demo_path)
    _tamper(demo_path, f"UPDATE accounts SET note = '旧备注2' WHERE id = {ids[2]}")
    (hit,) = _findings(demo_path)
    assert (hit.table, hit.row_id) == ("accounts", ids[2]) and "note" in hit.problem


UPDATE_SET_EDITS: dict[str, tuple[Callable[[int], list[str]], list[str]]] = {
    # (statements given the entry id, words every one of which is found)
    "change a row's value after the update": (
        lambda entry: [
            f"UPDATE audit_log SET row_set = replace(row_set, '新备注2', '伪备注') WHERE id = {entry}"
        ],
        ["审计记录内容被改动", "记录在 nmdesk 之外被修改"],
    ),
    "change a row's value before the update": (
        lambda entry: [
            f"UPDATE audit_log SET row_set = replace(row_set, '旧备注2', '伪备注') WHERE id = {entry}"
        ],
        ["审计记录内容被改动"],
    ),
    "remove a row's value before the update": (
        lambda entry: [
            f"UPDATE audit_log SET row_set = json_remove(row_set, '$.before[1]') WHERE id = {entry}"
        ],
        ["审计记录内容被改动", "行集与其所记范围不符"],
    ),
    "remove a row from the update": (
        lambda entry: [
            f"UPDATE audit_log SET row_set = json_remove(row_set, '$.rows[1]', '$.before[1]') "
            f"WHERE id = {entry}"
        ],
        ["审计记录内容被改动", "记录在 nmdesk 之外被修改"],
    ),
}


@pytest.mark.parametrize("kind", sorted(UPDATE_SET_EDITS))
def test_every_edit_of_a_bulk_update_row_set_is_found(kind: str, demo_path: Path) -> None:
    _with_updated_set(demo_path)
    edit, words = UPDATE_SET_EDITS[kind]
    _tamper(demo_path, *edit(_set_entry(demo_path, "accounts")))
    findings = _findings(demo_path)
    for word in words:
        assert any(word in f.problem for f in findings), (word, findings)
    done = _verify_cli(demo_path)
    assert done.returncode == 1 and "校验未通过" in done.stdout
    assert "Traceback" not in done.stderr
