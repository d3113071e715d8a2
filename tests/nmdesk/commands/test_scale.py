"""The large demo register (``demo --accounts N`` above the bulk threshold) and the
audit log's ``account_id`` column that keeps an account's history an index lookup."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from nmdesk.cli import main
from nmdesk.commands.register import LARGE_DEMO_ACCOUNTS
from nmdesk.store import Register


@pytest.fixture(scope="module")
def large_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "large.nmdesk"
    accounts = LARGE_DEMO_ACCOUNTS + 500
    assert main(["demo", "--accounts", str(accounts), "--path", str(path)]) == 0
    return path


def test_large_demo_has_every_kind_of_row_and_verifies(large_demo: Path) -> None:
    with Register.open(large_demo, auto_backup=False) as register:
        assert register.accounts.count() == LARGE_DEMO_ACCOUNTS + 500
        counts = {
            table: register.scalar(f"SELECT count(*) FROM {table}")
            for table in (
                "units",
                "people",
                "role_assignments",
                "filings",
                "filing_changes",
                "review_campaigns",
                "review_results",
            )
        }
        assert all(count > 0 for count in counts.values()), counts
        required = [role for role in register.profile.roles if role.required]
        assert counts["role_assignments"] == len(required) * register.accounts.count()
        assert register.scalar("SELECT count(*) FROM filings WHERE status = 'open'") > 0
        assert register.scalar("SELECT step FROM review_campaigns") == "published"
        # every account is found by its name's characters and its pinyin initials
        found = register.scalar("SELECT count(*) FROM account_search")
        assert found == register.accounts.count()
        assert register.audit.verify() == []


def test_history_of_account_comes_from_the_account_id_column(large_demo: Path) -> None:
    with Register.open(large_demo, auto_backup=False) as register:
        account_id = int(
            register.scalar("SELECT account_id FROM review_results ORDER BY id LIMIT 1")
        )
        history = register.audit.history_of_account(account_id)
        row_sets = {row[0] for row in register.db.execute(
            "SELECT id FROM audit_log WHERE row_set IS NOT NULL"
        )}  # fmt: skip
        tables = {entry["table_name"] for entry in history}
        assert {"accounts", "role_assignments", "review_results"} <= tables
        assert [entry["id"] for entry in history] == sorted(entry["id"] for entry in history)
        # the same entries a scan of the whole log by content finds (a row set's rows one
        # entry each: the large demo is written with insert_rows, as an import is)
        scanned = [
            entry
            for entry in register.audit.all_entries()
            if (entry["table_name"] == "accounts" and entry["row_id"] == account_id)
            or (
                entry["table_name"] != "accounts"
                and json.loads(entry["after"] or entry["before"] or "{}").get("account_id")
                == account_id
            )
        ]
        assert any(entry["id"] in row_sets for entry in scanned)
        keys = ("id", "table_name", "row_id", "before", "after")
        assert [[e[k] for k in keys] for e in history] == [[e[k] for k in keys] for e in scanned]
        plan = " ".join(
            str(row[-1])
            for row in register.db.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM audit_log WHERE account_id = ? ORDER BY id",
                [account_id],
            )
        )
        assert "audit_account" in plan


def test_new_writes_carry_their_account(register: Register) -> None:
    from nmdesk.demo_large import _fill

    with register.transaction():
        _fill(register, 30, 1, 4, 0.5)
    account_id = int(register.scalar("SELECT max(id) FROM accounts"))
    with register.transaction():
        register.update_row("accounts", account_id, {"note": "改"})
    history = register.audit.history_of_account(account_id)
    assert history[-1]["action"] == "update" and history[-1]["table_name"] == "accounts"
    assert register.audit.verify() == []


def test_verify_reports_an_audit_entry_moved_to_another_account(tmp_path: Path) -> None:
    path = tmp_path / "moved.nmdesk"
    assert main(["demo", "--accounts", "40", "--path", str(path)]) == 0
    conn = sqlite3.connect(path)
    entry = conn.execute(
        "SELECT id, account_id FROM audit_log WHERE table_name = 'role_assignments' LIMIT 1"
    ).fetchone()
    conn.execute("UPDATE audit_log SET account_id = ? WHERE id = ?", [entry[1] + 1, entry[0]])
    conn.commit()
    conn.close()
    with Register.open(path, auto_backup=False) as register:
        findings = register.audit.verify()
    assert [(f.table, f.row_id) for f in findings] == [("audit_log", entry[0])]
    assert "所属账号" in findings[0].problem


@pytest.mark.parametrize("text", ["王", "学院", "计算机", "blg", "jsj", "bl", "00012", "b"])
def test_search_finds_what_a_scan_of_the_search_text_finds(large_demo: Path, text: str) -> None:
    """Index paths (single characters, trigrams, initials trigrams) and the id-order
    shortcut return exactly the accounts a LIKE scan of text and initials returns."""
    from nmdesk.store.search import AccountQuery, normalize_search_text

    with Register.open(large_demo, auto_backup=False) as register:
        norm = normalize_search_text(text)
        sql = "SELECT account_id FROM account_search WHERE text LIKE :t"
        if norm.isascii() and norm.isalpha():
            sql += " OR initials LIKE :t"
        expected = [row[0] for row in register.db.execute(sql + " ORDER BY 1", {"t": f"%{norm}%"})]
        assert expected, text
        assert register.accounts.ids(AccountQuery(text=text)) == expected
        assert register.accounts.ids(AccountQuery(text=text, descending=True)) == expected[::-1]
        # with a filter the general query runs; it must agree
        running = set(register.accounts.ids(AccountQuery(status="running")))
        filtered = register.accounts.ids(AccountQuery(text=text, status="running"))
        assert filtered == [i for i in expected if i in running]
