"""The register store: migrations, refusal of newer files, transactions, audit, schema."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from nmdesk.errors import DuplicateAccountError, NewerRegisterError, RegisterError, ValidationError
from nmdesk.models import Account, AccountStatus, Person, PersonKind, Unit
from nmdesk.services.accounts import assign_role, edit_account
from nmdesk.store import AccountQuery, Register
from nmdesk.store.schema import AUDITED_TABLES, SCHEMA_VERSION, migrations
from nmdesk.store.search import build_account_query


def add_account(
    register: Register,
    name: str = "北理工计算机学院",
    platform_id: str = "bitcs",
    status: AccountStatus = AccountStatus.RUNNING,
) -> int:
    unit = register.units.find_by_name("计算机学院")
    unit_id = unit.id if unit else register.units.add(Unit(None, "计算机学院", "college"))
    assert unit_id is not None
    return register.accounts.create(
        Account(None, "微信", "订阅号", name, unit_id, 2, platform_id=platform_id, status=status)
    )


def test_new_register_has_schema_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "new.nmdesk"
    with Register.create(path, "bit") as register:
        assert register.schema_version() == SCHEMA_VERSION
        assert register.scalar("PRAGMA journal_mode") == "wal"
        assert register.scalar("PRAGMA foreign_keys") == 1
        assert migrations.applied(register.db) == [m.name for m in migrations.migrations]
        assert register.profile.id == "bit"


def test_reopening_applies_nothing_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "reopen.nmdesk"
    with Register.create(path, "bit") as register:
        account_id = add_account(register)
        applied = register.scalar("SELECT count(*) FROM _sqlite_migrations")
    with Register.open(path) as register:
        assert register.scalar("SELECT count(*) FROM _sqlite_migrations") == applied
        assert register.accounts.get(account_id).name == "北理工计算机学院"
        assert register.scalar("PRAGMA foreign_keys") == 1


def test_foreign_keys_are_enforced(register: Register) -> None:
    with pytest.raises(register.db.Error, match=r"(?i)foreign key"):
        register.insert_row(
            "role_assignments",
            {"account_id": 999, "role": "operator", "person_id": 999, "start_on": "2026-01-01"},
        )


def test_newer_register_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.nmdesk"
    Register.create(path, "bit").close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerRegisterError, match="更新版本"):
        Register.open(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_register_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.nmdesk"
    path.write_text("这不是数据库" * 100, encoding="utf-8")
    with pytest.raises(RegisterError, match="不是 nmdesk 备案库"):
        Register.open(path)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.close()
    with pytest.raises(RegisterError, match="不是 nmdesk 备案库"):
        Register.open(other)


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "exists.nmdesk"
    Register.create(path, "bit").close()
    with pytest.raises(RegisterError, match="已存在"):
        Register.create(path, "pku-coe")


def test_every_write_leaves_an_audit_row(register: Register) -> None:
    before = register.audit.count()
    unit_id = register.units.add(Unit(None, "宇航学院", "college"))
    assert register.audit.count() == before + 1
    person_id = register.people.add(Person(None, "王伟", PersonKind.STAFF, unit_id))
    assert register.audit.count() == before + 2
    account_id = register.accounts.create(Account(None, "微信", "订阅号", "北理工宇航", unit_id, 2))
    assert register.audit.count() == before + 3
    assign_role(register, account_id, "first_responsible", person_id, dt.date(2026, 1, 5))
    assert register.audit.count() == before + 4
    entry = register.audit.entries_for("role_assignments", 1)[-1]
    assert entry["action"] == "insert" and '"person_id": 1' in entry["after"]
    assert register.audit.verify() == []


def _every_row(register: Register) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table nmdesk writes (the audited ones, the log, the search)."""
    tables = [*AUDITED_TABLES, "audit_log", "account_search"]
    return {
        table: [tuple(row) for row in register.db.execute(f"SELECT * FROM {table} ORDER BY 1")]
        for table in tables
    }


def test_failed_action_writes_nothing(register: Register) -> None:
    add_account(register)
    before = _every_row(register)
    with pytest.raises(DuplicateAccountError), register.transaction():
        register.units.add(Unit(None, "光电学院", "college"))
        add_account(register, name="重复账号", platform_id="bitcs")
    assert _every_row(register) == before


@pytest.mark.sqlite_only(reason="iterdump: the whole file, schema and FTS shadow tables too")
def test_failed_action_leaves_the_file_as_it_was(register: Register) -> None:
    add_account(register)
    dump_before = list(register.db.conn.iterdump())
    with pytest.raises(DuplicateAccountError), register.transaction():
        register.units.add(Unit(None, "光电学院", "college"))
        add_account(register, name="重复账号", platform_id="bitcs")
    assert list(register.db.conn.iterdump()) == dump_before


def test_duplicate_platform_id_points_at_the_existing_account(register: Register) -> None:
    first = add_account(register)
    with pytest.raises(DuplicateAccountError) as info:
        add_account(register, name="另一个", platform_id="bitcs")
    assert info.value.existing_id == first
    assert "北理工计算机学院" in str(info.value)


def test_no_password_column_anywhere(register: Register, engine: str) -> None:
    tables = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if engine == "sqlite"
        else "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema()"
    )
    columns = [
        (table, column)
        for (table,) in register.db.execute(tables).fetchall()
        for column in register.db.columns(table)
    ]
    assert ("accounts", "password_rotated_on") in columns
    suspicious = [
        (t, c)
        for t, c in columns
        if any(word in c.lower() for word in ("password", "passwd", "pwd", "secret", "密码"))
        and c != "password_rotated_on"
    ]
    assert suspicious == []
    assert {"password_custodian"} <= {role.id for role in register.profile.roles}


def test_level_three_needs_a_parent_unit(register: Register) -> None:
    top = register.units.add(Unit(None, "校团委", "mass_org"))
    with pytest.raises(ValidationError, match="上级单位"):
        register.accounts.create(Account(None, "微信", "订阅号", "社团号", top, 3))
    club = register.units.add(Unit(None, "摄影协会", "student_club", parent_id=top))
    assert register.accounts.create(Account(None, "微信", "订阅号", "摄影协会", club, 3))


def test_unknown_platform_is_rejected_until_added(register: Register) -> None:
    unit_id = register.units.add(Unit(None, "图书馆", "support_unit"))
    with pytest.raises(ValidationError, match="开设平台"):
        register.accounts.create(Account(None, "视频平台X", "", "图书馆", unit_id, 2))
    register.accounts.add_platform("视频平台X", ["机构号"])
    assert register.accounts.create(Account(None, "视频平台X", "机构号", "图书馆", unit_id, 2))


def test_search_finds_short_chinese_ids_and_pinyin(demo_register: Register) -> None:
    person = demo_register.people.all()[0]
    two_chars = person.name[:2]
    ids = demo_register.accounts.ids(AccountQuery(text=two_chars))
    assert ids, f"no account found for {two_chars}"
    assert demo_register.accounts.ids(AccountQuery(text="bit_00001")) == [2]
    pinyin_ids = demo_register.accounts.ids(AccountQuery(text="blgjsj"))  # 北理工计算机
    names = [row["name"] for row in demo_register.accounts.rows(pinyin_ids).values()]
    assert names and all("计算机" in name for name in names)


def test_search_filters_and_sorts_in_sql(demo_register: Register) -> None:
    query = AccountQuery(platform="微信", order_by="name", descending=True)
    ids = demo_register.accounts.ids(query)
    rows = demo_register.accounts.rows(ids)
    names = [rows[i]["name"] for i in ids]
    assert names == sorted(names, reverse=True)
    assert {rows[i]["platform"] for i in ids} == {"微信"}
    college = demo_register.units.find_by_name("计算机学院")
    assert college is not None and college.id is not None
    sub = demo_register.accounts.ids(AccountQuery(unit_id=college.id))
    only = demo_register.accounts.ids(AccountQuery(unit_id=college.id, include_sub_units=False))
    assert set(only) < set(sub)


def test_short_queries_use_the_character_index_and_match_a_full_scan(
    demo_register: Register, engine: str
) -> None:
    people = demo_register.people.all()
    queries = [people[0].name[:1], people[1].name[:2], "学", "计算", "bi", "00", "1"]
    search = demo_register.db.execute("SELECT account_id, text FROM account_search").fetchall()
    for text in queries:
        expected = {account_id for account_id, indexed in search if text in indexed}
        assert set(demo_register.accounts.ids(AccountQuery(text=text))) >= expected, text
        if not text.isascii():
            assert set(demo_register.accounts.ids(AccountQuery(text=text))) == expected, text
    sql, _ = build_account_query(AccountQuery(text="王伟"), demo_register.sql)
    index = "account_chars_fts" if engine == "sqlite" else "grams @>"
    assert index in sql and "LIKE" not in sql


def test_short_queries_with_punctuation_fall_back_to_a_scan(demo_register: Register) -> None:
    sql, params = build_account_query(AccountQuery(text="_0"), demo_register.sql)
    # LIKE's own "_" is escaped on the server; SQLite's scan lets it match any character
    assert "LIKE" in sql and params[0] in ("%_0%", "%\\_0%")
    assert demo_register.accounts.ids(AccountQuery(text="_0"))


def test_search_index_follows_renames(register: Register) -> None:
    account_id = add_account(register, name="北理工宇航之声")
    person_id = register.people.add(Person(None, "欧阳", PersonKind.STAFF))
    assign_role(register, account_id, "operator", person_id, dt.date(2026, 3, 2))
    assert register.accounts.ids(AccountQuery(text="欧阳")) == [account_id]
    person = register.people.get(person_id)
    person.name = "司马"
    register.people.update(person)
    assert register.accounts.ids(AccountQuery(text="欧阳")) == []
    assert register.accounts.ids(AccountQuery(text="司马")) == [account_id]
    edit_account(register, account_id, {"name": "北理工航天之声"}, event_on=dt.date(2026, 3, 3))
    assert register.accounts.ids(AccountQuery(text="宇")) == []
    assert register.accounts.ids(AccountQuery(text="航天")) == [account_id]


def test_live_account_counts_per_unit_leave_out_closed_and_refused(demo_register):
    expected = {
        unit_id: count
        for unit_id, count in demo_register.db.execute(
            "SELECT unit_id, count(*) FROM accounts WHERE status NOT IN ('closed', 'refused') "
            "GROUP BY unit_id"
        )
    }
    counts = demo_register.units.account_counts()
    assert counts == expected
    ended = demo_register.scalar(
        "SELECT count(*) FROM accounts WHERE status IN ('closed', 'refused')"
    )
    assert ended > 0  # the demo has some, so the subtraction is exercised
    assert sum(counts.values()) == demo_register.accounts.count() - ended


def test_same_platform_counts_live_accounts_and_names_the_first_few(demo_register):
    unit_id, platform = demo_register.db.execute(
        "SELECT unit_id, platform FROM accounts WHERE status NOT IN ('closed', 'refused') "
        "GROUP BY unit_id, platform ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    live = [
        (row[0], row[1])
        for row in demo_register.db.execute(
            "SELECT id, name FROM accounts WHERE unit_id = ? AND platform = ? "
            "AND status NOT IN ('closed', 'refused') ORDER BY id",
            [unit_id, platform],
        )
    ]
    assert len(live) >= 2
    count, names = demo_register.accounts.same_platform(unit_id, platform)
    assert count == len(live)
    assert names == [name for _id, name in live[:5]]
    count, names = demo_register.accounts.same_platform(unit_id, platform, exclude_id=live[0][0])
    assert count == len(live) - 1
    assert names[0] == live[1][1]
    assert demo_register.accounts.same_platform(unit_id, platform, names=1)[1] == [live[0][1]]


# -- rows as SQLite stores them: one reader for the audit of inserts and updates -------


def test_real_values_are_audited_as_stored_on_both_paths(register: Register) -> None:
    """Inserts and updates, one row or many, are audited from the rows as SQLite stored
    them: an int bound to a REAL column is audited as the float it became, and a REAL
    keeps all its digits (SQLite's own JSON would print 0.1 + 0.2 as 0.3)."""
    real = "DOUBLE PRECISION" if register.sql.name == "postgresql" else "REAL"  # a float8
    register.db.execute(f"CREATE TABLE gauges (id INTEGER PRIMARY KEY, reading {real}, label TEXT)")
    with register.transaction():
        (gauge,) = register.insert_rows("gauges", [{"id": 1, "reading": 1, "label": "a"}])
        register.insert_rows("gauges", [{"id": 2, "reading": 0.1 + 0.2}, {"id": 3, "reading": 2}])
    with register.transaction():
        register.update_rows("gauges", {gauge: {"reading": 3}})
        register.update_rows("gauges", {2: {"reading": 1 / 3}, 3: {"label": "c"}})
    entries = register.audit.entries_for("gauges", gauge)
    assert [entry["action"] for entry in entries] == ["insert", "update"]
    assert '"reading":1.0' in entries[0]["after"].replace(" ", "")  # the insert as stored
    assert '"reading":3.0' in entries[-1]["after"].replace(" ", "")  # what SQLite stored
    assert '"reading":1.0' in entries[-1]["before"].replace(" ", "")
    (inserted, updated) = register.audit.entries_for("gauges", 2)
    assert json.loads(inserted["after"])["reading"] == 0.1 + 0.2
    assert json.loads(updated["before"])["reading"] == 0.1 + 0.2
    assert json.loads(updated["after"])["reading"] == 1 / 3
    assert json.loads(register.audit.entries_for("gauges", 3)[-1]["after"])["label"] == "c"
    assert register.query("SELECT reading FROM gauges WHERE id = 3") == [{"reading": 2.0}]
