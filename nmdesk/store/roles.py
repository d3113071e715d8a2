"""Who holds which role on an account, from when to when (role_assignments).

``RoleRecords`` is the role part of the accounts repository (``AccountStore``):
assigning, ending, handing over and taking back role holders, each audited and
each saying what a personnel-change filing would list. Whether it is filed is
policy (``nmdesk.services.accounts``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from nmdesk.models import FieldChange, RoleAssignment
from nmdesk.store.convert import date_or_none
from nmdesk.store.people import get_person
from nmdesk.store.search_index import refresh_search
from nmdesk.validation import check_role_holder

if TYPE_CHECKING:
    from nmdesk.store.core import StoreCore

# Roles that may have several holders at once; every other role has one holder.
MULTI_HOLDER_ROLES = frozenset({"operator"})


def assignment_row(account_id: int, role: str, person_id: int, start_on: dt.date) -> dict[str, Any]:
    """A new, current ``role_assignments`` row: the one shape, for a single assignment,
    a hand-over and an import's many."""
    return {
        "account_id": account_id,
        "role": role,
        "person_id": person_id,
        "start_on": start_on.isoformat(),
        "end_on": None,
    }


class RoleRecords:
    """The role holders of accounts: mixed into ``AccountStore``."""

    r: StoreCore

    def current_roles(self, account_id: int) -> list[RoleAssignment]:
        return self._assignments("account_id = ? AND end_on IS NULL ORDER BY id", account_id)

    def role_history(self, account_id: int) -> list[RoleAssignment]:
        return self._assignments("account_id = ? ORDER BY start_on, id", account_id)

    def holder(self, account_id: int, role: str) -> int | None:
        value = self.r.scalar(
            "SELECT person_id FROM role_assignments WHERE account_id = ? "
            "AND role = ? AND end_on IS NULL ORDER BY id LIMIT 1",
            [account_id, role],
        )
        return None if value is None else int(value)

    def _assignments(self, where: str, key: int) -> list[RoleAssignment]:
        """The role_assignments rows matching ``where`` (one ``?``, for ``key``), in order."""
        rows = self.r.query(f"SELECT * FROM role_assignments WHERE {where}", [key])
        return [self._assignment(row) for row in rows]

    @staticmethod
    def _assignment(row: dict[str, Any]) -> RoleAssignment:
        return RoleAssignment(
            row["id"],
            row["account_id"],
            row["role"],
            row["person_id"],
            dt.date.fromisoformat(row["start_on"]),
            date_or_none(row["end_on"]),
        )

    def assign_role(
        self,
        account_id: int,
        role: str,
        person_id: int,
        start_on: dt.date,
    ) -> FieldChange | None:
        """Give a person a role from a date. The previous holder of a single-holder role
        is ended that day. Returns the change as a personnel-change filing lists it
        (None: the person holds the role already); whether it is filed is policy
        (``nmdesk.services.accounts.assign_role``)."""
        profile = self.r.profile
        person = get_person(self.r, person_id)
        check_role_holder(profile, role, person.kind)
        role_name = profile.role_name(role)
        with self.r.transaction():
            previous = [a for a in self.current_roles(account_id) if a.role == role]
            if any(a.person_id == person_id for a in previous):
                return None
            ended: list[str] = []
            if role not in MULTI_HOLDER_ROLES:
                for old in previous:
                    assert old.id is not None
                    self.r.update_row("role_assignments", old.id, {"end_on": start_on.isoformat()})
                    ended.append(get_person(self.r, old.person_id).name)
            self.r.insert_row(
                "role_assignments", assignment_row(account_id, role, person_id, start_on)
            )
            refresh_search(self.r, [account_id])
        return FieldChange(role_name, "、".join(ended), person.name)

    def end_role(self, assignment_id: int, end_on: dt.date) -> FieldChange | None:
        """End one role assignment; returns the change as a personnel-change filing lists
        it (None: it had ended already)."""
        row = self.r.row("role_assignments", assignment_id)
        if row["end_on"] is not None:
            return None
        with self.r.transaction():
            self.r.update_row("role_assignments", assignment_id, {"end_on": end_on.isoformat()})
            refresh_search(self.r, [row["account_id"]])
        person = get_person(self.r, row["person_id"])
        return FieldChange(self.r.profile.role_name(row["role"]), person.name, "")

    def assignment(self, assignment_id: int) -> RoleAssignment:
        return self._assignment(self.r.row("role_assignments", assignment_id))

    def take_back_assignment(self, assignment_id: int, reopen: list[int]) -> None:
        """Undo an assignment entered by mistake: its row goes (audited) and the
        assignments it ended that day are current again."""
        row = self.r.row("role_assignments", assignment_id)
        with self.r.transaction():
            self.r.delete_row("role_assignments", assignment_id, action="undo")
            for other in reopen:
                self.r.update_row("role_assignments", other, {"end_on": None}, action="undo")
            refresh_search(self.r, [row["account_id"]])

    def reopen_role(self, assignment_id: int) -> None:
        """Undo the end of an assignment: it is current again."""
        row = self.r.row("role_assignments", assignment_id)
        with self.r.transaction():
            self.r.update_row("role_assignments", assignment_id, {"end_on": None}, action="undo")
            refresh_search(self.r, [row["account_id"]])

    def responsibilities(self, person_id: int) -> list[RoleAssignment]:
        """Everything a person currently holds, for hand-over when they leave or graduate."""
        return self._assignments(
            "person_id = ? AND end_on IS NULL ORDER BY account_id, id", person_id
        )

    def person_role_history(self, person_id: int) -> list[RoleAssignment]:
        """Every role a person holds or held, current first, then by start date."""
        return self._assignments(
            "person_id = ? ORDER BY end_on IS NOT NULL, start_on DESC, id DESC", person_id
        )

    def hand_over(
        self, from_person_id: int, to_person_id: int, on: dt.date
    ) -> dict[int, list[FieldChange]]:
        """Hand every current role of one person to another, in one transaction; returns
        {account id: the changes a personnel-change filing lists}, in account order."""
        profile = self.r.profile
        successor = get_person(self.r, to_person_id)
        held = self.responsibilities(from_person_id)
        for assignment in held:
            check_role_holder(profile, assignment.role, successor.kind)
        leaver = get_person(self.r, from_person_id).name
        by_account: dict[int, list[FieldChange]] = {}
        with self.r.transaction():
            for assignment in held:
                assert assignment.id is not None
                self.r.update_row("role_assignments", assignment.id, {"end_on": on.isoformat()})
                successor_holds_role = any(
                    a.person_id == to_person_id and a.role == assignment.role
                    for a in self.current_roles(assignment.account_id)
                )
                if not successor_holds_role:
                    row = assignment_row(assignment.account_id, assignment.role, to_person_id, on)
                    self.r.insert_row("role_assignments", row)
                by_account.setdefault(assignment.account_id, []).append(
                    FieldChange(profile.role_name(assignment.role), leaver, successor.name)
                )
            refresh_search(self.r, list(by_account))
        return by_account

    def missing_required_roles(self) -> list[tuple[int, str]]:
        """(account id, role id) for live accounts lacking a role the profile requires."""
        required = [role.id for role in self.r.profile.roles if role.required]
        missing: list[tuple[int, str]] = []
        for role in required:
            rows = self.r.db.execute(
                "SELECT a.id FROM accounts a WHERE a.status IN ('running', 'rectifying', 'suspended', "
                "'lost', 'approved') AND NOT EXISTS (SELECT 1 FROM role_assignments r WHERE "
                "r.account_id = a.id AND r.role = ? AND r.end_on IS NULL) ORDER BY a.id",
                [role],
            )
            missing += [(row[0], role) for row in rows]
        return missing
