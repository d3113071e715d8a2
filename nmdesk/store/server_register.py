"""A register on a PostgreSQL server: ``ServerRegister``, the server engine's ``Register``.

The same core (``StoreCore``) and the same repositories as a register file
(``nmdesk.store.register.wire_repositories``), on a psycopg connection
(``nmdesk.store.server_connection``). Opening refuses a database written by a newer
nmdesk, as a file is refused, and applies pending migrations in one transaction
(``nmdesk.store.server_schema``). The audit trail records the PostgreSQL role the
clerk logged in as, not a name typed into nmdesk.

What a file has and a server register does not (the writer lock file, the ``-wal``
guard, backups with SQLite's backup API, a folder of attachment files) is refused
with a sentence instead of touching a local file; docs/server.md says what replaces
each. Code above the store opens one with ``nmdesk.store.open_register(url)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nmdesk.errors import NewerRegisterError, RegisterError
from nmdesk.profiles import load_profile
from nmdesk.store import server_schema
from nmdesk.store.anchors import ChainHead, chain_head
from nmdesk.store.bulk import ImportBatch
from nmdesk.store.core import StoreCore
from nmdesk.store.register import fill_new_register, wire_repositories
from nmdesk.store.schema import SCHEMA_VERSION
from nmdesk.store.server_connection import (
    ChangeListener,
    ServerAddress,
    ServerConnection,
    parse_server_url,
)
from nmdesk.store.verification import VerifyReport, verify_register


class ServerRegister(StoreCore):
    """An open server register. ``ServerRegister.create`` for a new one, ``open`` otherwise."""

    db: ServerConnection

    def __init__(self, db: ServerConnection, address: ServerAddress) -> None:
        (role,) = db.execute("SELECT current_user").fetchone() or ("",)
        # ``path`` names the register in messages: the database's name (there is no file)
        super().__init__(db, Path(address.database), str(role))
        self.address = address
        # a role that may only read (a unit secretary, an inspector) opens read-only:
        # every write control is disabled instead of failing at the server
        (may_write,) = db.execute(
            "SELECT has_table_privilege('audit_log', 'INSERT')"
        ).fetchone() or (False,)
        self.may_write = bool(may_write)
        self.read_only = db.read_only or not self.may_write
        wire_repositories(self)

    @classmethod
    def create(cls, url: str, profile_id: str) -> ServerRegister:
        """A new register in an empty database the clerk's role may create tables in."""
        address = parse_server_url(url)
        profile = load_profile(profile_id)
        db = ServerConnection.open(address, read_only=False)
        try:
            if db.table_exists("nmdesk_schema") or db.table_exists("meta"):
                raise RegisterError(
                    f"服务器数据库 {address.label}中已有备案库，不会覆盖。请换一个数据库"
                )
            server_schema.apply_migrations(db)
            register = cls(db, address)
            fill_new_register(register, profile)
        except BaseException:
            db.close()
            raise
        return register

    @classmethod
    def open(cls, url: str, *, read_only: bool = False) -> ServerRegister:
        """Open a server register, migrating it to the current schema when it may write."""
        address = parse_server_url(url)
        db = ServerConnection.open(address, read_only=read_only)
        try:
            _check_version(db, address)
            if server_schema.pending(db):
                if read_only:
                    raise RegisterError(
                        f"服务器备案库 {address.label}需要升级到新的数据版本，"
                        "只读方式不能升级。请以可写方式打开"
                    )
                server_schema.apply_migrations(db)
                _check_version(db, address)  # another nmdesk may have migrated it meanwhile
            elif not read_only and db.schema_version() < SCHEMA_VERSION:
                # made between two releases: every migration ran, the version was not bumped
                server_schema.apply_migrations(db)
            register = cls(db, address)
        except BaseException:
            db.close()
            raise
        return register

    @property
    def read_only_message(self) -> str:
        if not self.may_write:
            return f"服务器备案库 {self.address.label}：用户 {self.actor} 只有查看权限，不能修改"
        return f"服务器备案库 {self.address.label}以只读方式打开，不能修改"

    @property
    def closed(self) -> bool:
        return self.db.closed

    def close(self) -> None:
        if not self.db.closed:
            self.db.close()

    def listen_for_changes(self) -> ChangeListener:
        """A listener for other clerks' commits (``ChangeListener.wait``), on its own
        connection: the desk refreshes when it hears one."""
        return ChangeListener(self.address)

    def import_batch(self) -> ImportBatch:
        return ImportBatch(self)

    def chain_head(self) -> ChainHead:
        return chain_head(self.db)

    def verify(self, anchors: Sequence[str] = ()) -> VerifyReport:
        """The chain, every audited row and the attachments; a server register has no
        backup folder of its own to check the chain against (its backups are pg_dump's)."""
        return verify_register(self, anchors)

    def backup(self, out: str | Path | None = None) -> Path:
        raise RegisterError(
            f"服务器备案库 {self.address.label}的备份由 pg_dump 完成，本版本尚不支持在 nmdesk 中备份"
        )

    @property
    def attachments_dir(self) -> Path:
        raise RegisterError(
            f"服务器备案库 {self.address.label}的附件将保存在数据库中，本版本尚不支持服务器上的附件"
        )

    def __enter__(self) -> ServerRegister:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_version(db: ServerConnection, address: ServerAddress) -> None:
    """Refuse a database written by a newer nmdesk, or one that is not a register."""
    version = db.schema_version()
    if version > SCHEMA_VERSION:
        raise NewerRegisterError(
            f"备案库 {address.label}由更新版本的 nmdesk 创建（数据版本 {version}，"
            f"本程序支持到 {SCHEMA_VERSION}），请升级 nmdesk 后再打开。数据库未作任何改动"
        )
    unknown = server_schema.unknown(db)
    if unknown:
        raise NewerRegisterError(
            f"备案库 {address.label}已由更新版本的 nmdesk 升级（本程序不认识其中的数据变更"
            f" {unknown[0]}），请升级 nmdesk 后再打开。数据库未作任何改动"
        )
    if version == 0 and not db.table_exists("nmdesk_schema"):
        if db.table_exists("meta"):
            raise RegisterError(f"服务器数据库 {address.label}不是 nmdesk 备案库")
        raise RegisterError(f"服务器数据库 {address.label}中还没有备案库：请先在其中新建备案库")
