"""The server's connection: psycopg 3 with the surface ``StoreCore`` uses.

``ServerConnection`` offers what SQLite's ``RegisterConnection`` offers
(``nmdesk.store.engine.EngineConnection``): ``execute`` and ``executemany`` with the
store's ``?`` placeholders (rewritten to psycopg's ``%s`` once per statement text),
``atomic()`` (one transaction, nested blocks as savepoints), the catalogue
questions, ``Error`` and the PostgreSQL ``dialect``. Values bind as ``sqlite3``
binds them: ``bool`` as an integer, dates as ISO text, so that a repository writes
the same Python values to either engine.

A server register is named by a URL, ``postgresql://USER@HOST[:PORT]/DB``, which
never carries a password: one given for this process (``use_password``, in memory
only) is used, else libpq reads it from the clerk's ``.pgpass`` (``PGPASSFILE``). Imported only when a server register is opened, so that opening
a file does not load psycopg.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import TransactionStatus

from nmdesk.errors import RegisterError, ValidationError
from nmdesk.store.dialect import POSTGRES, Dialect

SCHEMES = ("postgresql", "postgres")
# What a commit that extended the audit chain is announced on (``ChangeListener``; the
# trigger is made by ``nmdesk.store.server_schema``).
CHANGES_CHANNEL = "nmdesk_changes"
CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class ServerAddress:
    """Where a server register is: role, host, port and database."""

    user: str
    host: str
    port: int
    database: str
    # libpq's TLS settings from the URL's query (``?sslmode=verify-full&sslrootcert=…``)
    tls: tuple[tuple[str, str], ...] = ()

    @property
    def url(self) -> str:
        query = "&".join(f"{key}={value}" for key, value in self.tls)
        base = f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"
        return f"{base}?{query}" if query else base

    @property
    def label(self) -> str:
        """How a message names it: ``DB（服务器 HOST）``."""
        return f"{self.database}（服务器 {self.host}）"


# The URL's query may set these of libpq's parameters, and no others: how the
# connection is encrypted and checked (TLS), never a password.
TLS_PARAMETERS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def _tls(query: str, url: str) -> tuple[tuple[str, str], ...]:
    settings = parse_qsl(query, keep_blank_values=True)
    for key, value in settings:
        if key not in TLS_PARAMETERS:
            raise RegisterError(
                f"服务器地址 {url} 中的“{key}”不认识：问号后只能写加密连接的设置"
                f"（{'、'.join(TLS_PARAMETERS)}）"
            )
        if key == "sslmode" and value not in SSL_MODES:
            raise RegisterError(
                f"服务器地址中的 sslmode={value} 不对，应为 {'、'.join(SSL_MODES)} 之一"
            )
    return tuple(settings)


def parse_server_url(url: str) -> ServerAddress:
    """``postgresql://USER@HOST[:PORT]/DB[?sslmode=…]`` as an address; a clerk's sentence
    otherwise."""
    parts = urlsplit(url)
    shape = "postgresql://用户名@服务器[:端口]/数据库"
    if parts.scheme not in SCHEMES or not parts.hostname or not parts.username:
        raise RegisterError(f"服务器地址 {url} 写法不对，应写成 {shape}")
    if parts.password is not None:
        raise RegisterError(
            "服务器地址中不能写密码：密码请保存在本机的 .pgpass 文件中，nmdesk 不保存明文密码"
        )
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database or parts.fragment:
        raise RegisterError(f"服务器地址 {url} 写法不对，应写成 {shape}")
    tls = _tls(parts.query, url)
    try:
        port = parts.port or 5432
    except ValueError:
        raise RegisterError(f"服务器地址 {url} 中的端口不对") from None
    return ServerAddress(unquote(parts.username), parts.hostname, port, database, tls)


# Passwords given for this process (typed by the clerk or read from the keyring), by
# server, role and database: kept in memory only, never written, so that the
# connections a window's jobs open again find it too. Without one, libpq looks in
# the clerk's .pgpass.
_session_passwords: dict[tuple[str, int, str, str], str] = {}
_session_lock = threading.Lock()


def _session_key(address: ServerAddress) -> tuple[str, int, str, str]:
    return (address.host, address.port, address.user, address.database)


def use_password(address: ServerAddress, password: str | None) -> None:
    """Connect to ``address`` with ``password`` for the rest of this process; None
    forgets it (a wrong one must not be tried again)."""
    with _session_lock:
        if password:
            _session_passwords[_session_key(address)] = password
        else:
            _session_passwords.pop(_session_key(address), None)


def _session_password(address: ServerAddress) -> str | None:
    with _session_lock:
        return _session_passwords.get(_session_key(address))


@functools.lru_cache(maxsize=4096)
def server_sql(sql: str) -> str:
    """The store's statement with psycopg's placeholders: each ``?`` outside quotes
    becomes ``%s`` and each ``%`` becomes ``%%``."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        if ch == "%":
            out.append("%%")
            continue
        out.append(ch)
    return "".join(out)


_INT8 = psycopg.postgres.types["int8"].oid
_TEXT = psycopg.postgres.types["text"].oid


class _BoolAsInteger(Dumper):
    """``True`` / ``False`` as 1 / 0, as sqlite3 stores them (the columns are integers)."""

    oid = _INT8

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


class _DateAsText(Dumper):
    """A date as its ISO text, as sqlite3's default adapter writes it."""

    oid = _TEXT

    def dump(self, obj: dt.date) -> bytes:
        return obj.isoformat().encode()


class _DateTimeAsText(Dumper):
    oid = _TEXT

    def dump(self, obj: dt.datetime) -> bytes:
        return obj.isoformat(" ").encode()


# A failed connection carries no SQLSTATE (libpq reports it before a session exists):
# its reason is told by libpq's and the server's message, in the order checked.
_CONNECT_REASONS = (
    ("password authentication failed", "用户名或密码不对（密码请保存在本机的 .pgpass 文件中）"),
    ("no password supplied", "没有找到这个用户的密码（请把密码保存在本机的 .pgpass 文件中）"),
    ("does not exist", "服务器上没有这个数据库或这个用户"),
    ("no pg_hba.conf entry", "服务器不允许这个用户从本机登录"),
    ("permission denied", "这个用户没有使用该数据库的权限"),
    ("too many clients", "服务器的连接数已满，请稍后再试"),
    ("ssl", "与服务器的加密连接（TLS）未能建立"),
    ("timeout expired", "连接服务器超时，请检查服务器地址和网络"),
)


def _refuse_nul(values: Any) -> None:
    """PostgreSQL's text cannot hold U+0000, not even to look a value up; every write's
    text is checked before (``nmdesk.text_rules``), so a NUL here is a lookup or a search
    with it: the rules' own sentence, as a write of it gets on either engine."""
    for value in values:
        if value.__class__ is str and "\x00" in value:
            raise ValidationError("文字", "含有不可见的控制字符（U+0000），请删除后再保存")


def connect_error(address: ServerAddress, error: psycopg.Error) -> RegisterError:
    """A clerk's sentence for a failed connection."""
    text = str(error).casefold()
    reason = next(
        (sentence for words, sentence in _CONNECT_REASONS if words in text),
        "连不上服务器，请检查服务器地址、端口和网络",
    )
    return RegisterError(f"无法打开服务器备案库 {address.label}：{reason}")


class ServerConnection:
    """One open psycopg connection to a server register (see the module)."""

    dialect: Dialect = POSTGRES
    Error: type[Exception] = psycopg.Error

    def __init__(self, conn: psycopg.Connection[Any], *, read_only: bool = False) -> None:
        self.conn = conn
        self.read_only = read_only
        self.closed = False
        self.before_commit: Callable[[], None] | None = None
        self.after_commit: Callable[[], None] | None = None
        self._savepoints = 0
        self._columns: dict[str, list[tuple[str, str]]] = {}
        self._schema_stamp = 0

    @classmethod
    def open(cls, address: ServerAddress, *, read_only: bool) -> ServerConnection:
        parameters: dict[str, Any] = {
            "host": address.host,
            "port": address.port,
            "user": address.user,
            "dbname": address.database,
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "nmdesk",
            **dict(address.tls),
        }
        password = _session_password(address)
        if password is not None:
            parameters["password"] = password
        try:
            conn = psycopg.connect(autocommit=True, **parameters)
        except psycopg.Error as exc:
            raise connect_error(address, exc) from None
        conn.adapters.register_dumper(bool, _BoolAsInteger)
        conn.adapters.register_dumper(dt.date, _DateAsText)
        conn.adapters.register_dumper(dt.datetime, _DateTimeAsText)
        if read_only:
            conn.execute("SET default_transaction_read_only = on")
        return cls(conn, read_only=read_only)

    def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None
    ) -> psycopg.Cursor[Any]:
        try:
            if parameters is None:
                return self.conn.execute(sql)
            _refuse_nul(parameters.values() if isinstance(parameters, dict) else parameters)
            return self.conn.execute(server_sql(sql), parameters)
        except psycopg.Error as exc:
            raise self.in_words(exc) from exc

    def executemany(self, sql: str, rows: Any) -> None:
        try:
            with self.conn.cursor() as cursor:
                cursor.executemany(server_sql(sql), rows)
        except psycopg.Error as exc:
            raise self.in_words(exc) from exc

    def in_words(self, error: psycopg.Error) -> Exception:
        """A failure caused by the server or the network as a clerk's sentence (the
        transaction is rolled back by the server either way); any other error, a bug or
        a constraint the repositories catch, as it is."""
        if self.conn.closed or self.conn.broken:
            return RegisterError(
                "与服务器的连接中断了：刚才的操作没有保存。请检查网络后重新打开备案库"
            )
        if isinstance(error, psycopg.errors.ReadOnlySqlTransaction):
            return RegisterError("备案库以只读方式打开，不能修改")
        if isinstance(error, psycopg.errors.InsufficientPrivilege):
            return RegisterError("这个用户没有修改备案库的权限（只读用户），不能修改")
        if isinstance(error, psycopg.errors.QueryCanceled | psycopg.errors.LockNotAvailable):
            return RegisterError("服务器上的备案库正忙，操作没有完成，请稍后再试")
        return error

    @property
    def in_transaction(self) -> bool:
        """In a transaction (or a failed one) on a live connection."""
        return self.conn.info.transaction_status in (
            TransactionStatus.INTRANS,
            TransactionStatus.INERROR,
            TransactionStatus.ACTIVE,
        )

    @contextmanager
    def atomic(self) -> Iterator[ServerConnection]:
        """One transaction over the block; a nested block is a savepoint inside it."""
        if self.in_transaction:
            self._savepoints += 1
            savepoint = f"nmdesk_{self._savepoints}"
            self.execute(f"SAVEPOINT {savepoint}")
            try:
                yield self
            except BaseException:
                if self.in_transaction:
                    self.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    self.execute(f"RELEASE SAVEPOINT {savepoint}")
                raise
            self.execute(f"RELEASE SAVEPOINT {savepoint}")
            return
        self.execute("BEGIN")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            if self.before_commit is not None:
                self.before_commit()
            self.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise
        if self.after_commit is not None:
            self.after_commit()

    def statement_guard(self) -> AbstractContextManager[Any]:
        """A savepoint inside a transaction: a failing statement would abort it."""
        return self.atomic()

    def rollback(self) -> None:
        if self.in_transaction and not self.conn.broken:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()
        self.closed = True

    # -- the catalogue -----------------------------------------------------------------

    def table_exists(self, name: str) -> bool:
        row = self.conn.execute("SELECT to_regclass(%s) IS NOT NULL", [name]).fetchone()
        return bool(row and row[0])

    def declared_types(self, table: str) -> list[tuple[str, str]]:
        """(column, type) of each column, in order (cached: the schema is fixed while open)."""
        found = self._columns.get(table)
        if found is None:
            found = [
                (str(name), str(kind))
                for name, kind in self.conn.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = %s "
                    "ORDER BY ordinal_position",
                    [table],
                )
            ]
            self._columns[table] = found
        return found

    def columns(self, table: str) -> list[str]:
        return [name for name, _kind in self.declared_types(table)]

    def forget_columns(self) -> None:
        """After a migration: the next question reads the catalogue again."""
        self._columns.clear()
        self._schema_stamp += 1

    def schema_stamp(self) -> object:
        """A value that changes whenever the catalogue is read again (``forget_columns``):
        the schema is fixed while a register is open, as ``declared_types`` assumes."""
        return self._schema_stamp

    def column_defaults(self, table: str) -> dict[str, Any]:
        """Each column's default value, as the server evaluates the declared default."""
        defaults: dict[str, Any] = {}
        declared = self.conn.execute(
            "SELECT column_name, column_default FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s "
            "AND column_default IS NOT NULL",
            [table],
        ).fetchall()
        for name, default in declared:
            try:
                with self.statement_guard():
                    row = self.conn.execute(f"SELECT {default}").fetchone()
                defaults[str(name)] = row[0] if row else None
            except psycopg.Error:
                defaults[str(name)] = None
        return defaults

    def schema_version(self) -> int:
        """The schema version in ``nmdesk_schema`` (0 for a database without one)."""
        if not self.table_exists("nmdesk_schema"):
            return 0
        row = self.conn.execute("SELECT version FROM nmdesk_schema").fetchone()
        return int(row[0]) if row else 0

    def integrity_ok(self) -> bool:
        """PostgreSQL checks its own pages (checksums, WAL); there is no file to scan here."""
        return True


class ChangeListener:
    """Waits for other clerks' commits to a server register (LISTEN/NOTIFY), on a
    connection of its own so that the register's stays free: each commit that extended
    the audit chain is announced with the newest entry's id
    (``CHANGES_CHANNEL``)."""

    def __init__(self, address: ServerAddress) -> None:
        self._db = ServerConnection.open(address, read_only=True)
        self._db.execute(f"LISTEN {CHANGES_CHANNEL}")

    def wait(self, timeout_s: float) -> int | None:
        """The newest audit entry id announced within ``timeout_s`` seconds (the highest of
        every announcement already waiting), or None when nothing changed."""
        newest: int | None = None
        try:
            for notice in self._db.conn.notifies(timeout=timeout_s, stop_after=1):
                newest = max(newest or 0, int(notice.payload))
            for notice in self._db.conn.notifies(timeout=0):  # the rest already waiting
                newest = max(newest or 0, int(notice.payload))
        except psycopg.Error as exc:
            raise self._db.in_words(exc) from exc
        return newest

    def close(self) -> None:
        self._db.close()
