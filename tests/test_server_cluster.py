"""The throwaway PostgreSQL cluster itself (tests/server_cluster.py): it runs, as a
user that is not root, takes password logins only, and is gone after it is stopped."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from server_cluster import ServerCluster, find_binaries, new_cluster


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie has ended: a container whose pid 1 does not
    reap keeps the stopped postmaster as one)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _process_uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for process {pid}")


def test_the_cluster_runs_as_an_unprivileged_user(server_cluster: ServerCluster) -> None:
    pid = server_cluster.pid()
    assert pid is not None and _alive(pid)
    assert _process_uid(pid) != 0
    with server_cluster.connect() as conn:
        assert conn.execute("SELECT current_setting('password_encryption')").fetchone() == (
            "scram-sha-256",
        )
        hba = conn.execute("SELECT DISTINCT auth_method FROM pg_hba_file_rules").fetchall()
        assert hba == [("scram-sha-256",)]
        socket_dirs = conn.execute("SHOW unix_socket_directories").fetchone()[0]
        assert socket_dirs == str(server_cluster.socket_dir)


def test_a_login_without_the_password_is_refused(server_cluster: ServerCluster) -> None:
    import psycopg

    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(
            host="127.0.0.1",
            port=server_cluster.port,
            user=server_cluster.user,
            dbname="postgres",
            passfile=os.devnull,
            password="wrong",
        ).close()


def test_each_test_gets_a_database_of_its_own(server_database: str) -> None:
    import psycopg

    with psycopg.connect(server_database) as conn:
        name = conn.execute("SELECT current_database()").fetchone()[0]
        assert server_database.endswith("/" + name)
        assert conn.execute("SELECT count(*) FROM pg_class WHERE relname = 'meta'").fetchone() == (
            0,
        )


def test_a_stopped_cluster_leaves_no_process_and_no_folder(server_cluster: ServerCluster) -> None:
    bin_dir = find_binaries()
    assert bin_dir is not None
    cluster = new_cluster(bin_dir)
    try:
        cluster.start()
        pid = cluster.pid()
        assert pid is not None and _alive(pid)
    finally:
        cluster.stop()
    assert not cluster.root.exists()
    assert not _alive(pid)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", cluster.port), timeout=1).close()
    print(f"cluster start {cluster.started_s:.2f} s, stop {cluster.stopped_s:.2f} s")


def test_without_postgresql_the_server_tests_skip_or_fail_as_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No initdb: skipped with the reason, or failed under NMDESK_REQUIRE_POSTGRES=1."""
    import server_cluster as harness

    monkeypatch.setattr(harness, "REQUIRED", False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install postgresql"):
        harness.unavailable("initdb is not installed (apt-get install postgresql)")
    monkeypatch.setattr(harness, "REQUIRED", True)
    with pytest.raises(pytest.fail.Exception, match="NMDESK_REQUIRE_POSTGRES=1"):
        harness.unavailable("initdb is not installed (apt-get install postgresql)")
