"""People: staff, students and outsiders who hold roles on accounts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NotFoundError
from nmdesk.models import Person, PersonKind
from nmdesk.store.convert import date_or_none, iso_or_none
from nmdesk.store.search_index import refresh_search_for_person
from nmdesk.validation import (
    clean_text,
    normalize_email,
    normalize_mobile,
    normalize_office_phone,
    require_text,
)

if TYPE_CHECKING:
    from nmdesk.profiles import Profile
    from nmdesk.store.core import StoreCore


def person_from_row(row: dict[str, Any]) -> Person:
    """A ``people`` row as a ``Person``: the one reader, for every repository."""
    return Person(
        id=row["id"],
        name=row["name"],
        kind=PersonKind(row["kind"]),
        unit_id=row["unit_id"],
        title=row["title"],
        office_phone=row["office_phone"],
        mobile=row["mobile"],
        email=row["email"],
        staff_or_student_no=row["staff_or_student_no"],
        note=row["note"],
        graduates_on=date_or_none(row["graduates_on"]),
    )


def person_row(profile: Profile, person: Person) -> dict[str, Any]:
    """Validate and normalise a person's fields into a storable row (the one
    implementation, for ``PeopleStore`` and the import's batch). Only a student has
    an expected graduation date."""
    graduates = person.graduates_on if PersonKind(person.kind) is PersonKind.STUDENT else None
    return {
        "name": require_text(person.name, "姓名", profile.text_limits["people.name"]),
        "kind": PersonKind(person.kind).value,
        "unit_id": person.unit_id,
        "title": clean_text(person.title),
        "office_phone": normalize_office_phone(person.office_phone),
        "mobile": normalize_mobile(person.mobile),
        "email": normalize_email(person.email),
        "staff_or_student_no": clean_text(person.staff_or_student_no),
        "note": person.note,
        "graduates_on": iso_or_none(graduates),
    }


def get_person(core: StoreCore, person_id: int) -> Person:
    """One person by id (NotFoundError if there is none): ``People.get``, for every
    repository that needs a person."""
    rows = core.query("SELECT * FROM people WHERE id = ?", [person_id])
    if not rows:
        raise NotFoundError(f"人员 #{person_id} 不存在")
    return person_from_row(rows[0])


class PeopleStore:
    def __init__(self, register: StoreCore) -> None:
        self.r = register

    def add(self, person: Person) -> int:
        return self.r.insert_row("people", person_row(self.r.profile, person))

    def update(self, person: Person) -> None:
        """Save a person's details; renaming refreshes the search text of their accounts."""
        assert person.id is not None
        with self.r.transaction():
            before = self.r.update_row("people", person.id, person_row(self.r.profile, person))
            if before["name"] != person.name:
                refresh_search_for_person(self.r, person.id)

    def graduating(self, until: dt.date) -> list[tuple[Person, list[tuple[int, str, str]]]]:
        """Students graduating by ``until`` who still hold a role, soonest first, each with
        (account id, account name, role id) of the roles they hold."""
        rows = self.r.db.execute(
            "SELECT p.id, a.id, a.name, r.role FROM people p "
            "JOIN role_assignments r ON r.person_id = p.id AND r.end_on IS NULL "
            "JOIN accounts a ON a.id = r.account_id AND a.status NOT IN ('closed', 'refused') "
            "WHERE p.kind = 'student' AND p.graduates_on IS NOT NULL AND p.graduates_on <= ? "
            "ORDER BY p.graduates_on, p.id, a.id, r.role",
            [until.isoformat()],
        ).fetchall()
        held: dict[int, list[tuple[int, str, str]]] = {}
        for person_id, account_id, name, role in rows:
            held.setdefault(person_id, []).append((account_id, name, role))
        return [(self.get(person_id), roles) for person_id, roles in held.items()]

    def get(self, person_id: int) -> Person:
        return get_person(self.r, person_id)

    def find(self, name: str, unit_id: int | None = None) -> list[Person]:
        if unit_id is None:
            rows = self.r.query("SELECT * FROM people WHERE name = ? ORDER BY id", [name.strip()])
        else:
            rows = self.r.query(
                f"SELECT * FROM people WHERE name = ? AND unit_id {self.r.sql.not_distinct_from} ? "
                "ORDER BY id",
                [name.strip(), unit_id],
            )
        return [person_from_row(row) for row in rows]

    def all(self) -> list[Person]:
        return [
            person_from_row(row) for row in self.r.query("SELECT * FROM people ORDER BY name, id")
        ]

    def picker_rows(self) -> list[tuple[int, str, str | None, PersonKind, int]]:
        """(id, name, unit name, kind, how many people share the name) by name, for pickers:
        one query, no ``Person`` objects (a form has six pickers of 10,000 people)."""
        rows = self.r.db.execute(
            "SELECT p.id, p.name, u.name, p.kind, count(*) OVER (PARTITION BY p.name) "
            "FROM people p LEFT JOIN units u ON u.id = p.unit_id ORDER BY p.name, p.id"
        )
        return [(pid, name, unit, PersonKind(kind), same) for pid, name, unit, kind, same in rows]

    def search(self, text: str, limit: int = 200) -> list[Person]:
        rows = self.r.query(
            "SELECT * FROM people WHERE name LIKE ? ORDER BY name LIMIT ?",
            [f"%{text.strip()}%", limit],
        )
        return [person_from_row(row) for row in rows]
