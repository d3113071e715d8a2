"""The one object that owns a register file: the SQLite engine's ``Register``.

``Register`` opens the SQLite file (``nmdesk.store.connection``), turns on WAL and
foreign keys, refuses registers written by a newer nmdesk, applies migrations, and
wires the repositories (``register.accounts``, ``register.units`` …) on top of the
core it extends (``nmdesk.store.core.StoreCore``: transactions and the audited
writers). Code above the store opens it with ``nmdesk.store.open_register`` and sees
only the Protocols of ``nmdesk.store.interfaces``.

A connection belongs to the thread that opened it: a worker thread opens its
own ``Register`` on the same path.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from nmdesk.errors import NewerRegisterError, RegisterError
from nmdesk.files import create_private_file
from nmdesk.profiles import Profile, load_profile
from nmdesk.store import backup as backups
from nmdesk.store import locking
from nmdesk.store.accounts import AccountStore
from nmdesk.store.anchors import ChainHead, backup_findings, chain_head
from nmdesk.store.attachments import AttachmentStore
from nmdesk.store.audit import AuditLog
from nmdesk.store.bulk import ImportBatch
from nmdesk.store.calendar import CalendarStore
from nmdesk.store.connection import RegisterConnection
from nmdesk.store.core import StoreCore, now_text
from nmdesk.store.drafts import FormDraftStore
from nmdesk.store.filings import FilingStore
from nmdesk.store.mappings import ExcelStore
from nmdesk.store.people import PeopleStore
from nmdesk.store.records import SanctionStore, WatchStore
from nmdesk.store.reviews import ReviewStore
from nmdesk.store.schema import SCHEMA_VERSION, migrations
from nmdesk.store.search import register_sql_functions
from nmdesk.store.sqlite_errors import sqlite_sentence
from nmdesk.store.units import UnitStore
from nmdesk.store.verification import VerifyReport, verify_register
from nmdesk.store.wal_guard import WalGuard, WalReplacedError

BUSY_TIMEOUT_MS = 5000


def database_error_message(
    error: BaseException, name: str = "", path: Path | None = None
) -> str | None:
    """A clerk's sentence for an SQLite error caused by the file, the disk or another
    program (by result code, ``nmdesk.store.sqlite_errors``), else None.

    Errors that mean a bug (a missing column, bad SQL) return None and stay tracebacks.
    """
    message = sqlite_sentence(error, path)
    if message is None:
        return None
    return f"{name}：{message}" if name else message


def _connect(path: Path, *, read_only: bool = False) -> RegisterConnection:
    try:
        db = RegisterConnection.open(path, read_only=read_only, timeout_s=BUSY_TIMEOUT_MS / 1000)
        register_sql_functions(db.conn)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        message = database_error_message(exc, path=path) or "该文件不是 nmdesk 备案库"
        raise RegisterError(f"无法打开备案库 {path}：{message}") from None
    return db


class Register(StoreCore):
    """An open register. Use ``Register.create`` for a new file and ``Register.open`` otherwise."""

    audit: AuditLog
    db: RegisterConnection

    def __init__(self, db: RegisterConnection, path: Path, *, actor: str | None = None) -> None:
        super().__init__(db, path, actor or _default_actor())
        self._lock: locking.RegisterLock | None = None
        wire_repositories(self)

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, profile_id: str, *, actor: str | None = None) -> Register:
        """Create a new register file with the given built-in profile id or profile path."""
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise RegisterError(f"文件 {path} 已存在，不会覆盖。请换一个文件名")
        profile = load_profile(profile_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            create_private_file(path)  # 0600; SQLite gives -wal and -shm the same mode
        register = cls.open(path, actor=actor, _creating=True)
        fill_new_register(register, profile)
        return register

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        actor: str | None = None,
        read_only: bool = False,
        auto_backup: bool = True,
        _creating: bool = False,
    ) -> Register:
        """Open an existing register, migrating it to the current schema.

        The first nmdesk to open a register takes its writer lock; when another
        instance holds it, the register opens read-only (``read_only`` and
        ``lock_holder`` say so, and writes raise ``RegisterError``). A backup is
        taken before migrations and, with ``auto_backup``, once a day.
        """
        path = Path(path)
        if not _creating and not path.exists():
            raise RegisterError(f"备案库文件 {path} 不存在")
        lock, holder = (None, None) if read_only else locking.acquire(path)
        if lock is not None and not _creating and not os.access(path, os.W_OK):
            lock.release()
            lock, holder = None, locking.cannot_write("没有写入该文件的权限")
        if lock is None and _creating:
            raise RegisterError(f"备案库 {path.name} 正由另一个 nmdesk 创建或使用")
        db: RegisterConnection | None = None
        try:
            # a non-holder cannot write, checkpoint or delete the -wal (sqlite.org/wal.html)
            db = _connect(path, read_only=lock is None)
            register = cls._prepare(db, path, lock, _creating, auto_backup, actor)
        except BaseException:
            if db is not None:
                db.close()
            if lock is not None:
                lock.release()
            raise
        register.lock_holder = holder
        return register

    @classmethod
    def _prepare(
        cls,
        db: RegisterConnection,
        path: Path,
        lock: locking.RegisterLock | None,
        creating: bool,
        auto_backup: bool,
        actor: str | None,
    ) -> Register:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise NewerRegisterError(
                f"备案库 {path.name} 由更新版本的 nmdesk 创建（数据版本 {version}，"
                f"本程序支持到 {SCHEMA_VERSION}），请升级 nmdesk 后再打开。文件未作任何改动"
            )
        unknown = migrations.unknown(db)
        if unknown:
            raise NewerRegisterError(
                f"备案库 {path.name} 已由更新版本的 nmdesk 升级（本程序不认识其中的数据变更"
                f" {unknown[0]}），请升级 nmdesk 后再打开。文件未作任何改动"
            )
        if not creating and version == 0 and not db.table_exists("meta"):
            raise RegisterError(f"{path.name} 不是 nmdesk 备案库")
        network_warning = locking.network_share_warning(path)
        backup_warning = None
        try:
            if lock is None:
                db.execute("PRAGMA query_only = ON")
                if migrations.pending(db):
                    raise RegisterError(
                        f"备案库 {path.name} 需要升级到新的数据版本，但正由另一个 nmdesk 使用。"
                        "请关闭另一个 nmdesk 后再打开"
                    )
            else:
                # WAL needs shared memory, which network shares do not provide
                mode = "delete" if network_warning else "wal"
                if db.execute("PRAGMA journal_mode").fetchone()[0] != mode:
                    db.execute(f"PRAGMA journal_mode = {mode.upper()}")
                if migrations.pending(db):
                    if not creating:
                        try:
                            backups.pre_migration_backup(path, db.conn)
                        except RegisterError as exc:
                            raise RegisterError(
                                f"升级备案库 {path.name} 前的备份失败，未升级：{exc}"
                            ) from None
                    _apply_migrations(db)
                elif version < SCHEMA_VERSION:
                    # made between two releases: every migration ran, the version was not bumped
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                if auto_backup and not creating:
                    try:
                        backups.auto_backup(path, db.conn)
                    except (RegisterError, OSError) as exc:  # warn, keep working
                        backup_warning = f"今天的自动备份未完成：{backups.backup_failure(exc)}"
        except sqlite3.DatabaseError as exc:
            reason = sqlite_sentence(exc, path) or "数据库出错"
            raise RegisterError(f"无法升级备案库 {path.name}：{reason}。文件保持原样") from None
        register = cls(db, path, actor=actor)
        register.read_only = lock is None
        register._lock = lock
        register.stale_lock = lock.recovered_stale if lock is not None else None
        register.network_warning = network_warning
        register.backup_warning = backup_warning
        if lock is not None and not network_warning:
            register._guard_wal()
        return register

    def _guard_wal(self) -> None:
        """Check before each commit that the -wal is still the file on disk (wal_guard)."""
        guard = WalGuard(self.path)

        def before_commit() -> None:
            if guard.tripped is None and guard.replaced():
                self.read_only = True
                self.lock_holder = locking.cannot_write("日志文件被另一个程序删除或替换")
                raise WalReplacedError(guard.trip(self.db.conn))
            if guard.tripped is not None:
                raise WalReplacedError(guard.tripped)

        self.db.before_commit = before_commit
        self.db.after_commit = guard.committed

    @property
    def closed(self) -> bool:
        return self.db.closed

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def import_batch(self) -> ImportBatch:
        """A new batch for a bulk import (``nmdesk.store.bulk``)."""
        return ImportBatch(self)

    def chain_head(self) -> ChainHead:
        """The head of the audit chain: its newest entry's hash and how many entries."""
        return chain_head(self.db.conn)

    def verify(self, anchors: Sequence[str] = ()) -> VerifyReport:
        """Every check on the register (``nmdesk.store.verification``)."""
        return verify_register(self, anchors, backup_findings(self.path, self.db.conn))

    def backup(self, out: str | Path | None = None) -> Path:
        """A manual backup into the register's backup folder, or to ``out``."""
        return backups.manual_backup(self.path, self.db.conn, Path(out) if out else None)

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wire_repositories(core: StoreCore) -> None:
    """The audit log and the repositories on top of a core, whichever its engine."""
    core.audit = AuditLog(core)
    core.units = UnitStore(core)
    core.people = PeopleStore(core)
    core.accounts = AccountStore(core)
    core.filings = FilingStore(core)
    core.sanctions = SanctionStore(core)
    core.watchlist = WatchStore(core)
    core.calendar_overrides = CalendarStore(core)
    core.attachments = AttachmentStore(core)
    core.drafts = FormDraftStore(core)
    core.reviews = ReviewStore(core)
    core.excel = ExcelStore(core)


def fill_new_register(core: StoreCore, profile: Profile) -> None:
    """What a new register holds before the first clerk's entry: its profile, when it was
    made, its secret and the profile's platforms, in one transaction."""
    with core.transaction():
        core.set_meta("profile", profile.to_json())
        core.set_meta("profile_id", profile.id)
        core.set_meta("created_at", now_text())
        core.set_meta("secret", secrets.token_hex(16))
        for order, platform in enumerate(profile.platforms):
            core.insert_row(
                "platforms",
                {
                    "name": platform.name,
                    "account_types": json.dumps(list(platform.account_types), ensure_ascii=False),
                    "sort_order": order,
                },
            )


def _apply_migrations(db: RegisterConnection) -> None:
    """All pending migrations in one transaction, so a failing one leaves the file as it was."""
    if all(migration.transactional for migration in migrations.pending(db)):
        with db.atomic():
            migrations.apply(db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    else:  # e.g. a VACUUM, which cannot run inside a transaction
        migrations.apply(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # getuser raises various errors when no user name is known
        return "clerk"
