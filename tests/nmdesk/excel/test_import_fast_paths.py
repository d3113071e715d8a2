"""The fast paths of a large ledger import (issue 7) give exactly what the plain ones gave:
column-by-column reading, the bulk audit writer, the search text and its indexes."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import openpyxl
import pytest
from register_state import register_state

from nmdesk.excel.export import export_xlsx
from nmdesk.excel.ledger_import import Verdict, commit_import, plan_import, read_ledger
from nmdesk.excel.mapping import auto_mapping
from nmdesk.excel.planner import Planner
from nmdesk.store import Register
from nmdesk.store.audit import _entry_hash
from nmdesk.store.search import AccountQuery, spaced_characters

HEADERS = ["开设单位", "平台", "账号名称", "账号ID号", "开通时间", "级别", "状态", "单位负责人",
           "手机", "办公电话", "邮箱", "具体运营人", "电话"]  # fmt: skip
CELLS = ["", None, " ", "微信", "微信公众号", "x平台", "二级", "2", 2, 2.0, True, 1, 1.0, "五级",
         "运行中", "乱", "2019年3月", "2016-9-1", "2099-99", dt.datetime(2020, 1, 2), 2019, 43000,
         3.5, "139 1111 2222", "+86 13911112222", "0086-139-1111-2222", "１３９１１１１２２２２",
         "010-68912345", "12345", 13911112222, 13911112222.0, "a@b.cn", "bad@", "张三",
         "张三、李四", "ｉｄ１２３", "id 12 3", "=SUM(A1)", "　全角　", "x" * 101, "名" * 51]  # fmt: skip


def test_rows_read_together_are_rows_read_one_by_one(register: Register) -> None:
    """``read_rows`` checks a column at a time and remembers checks per distinct text; the
    rows (values, errors and their order) must be those of one ``read_row`` each."""
    rng = random.Random(11)
    columns = auto_mapping(HEADERS)
    rows = [
        (3 + index, [rng.choice(CELLS) for _ in range(rng.choice([len(HEADERS), 5, 1]))])
        for index in range(3000)
    ]
    formulas = {(5, 1): False, (6, 2): True}
    together = Planner(register, HEADERS, columns).read_rows(rows, formulas)
    fresh = [Planner(register, HEADERS, columns).read_row(i, v, formulas) for i, v in rows]
    assert together == fresh
    assert any(row.errors for row in together) and any(not row.errors for row in together)
    # 1, 1.0 and True are equal dict keys: each is still read as itself
    levels = {str(row.values[5]): row.fields["level"] for row in together if len(row.values) > 5}
    assert levels.get("True") is None and levels.get("2") == 2


def test_a_bulk_update_audits_each_row_as_one_update_would(register: Register) -> None:
    """A bulk update's row set (built by SQLite's JSON functions) gives each row the
    before and after that updating it alone (a snapshot built by Python) gives, whatever
    the values (quotes, escapes, control characters, floats, big ints, None). A row
    holding a REAL is encoded by Python; the others by SQLite."""
    values = [
        {"name": 'a"b\\c\n\t\x01', "x": None, "n": 2**62, "note": None},  # SQLite's JSON
        {"name": "北理工😀\u2028", "x": -0.0, "n": -7, "note": "[1, 2]"},
        {"name": "", "x": 0.1 + 0.2, "n": 0, "note": "ü"},
    ]
    # the server's names for SQLite's REAL and INTEGER (a float8, an int8), as its schema's
    real, integer = ("DOUBLE PRECISION", "BIGINT") if register.sql.name == "postgresql" else (
        "REAL", "INTEGER")  # fmt: skip
    for table in ("one_by_one", "together"):
        register.db.execute(
            f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT, x {real}, n {integer}, "
            "note TEXT)"
        )
        with register.transaction():
            register.insert_rows(table, [{"id": i + 1, "name": "起", "x": None, "n": 1, "note": "z"}
                                         for i in range(len(values))])  # fmt: skip
    with register.transaction():
        for index, changes in enumerate(values, start=1):
            register.update_row("one_by_one", index, changes)
        register.update_rows(
            "together", {index: changes for index, changes in enumerate(values, start=1)}
        )
    for index in range(1, len(values) + 1):
        alone = register.audit.entries_for("one_by_one", index)[-1]
        bulk = register.audit.entries_for("together", index)[-1]
        assert json.loads(bulk["before"]) == json.loads(alone["before"])
        assert json.loads(bulk["after"]) == json.loads(alone["after"])
        assert (
            json.loads(bulk["after"])
            == register.query("SELECT * FROM together WHERE id = ?", [index])[0]
        )
    sets = register.query("SELECT * FROM audit_log WHERE table_name = 'together' ORDER BY id")
    assert len(sets) == 2 and all(entry["row_set"] for entry in sets)  # insert, update
    for entry in sets:
        assert entry["hash"] == _entry_hash(
            entry["prev_hash"], entry["at"], entry["actor"], entry["action"],
            entry["table_name"], entry["row_id"], None, None, entry["row_set"],
        )  # fmt: skip
    assert register.audit.verify() == []


def test_spaced_characters_drop_exactly_the_whitespace() -> None:
    def one_by_one(text: str) -> str:
        return " ".join(ch for ch in text if not ch.isspace())

    whitespace = [chr(code) for code in range(0x3100) if chr(code).isspace()]
    rng = random.Random(5)
    pool = [*whitespace, *"北理工ab1\u200b\ufeff·，", "\U00020000"]
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert spaced_characters(text) == one_by_one(text), repr(text)
    assert spaced_characters(None) == spaced_characters("") == ""


def _ledger(path: Path, rows: int) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["开设单位", "平台", "账号名称", "账号ID号", "单位负责人", "手机", "具体运营人"])
    for index in range(rows):
        ws.append([f"第{index // 5 + 1}学院", ("微信", "微博", "抖音")[index % 3],
                   f"青年 之声{index}号", f"fast{index:04d}", f"院长{index // 5}",
                   f"139 0000 {index:04d}", f"运营{index}"])  # fmt: skip
    wb.save(path)
    return path


def _fts(register: Register, table: str, column: str) -> list[tuple[int, str]]:
    return register.db.execute(f"SELECT rowid, {column} FROM {table} ORDER BY rowid").fetchall()


@pytest.mark.sqlite_only(reason="the FTS5 tables and their triggers are SQLite's")
def test_imported_accounts_are_indexed_as_the_triggers_index_them(
    register: Register, tmp_path: Path
) -> None:
    plan = plan_import(register, _ledger(tmp_path / "fast.xlsx", 60))
    result = commit_import(register, plan)
    assert len(result.created) == 60
    assert register.audit.verify() == []
    search = register.db.execute(
        "SELECT account_id, text, initials FROM account_search ORDER BY account_id"
    ).fetchall()
    assert [row[0] for row in search] == result.created
    # the single-character index holds each text spaced out, one row per account
    assert _fts(register, "account_chars_fts", "chars") == [
        (account_id, spaced_characters(text)) for account_id, text, _ in search
    ]
    # the trigram indexes agree with their content table (FTS5's own check)
    for table in ("account_search_fts", "account_initials_fts"):
        register.db.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    # and a rebuild of every index from scratch gives the same search results
    queries = ["青年之声17号", "之声", "声", "院长3", "qnzs", "fast0042", "运营59"]
    found = {q: register.accounts.ids(AccountQuery(text=q)) for q in queries}
    assert found["fast0042"] == [result.created[42]] and len(found["声"]) == 60
    with register.transaction():
        register.db.execute("DELETE FROM account_search")
        register.accounts.refresh_search(result.created)
    assert {q: register.accounts.ids(AccountQuery(text=q)) for q in queries} == found


def test_a_failing_bulk_commit_leaves_the_register_as_it_was(
    register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_import(register, _ledger(tmp_path / "fast.xlsx", 30))
    before = register_state(register)
    audited = register.audit.count()

    def broken(self: object, account_ids: list[int]) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(type(register.accounts), "refresh_search", broken)
    with pytest.raises(OSError):
        commit_import(register, plan)
    assert register_state(register) == before
    assert register.audit.count() == audited and register.audit.verify() == []


def test_insert_rows_audits_each_row_as_sqlite_stored_it(register: Register) -> None:
    """Rows stored exactly as bound are audited as given; a row that SQLite converts (a
    number in a TEXT column) or completes (a default) is read back first."""

    def audited(unit_id: int) -> dict[str, object]:
        text = register.scalar(
            "SELECT after FROM audit_log WHERE table_name = 'units' AND row_id = ?", [unit_id]
        )
        return dict(json.loads(text))

    full = {"id": 50, "name": "甲学院", "short_name": "甲", "kind": "college",
            "parent_id": None, "head_person_id": None, "note": ""}  # fmt: skip
    converted = {**full, "id": 51, "name": "乙学院", "note": 5}
    short = {"name": "丙学院", "kind": "college"}
    with register.transaction():
        register.insert_rows("units", [full])
        register.insert_rows("units", [converted])
        (short_id,) = register.insert_rows("units", [short])
    assert audited(50) == full == register.row("units", 50)
    assert audited(51) == {**converted, "note": "5"} == register.row("units", 51)
    assert audited(short_id)["short_name"] == "" and audited(short_id) == register.row(
        "units", short_id
    )
    assert register.audit.verify() == []


def test_the_collector_is_paused_only_while_an_import_runs(
    register: Register, tmp_path: Path
) -> None:
    import gc

    ledger = _ledger(tmp_path / "gc.xlsx", 5)
    seen: list[bool] = []
    assert gc.isenabled()
    plan = plan_import(register, ledger, progress=lambda done, total: seen.append(gc.isenabled()))
    commit_import(register, plan, progress=lambda done, total: seen.append(gc.isenabled()))
    assert seen and not any(seen) and gc.isenabled()
    # a collector the program turned off stays off
    gc.disable()
    try:
        plan_import(register, ledger)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_form_and_an_import_break_the_same_account_rules_the_same_way(
    register: Register,
) -> None:
    """One implementation of each account rule (``checked_account_row``): a single account
    (``AccountStore.create``) and a ledger import's account (``ImportBatch``) are refused
    with the same sentence, and a valid one is stored as the same row."""
    from dataclasses import replace

    from nmdesk.errors import NmdeskError
    from nmdesk.models import Account, Unit
    from nmdesk.store.bulk import ImportBatch

    with register.transaction():
        top = register.units.add(Unit(None, "计算机学院", "college"))
    good = Account(None, platform="微信", account_type="订阅号", name="  计算机学院  ",
                   unit_id=top, level=2, platform_id="jsj01", purpose="发布\n通知")  # fmt: skip
    broken = [
        replace(good, name=" "),
        replace(good, platform="某平台"),
        replace(good, level=9),
        replace(good, level=3),  # a top-level unit may not open a level-3 account
        replace(good, campus_data_service=True),
    ]
    for account in broken:
        with pytest.raises(NmdeskError) as single:
            register.accounts.create(account)
        with pytest.raises(NmdeskError) as bulk:
            ImportBatch(register).add_account(account)
        assert str(bulk.value) == str(single.value)
    batch = ImportBatch(register)
    batch.add_account(good)
    with register.transaction():
        queued = batch.accounts[0]
        stored = register.row("accounts", register.accounts.create(good))
    ignored = ("id", "serial_no", "created_at", "updated_at")
    assert {k: v for k, v in queued.items() if k not in ignored} == {
        k: v for k, v in stored.items() if k not in ignored
    }
    assert register.audit.verify() == []


def test_accounts_named_by_serial_are_found_in_one_query_as_one_by_one(
    demo_path: Path, tmp_path: Path
) -> None:
    """``Matcher.prefetch`` looks up the accounts a ledger names by 备案编号 in one query
    per 900 instead of one per row; each row's verdict, account and changes are those of
    the row matched alone (``plan_row``, a query of its own)."""
    ledger = tmp_path / "导出.xlsx"
    with Register.open(demo_path, actor="tester") as register:
        export_xlsx(register, ledger)
        workbook = openpyxl.load_workbook(ledger)
        sheet = workbook.active
        headers = [cell.value for cell in sheet[1]]
        id_column = headers.index("账号ID号") + 1
        name_column = headers.index("账号名称") + 1
        for row in range(2, sheet.max_row + 1):
            if row % 2:  # found by 备案编号 alone
                sheet.cell(row, id_column).value = None
            if row % 5 == 0:  # and changed
                sheet.cell(row, name_column).value = f"改名{row}"
        workbook.save(ledger)
        statements: list[str] = []
        register.db.conn.set_trace_callback(statements.append)
        plan = plan_import(register, ledger)
        register.db.conn.set_trace_callback(None)
        assert len([sql for sql in statements if "WHERE serial_no" in sql]) == 1
        grid, _layout = read_ledger(ledger)
        alone = Planner(register, plan.headers, plan.mapping)
        one_by_one = [
            alone.plan_row(row.row_number - 1, row.values, grid.formulas) for row in plan.rows
        ]
    seen = [(row.verdict, row.account_id, row.changes, row.errors) for row in plan.rows]
    assert seen == [(row.verdict, row.account_id, row.changes, row.errors) for row in one_by_one]
    by_serial = [row for row in plan.rows if not row.fields["platform_id"]]
    assert {row.verdict for row in by_serial} >= {Verdict.UNCHANGED, Verdict.UPDATE}
    assert sum(row.account_id is not None for row in by_serial) > 100
