"""Planning one ledger row: read and normalise its cells, then match it to the register.

Every problem becomes a ``RowIssue`` naming the column as the ledger heads it,
with the reason in Chinese; nothing is written here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.excel import normalize
from nmdesk.excel.mapping import CONTACT_FIELDS, ROLE_LABELS, field_label
from nmdesk.excel.plan import Change, NewUnit, PlannedRow, RowIssue, Verdict
from nmdesk.excel.reader import CellValue, display, is_blank
from nmdesk.models import Account
from nmdesk.store.accounts import MULTI_HOLDER_ROLES
from nmdesk.text_rules import field_issue
from nmdesk.validation import check_role_holder, normalize_email

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

_NAME_SEPARATORS = re.compile(r"[、,，;；]+")
_CONTACT_SEPARATORS = re.compile(r"[、,，;；]")  # each one: a blank part keeps its place
_TOTAL_WORDS = ("合计", "总计", "小计", "共计")
# A unit's kind from how its name ENDS (人文与社会科学学院 is a college, though
# 社 stands in its middle), longest ending first; each ending lists the kinds it may
# be, in order, and the first one the profile has wins. A name that starts with
# 党委 or 纪委 (党委宣传部, 党委学生工作部) is a party office, whatever its ending.
_UNIT_KIND_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    sorted(
        (
            ("学生联合会", ("student_org",)),
            ("研究生会", ("student_org",)),
            ("学生会", ("student_org",)),
            ("学生组织", ("student_org",)),
            ("团工委", ("mass_org",)),
            ("团委", ("mass_org",)),
            ("工会", ("mass_org",)),
            ("妇委会", ("mass_org",)),
            ("校友总会", ("alumni_org",)),
            ("校友会", ("alumni_org",)),
            ("出版社", ("support_unit", "affiliated_unit")),
            ("图书馆", ("support_unit", "affiliated_unit")),
            ("档案馆", ("support_unit", "affiliated_unit")),
            ("博物馆", ("support_unit", "affiliated_unit")),
            ("医院", ("support_unit", "affiliated_unit")),
            ("协会", ("student_club",)),
            ("社团", ("student_club",)),
            ("俱乐部", ("student_club",)),
            ("社", ("student_club",)),
            ("课题组", ("research_group",)),
            ("研究基地", ("research_base", "research_institute")),
            ("基地", ("research_base", "research_institute")),
            ("研究院", ("research_institute", "virtual_institute", "department")),
            ("研究所", ("research_institute", "department")),
            ("实验室", ("research_institute", "research_base", "department")),
            ("研究中心", ("research_institute", "research_base", "department")),
            ("学院", ("college", "school")),
            ("书院", ("college",)),
            ("系", ("college", "department")),
            ("会议", ("conference",)),
            ("论坛", ("conference",)),
            ("办公室", ("admin_dept",)),
            ("处", ("admin_dept",)),
            ("部", ("admin_dept",)),
            ("办", ("admin_dept",)),
            ("中心", ("admin_dept", "department", "affiliated_unit")),
        ),
        key=lambda ending: -len(ending[0]),
    )
)
_PARTY_PREFIXES = ("党委", "纪委")
_MISSING = object()
_SECOND = itemgetter(1)


_TEXT_FIELDS = ("account_type", "platform_id", "purpose", "note")  # name: checked with the unit
_PERSON_WORDS = {"name": "姓名", "title": "职务"}


def _key(value: CellValue) -> Any:
    """A cell's value as a key for remembered checks: text only (1, 1.0 and True are equal
    keys but read differently); None: not remembered."""
    return value if value.__class__ is str else None


def _outcome(check: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
    try:
        return True, check(*args)
    except NmdeskError as error:
        return False, error


def _value_or_issue(outcome: tuple[bool, Any] | None, errors: list[RowIssue], column: str) -> Any:
    """The checked value, or None with the error added as the row's issue in ``column``
    (a ValidationError without a column names its own field)."""
    if outcome is None:
        return None
    ok, result = outcome
    if ok:
        return result
    if isinstance(result, ValidationError):
        errors.append(RowIssue(column or result.field, result.reason))
    else:
        errors.append(RowIssue(column, str(result)))
    return None


def _platform(known: list[str], aliases: dict[str, str], value: CellValue) -> tuple[str, str]:
    return normalize.platform(value, known, aliases)


def _partial_date(column: str, value: CellValue) -> Any:
    return normalize.partial_date(value, column)


def _last_post(column: str, value: CellValue) -> dt.date | None:
    """A last-post date; a ledger that gives only 2026年10月 (or a year) counts the
    period's last day, so an account is never called inactive earlier than it is."""
    partial = normalize.partial_date(value, column)
    if partial is None:
        return None
    if partial.day is not None:
        return dt.date(partial.year, partial.month or 1, partial.day)
    if partial.month is None:
        return dt.date(partial.year, 12, 31)
    after = dt.date(partial.year + partial.month // 12, partial.month % 12 + 1, 1)
    return after - dt.timedelta(days=1)


def _names_in(cell: str) -> list[str]:
    """The names a person cell holds (小王、小李: two)."""
    return [part.strip() for part in _NAME_SEPARATORS.split(cell) if part.strip()]


def _email(column: str, text: str) -> str:
    return normalize_email(text, column)


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


def guess_unit_kind(name: str, kinds: Sequence[str]) -> str:
    """A likely unit kind from the end of its name (…学院 → college), among the
    profile's kinds; never from characters in the middle of the name."""
    name = name.strip()
    if name.startswith(_PARTY_PREFIXES) and "party_office" in kinds:
        return "party_office"
    for ending, candidates in _UNIT_KIND_ENDINGS:
        if name.endswith(ending):
            for kind in candidates:
                if kind in kinds:
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


class _LedgerUnit:
    """A unit the register lacks, as the ledger's rows give it: field key → (value,
    the first row number that gave it)."""

    def __init__(self) -> None:
        self.given: dict[str, tuple[str, int]] = {}

    @property
    def parent(self) -> str:
        return self.given.get("unit_parent", ("", 0))[0]

    @property
    def kind(self) -> str:
        return self.given.get("unit_kind", ("", 0))[0]


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
        self._register_units: dict[str, int] = {}  # every unit of the register by name
        # units the register lacks, as the ledger describes them (see plan_units)
        self._ledger_units: dict[str, _LedgerUnit] = {}
        self._known_people: dict[tuple[str, int], list[Any]] = {}
        # filled by ``prefetch``: the register's accounts named by platform ID, and holders
        self._by_platform_id: dict[tuple[str, str], Account] | None = None
        self._holders: dict[int, dict[str, list[dict[str, Any]]]] = {}
        self._people_units: set[int] = set()  # units whose people are all in _known_people
        # results of checks already made on the same cell text, per field (see read_rows)
        self._memo: dict[str, dict[Any, Any]] = defaultdict(dict)
        self._limits = self.profile.text_limits
        self._holder_refusals: dict[tuple[str, Any], str | None] = {}
        self._phone_columns = {
            role: (
                self._label(f"{role}.mobile"),
                self._label(f"{role}.office_phone"),
                self._label(f"{role}.phone"),
            )
            for role in ROLE_LABELS
        }

    def _label(self, key: str) -> str:
        """The field's column as the ledger heads it ("" when no column is mapped to it)."""
        return self._labels.get(key, "")

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
        # every unit of the register by name, in one query (a ledger names hundreds)
        by_name = self._register_units = {
            unit.name: unit.id for unit in self.r.units.all() if unit.id is not None
        }
        for row in rows:
            if row.verdict is not Verdict.ERROR and row.unit_name not in self._unit_ids:
                self._unit_ids[row.unit_name] = by_name.get(row.unit_name.strip())
        unit_ids = {self._unit_id(row) for row in rows if row.verdict is not Verdict.ERROR}
        self._people_units = {unit_id for unit_id in unit_ids if unit_id is not None}
        for key, people in self.r.excel.people_by_name(sorted(self._people_units)).items():
            self._known_people[key] = people[:1]

    def plan_units(self, rows: Sequence[PlannedRow]) -> None:
        """The unit tree the ledger describes, for the units the register lacks: each
        with the 上级单位 and 单位类别 its rows give, in whatever order the rows come.
        A row that gives a unit another parent or kind than an earlier row did is an
        error, and so is every row of a unit that would be its own ancestor."""
        ledger = self._ledger_units
        rows_of: dict[str, list[PlannedRow]] = defaultdict(list)
        for row in rows:
            if row.verdict is Verdict.ERROR or self._unit_id(row) is not None:
                continue
            name, f = row.unit_name, row.fields
            rows_of[name].append(row)
            unit = ledger.setdefault(name, _LedgerUnit())
            for key, word in (("unit_parent", "上级单位"), ("unit_kind", "单位类别")):
                value = f.get(key)
                if not value:
                    continue
                given = unit.given.get(key)
                if given is None:
                    unit.given[key] = (value, row.row_number)
                elif given[0] != value:
                    shown = self.profile.unit_kind_name if key == "unit_kind" else str
                    row.errors.append(
                        RowIssue(
                            self._label(key),
                            f"与第 {given[1]} 行不一致：那一行“{name}”的{word}是"
                            f"“{shown(given[0])}”，这里是“{shown(value)}”",
                        )
                    )
                    row.verdict = Verdict.ERROR
        for name in list(ledger):
            path = [name]
            while (parent := ledger[path[-1]].parent) and parent in ledger:
                if parent in path:
                    loop = " → ".join([*path[path.index(parent) :], parent])
                    for row in rows_of[name]:
                        row.errors.append(
                            RowIssue(self._label("unit_parent"), f"上级单位形成循环：{loop}")
                        )
                        row.verdict = Verdict.ERROR
                    break
                path.append(parent)

    def units_to_create(self) -> list[NewUnit]:
        """The new units the commit creates, each after its 上级单位: those the rows open
        accounts in, and any parent of theirs the register lacks (with the kind a row
        gave it, else the kind its name suggests)."""
        ordered: dict[str, NewUnit] = {}
        visited: set[str] = set()  # plan_units made a loop an error: this only guards

        def add(name: str) -> None:
            if name in visited or name in self._register_units:
                return
            visited.add(name)
            unit = self.new_units.get(name) or self._new_unit(name)
            if unit.parent:
                add(unit.parent)
            ordered[name] = unit

        for name in list(self.new_units):
            add(name)
        return list(ordered.values())

    def _new_unit(self, name: str) -> NewUnit:
        """A unit as the ledger describes it, its kind guessed where no row gave one."""
        unit = self._ledger_units.get(name) or _LedgerUnit()
        kind = unit.kind or guess_unit_kind(name, self.unit_kinds)
        return NewUnit(name, kind, parent=unit.parent, kind_from_ledger=bool(unit.kind))

    def match(self, row: PlannedRow) -> None:
        """Give a read row without errors its verdict against the register and the file."""
        self._match(row)

    def read_row(
        self, row_index: int, values: Sequence[CellValue], formulas: dict[tuple[int, int], bool]
    ) -> PlannedRow:
        """Read and check one row's cells (verdict ERROR when any is wrong); no matching."""
        return self.read_rows([(row_index, values)], formulas)[0]

    def read_rows(
        self,
        rows: Sequence[tuple[int, Sequence[CellValue]]],
        formulas: dict[tuple[int, int], bool],
    ) -> list[PlannedRow]:
        """``read_row`` for many (grid row index, values) pairs, column by column.

        Each column is normalised and checked in one pass, and a check is made once per
        distinct cell text (a ledger repeats units, platforms, levels, dates and phones
        down the sheet; every check is a function of the cell alone); then each row is
        assembled with its errors in the order the columns are checked: formulas, unit
        (its 上级单位 and 单位类别), name, platform, opened, level, status, then each
        role's phones, email and name."""
        column = self._column
        text = self._texts
        units = text(column(rows, "unit"))
        has = self._index
        blanks: list[Any] = [None] * len(rows)
        parents = text(column(rows, "unit_parent")) if "unit_parent" in has else blanks
        kind_cells = column(rows, "unit_kind")
        kinds = (
            self._outcomes("unit_kind", kind_cells, self._unit_kind, only=text(kind_cells))
            if "unit_kind" in has
            else blanks
        )
        names = text(column(rows, "name"))
        platform_label = self._label("platform")
        platforms = self._outcomes(
            "platform",
            column(rows, "platform"),
            partial(_platform, self.platforms, self.profile.platform_aliases),
        )
        account_types = text(column(rows, "account_type")) if "account_type" in has else blanks
        platform_ids = (
            self._mapped("platform_id", column(rows, "platform_id"), normalize.identifier)
            if "platform_id" in has
            else blanks
        )
        serials = text(column(rows, "serial_no"))
        purposes = (
            self._mapped("purpose", column(rows, "purpose"), normalize.long_text)
            if "purpose" in has
            else blanks
        )
        notes = (
            self._mapped("note", column(rows, "note"), normalize.long_text)
            if "note" in has
            else blanks
        )
        opened_label = self._label("opened_on")
        opened = self._outcomes(
            "opened_on", column(rows, "opened_on"), partial(_partial_date, opened_label)
        )
        last_label = self._label("last_post_on")
        last_posts = (
            self._outcomes(
                "last_post_on", column(rows, "last_post_on"), partial(_last_post, last_label)
            )
            if "last_post_on" in has
            else blanks
        )
        optional = []
        for key, check in (("level", self._level), ("status", normalize.status)):
            if key in has:
                cells = column(rows, key)  # checked only where the cell shows some text
                optional.append(self._outcomes(key, cells, check, only=text(cells)))
            else:
                optional.append(blanks)
        levels, statuses = optional
        people = [self._role_columns(role, rows) for role in ROLE_LABELS if f"{role}.name" in has]
        unit_label, name_label = self._label("unit"), self._label("name")
        parent_label, kind_label = self._label("unit_parent"), self._label("unit_kind")
        issues = self._issues
        unit_issues = issues("units", "name", units)
        parent_issues = issues("units", "name", parents) if "unit_parent" in has else blanks
        name_issues = issues("accounts", "name", names)
        id_issues = issues("accounts", "platform_id", platform_ids)
        purpose_issues = issues("accounts", "purpose", purposes)
        note_issues = issues("accounts", "note", notes)
        text_labels = [self._label(key) for key in _TEXT_FIELDS]
        level_label, status_label = self._label("level"), self._label("status")
        planned: list[PlannedRow] = []
        for i, (row_index, values) in enumerate(rows):
            row = PlannedRow(row_number=row_index + 1, values=list(values))
            errors = row.errors
            if formulas:
                self._formula_errors(row, row_index, formulas)
            unit = row.unit_name = units[i]
            if not unit:
                errors.append(RowIssue(unit_label, "为必填项"))
            elif issue := unit_issues[i]:
                errors.append(RowIssue(unit_label, issue))
            parent = parents[i] or ""
            if parent and parent == unit:
                errors.append(RowIssue(parent_label, "不能是开设单位自己"))
            elif issue := parent_issues[i]:
                errors.append(RowIssue(parent_label, issue))
            unit_kind = _value_or_issue(kinds[i], errors, kind_label)
            name = names[i]
            if not name:
                errors.append(RowIssue(name_label, "为必填项"))
            elif issue := name_issues[i]:
                errors.append(RowIssue(name_label, issue))
            # a platform cell may say the type too (订阅号: 微信, 订阅号)
            platform, implied_type = _value_or_issue(platforms[i], errors, platform_label) or (
                None,
                "",
            )
            account_type = account_types[i] or implied_type or account_types[i]
            row.fields = {
                "name": name,
                "platform": platform,
                "account_type": account_type,
                "platform_id": platform_ids[i],
                "serial_no": serials[i],
                "purpose": purposes[i],
                "note": notes[i],
                "opened_on": _value_or_issue(opened[i], errors, opened_label),
                "level": _value_or_issue(levels[i], errors, level_label),
                "status": _value_or_issue(statuses[i], errors, status_label),
                "last_post_on": _value_or_issue(last_posts[i], errors, last_label),
                "unit_parent": parent,
                "unit_kind": unit_kind,
            }
            # the text rules of _TEXT_FIELDS, in their order
            text_found = (
                self._issue("accounts", "account_type", account_type),
                id_issues[i],
                purpose_issues[i],
                note_issues[i],
            )
            if any(text_found):
                for label, issue in zip(text_labels, text_found, strict=True):
                    if issue:
                        errors.append(RowIssue(label, issue))
            for role_columns in people:
                self._read_person(row, i, *role_columns)
            if errors:
                row.verdict = Verdict.ERROR
            planned.append(row)
        return planned

    def _formula_errors(
        self, row: PlannedRow, row_index: int, formulas: dict[tuple[int, int], bool]
    ) -> None:
        for column, key in enumerate(self.columns):
            if key and formulas.get((row_index, column)) is False:
                row.errors.append(
                    RowIssue(
                        self.headers[column] or field_label(key),
                        "公式没有计算结果（不会计算公式），请改为直接填写值，"
                        "或在 Excel 中打开并保存后再导入",
                    )
                )

    def _column(self, rows: Sequence[tuple[int, Sequence[CellValue]]], key: str) -> list[Any]:
        """A field's cells down the rows; "" where no column is mapped or a row is short."""
        index = self._index.get(key, -1)
        if index < 0:
            return [""] * len(rows)
        cells = list(map(_SECOND, rows))
        if index < min(map(len, cells), default=0):  # every row reaches it (the usual case)
            return list(map(itemgetter(index), cells))
        return [values[index] if index < len(values) else "" for values in cells]

    def _texts(self, cells: list[CellValue]) -> list[str]:
        """``normalize.text`` of each cell."""
        return self._mapped("text", cells, normalize.text)

    def _issues(self, table: str, field: str, values: list[Any]) -> list[str | None]:
        """``field_issue`` of each value, once per distinct text."""
        return self._mapped(
            f"{table}.{field} issue", values, partial(field_issue, self._limits, table, field)
        )

    def _issue(self, table: str, field: str, value: Any) -> str | None:
        """``field_issue`` of one value, remembered as ``_issues`` remembers it."""
        memo = self._memo[f"{table}.{field} issue"]
        if value.__class__ is str:
            found = memo.get(value, _MISSING)
            if found is _MISSING:
                found = memo[value] = field_issue(self._limits, table, field, value)
            return found  # type: ignore[no-any-return]
        return field_issue(self._limits, table, field, value)

    def _mapped(self, name: str, cells: list[CellValue], func: Callable[[Any], Any]) -> list[Any]:
        """``func`` (which never raises a user's error) of each cell, once per distinct text."""
        memo = self._memo[name]
        out = []
        for value in cells:
            if value.__class__ is str:
                found = memo.get(value, _MISSING)
                if found is _MISSING:
                    found = memo[value] = func(value)
                out.append(found)
            else:
                out.append(func(value))
        return out

    def _outcomes(
        self,
        name: str,
        cells: list[CellValue],
        check: Callable[[Any], Any],
        only: list[str] | None = None,
    ) -> list[tuple[bool, Any] | None]:
        """(True, value) or (False, the NmdeskError raised) of ``check`` on each cell, once
        per distinct text (1, 1.0 and True are equal keys but read differently: only text
        is remembered); None for a cell whose ``only`` entry is empty."""
        memo = self._memo[name]
        out: list[tuple[bool, Any] | None] = []
        for index, value in enumerate(cells):
            if only is not None and not only[index]:
                out.append(None)
                continue
            key = _key(value)
            outcome = memo.get(key) if key is not None else None
            if outcome is None:
                outcome = _outcome(check, value)
                if key is not None:
                    memo[key] = outcome
            out.append(outcome)
        return out

    def _level(self, value: CellValue) -> int:
        return normalize.level(value, self.profile)

    def _unit_kind(self, value: CellValue) -> str:
        return normalize.unit_kind(value, self.profile)

    def _role_columns(
        self, role: str, rows: Sequence[tuple[int, Sequence[CellValue]]]
    ) -> tuple[
        str,
        list[str],
        list[str],
        list[tuple[bool, Any]],
        list[tuple[bool, Any] | None],
        list[tuple[str | None, str | None]],
        list[list[str]],
    ]:
        """A role's columns read and checked: names, titles, phone and email outcomes, the
        text rules' issues of each name and title, and the names each name cell holds."""
        column = self._column
        names = self._texts(column(rows, f"{role}.name"))
        titles = self._texts(column(rows, f"{role}.title"))
        person_issues = list(
            zip(
                self._issues("people", "name", names),
                self._issues("people", "title", titles),
                strict=True,
            )
        )
        memo = self._memo[f"{role}.phones"]
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
            keys = (_key(mobile), _key(office), _key(generic))
            key = None if None in keys else keys
            outcome = memo.get(key) if key is not None else None
            if outcome is None:
                outcome = _outcome(
                    partial(normalize.phones, mobile, office, generic), phone_columns
                )
                if key is not None:
                    memo[key] = outcome
            phones.append(outcome)
        email_label = self._label(f"{role}.email")
        emails = self._outcomes(
            f"{role}.email",
            self._texts(column(rows, f"{role}.email")),
            partial(_email, email_label),
        )
        splits = self._mapped("names in a cell", names, _names_in)
        return role, names, titles, phones, emails, person_issues, splits

    def _office_outcome(self, role: str, office: CellValue) -> tuple[bool, Any]:
        """``normalize.phones`` with only the office column filled, once per distinct text."""
        memo = self._memo[f"{role}.office"]
        key = _key(office)
        outcome = memo.get(key) if key is not None else None
        if outcome is None:
            outcome = _outcome(partial(normalize.phones, "", office, ""), self._phone_columns[role])
            if key is not None:
                memo[key] = outcome
        return outcome

    def _read_person(
        self,
        row: PlannedRow,
        i: int,
        role: str,
        names: list[str],
        titles: list[str],
        phones: list[tuple[bool, Any]],
        emails: list[tuple[bool, Any] | None],
        person_issues: list[tuple[str | None, str | None]],
        splits: list[list[str]],
    ) -> None:
        errors = row.errors
        name = names[i]
        several = splits[i]
        count = len(several)
        if count > 1 and role in MULTI_HOLDER_ROLES and self._read_several(row, role, several):
            return
        mobile, office = _value_or_issue(phones[i], errors, "") or ("", "")
        person = {
            "name": name,
            "title": titles[i],
            "mobile": mobile,
            "office_phone": office,
            "email": _value_or_issue(emails[i], errors, "") or "",
        }
        if count > 1 and role not in MULTI_HOLDER_ROLES:
            errors.append(RowIssue(ROLE_LABELS[role], f"只能填写一人，“{name}”中有 {count} 人"))
        elif count > 1:  # several operators, one contact for all: names only
            row.people += [(role, {"name": one}) for one in several]
        elif name:
            issues = person_issues[i]
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
        (``issues``, when the caller has them from ``_issues``)."""
        if issues is None:
            issues = (self._issue("people", "name", person["name"]),
                      self._issue("people", "title", person["title"]))  # fmt: skip
        for key, issue in zip(("name", "title"), issues, strict=True):
            if issue:
                row.errors.append(RowIssue(ROLE_LABELS[role], f"{_PERSON_WORDS[key]}{issue}"))
        row.people.append((role, person))

    def _read_several(self, row: PlannedRow, role: str, names: list[str]) -> bool:
        """Several holders of a multi-holder role in one cell (小王、小李), each given
        their own contacts where every filled contact cell lists one per holder in the
        same order (``、139…`` when the first has none), as an export writes them.
        False, and nothing read, where a contact cell does not split so."""
        parts: dict[str, list[str]] = {}
        for contact in ("title", "office_phone", "mobile", "phone", "email"):
            index = self._index.get(f"{role}.{contact}", -1)
            value = row.values[index] if 0 <= index < len(row.values) else ""
            shown = normalize.text(value)
            if shown:
                split = [part.strip() for part in _CONTACT_SEPARATORS.split(shown)]
                if len(split) != len(names):
                    return False
                parts[contact] = split
        blank = [""] * len(names)
        email_label = self._label(f"{role}.email")
        for at, name in enumerate(names):
            values = {contact: split[at] for contact, split in parts.items()}
            phones = _outcome(
                normalize.phones,
                values.get("mobile", ""),
                values.get("office_phone", ""),
                values.get("phone", ""),
                self._phone_columns[role],
            )
            mobile, office = _value_or_issue(phones, row.errors, "") or ("", "")
            email = values.get("email", "")
            if email:
                email = _value_or_issue(_outcome(_email, email_label, email), row.errors, "")
            person = {
                "name": name,
                "title": parts.get("title", blank)[at],
                "mobile": mobile,
                "office_phone": office,
                "email": email or "",
            }
            self._add_person(row, role, person)
        return True

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

    def _count_new_unit(self, row: PlannedRow) -> None:
        """A unit the commit will create, listed for review with the rows that need it."""
        if row.unit_name not in self.new_units:
            self.new_units[row.unit_name] = self._new_unit(row.unit_name)
        self.new_units[row.unit_name].rows += 1

    def _match(self, row: PlannedRow) -> None:
        f = row.fields
        unit_id = self._unit_id(row)
        level = f["level"]
        if level is not None and self.profile.level(level).requires_parent_unit:
            if unit_id is not None:
                has_parent = self.r.units.get(unit_id).parent_id is not None
            else:  # a new unit: its 上级单位 in the ledger
                ledger_unit = self._ledger_units.get(row.unit_name)
                has_parent = ledger_unit is not None and bool(ledger_unit.parent)
            if not has_parent:
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
