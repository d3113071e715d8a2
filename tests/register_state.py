"""The whole state of a register, on either engine, for "nothing changed" checks."""

from __future__ import annotations

from typing import Any


def register_state(register: Any) -> list[Any]:
    """A file's whole dump (schema, rows, FTS shadow tables: ``iterdump``), or every row of
    every table of a server register's database, in a fixed order."""
    if register.sql.name == "sqlite":
        return list(register.db.conn.iterdump())
    tables = [
        row[0]
        for row in register.db.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() ORDER BY table_name"
        ).fetchall()
    ]
    return [
        (table, [tuple(row) for row in register.db.execute(f"SELECT * FROM {table} ORDER BY 1")])
        for table in tables
    ]


def location_option(register: Any) -> list[str]:
    """The CLI's option naming this register: ``--path FILE`` or ``--server URL``."""
    if register.sql.name == "sqlite":
        return ["--path", str(register.path)]
    return ["--server", register.address.url]
