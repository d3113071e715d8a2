"""Planning one ledger row: read and normalise its cells, then match it to the register.

Every problem becomes a ``RowIssue`` naming the column as the ledger heads it,
with the reason in Chinese; nothing is written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.excel import normalize
from nmdesk.excel.mapping import CONTACT_FIELDS, ROLE_LABELS, field_label
from nmdesk.excel.plan import Change, NewUnit, PlannedRow, RowIssue, Verdict
from nmdesk.excel.reader import CellValue, display
from nmdesk.models import Account
from nmdesk.store.accounts import MULTI_HOLDER_ROLES
from nmdesk.validation import check_role_holder, normalize_email

if TYPE_CHECKING:
    from nmdesk.store.register import Register

_NAME_SEPARATORS = re.compile(r"[、,，;；]+")
_TOTAL_WORDS = ("合计", "总计", "小计", "共计")
_UNIT_KIND_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("学生会", "研究生会", "学生联合会", "学生组织"), "student_org"),
    (("图书馆", "医院", "出版社", "档案馆", "博物馆"), "support_unit"),
    (("协会", "社团", "俱乐部", "社"), "student_club"),
    (("校友",), "alumni_org"),
    (("团委", "工会", "妇委会", "群团"), "mass_org"),
    (("研究院", "研究所", "实验室", "研究中心"), "research_institute"),
    (("学院", "书院", "系"), "college"),
    (("党委", "纪委", "组织部", "宣传部", "统战部"), "party_office"),
    (("处", "办公室", "部", "中心"), "admin_dept"),
)
# Account fields compared with the register to decide "update"; unit is compared by name.
COMPARED = ("account_type", "name", "platform_id", "purpose", "opened_on", "level", "note")


def guess_unit_kind(name: str, kinds: Sequence[str]) -> str:
    """A likely unit kind from its name (学院 → college …), among the profile's kinds."""
    for words, kind in _UNIT_KIND_HINTS:
        if kind in kinds and any(word in name for word in words):
            return kind
    for fallback in ("admin_dept", "college"):
        if fallback in kinds:
            return fallback
    return kinds[0]


def is_total_row(values: Sequence[CellValue]) -> bool:
    for cell in values:
        shown = display(cell).replace(" ", "").replace("\u3000", "")
        if shown:
            return shown.startswith(_TOTAL_WORDS)
    return False


class Planner:
    def __init__(self, register: Register, headers: list[str], columns: list[str]) -> None:
        self.r = register
        self.headers = headers
        self.columns = columns
        self.profile = register.profile
        self.platforms = register.accounts.platforms()
        self.unit_kinds = list(self.profile.unit_kinds)
        self.new_units: dict[str, NewUnit] = {}
        self.seen: dict[tuple[str, ...], int] = {}
        # lookups repeat across rows (a unit's name on each of its accounts): cached
        self._index: dict[str, int] = {}
        for index, key in enumerate(columns):
            self._index.setdefault(key, index)
        self._labels = {
            key: headers[index] or field_label(key) for key, index in self._index.items()
        }
        self._unit_ids: dict[str, int | None] = {}
        self._known_people: dict[tuple[str, int], list[Any]] = {}
        # filled by ``prefetch``: the register's accounts named by platform ID, and holders
        self._by_platform_id: dict[tuple[str, str], Account] | None = None
        self._holders: dict[int, dict[str, list[dict[str, Any]]]] = {}
        self._people_units: set[int] = set()  # units whose people are all in _known_people

    def _cell(self, values: Sequence[CellValue], key: str) -> tuple[CellValue, str, int]:
        index = self._index.get(key, -1)
        if index < 0:
            return "", "", -1
        value = values[index] if index < len(values) else ""
        return value, self._labels[key], index

    def plan_row(
        self, row_index: int, values: Sequence[CellValue], formulas: dict[tuple[int, int], bool]
    ) -> PlannedRow:
        """Read one row and match it to the register."""
        row = self.read_row(row_index, values, formulas)
        if row.verdict is not Verdict.ERROR:
            self.match(row)
        return row

    def prefetch(self, rows: Sequence[PlannedRow]) -> None:
        """Look up the accounts that read rows name by platform ID, and their holders, in
        a few queries; ``match`` then queries only for the rest."""
        pairs = {
            (row.fields["platform"], row.fields["platform_id"])
            for row in rows
            if row.verdict is not Verdict.ERROR and row.fields.get("platform_id")
        }
        self._by_platform_id = self.r.excel.accounts_by_platform_ids(pairs)
        self._holders = self.r.excel.holders_of(
            [account.id for account in self._by_platform_id.values() if account.id is not None]
        )
        unit_ids = {self._unit_id(row) for row in rows if row.verdict is not Verdict.ERROR}
        self._people_units = {unit_id for unit_id in unit_ids if unit_id is not None}
        for key, people in self.r.excel.people_by_name(sorted(self._people_units)).items():
            self._known_people[key] = people[:1]

    def match(self, row: PlannedRow) -> None:
        """Give a read row without errors its verdict against the register and the file."""
        self._match(row)

    def read_row(
        self, row_index: int, values: Sequence[CellValue], formulas: dict[tuple[int, int], bool]
    ) -> PlannedRow:
        """Read and check one row's cells (verdict ERROR when any is wrong); no matching."""
        row = PlannedRow(row_number=row_index + 1, values=list(values))
        for column, key in enumerate(self.columns):
            if key and formulas.get((row_index, column)) is False:
                row.errors.append(
                    RowIssue(
                        self.headers[column] or field_label(key),
                        "公式没有计算结果（不会计算公式），请改为直接填写值，"
                        "或在 Excel 中打开并保存后再导入",
                    )
                )
        self._read_account(row, values)
        self._read_people(row, values)
        if row.errors:
            row.verdict = Verdict.ERROR
        return row

    def _guard(self, row: PlannedRow, column: str, func: Callable[[], Any]) -> Any:
        try:
            return func()
        except ValidationError as error:
            row.errors.append(RowIssue(column or error.field, error.reason))
        except NmdeskError as error:
            row.errors.append(RowIssue(column, str(error)))
        return None

    def _read_account(self, row: PlannedRow, values: Sequence[CellValue]) -> None:
        f = row.fields
        value, column, _ = self._cell(values, "unit")
        row.unit_name = normalize.text(value)
        if not row.unit_name:
            row.errors.append(RowIssue(column, "为必填项"))
        elif len(row.unit_name) > 200:
            row.errors.append(RowIssue(column, "过长，最多 200 字"))
        value, column, _ = self._cell(values, "name")
        f["name"] = normalize.text(value)
        if not f["name"]:
            row.errors.append(RowIssue(column, "为必填项"))
        elif len(f["name"]) > 100:
            row.errors.append(RowIssue(column, f"过长（{len(f['name'])} 字），最多 100 字"))
        value, column, _ = self._cell(values, "platform")
        f["platform"] = self._guard(row, column, lambda: normalize.platform(value, self.platforms))
        value, _, index = self._cell(values, "account_type")
        f["account_type"] = normalize.text(value) if index >= 0 else None
        value, _, index = self._cell(values, "platform_id")
        f["platform_id"] = normalize.identifier(value) if index >= 0 else None
        value, _, index = self._cell(values, "serial_no")
        f["serial_no"] = normalize.text(value)
        for key in ("purpose", "note"):
            value, _, index = self._cell(values, key)
            f[key] = normalize.long_text(value) if index >= 0 else None
        value, column, index = self._cell(values, "opened_on")
        f["opened_on"] = self._guard(row, column, lambda: normalize.partial_date(value, column))
        value, column, index = self._cell(values, "level")
        if index >= 0 and normalize.text(value):
            f["level"] = self._guard(row, column, lambda: normalize.level(value, self.profile))
        else:
            f["level"] = None
        value, column, index = self._cell(values, "status")
        if index >= 0 and normalize.text(value):
            f["status"] = self._guard(row, column, lambda: normalize.status(value))
        else:
            f["status"] = None

    def _read_people(self, row: PlannedRow, values: Sequence[CellValue]) -> None:
        for role, role_label in ROLE_LABELS.items():
            if f"{role}.name" not in self.columns:
                continue
            name_value, _, _ = self._cell(values, f"{role}.name")
            name = normalize.text(name_value)
            person = {"name": name}
            title, _, _ = self._cell(values, f"{role}.title")
            person["title"] = normalize.text(title)
            mobile, mobile_col, _ = self._cell(values, f"{role}.mobile")
            office, office_col, _ = self._cell(values, f"{role}.office_phone")
            generic, generic_col, _ = self._cell(values, f"{role}.phone")
            email, email_col, _ = self._cell(values, f"{role}.email")
            columns = (mobile_col, office_col, generic_col)
            phone_pair = self._guard(
                row, "", partial(normalize.phones, mobile, office, generic, columns)
            )
            person["mobile"], person["office_phone"] = phone_pair or ("", "")
            email_text = normalize.text(email)
            person["email"] = self._guard(row, "", partial(normalize_email, email_text, email_col))
            person["email"] = person["email"] or ""
            names = [part.strip() for part in _NAME_SEPARATORS.split(name) if part.strip()]
            if len(names) > 1 and role not in MULTI_HOLDER_ROLES:
                row.errors.append(
                    RowIssue(role_label, f"只能填写一人，“{name}”中有 {len(names)} 人")
                )
            elif len(names) > 1:  # several operators: their contacts cannot be told apart
                row.people += [(role, {"name": one}) for one in names]
            elif name:
                if len(name) > 50:
                    row.errors.append(RowIssue(role_label, "姓名过长，最多 50 字"))
                row.people.append((role, person))
            elif any(person[k] for k in ("title", "mobile", "office_phone", "email")):
                row.errors.append(RowIssue(role_label, "填写了联系方式但没有填写姓名"))

    # -- matching ----------------------------------------------------------------------

    def _unit_id(self, row: PlannedRow) -> int | None:
        if row.unit_name not in self._unit_ids:
            unit = self.r.units.find_by_name(row.unit_name)
            self._unit_ids[row.unit_name] = None if unit is None else unit.id
        return self._unit_ids[row.unit_name]

    def _check_known_people(self, row: PlannedRow, unit_id: int) -> bool:
        """A person the unit already has must be allowed in the role (e.g. staff only)."""
        for role, person in row.people:
            key = (person["name"].strip(), unit_id)
            if key not in self._known_people:
                self._known_people[key] = (
                    [] if unit_id in self._people_units else self.r.people.find(*key)[:1]
                )
            for known in self._known_people[key]:
                try:
                    check_role_holder(self.profile, role, known.kind)
                except ValidationError as error:
                    row.errors.append(
                        RowIssue(
                            ROLE_LABELS[role],
                            f"{person['name']}（{known.kind.label}）：{error.reason}",
                        )
                    )
        return not row.errors

    def _count_new_unit(self, row: PlannedRow) -> None:
        """A unit the commit will create, listed for review with the rows that need it."""
        if row.unit_name not in self.new_units:
            self.new_units[row.unit_name] = NewUnit(
                row.unit_name, guess_unit_kind(row.unit_name, self.unit_kinds)
            )
        self.new_units[row.unit_name].rows += 1

    def _match(self, row: PlannedRow) -> None:
        f = row.fields
        unit_id = self._unit_id(row)
        level = f["level"]
        if level is not None and self.profile.level(level).requires_parent_unit:
            parent = self.r.units.get(unit_id).parent_id if unit_id is not None else None
            if parent is None:
                row.errors.append(
                    RowIssue(
                        self.headers[self.columns.index("level")],
                        f"{self.profile.level(level).name}须由有上级单位的机构开设，请先在单位树中为"
                        f"“{row.unit_name}”指定上级单位",
                    )
                )
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
            self._count_new_unit(row)
        existing = None
        if f["platform_id"] and self._by_platform_id is not None:
            existing = self._by_platform_id.get((f["platform"], f["platform_id"]))
        elif f["platform_id"]:
            existing = self.r.accounts.by_platform_id(f["platform"], f["platform_id"])
        if existing is None and f["serial_no"]:
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
        if existing is None:
            row.verdict = Verdict.NEW
            return
        row.account_id = existing.id
        row.changes = self._changes(row, existing, unit_id)
        row.verdict = Verdict.UPDATE if row.changes else Verdict.UNCHANGED

    def _changes(self, row: PlannedRow, existing: Account, unit_id: int | None) -> list[Change]:
        changes: list[Change] = []
        f = row.fields
        labels = {
            "opened_on": "开设时间",
            "level": "账号级别",
            "account_type": "账号类型",
            "name": "账号名称",
            "platform_id": "账号ID号",
            "purpose": "账号主要用途",
            "note": "备注",
        }
        for key in COMPARED:
            new = f.get(key)
            if new is None or new == "":
                continue  # a blank cell never clears what the register holds
            old = getattr(existing, key)
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


CONTACT_KEYS = ("title", "office_phone", "mobile", "email")


def missing_contacts(current: dict[str, Any], ledger: dict[str, str]) -> dict[str, str]:
    """Contacts the register lacks and the ledger has. Known contacts are never overwritten:
    ledgers often disagree with themselves, and a re-import must change nothing."""
    return {key: ledger[key] for key in CONTACT_KEYS if ledger.get(key) and not current.get(key)}
