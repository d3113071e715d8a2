"""A read ledger row matched against the register and the rows before it.

``Matcher.match`` gives a row without errors its verdict: new, update (with the field
changes the preview shows), unchanged, or a duplicate of an earlier row of the file.
An account is found by its platform ID, else by its 备案编号, else by its name in its
unit. ``prefetch`` looks up what the rows name (platform IDs, 备案编号, units and their
people) in a few queries first: a query per row made re-importing a register's own
export of 10,000 accounts, which names each by its 备案编号, slow (the bench row
"10,000-row import" re-imports its ledger).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nmdesk.errors import ValidationError
from nmdesk.excel.column_reader import outcome, value_or_issue
from nmdesk.excel.mapping import CONTACT_FIELDS, ROLE_LABELS
from nmdesk.excel.plan import Change, PlannedRow, RowIssue, Verdict
from nmdesk.excel.role_holders import first_name, matching_holder, missing_contacts
from nmdesk.excel.unit_tree import UnitTree
from nmdesk.models import Account
from nmdesk.store.account_rules import check_parent_unit
from nmdesk.store.roles import MULTI_HOLDER_ROLES
from nmdesk.validation import check_role_holder

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

# Account fields compared with the register to decide "update"; unit is compared by name.
COMPARED = (
    "account_type",
    "name",
    "platform_id",
    "purpose",
    "opened_on",
    "level",
    "note",
    "last_post_on",
)

# how the preview names a compared field's change
_CHANGE_LABELS = {
    "opened_on": "开设时间",
    "level": "账号级别",
    "account_type": "账号类型",
    "name": "账号名称",
    "platform_id": "账号ID号",
    "purpose": "账号主要用途",
    "note": "备注",
    "last_post_on": "最近发布日期",
}


class Matcher:
    """Matches read rows to the register's accounts, units and people (cached: a unit's
    name or a person repeats down a ledger)."""

    def __init__(self, register: Register, level_column: str, tree: UnitTree) -> None:
        self.r = register
        self.profile = register.profile
        self.level_column = level_column  # the 账号级别 column as the ledger heads it
        self.tree = tree
        self.seen: dict[tuple[str, ...], int] = {}  # a row's key → the first row with it
        self._unit_ids: dict[str, int | None] = {}
        self._known_people: dict[tuple[str, int], list[Any]] = {}
        # filled by ``prefetch``: the register's accounts named by platform ID, and holders
        self._by_platform_id: dict[tuple[str, str], Account] | None = None
        self._by_serial: dict[str, Account] | None = None  # and by 备案编号
        self._holders: dict[int, dict[str, list[dict[str, Any]]]] = {}
        self._people_units: set[int] = set()  # units whose people are all in _known_people
        self._holder_refusals: dict[tuple[str, Any], str | None] = {}

    def prefetch(self, rows: Sequence[PlannedRow]) -> None:
        """Look up the accounts that read rows name by platform ID or 备案编号, and their
        holders, in a few queries; ``match`` then queries only for the rest."""
        pairs = {
            (row.fields["platform"], row.fields["platform_id"])
            for row in rows
            if row.verdict is not Verdict.ERROR and row.fields.get("platform_id")
        }
        self._by_platform_id = self.r.excel.accounts_by_platform_ids(pairs)
        self._by_serial = self.r.excel.accounts_by_serials(
            {
                row.fields["serial_no"].strip()
                for row in rows
                if row.verdict is not Verdict.ERROR and row.fields.get("serial_no")
            }
        )
        found = [*self._by_platform_id.values(), *self._by_serial.values()]
        self._holders = self.r.excel.holders_of(
            list(dict.fromkeys(account.id for account in found if account.id is not None))
        )
        # every unit of the register by name, in one query (a ledger names hundreds)
        by_name = self.tree.register_units = {
            unit.name: unit.id for unit in self.r.units.all() if unit.id is not None
        }
        for row in rows:
            if row.verdict is not Verdict.ERROR and row.unit_name not in self._unit_ids:
                self._unit_ids[row.unit_name] = by_name.get(row.unit_name.strip())
        unit_ids = {self.unit_id(row) for row in rows if row.verdict is not Verdict.ERROR}
        self._people_units = {unit_id for unit_id in unit_ids if unit_id is not None}
        for key, people in self.r.excel.people_by_name(sorted(self._people_units)).items():
            self._known_people[key] = people[:1]

    def unit_id(self, row: PlannedRow) -> int | None:
        """The id of the row's unit in the register (None: a unit the import creates)."""
        if row.unit_name not in self._unit_ids:
            unit = self.r.units.find_by_name(row.unit_name)
            self._unit_ids[row.unit_name] = None if unit is None else unit.id
        return self._unit_ids[row.unit_name]

    def match(self, row: PlannedRow) -> None:
        """Give a read row without errors its verdict against the register and the file."""
        f = row.fields
        unit_id = self.unit_id(row)
        level = f["level"]
        if level is not None and self.profile.level(level).requires_parent_unit:
            if unit_id is not None:
                has_parent = self.r.units.get(unit_id).parent_id is not None
            else:  # a new unit: its 上级单位 in the ledger
                has_parent = self.tree.has_parent(row.unit_name)
            found = outcome(check_parent_unit, self.profile.level(level), row.unit_name, has_parent)
            if not found[0]:
                value_or_issue(found, row.errors, self.level_column)
                row.verdict = Verdict.ERROR
                return
        if unit_id is not None and not self._check_known_people(row, unit_id):
            row.verdict = Verdict.ERROR
            return
        if f["platform_id"]:
            key: tuple[str, ...] = ("id", f["platform"], f["platform_id"])
        else:
            key = ("name", f["platform"], f["name"], row.unit_name)
        if key in self.seen:
            row.verdict = Verdict.DUPLICATE
            row.duplicate_of = self.seen[key]
            return
        self.seen[key] = row.row_number
        if unit_id is None:
            self.tree.count_new_unit(row.unit_name)
        existing = self._existing(row, unit_id)
        if existing is None:
            row.verdict = Verdict.NEW
            return
        row.account_id = existing.id
        row.changes = self._changes(row, existing, unit_id)
        row.verdict = Verdict.UPDATE if row.changes else Verdict.UNCHANGED

    def _existing(self, row: PlannedRow, unit_id: int | None) -> Account | None:
        """The register's account the row names: by platform ID, else by 备案编号 (on the
        same platform, where one of the two has no platform ID), else by name in its unit."""
        f = row.fields
        existing = None
        if f["platform_id"] and self._by_platform_id is not None:
            existing = self._by_platform_id.get((f["platform"], f["platform_id"]))
        elif f["platform_id"]:
            existing = self.r.accounts.by_platform_id(f["platform"], f["platform_id"])
        if existing is None and f["serial_no"]:
            if self._by_serial is not None:
                found = self._by_serial.get(f["serial_no"].strip())
            else:
                found = self.r.excel.find_account_by_serial(f["serial_no"])
            if (
                found is not None
                and found.platform == f["platform"]
                and (not f["platform_id"] or not found.platform_id)
            ):
                existing = found
        if existing is None and not f["platform_id"] and unit_id is not None:
            account_id = self.r.excel.find_account_by_name(f["platform"], f["name"], unit_id)
            existing = self.r.accounts.get(account_id) if account_id is not None else None
        return existing

    def _check_known_people(self, row: PlannedRow, unit_id: int) -> bool:
        """A person the unit already has must be allowed in the role (e.g. staff only)."""
        for role, person in row.people:
            key = (person["name"].strip(), unit_id)
            if key not in self._known_people:
                self._known_people[key] = (
                    [] if unit_id in self._people_units else self.r.people.find(*key)[:1]
                )
            for known in self._known_people[key]:
                reason = self._holder_refusal(role, known.kind)
                if reason is not None:
                    row.errors.append(
                        RowIssue(
                            ROLE_LABELS[role], f"{person['name']}（{known.kind.label}）：{reason}"
                        )
                    )
        return not row.errors

    def _holder_refusal(self, role: str, kind: Any) -> str | None:
        """Why ``check_role_holder`` refuses this kind of person in the role (None: allowed),
        asked once per role and kind."""
        key = (role, kind)
        if key not in self._holder_refusals:
            try:
                check_role_holder(self.profile, role, kind)
                self._holder_refusals[key] = None
            except ValidationError as error:
                self._holder_refusals[key] = error.reason
        return self._holder_refusals[key]

    def _changes(self, row: PlannedRow, existing: Account, unit_id: int | None) -> list[Change]:
        changes: list[Change] = []
        f = row.fields
        labels = _CHANGE_LABELS
        for key in COMPARED:
            new = f.get(key)
            if new is None or new == "":
                continue  # a blank cell never clears what the register holds
            old = getattr(existing, key)
            if key == "last_post_on" and old is not None and new <= old:
                continue  # an older ledger never moves the last post back
            if key == "level":
                if new != old:
                    changes.append(
                        Change(
                            labels[key], self.profile.level(old).name, self.profile.level(new).name
                        )
                    )
            elif key == "opened_on":
                if old != new:
                    changes.append(Change(labels[key], old.chinese() if old else "", new.chinese()))
            elif str(old or "") != str(new):
                changes.append(Change(labels[key], str(old or ""), str(new)))
        if unit_id != existing.unit_id:
            changes.append(
                Change("账号开设单位", self.r.units.get(existing.unit_id).name, row.unit_name)
            )
        assert existing.id is not None
        holders = self._holders.get(existing.id)
        if holders is None:
            holders = self.r.excel.current_holders(existing.id)
        for role, person in row.people:
            current = matching_holder(role, person["name"], holders.get(role, []))
            if current is None:
                before = "" if role in MULTI_HOLDER_ROLES else first_name(holders.get(role, []))
                changes.append(Change(ROLE_LABELS[role], before, person["name"]))
                continue
            for key, value in missing_contacts(current, person).items():
                changes.append(Change(ROLE_LABELS[role] + CONTACT_FIELDS[key], "", value))
        return changes
