"""Storage for Excel in and out: named column mappings, the import log, export rows.

A clerk who corrected the column mapping of their office's ledger saves it
under a name and picks it next time. Every committed import leaves a row in
``imports`` naming the source file; both tables are audited like the rest.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NotFoundError
from nmdesk.models import Account, Person
from nmdesk.store.accounts import account_from_row
from nmdesk.store.people import person_from_row
from nmdesk.validation import require_text

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore

# Roles whose holder (name and contacts) appears in ledgers and exports.
EXPORT_ROLES = (
    "first_responsible",
    "specific_responsible",
    "operator",
    "ops_contact",
    "password_custodian",
    "content_reviewer",
)
_CHUNK = 900  # stay below SQLite's default limit of bound parameters
_HOLDER_KEYS = ("name", "title", "office_phone", "mobile", "email")
_BLANK = {role: {f"{role}.{key}": "" for key in _HOLDER_KEYS} for role in EXPORT_ROLES}
_ROLE_KEYS = {role: [f"{role}.{key}" for key in _HOLDER_KEYS] for role in EXPORT_ROLES}
# the account columns an export shows (nmdesk.excel.export.COLUMNS), then the unit's
# name, its parent's name and its kind (so that an import rebuilds the unit tree)
_EXPORT_FIELDS = ("serial_no", "platform", "account_type", "name", "platform_id", "level",
                  "status", "opened_on", "purpose", "note")  # fmt: skip
_EXPORT_KEYS = ("id", *_EXPORT_FIELDS, "unit", "unit_parent", "unit_kind")


class ExcelStore:
    def __init__(self, register: StoreCore) -> None:
        self.r = register

    # -- named mappings --------------------------------------------------------------

    def mapping_names(self) -> list[str]:
        return [
            row[0] for row in self.r.db.execute("SELECT name FROM import_mappings ORDER BY name")
        ]

    def load_mapping(self, name: str) -> dict[str, str]:
        """The saved mapping: header text as in the ledger → register field key."""
        text = self.r.scalar("SELECT mapping FROM import_mappings WHERE name = ?", [name.strip()])
        if text is None:
            known = "、".join(self.mapping_names()) or "（尚无）"
            raise NotFoundError(f"没有名为“{name}”的列对应方案，已保存的有：{known}")
        return dict(json.loads(text))

    def save_mapping(self, name: str, mapping: dict[str, str]) -> int:
        """Save (or replace) a mapping under a name; returns its id."""
        name = require_text(name, "方案名称", 50)
        text = json.dumps(mapping, ensure_ascii=False, sort_keys=True)
        now = dt.datetime.now().isoformat(timespec="seconds")
        with self.r.transaction():
            existing = self.r.scalar("SELECT id FROM import_mappings WHERE name = ?", [name])
            if existing is None:
                return self.r.insert_row(
                    "import_mappings", {"name": name, "mapping": text, "updated_at": now}
                )
            self.r.update_row(
                "import_mappings", int(existing), {"mapping": text, "updated_at": now}
            )
            return int(existing)

    # -- import log ------------------------------------------------------------------

    def record_import(
        self,
        source_file: str,
        *,
        sheet: str,
        sha256: str,
        counts: dict[str, int],
        new_units: list[str],
    ) -> int:
        """One audited row naming the source file of a committed import."""
        return self.r.insert_row(
            "imports",
            {
                "at": dt.datetime.now().isoformat(timespec="seconds"),
                "source_file": source_file,
                "sheet": sheet,
                "sha256": sha256,
                "created": counts.get("new", 0),
                "updated": counts.get("update", 0),
                "duplicates": counts.get("duplicate", 0),
                "errors": counts.get("error", 0),
                "new_units": json.dumps(new_units, ensure_ascii=False),
            },
            action="import",
        )

    def imports(self) -> list[dict[str, Any]]:
        return self.r.query("SELECT * FROM imports ORDER BY id")

    # -- lookups for the import plan -------------------------------------------------

    def find_account_by_name(self, platform: str, name: str, unit_id: int) -> int | None:
        """An account without a platform ID, matched by platform, name and unit when unique."""
        rows = self.r.db.execute(
            "SELECT id FROM accounts WHERE platform = ? AND name = ? AND unit_id = ? LIMIT 2",
            [platform, name, unit_id],
        ).fetchall()
        return int(rows[0][0]) if len(rows) == 1 else None

    def find_account_by_serial(self, serial_no: str) -> Account | None:
        """The account with this serial number (备案编号), as an export lists it."""
        serial_no = serial_no.strip()
        return self.accounts_by_serials({serial_no}).get(serial_no) if serial_no else None

    def accounts_by_serials(self, serials: set[str]) -> dict[str, Account]:
        """The register's accounts with these serial numbers (备案编号, trimmed), by serial
        number, in a query per 900 instead of one per row: a ledger that is a register's
        own export names every account by it (the bench row "10,000-row import" re-imports
        one)."""
        wanted = sorted(serials)
        found: dict[str, Account] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for row in self.r.query(
                f"SELECT * FROM accounts WHERE serial_no IN ({','.join('?' for _ in chunk)})",
                chunk,
            ):
                found[row["serial_no"]] = account_from_row(row)
        return found

    def current_holders(self, account_id: int) -> dict[str, list[dict[str, Any]]]:
        """role id → the current holders' person rows (oldest first), to compare with a ledger."""
        rows = self.r.query(
            "SELECT ra.role, p.* FROM role_assignments ra JOIN people p ON p.id = ra.person_id "
            "WHERE ra.account_id = ? AND ra.end_on IS NULL ORDER BY ra.id",
            [account_id],
        )
        holders: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            holders.setdefault(row.pop("role"), []).append(row)
        return holders

    def accounts_by_platform_ids(
        self, pairs: set[tuple[str, str]]
    ) -> dict[tuple[str, str], Account]:
        """The register's accounts with these (platform, platform ID) pairs, in a few
        queries (per platform, through the unique index) instead of one per row."""
        by_platform: dict[str, list[str]] = {}
        for platform, platform_id in pairs:
            if platform_id:
                by_platform.setdefault(platform, []).append(platform_id)
        found: dict[tuple[str, str], Account] = {}
        for platform, platform_ids in by_platform.items():
            for start in range(0, len(platform_ids), _CHUNK):
                chunk = platform_ids[start : start + _CHUNK]
                for row in self.r.query(
                    "SELECT * FROM accounts WHERE platform = ? AND platform_id <> '' "
                    f"AND platform_id IN ({','.join('?' for _ in chunk)})",
                    [platform, *chunk],
                ):
                    found[(platform, row["platform_id"])] = account_from_row(row)
        return found

    def people_by_name(self, unit_ids: list[int]) -> dict[tuple[str, int], list[Person]]:
        """Everyone in these units: (name, unit id) → people of that name, oldest first."""
        found: dict[tuple[str, int], list[Person]] = {}
        for start in range(0, len(unit_ids), _CHUNK):
            chunk = unit_ids[start : start + _CHUNK]
            for row in self.r.query(
                f"SELECT * FROM people WHERE unit_id IN ({','.join('?' for _ in chunk)}) "
                "ORDER BY id",
                chunk,
            ):
                found.setdefault((row["name"], row["unit_id"]), []).append(person_from_row(row))
        return found

    def holders_of(self, account_ids: list[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
        """``current_holders`` of many accounts at once: account id → role → person rows."""
        result: dict[int, dict[str, list[dict[str, Any]]]] = {i: {} for i in account_ids}
        for start in range(0, len(account_ids), _CHUNK):
            chunk = account_ids[start : start + _CHUNK]
            for row in self.r.query(
                "SELECT ra.account_id AS holder_of, ra.role, p.* FROM role_assignments ra "
                "JOIN people p ON p.id = ra.person_id WHERE ra.end_on IS NULL "
                f"AND ra.account_id IN ({','.join('?' for _ in chunk)}) ORDER BY ra.id",
                chunk,
            ):
                account_id, role = row.pop("holder_of"), row.pop("role")
                result[account_id].setdefault(role, []).append(row)
        return result

    # -- export ----------------------------------------------------------------------

    def export_rows(self, ids: list[int]) -> list[dict[str, Any]]:
        """Rows for the export, in the order of ``ids``: the account fields it shows, unit
        name, its parent's name ("" at the top) and its kind, and for each role in EXPORT_ROLES the current holders' names and contacts
        (``first_responsible.mobile`` …); several holders of a role are joined with
        ``、``, each contact in its holder's place (``、139…`` when the first has no
        mobile), so that an import gives each one their own. Two queries per 900 accounts, read as tuples."""
        result: list[dict[str, Any]] = []
        execute = self.r.db.execute
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" for _ in chunk)
            accounts = {
                values[0]: values
                for values in execute(
                    f"SELECT a.id, {', '.join('a.' + c for c in _EXPORT_FIELDS)}, u.name, "
                    "coalesce(p.name, ''), u.kind "
                    "FROM accounts a JOIN units u ON u.id = a.unit_id "
                    "LEFT JOIN units p ON p.id = u.parent_id "
                    f"WHERE a.id IN ({marks})",
                    chunk,
                )
            }
            people: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
            for values in execute(
                "SELECT ra.account_id, ra.role, p.name, p.title, p.office_phone, p.mobile, p.email "
                "FROM role_assignments ra JOIN people p ON p.id = ra.person_id "
                f"WHERE ra.end_on IS NULL AND ra.account_id IN ({marks}) ORDER BY ra.id",
                chunk,
            ):
                people.setdefault((values[0], values[1]), []).append(values[2:])
            for account_id in chunk:
                found = accounts.get(account_id)
                if found is None:
                    continue
                row = dict(zip(_EXPORT_KEYS, found, strict=True))
                for role in EXPORT_ROLES:
                    holders = people.get((account_id, role))
                    if not holders:
                        row.update(_BLANK[role])
                    elif len(holders) == 1:
                        row.update(zip(_ROLE_KEYS[role], holders[0], strict=True))
                    else:  # several operators: each contact in its holder's place
                        for index, key in enumerate(_ROLE_KEYS[role]):
                            values = [h[index] or "" for h in holders]
                            row[key] = "、".join(values) if any(values) else ""
                result.append(row)
        return result
