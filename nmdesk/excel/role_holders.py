"""A ledger row's role holders (单位负责人, 具体运营人 …) and their contacts.

``HolderReader`` reads each role's columns a column at a time (names, titles, phones,
email, see ``ColumnReader``) and adds each holder to the row with the issues of their
cells; several operators may share one cell (小王、小李). The rest of this module says
how a ledger's holder meets the register's: who it matches, and which contacts it
may fill in (never overwrite).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, NamedTuple

from nmdesk.excel import normalize
from nmdesk.excel.column_reader import ColumnReader, Outcome, Rows, cell_key, outcome
from nmdesk.excel.column_reader import value_or_issue as _value_or_issue
from nmdesk.excel.mapping import ROLE_LABELS
from nmdesk.excel.plan import PlannedRow, RowIssue
from nmdesk.excel.reader import CellValue, is_blank
from nmdesk.store.roles import MULTI_HOLDER_ROLES
from nmdesk.validation import normalize_email

_NAME_SEPARATORS = re.compile(r"[、,，;；]+")
_CONTACT_SEPARATORS = re.compile(r"[、,，;；]")  # each one: a blank part keeps its place
_PERSON_WORDS = {"name": "姓名", "title": "职务"}
CONTACT_KEYS = ("title", "office_phone", "mobile", "email")


def _names_in(cell: str) -> list[str]:
    """The names a person cell holds (小王、小李: two)."""
    return [part.strip() for part in _NAME_SEPARATORS.split(cell) if part.strip()]


def _email(column: str, text: str) -> str:
    return normalize_email(text, column)


class RoleColumns(NamedTuple):
    """A role's columns read and checked, one entry per row."""

    role: str
    names: list[str]
    titles: list[str]
    phones: list[Outcome]
    emails: list[Outcome | None]
    person_issues: list[tuple[str | None, str | None]]  # the text rules on name and title
    splits: list[list[str]]  # the names each name cell holds


class HolderReader:
    """Reads the role holders of a ledger's rows (``ColumnReader`` remembers the checks)."""

    def __init__(self, reader: ColumnReader) -> None:
        self.reader = reader
        label = reader.label
        self._phone_columns = {
            role: (label(f"{role}.mobile"), label(f"{role}.office_phone"), label(f"{role}.phone"))
            for role in ROLE_LABELS
        }

    def role_columns(self, role: str, rows: Rows) -> RoleColumns:
        """A role's columns read and checked (see ``RoleColumns``)."""
        reader = self.reader
        column = reader.column
        names = reader.texts(column(rows, f"{role}.name"))
        titles = reader.texts(column(rows, f"{role}.title"))
        person_issues = list(
            zip(
                reader.issues("people", "name", names),
                reader.issues("people", "title", titles),
                strict=True,
            )
        )
        memo = reader.memo[f"{role}.phones"]
        phone_columns = self._phone_columns[role]
        phones = []
        for mobile, office, generic in zip(
            column(rows, f"{role}.mobile"),
            column(rows, f"{role}.office_phone"),
            column(rows, f"{role}.phone"),
            strict=True,
        ):
            plain = normalize.plain_mobile(mobile)
            if plain is not None and is_blank(generic):
                # a plain mobile number is taken as it is and cannot fail: the outcome is
                # the office column's alone, with the number as the mobile
                office_only = self._office_outcome(role, office)
                ok, result = office_only
                phones.append((True, (plain, result[1])) if ok else office_only)
                continue
            keys = (cell_key(mobile), cell_key(office), cell_key(generic))
            key = None if None in keys else keys
            found = memo.get(key) if key is not None else None
            if found is None:
                found = outcome(partial(normalize.phones, mobile, office, generic), phone_columns)
                if key is not None:
                    memo[key] = found
            phones.append(found)
        email_label = reader.label(f"{role}.email")
        emails = reader.outcomes(
            f"{role}.email",
            reader.texts(column(rows, f"{role}.email")),
            partial(_email, email_label),
        )
        splits = reader.mapped("names in a cell", names, _names_in)
        return RoleColumns(role, names, titles, phones, emails, person_issues, splits)

    def _office_outcome(self, role: str, office: CellValue) -> Outcome:
        """``normalize.phones`` with only the office column filled, once per distinct text."""
        memo = self.reader.memo[f"{role}.office"]
        key = cell_key(office)
        found = memo.get(key) if key is not None else None
        if found is None:
            found = outcome(partial(normalize.phones, "", office, ""), self._phone_columns[role])
            if key is not None:
                memo[key] = found
        return found

    def read_person(self, row: PlannedRow, i: int, columns: RoleColumns) -> None:
        """The holders of one role in the ``i``-th row read, added to ``row.people``."""
        role = columns.role
        errors = row.errors
        name = columns.names[i]
        several = columns.splits[i]
        count = len(several)
        if count > 1 and role in MULTI_HOLDER_ROLES and self._read_several(row, role, several):
            return
        mobile, office = _value_or_issue(columns.phones[i], errors, "") or ("", "")
        person = {
            "name": name,
            "title": columns.titles[i],
            "mobile": mobile,
            "office_phone": office,
            "email": _value_or_issue(columns.emails[i], errors, "") or "",
        }
        if count > 1 and role not in MULTI_HOLDER_ROLES:
            errors.append(RowIssue(ROLE_LABELS[role], f"只能填写一人，“{name}”中有 {count} 人"))
        elif count > 1:  # several operators, one contact for all: names only
            row.people += [(role, {"name": one}) for one in several]
        elif name:
            issues = columns.person_issues[i]
            if issues[0] is None and issues[1] is None:  # the usual holder: nothing to say
                row.people.append((role, person))
            else:
                self._add_person(row, role, person, issues)
        elif any(person[k] for k in ("title", "mobile", "office_phone", "email")):
            errors.append(RowIssue(ROLE_LABELS[role], "填写了联系方式但没有填写姓名"))

    def _add_person(
        self,
        row: PlannedRow,
        role: str,
        person: dict[str, str],
        issues: tuple[str | None, str | None] | None = None,
    ) -> None:
        """Add a role holder, with the text rules' issues of their name and title
        (``issues``, when the caller has them from ``ColumnReader.issues``)."""
        if issues is None:
            issue = self.reader.issue
            issues = (issue("people", "name", person["name"]),
                      issue("people", "title", person["title"]))  # fmt: skip
        for key, found in zip(("name", "title"), issues, strict=True):
            if found:
                row.errors.append(RowIssue(ROLE_LABELS[role], f"{_PERSON_WORDS[key]}{found}"))
        row.people.append((role, person))

    def _read_several(self, row: PlannedRow, role: str, names: list[str]) -> bool:
        """Several holders of a multi-holder role in one cell (小王、小李), each given
        their own contacts where every filled contact cell lists one per holder in the
        same order (``、139…`` when the first has none), as an export writes them.
        False, and nothing read, where a contact cell does not split so."""
        parts: dict[str, list[str]] = {}
        for contact in ("title", "office_phone", "mobile", "phone", "email"):
            index = self.reader.index.get(f"{role}.{contact}", -1)
            value = row.values[index] if 0 <= index < len(row.values) else ""
            shown = normalize.text(value)
            if shown:
                split = [part.strip() for part in _CONTACT_SEPARATORS.split(shown)]
                if len(split) != len(names):
                    return False
                parts[contact] = split
        blank = [""] * len(names)
        email_label = self.reader.label(f"{role}.email")
        for at, name in enumerate(names):
            values = {contact: split[at] for contact, split in parts.items()}
            phones = outcome(
                normalize.phones,
                values.get("mobile", ""),
                values.get("office_phone", ""),
                values.get("phone", ""),
                self._phone_columns[role],
            )
            mobile, office = _value_or_issue(phones, row.errors, "") or ("", "")
            email = values.get("email", "")
            if email:
                email = _value_or_issue(outcome(_email, email_label, email), row.errors, "")
            person = {
                "name": name,
                "title": parts.get("title", blank)[at],
                "mobile": mobile,
                "office_phone": office,
                "email": email or "",
            }
            self._add_person(row, role, person)
        return True


# -- the ledger's holders against the register's ------------------------------------------


def matching_holder(role: str, name: str, holders: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The current holder the ledger names, or None when the ledger names someone new.

    A single-holder role matches its holder by name (another name replaces them); a
    multi-holder role (operators) matches any holder of that name (a new name is
    added, and operators the ledger does not list are kept)."""
    if role in MULTI_HOLDER_ROLES:
        return next((h for h in holders if h["name"] == name), None)
    return holders[0] if holders and holders[0]["name"] == name else None


def first_name(holders: list[dict[str, Any]]) -> str:
    return str(holders[0]["name"]) if holders else ""


def missing_contacts(current: dict[str, Any], ledger: dict[str, str]) -> dict[str, str]:
    """Contacts the register lacks and the ledger has. Known contacts are never overwritten:
    ledgers often disagree with themselves, and a re-import must change nothing."""
    return {key: ledger[key] for key in CONTACT_KEYS if ledger.get(key) and not current.get(key)}
