"""How a migration is declared, which ones a register still needs, and how they run.

The released migrations themselves are in ``nmdesk.store.schema``. Which migrations are
pending is read with plain SQL from sqlite-utils' own ``_sqlite_migrations`` table, so
that opening an up-to-date register does not import sqlite-utils at all; applying them
hands the set to sqlite-utils' ``Migrations``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

    from nmdesk.store.connection import RegisterConnection

MigrationFunction = Callable[["Database"], None]


@dataclass(frozen=True)
class Migration:
    name: str
    fn: MigrationFunction
    transactional: bool = True


class MigrationSet:
    """Named migrations in the order they were released, as sqlite-utils records them."""

    table = "_sqlite_migrations"  # sqlite-utils' table; existing registers already have it

    def __init__(self, name: str) -> None:
        self.name = name
        self.migrations: list[Migration] = []

    def __call__(
        self, *, name: str, transactional: bool = True
    ) -> Callable[[MigrationFunction], MigrationFunction]:
        def register(fn: MigrationFunction) -> MigrationFunction:
            if any(migration.name == name for migration in self.migrations):
                raise ValueError(f"migration {name} is registered twice")
            self.migrations.append(Migration(name, fn, transactional))
            return fn

        return register

    def applied(self, connection: RegisterConnection) -> list[str]:
        """Names of the migrations this register has had, in the order they ran."""
        if not connection.table_exists(self.table):
            return []
        return [row[0] for row in connection.execute(self.applied_sql, [self.name])]

    @property
    def applied_sql(self) -> str:
        """The query for the names applied, in order (one parameter: this set's name)."""
        return f"SELECT name FROM {self.table} WHERE migration_set = ? ORDER BY rowid"

    def unknown(self, connection: RegisterConnection) -> list[str]:
        """Migrations this register has had that this nmdesk does not know (a newer one ran)."""
        return self.not_known(self.applied(connection))

    def not_known(self, applied: Iterable[str]) -> list[str]:
        """The names in ``applied`` that are none of this nmdesk's migrations."""
        known = {migration.name for migration in self.migrations}
        return [name for name in applied if name not in known]

    def pending(self, connection: RegisterConnection) -> list[Migration]:
        applied = set(self.applied(connection))
        return [migration for migration in self.migrations if migration.name not in applied]

    def apply(self, connection: RegisterConnection) -> None:
        """Apply the pending migrations with sqlite-utils (imported only now)."""
        from sqlite_utils import Database
        from sqlite_utils.migrations import Migrations

        engine = Migrations(self.name)
        for migration in self.migrations:
            engine(name=migration.name, transactional=migration.transactional)(migration.fn)
        engine.apply(Database(connection.conn))


def run_script(db: Database, script: str) -> None:
    """Run several statements inside the current transaction.

    ``executescript`` would COMMIT first and break the migration's transaction,
    so statements are split with ``sqlite3.complete_statement`` and run one by one.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        db.execute(pending)
