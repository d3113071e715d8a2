"""Many new rows at once, for a ledger import of thousands of accounts.

``ImportBatch`` takes new units, people, accounts and role assignments, checks
each one with the single-row store's own rules (``checked_unit_row``,
``person_row``, ``checked_account_row``, ``check_role_holder``,
``duplicate_account_error``), called with the batch's cached lookups, gives it its
id at once, and writes everything on ``flush`` with one ``executemany`` per
table through ``Register.insert_rows``, which audits every row (an audit entry
per 1,000 rows, each listing its rows with their values). Search text is
refreshed for all the batch's accounts in one batched call. Nothing here
commits: the caller's transaction decides.

Anything that writes outside the batch (an update, an application) must call
``flush`` first, so that ids handed out by the batch are never taken by
another insert.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from nmdesk.models import Account, Person, PersonKind, Unit
from nmdesk.store.account_rules import checked_account_row, duplicate_account_error
from nmdesk.store.people import person_row
from nmdesk.store.roles import MULTI_HOLDER_ROLES, assignment_row
from nmdesk.store.units import checked_unit_row
from nmdesk.validation import check_role_holder

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore

_CHUNK = 900  # stay below SQLite's default limit of bound parameters
CONTACT_KEYS = ("title", "office_phone", "mobile", "email")


class ImportBatch:
    def __init__(self, register: StoreCore) -> None:
        self.r = register
        self.profile = register.profile
        self._platforms: dict[str, None] | None = None  # the list, in its order
        self._unit_cache: dict[int, Unit] = {}
        self._register_units: dict[str, int | None] | None = None  # name → id, see find_unit
        self._people_cache: dict[tuple[str, int], Person | None] = {}
        self._allowed: set[tuple[str, PersonKind]] = set()  # role holder kinds checked
        self._reset()

    def _reset(self) -> None:
        self._next_id: dict[str, int] = {}
        self._serial: tuple[str, int] | None = None
        self._now: str | None = None  # created_at of the batch's accounts, see add_account
        self.units: dict[int, dict[str, Any]] = {}
        self._queued_units: dict[int, Unit] = {}  # queued rows as Unit, made once
        self.unit_names: dict[str, int] = {}
        self.people: dict[int, dict[str, Any]] = {}
        self.people_by_name: dict[tuple[str, int], int] = {}
        self._queued_people: dict[int, Person] = {}  # queued rows as Person, made once
        self.accounts: list[dict[str, Any]] = []
        self.platform_ids: dict[tuple[str, str], str] = {}
        self.roles: list[dict[str, Any]] = []
        self.holders: dict[tuple[int, str], list[dict[str, Any]]] = {}

    def __len__(self) -> int:
        return len(self.units) + len(self.people) + len(self.accounts) + len(self.roles)

    def _new_id(self, table: str) -> int:
        if table not in self._next_id:
            self.r.hold_ids(table)  # the server: held until the import's transaction ends
            self._next_id[table] = int(self.r.scalar(f"SELECT coalesce(max(id), 0) FROM {table}"))
        self._next_id[table] += 1
        return self._next_id[table]

    # -- units -----------------------------------------------------------------------

    def find_unit(self, name: str) -> int | None:
        """The id of the unit of that name, queued in this batch or in the register."""
        name = name.strip()
        if name in self.unit_names:
            return self.unit_names[name]
        if self._register_units is None:  # every unit by name, in one query, until a flush
            self._register_units = {unit.name: unit.id for unit in self.r.units.all()}
        return self._register_units.get(name)

    def add_unit(self, unit: Unit) -> int:
        """Queue a new unit, checked as ``UnitStore.add`` checks it."""
        row = checked_unit_row(self.profile, unit, self.find_unit, self._unit)
        unit_id = self._new_id("units")
        self.units[unit_id] = {"id": unit_id, **row}
        self.unit_names[row["name"]] = unit_id
        return unit_id

    def unit_name(self, unit_id: int) -> str:
        """The name of a unit, queued here or in the register, as it is stored."""
        return self._unit(unit_id).name

    def _unit(self, unit_id: int) -> Unit:
        if unit_id in self.units:
            queued = self._queued_units.get(unit_id)
            if queued is None:
                row = self.units[unit_id]
                queued = Unit(unit_id, row["name"], row["kind"], row["parent_id"])
                self._queued_units[unit_id] = queued
            return queued
        if unit_id not in self._unit_cache:
            self._unit_cache[unit_id] = self.r.units.get(unit_id)
        return self._unit_cache[unit_id]

    # -- people ----------------------------------------------------------------------

    def find_person(self, name: str, unit_id: int) -> Person | None:
        """The first person of that name in the unit (queued here or in the register)."""
        name = name.strip()
        queued = self.people_by_name.get((name, unit_id))
        if queued is not None:
            person = self._queued_people.get(queued)
            if person is None:
                row = self.people[queued]
                person = self._queued_people[queued] = Person(
                    queued, row["name"], PersonKind(row["kind"]), unit_id,
                    *(row[key] for key in CONTACT_KEYS),
                )  # fmt: skip
            return person  # shared, as the register's people cached below are: not changed
        if unit_id in self.units:  # a unit created by this batch has nobody in the register
            return None
        key = (name, unit_id)
        if key not in self._people_cache:
            found = self.r.people.find(name, unit_id)
            self._people_cache[key] = found[0] if found else None
        return self._people_cache[key]

    def add_person(self, person: Person) -> int:
        """Queue a new person, checked and normalised as ``PeopleStore.add`` does."""
        row = person_row(self.profile, person)
        person_id = self._new_id("people")
        self.people[person_id] = {"id": person_id, **row}
        if row["unit_id"] is not None:
            self.people_by_name.setdefault((row["name"], row["unit_id"]), person_id)
        return person_id

    def fill_contacts(self, person: Person, filled: dict[str, str]) -> None:
        """Give a person contacts they lack: merged into a queued row, or saved at once
        (audited) for someone already in the register."""
        assert person.id is not None
        updated = replace(person)
        for key, value in filled.items():
            setattr(updated, key, value)
        if person.id in self.people:
            self.people[person.id].update(person_row(self.profile, updated))
            self._queued_people.pop(person.id, None)
            return
        self.r.people.update(updated)
        if person.unit_id is not None:
            self._people_cache[(person.name, person.unit_id)] = updated

    # -- accounts --------------------------------------------------------------------

    def _platform_names(self) -> dict[str, None]:
        if self._platforms is None:
            self._platforms = dict.fromkeys(self.r.accounts.platforms())
        return self._platforms

    def _next_serial(self) -> str:
        if self._serial is None:
            first = self.r.accounts.next_serial()  # e.g. BIT-2026-00001
            prefix, _dash, digits = first.rpartition("-")
            self._serial = (prefix, int(digits))
        prefix, number = self._serial
        self._serial = (prefix, number + 1)
        return f"{prefix}-{number:05d}"

    def add_account(self, account: Account) -> int:
        """Queue a new account (not an application), checked as ``AccountStore.create``
        checks it; returns its id. The accounts a batch writes in one transaction share
        one time of creation, read once (the bench row "10,000-row import")."""
        row = checked_account_row(self.profile, account, self._platform_names(), self._unit)
        key = (row["platform"], row["platform_id"])
        if row["platform_id"]:
            if key in self.platform_ids:
                raise duplicate_account_error(*key, self.platform_ids[key])
            self.platform_ids[key] = row["name"]
        now = self._now
        if now is None:
            now = self._now = dt.datetime.now().isoformat(timespec="seconds")
        account_id = self._new_id("accounts")
        row.update(
            id=account_id,
            status=account.status.value,
            serial_no=self._next_serial(),
            created_at=now,
            updated_at=now,
        )
        self.accounts.append(row)
        return account_id

    def _check_duplicates(self) -> None:
        """Platform IDs of queued accounts that the register already holds."""
        pairs = [
            (row["platform"], row["platform_id"]) for row in self.accounts if row["platform_id"]
        ]
        wanted = set(pairs)
        ids = sorted({pid for _platform, pid in pairs})
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for existing in self.r.query(
                "SELECT id, name, serial_no, platform, platform_id FROM accounts "
                f"WHERE platform_id IN ({','.join('?' for _ in chunk)}) AND platform_id <> ''",
                chunk,
            ):
                if (existing["platform"], existing["platform_id"]) in wanted:
                    raise duplicate_account_error(
                        existing["platform"],
                        existing["platform_id"],
                        existing["name"],
                        (existing["id"], existing["serial_no"]),
                    )

    # -- roles -----------------------------------------------------------------------

    def assign_role(
        self, account_id: int, role: str, person_id: int, kind: PersonKind, start_on: dt.date
    ) -> None:
        """Give a person a role on an account created in this import (so it has no
        holders in the register yet); a second holder of a single-holder role ends
        the first that day, as ``AccountStore.assign_role`` does."""
        if (role, kind) not in self._allowed:
            check_role_holder(self.profile, role, kind)
            self._allowed.add((role, kind))
        current = self.holders.setdefault((account_id, role), [])
        if any(row["person_id"] == person_id for row in current):
            return
        if role not in MULTI_HOLDER_ROLES:
            for old in current:
                old["end_on"] = start_on.isoformat()
            current.clear()
        row = {
            "id": self._new_id("role_assignments"),
            **assignment_row(account_id, role, person_id, start_on),
        }
        current.append(row)
        self.roles.append(row)

    # -- writing ---------------------------------------------------------------------

    def flush(self) -> list[int]:
        """Write everything queued (audited) and refresh the search text; returns the
        ids of the accounts written."""
        self._register_units = None  # writes outside the batch may follow a flush
        if not len(self):
            self._reset()
            return []
        self._check_duplicates()
        self.r.insert_rows("units", list(self.units.values()))
        self.r.insert_rows("people", list(self.people.values()))
        account_ids = self.r.insert_rows("accounts", self.accounts)
        self.r.insert_rows("role_assignments", self.roles)
        touched = dict.fromkeys(account_ids)
        touched.update(dict.fromkeys(row["account_id"] for row in self.roles))
        self.r.accounts.refresh_search(list(touched))
        self._unit_cache.clear()
        self._people_cache.clear()
        self._reset()
        return account_ids
