"""A register on a PostgreSQL server (nmdesk/store/server_register.py), against the
session's throwaway cluster: opening by URL, migrations in one transaction, the
refusal of a newer database, read-only roles, verify, and clerks writing at once.
Tests taking ``register`` run on both engines (this module is in SERVER_PORTED)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest
from server_cluster import ServerCluster

from nmdesk.errors import NewerRegisterError, RegisterError
from nmdesk.models import Person, PersonKind, Unit
from nmdesk.store import AccountQuery, create_register, is_server_url, open_register, server_schema
from nmdesk.store.schema import SCHEMA_VERSION
from nmdesk.store.server_connection import parse_server_url, server_sql


def _sql(url: str, statement: str) -> list[tuple[object, ...]]:
    """A statement run outside nmdesk, as the test superuser (psql would do the same)."""
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def test_a_server_url_is_told_from_a_path() -> None:
    assert is_server_url("postgresql://clerk@db.example.edu:5433/office")
    assert is_server_url("postgres://clerk@db/office")
    assert not is_server_url("office.nmdesk") and not is_server_url(Path("postgresql:/x"))
    address = parse_server_url("postgresql://clerk@db.example.edu:5433/office")
    assert (address.user, address.host, address.port, address.database) == (
        "clerk",
        "db.example.edu",
        5433,
        "office",
    )
    assert parse_server_url("postgresql://clerk@db/office").port == 5432
    tls = parse_server_url("postgresql://clerk@db/office?sslmode=verify-full&sslrootcert=/ca.pem")
    assert tls.tls == (("sslmode", "verify-full"), ("sslrootcert", "/ca.pem"))
    assert tls.url == "postgresql://clerk@db:5432/office?sslmode=verify-full&sslrootcert=/ca.pem"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgresql://clerk:secret@db/office", "不能写密码"),
        ("postgresql://db/office", "写法不对"),
        ("postgresql://clerk@db/", "写法不对"),
        ("postgresql://clerk@db:port/office", "端口不对"),
        ("postgresql://clerk@db/office?password=x", "不认识"),
        ("postgresql://clerk@db/office?sslmode=sometimes", "sslmode=sometimes 不对"),
    ],
)
def test_a_bad_server_url_is_one_sentence(url: str, words: str) -> None:
    with pytest.raises(RegisterError, match=words):
        parse_server_url(url)


def test_placeholders_are_rewritten_outside_quotes_only() -> None:
    assert server_sql("SELECT ? WHERE a LIKE '%?%' AND b = ?") == (
        "SELECT %s WHERE a LIKE '%%?%%' AND b = %s"
    )
    assert server_sql('SELECT "odd?name" FROM t WHERE x = ?') == (
        'SELECT "odd?name" FROM t WHERE x = %s'
    )


def test_opening_a_file_does_not_load_psycopg() -> None:
    code = "import sys, nmdesk.store; print('psycopg' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_a_new_server_register_has_the_schema_and_the_role_as_actor(
    server_database: str, server_cluster: ServerCluster
) -> None:
    with create_register(server_database, "bit") as register:
        assert register.schema_version() == SCHEMA_VERSION
        assert register.profile.id == "bit" and register.meta("profile_id") == "bit"
        assert register.actor == server_cluster.user  # the PostgreSQL role, not a typed name
        assert register.audit.verify() == []
        unit = register.units.add(Unit(None, "计算机学院", "college"))
    rows = _sql(server_database, "SELECT version FROM nmdesk_schema")
    assert rows == [(SCHEMA_VERSION,)]
    applied = _sql(server_database, "SELECT name FROM nmdesk_migrations")
    assert applied == [(m.name,) for m in server_schema.SERVER_MIGRATIONS]
    with open_register(server_database) as register:
        assert register.units.get(unit).name == "计算机学院"
        entry = register.audit.entries_for("units", unit)[-1]
        assert entry["actor"] == server_cluster.user


def test_create_refuses_a_database_that_holds_a_register(server_database: str) -> None:
    create_register(server_database, "bit").close()
    with pytest.raises(RegisterError, match="已有备案库，不会覆盖"):
        create_register(server_database, "bit")


def test_an_empty_or_foreign_database_is_refused_on_open(server_database: str) -> None:
    with pytest.raises(RegisterError, match="还没有备案库"):
        open_register(server_database)
    _sql(server_database, "CREATE TABLE meta (id integer)")
    with pytest.raises(RegisterError, match="不是 nmdesk 备案库"):
        open_register(server_database)


def test_a_newer_server_register_is_refused_untouched(server_database: str) -> None:
    create_register(server_database, "bit").close()
    _sql(server_database, f"UPDATE nmdesk_schema SET version = {SCHEMA_VERSION + 1}")
    before = _sql(server_database, "SELECT count(*) FROM audit_log")
    with pytest.raises(NewerRegisterError) as info:
        open_register(server_database)
    database = server_database.rsplit("/", 1)[1]
    assert str(info.value) == (
        f"备案库 {database}（服务器 127.0.0.1）由更新版本的 nmdesk 创建（数据版本 "
        f"{SCHEMA_VERSION + 1}，本程序支持到 {SCHEMA_VERSION}），请升级 nmdesk 后再打开。"
        "数据库未作任何改动"
    )
    assert _sql(server_database, "SELECT count(*) FROM audit_log") == before
    assert _sql(server_database, "SELECT version FROM nmdesk_schema") == [(SCHEMA_VERSION + 1,)]


def test_a_server_register_has_the_files_schema_version(server_database: str) -> None:
    """Both engines record one SCHEMA_VERSION (2 since the audit's row sets, 0013); a
    register whose migrations all ran but whose version was not bumped gets it on open,
    as a file does."""
    assert SCHEMA_VERSION == 2
    create_register(server_database, "bit").close()
    _sql(server_database, "UPDATE nmdesk_schema SET version = 1")
    with open_register(server_database, read_only=True) as register:
        assert register.schema_version() == 1  # read-only: nothing is written
    with open_register(server_database) as register:
        assert register.schema_version() == SCHEMA_VERSION
        assert register.audit.verify() == []
    assert _sql(server_database, "SELECT version FROM nmdesk_schema") == [(SCHEMA_VERSION,)]


def test_a_server_register_with_an_unknown_migration_is_refused_untouched(
    server_database: str,
) -> None:
    """A newer nmdesk's migration that did not bump the version is refused, as a file's."""
    create_register(server_database, "bit").close()
    _sql(server_database, "INSERT INTO nmdesk_migrations (name) VALUES ('0099_server_future')")
    with pytest.raises(NewerRegisterError, match="不认识其中的数据变更 0099_server_future"):
        open_register(server_database)
    assert _sql(server_database, "SELECT version FROM nmdesk_schema") == [(SCHEMA_VERSION,)]


def test_a_failing_migration_leaves_the_database_as_it_was(
    server_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = server_schema.ServerMigration("0002_broken", "CREATE TABLE later (id bigint); x;")
    monkeypatch.setattr(
        server_schema, "SERVER_MIGRATIONS", (*server_schema.SERVER_MIGRATIONS, broken)
    )
    with pytest.raises(psycopg.errors.SyntaxError):
        create_register(server_database, "bit")
    tables = _sql(
        server_database,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    )
    assert tables == []  # not even the first migration's tables: one transaction


def test_a_wrong_password_is_one_sentence(
    server_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = parse_server_url(server_database)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:{address.user}:wrong\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with pytest.raises(RegisterError, match="用户名或密码不对"):
        open_register(server_database)


def test_a_missing_database_and_a_closed_port_are_one_sentence(
    server_database: str, server_cluster: ServerCluster
) -> None:
    with pytest.raises(RegisterError, match="服务器上没有这个数据库"):
        open_register(server_database + "_gone")
    closed = server_database.replace(f":{server_cluster.port}/", ":1/")
    with pytest.raises(RegisterError, match="连不上服务器"):
        open_register(closed)


def test_a_read_only_register_cannot_write_and_the_server_refuses_too(
    server_database: str,
) -> None:
    create_register(server_database, "bit").close()
    with open_register(server_database, read_only=True) as register:
        assert register.read_only and "只读" in register.read_only_message
        with pytest.raises(RegisterError, match="只读"):
            register.units.add(Unit(None, "计算机学院", "college"))
        with pytest.raises(RegisterError, match="只读") as refused:
            register.db.execute("INSERT INTO meta (id, key, value) VALUES (99, 'x', 'y')")
        assert isinstance(refused.value.__cause__, psycopg.errors.ReadOnlySqlTransaction)


def test_verify_finds_a_row_changed_outside_nmdesk(register, engine: str) -> None:
    person = register.people.add(Person(None, "欧阳", PersonKind.STAFF, mobile="13800000000"))
    assert register.verify().findings == []
    register.db.execute("UPDATE people SET mobile = '13900000000' WHERE id = ?", [person])
    (finding,) = register.verify().findings
    assert (finding.table, finding.row_id) == ("people", person)
    assert "mobile" in finding.problem


def test_verify_finds_an_audit_entry_changed_outside_nmdesk(register) -> None:
    register.units.add(Unit(None, "计算机学院", "college"))
    newest = int(register.scalar("SELECT max(id) FROM audit_log"))
    register.db.execute("UPDATE audit_log SET actor = 'someone' WHERE id = ?", [newest])
    problems = [finding.problem for finding in register.verify().findings]
    assert "审计记录内容被改动" in problems


def test_a_row_set_of_an_account_is_its_history(register) -> None:
    """A bulk insert is one row-set entry (built by the engine: json_group_array or
    json_agg); one account's history picks its rows out of it on either engine."""
    unit = register.units.add(Unit(None, "计算机学院", "college"))
    rows = [
        {"name": f"成员{n}", "kind": "staff", "unit_id": unit, "mobile": f"1380000000{n}"}
        for n in range(4)
    ]
    with register.transaction():
        ids = register.insert_rows("people", rows)
    (entry,) = register.query("SELECT row_set FROM audit_log WHERE row_set IS NOT NULL")
    listed = json.loads(entry["row_set"])
    assert [row[0] for row in listed["rows"]] == ids
    history = register.audit.entries_for("people", ids[2])
    assert json.loads(history[-1]["after"])["mobile"] == "13800000002"
    assert register.audit.verify() == []


def test_chinese_search_of_every_length_on_either_engine(register) -> None:
    from nmdesk.models import Account

    unit = register.units.add(Unit(None, "信息中心", "college"))
    first = register.accounts.create(Account(None, "微信", "订阅号", "北理工宇航之声", unit, 2))
    register.accounts.create(Account(None, "微信", "订阅号", "光电之窗", unit, 2, platform_id="g"))
    for text in ("宇", "宇航", "宇航之", "宇航之声", "blg", "yh", "blgyhzs"):
        assert register.accounts.ids(AccountQuery(text=text)) == [first], text
    assert len(register.accounts.ids(AccountQuery(text="之"))) == 2


def test_pg_trgm_takes_chinese_characters_as_word_characters(server_database: str) -> None:
    with create_register(server_database, "bit") as register:
        trigrams = register.scalar("SELECT array_length(show_trgm('宇航之声'), 1)")
    assert trigrams and trigrams >= 2  # not empty: the cluster's LC_CTYPE is UTF-8


def test_clerks_adding_at_once_make_one_chain_and_distinct_ids(server_database: str) -> None:
    """Four clerks (connections) add people at the same time: every id is given once
    (the per-table lock) and the audit entries form one chain (the chain's lock)."""
    create_register(server_database, "bit").close()
    errors: list[BaseException] = []
    added: list[int] = []
    start = threading.Barrier(4)

    def clerk(n: int) -> None:
        try:
            with open_register(server_database) as register:
                start.wait()
                for k in range(10):
                    added.append(
                        register.people.add(Person(None, f"职员{n}-{k}", PersonKind.STAFF))
                    )
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(added) == len(set(added)) == 40
    with open_register(server_database) as register:
        assert register.verify().findings == []
        assert register.chain_head().entries == register.audit.count()


def test_the_cli_takes_a_server_instead_of_a_path(
    server_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from nmdesk.cli import main

    assert main(["init", "--profile", "bit", "--server", server_database]) == 0
    assert "已新建备案库" in capsys.readouterr().out
    with open_register(server_database) as register:
        unit = register.units.add(Unit(None, "信息中心", "college"))
        from nmdesk.models import Account

        register.accounts.create(Account(None, "微信", "订阅号", "北理工宇航之声", unit, 2))
    assert main(["list", "--server", server_database]) == 0
    assert "北理工宇航之声" in capsys.readouterr().out
    assert main(["verify", "--server", server_database]) == 0
    capsys.readouterr()
    # a server register's backups are pg_dump's (to come); a command about the file
    # itself says so instead of working on the default file
    assert main(["backup", "--server", server_database]) == 2
    assert "pg_dump" in capsys.readouterr().err
    assert main(["unlock", "--server", server_database]) == 2
    assert "只用于本机的备案库文件" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:
        main(["list", "--server", server_database, "--path", "x.nmdesk"])
    assert refused.value.code == 2 and "只能给出一个" in capsys.readouterr().err


def test_clerks_creating_accounts_at_once_get_distinct_serial_numbers(
    server_database: str,
) -> None:
    """The serial number (备案编号) is given out under the accounts' id lock: four clerks
    saving new accounts at the same moment never take the same number."""
    from nmdesk.models import Account

    with create_register(server_database, "bit") as register:
        unit = register.units.add(Unit(None, "信息中心", "college"))
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def clerk(n: int) -> None:
        try:
            with open_register(server_database) as register:
                start.wait()
                for k in range(5):
                    register.accounts.create(
                        Account(
                            None, "微信", "订阅号", f"账号{n}-{k}", unit, 2, platform_id=f"p{n}{k}"
                        )
                    )
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    serials = [row[0] for row in _sql(server_database, "SELECT serial_no FROM accounts")]
    assert len(serials) == len(set(serials)) == 20
    with open_register(server_database) as register:
        assert register.verify().findings == []


def test_a_dropped_connection_is_one_sentence_and_saves_nothing(server_database: str) -> None:
    with create_register(server_database, "bit") as register:
        before = register.audit.count()
        backend = register.scalar("SELECT pg_backend_pid()")
        _sql(server_database, f"SELECT pg_terminate_backend({backend})")
        with pytest.raises(RegisterError, match="与服务器的连接中断了"):
            register.units.add(Unit(None, "信息中心", "college"))
    with open_register(server_database) as register:
        assert register.audit.count() == before and register.units.all() == []


def test_a_read_only_role_opens_read_only_and_the_server_refuses_its_writes(
    server_database: str, server_cluster: ServerCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An inspector's role may read every table and write none: nmdesk opens the register
    read-only (every write refused before it reaches the server, with a sentence), and
    a write sent to the server anyway is refused there."""
    create_register(server_database, "bit").close()
    database = server_database.rsplit("/", 1)[1]
    _sql(server_database, "DROP ROLE IF EXISTS inspector")
    _sql(server_database, "CREATE ROLE inspector LOGIN PASSWORD 'inspector-pw'")
    _sql(server_database, f'GRANT CONNECT ON DATABASE "{database}" TO inspector')
    _sql(server_database, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO inspector")
    pgpass = server_cluster.root / "pgpass-inspector"
    pgpass.write_text(
        server_cluster.pgpass.read_text()
        + f"127.0.0.1:{server_cluster.port}:*:inspector:inspector-pw\n"
    )
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    url = server_database.replace(f"{server_cluster.user}@", "inspector@")
    try:
        with open_register(url) as register:
            assert register.read_only and register.actor == "inspector"
            assert "只有查看权限" in register.read_only_message
            assert register.units.all() == [] and register.meta("profile_id") == "bit"
            with pytest.raises(RegisterError, match="只有查看权限"):
                register.units.add(Unit(None, "信息中心", "college"))
            with pytest.raises(RegisterError, match="没有修改备案库的权限") as refused:
                register.db.execute("INSERT INTO meta (id, key, value) VALUES (99, 'x', 'y')")
            assert isinstance(refused.value.__cause__, psycopg.errors.InsufficientPrivilege)
    finally:
        _sql(server_database, "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM inspector")
        _sql(server_database, f'REVOKE ALL ON DATABASE "{database}" FROM inspector')
        _sql(server_database, "DROP ROLE inspector")


def test_both_engines_have_the_same_tables_and_columns(
    server_database: str, tmp_path: Path
) -> None:
    """The server's schema is written apart from the SQLite migrations: every table nmdesk
    audits, and the audit log, has the same columns in the same order on both, so that a
    register moved between them keeps its rows and its audit snapshots."""
    from nmdesk.store import Register
    from nmdesk.store.schema import AUDITED_TABLES

    with (
        Register.create(tmp_path / "bit.nmdesk", "bit") as file,
        create_register(server_database, "bit") as server,
    ):
        for table in (*AUDITED_TABLES, "audit_log"):
            assert server.db.columns(table) == file.db.columns(table), table
        file_types = {
            (table, name): kind.upper()
            for table in AUDITED_TABLES
            for name, kind in file.db.declared_types(table)
        }
        kinds = {"TEXT": "TEXT", "INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION"}
        for table in AUDITED_TABLES:
            for name, kind in server.db.declared_types(table):
                assert kinds[file_types[(table, name)]] == kind.upper(), (table, name)


def test_tls_settings_reach_the_connection(server_database: str) -> None:
    """The test cluster has no TLS: ``sslmode=require`` must fail (not fall back to
    plain text), in one sentence; ``sslmode=disable`` connects."""
    create_register(server_database, "bit").close()
    with pytest.raises(RegisterError, match="加密连接（TLS）未能建立"):
        open_register(server_database + "?sslmode=require")
    with open_register(server_database + "?sslmode=disable") as register:
        assert register.db.conn.info.get_parameters()["sslmode"] == "disable"


def test_another_clerks_commit_is_heard_within_two_seconds(server_database: str) -> None:
    """LISTEN/NOTIFY: a clerk's listener hears another clerk's save, with the newest
    audit entry's id, well within the 2 seconds the desk has; a rolled-back save and a
    quiet register say nothing."""
    import time

    with create_register(server_database, "bit") as mine, open_register(server_database) as other:
        listener = mine.listen_for_changes()
        try:
            assert listener.wait(0.2) is None
            began = time.monotonic()
            other.units.add(Unit(None, "信息中心", "college"))
            heard = listener.wait(2.0)
            assert time.monotonic() - began < 2.0
            assert heard == other.audit.last_id() == mine.audit.last_id()
            with pytest.raises(RuntimeError), other.transaction():
                other.units.add(Unit(None, "光电学院", "college"))
                raise RuntimeError("the clerk cancels")
            assert listener.wait(0.5) is None
        finally:
            listener.close()
