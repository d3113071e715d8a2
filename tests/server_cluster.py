"""A throwaway PostgreSQL cluster for the server tests, started once per test session.

``initdb`` makes a cluster in a fresh temporary folder, run as an unprivileged user
(initdb refuses root: as root, the ``postgres`` system user Debian's package creates
runs it, the folder chowned to it). The cluster takes password logins only
(scram-sha-256) for a test superuser whose generated password is in a ``.pgpass``
file in the folder (``PGPASSFILE`` points at it for the session: nmdesk's server URLs
carry no password). It listens on a unix socket in the folder and on 127.0.0.1 at a
free port, and is stopped (``pg_ctl stop -m fast``) and the folder removed when the
session ends, also after a failure or Ctrl-C (an ``atexit`` hook backs up the
fixture's own teardown).

Each test that asks for ``server_database`` gets a database of its own, created
from ``template0`` and dropped afterwards.

Without PostgreSQL's binaries (``/usr/lib/postgresql/*/bin`` or on PATH) the server
tests are skipped with the reason, unless ``NMDESK_REQUIRE_POSTGRES=1`` (set by
``.ci/run``), which fails them instead.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REQUIRED = os.environ.get("NMDESK_REQUIRE_POSTGRES") == "1"
# the role the tests log in as: named like the file tests' actor, so that a test
# reading who wrote an audit entry expects the same name on both engines
SUPERUSER = "tester"
SERVICE_USER = "postgres"  # the system user of Debian's postgresql package


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (the newest installed major version)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: int(Path(path).parent.name) if Path(path).parent.name.isdigit() else 0,
    )
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServerCluster:
    """One running cluster: where it lives and how to reach it."""

    bin_dir: Path
    root: Path
    port: int
    password: str = field(repr=False)
    user: str = SUPERUSER
    run_as: str | None = None  # the system user running the server (None: this process's)
    started_s: float = 0.0
    stopped_s: float = 0.0
    _running: bool = False

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def pgpass(self) -> Path:
        return self.root / "pgpass"

    def url(self, database: str = "postgres") -> str:
        """The server URL nmdesk is given (no password: libpq reads ``PGPASSFILE``)."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def pid(self) -> int | None:
        """The postmaster's process id, from its pid file, while the cluster runs."""
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _as_server_user(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else args

    def _run(self, args: list[str], timeout: float = 120) -> None:
        result = subprocess.run(
            self._as_server_user(args), capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}")

    def start(self) -> None:
        """initdb, then pg_ctl start -w; the time it took is in ``started_s``."""
        began = time.monotonic()
        self.socket_dir.mkdir()
        password_file = self.root / "initdb-password"
        password_file.write_text(self.password + "\n")
        password_file.chmod(0o600)
        self.pgpass.write_text(
            f"127.0.0.1:{self.port}:*:{self.user}:{self.password}\n"
            f"{self.socket_dir}:{self.port}:*:{self.user}:{self.password}\n"
        )
        self.pgpass.chmod(0o600)  # libpq ignores a .pgpass others can read
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            for path in (self.root, self.socket_dir, password_file):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            self.root.chmod(0o711)  # this process still reads its pgpass inside
        try:
            self._run(
                [
                    str(self.bin_dir / "initdb"),
                    "-D", str(self.data_dir),
                    "-U", self.user,
                    f"--pwfile={password_file}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    # a UTF-8 character classification, so that pg_trgm takes Chinese
                    # characters as word characters
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            )  # fmt: skip
        finally:
            password_file.unlink()
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.socket_dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            [
                str(self.bin_dir / "pg_ctl"), "start", "-w", "-t", "60",
                "-D", str(self.data_dir), "-l", str(self.root / "server.log"), "-o", options,
            ]
        )  # fmt: skip
        self._running = True
        self.started_s = time.monotonic() - began

    def stop(self) -> None:
        """pg_ctl stop -m fast, then the folder removed; safe to call twice."""
        began = time.monotonic()
        if self._running:
            self._running = False
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._run(
                    [str(self.bin_dir / "pg_ctl"), "stop", "-w", "-m", "fast",
                     "-D", str(self.data_dir)],
                    timeout=60,
                )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)
        self.stopped_s = time.monotonic() - began

    def connect(self, database: str = "postgres"):  # -> psycopg.Connection
        """An autocommit psycopg connection as the test superuser."""
        import psycopg

        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.user,
            dbname=database,
            passfile=str(self.pgpass),
            autocommit=True,
        )

    def create_database(self, template: str = "template0") -> str:
        """A new database, empty (from ``template0``) or a copy of ``template``."""
        name = f"nmdesk_{secrets.token_hex(6)}"
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" ENCODING \'UTF8\'')
        return name

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_cluster(bin_dir: Path) -> ServerCluster:
    """A cluster in a fresh temporary folder, not started yet."""
    root = Path(tempfile.mkdtemp(prefix="nmdesk-pg-"))
    run_as = SERVICE_USER if os.geteuid() == 0 else None
    if run_as is not None:
        try:
            pwd.getpwnam(run_as)
        except KeyError:
            shutil.rmtree(root)
            raise RuntimeError(
                f"running as root, but there is no {run_as} user to run initdb as"
            ) from None
    return ServerCluster(bin_dir, root, _free_port(), secrets.token_urlsafe(24), run_as=run_as)


def unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"NMDESK_REQUIRE_POSTGRES=1, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def server_cluster() -> Iterator[ServerCluster]:
    """The session's running cluster (skipped, or failed under NMDESK_REQUIRE_POSTGRES=1,
    without PostgreSQL)."""
    bin_dir = find_binaries()
    if bin_dir is None:
        unavailable("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed")
    assert bin_dir is not None
    cluster = new_cluster(bin_dir)
    atexit.register(cluster.stop)
    saved = os.environ.get("PGPASSFILE")
    try:
        cluster.start()
        os.environ["PGPASSFILE"] = str(cluster.pgpass)
        yield cluster
    finally:
        if saved is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = saved
        cluster.stop()
        atexit.unregister(cluster.stop)


@pytest.fixture
def server_database(server_cluster: ServerCluster) -> Iterator[str]:
    """A fresh, empty database on the session's cluster, by its URL; dropped afterwards."""
    name = server_cluster.create_database()
    try:
        yield server_cluster.url(name)
    finally:
        server_cluster.drop_database(name)
