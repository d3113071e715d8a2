"""The unit tree a ledger describes, for the units the register lacks.

Each new unit takes the 上级单位 and 单位类别 its rows give, in whatever order the rows
come; where no row gives a kind, ``guess_unit_kind`` infers it from the END of the
unit's name. The commit creates the new units parents first (``units_to_create``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from nmdesk.excel.plan import NewUnit, PlannedRow, RowIssue, Verdict
from nmdesk.profiles import Profile

# A unit's kind from how its name ENDS (人文与社会科学学院 is a college, though
# 社 stands in its middle), longest ending first; each ending lists the kinds it may
# be, in order, and the first one the profile has wins. A name that starts with
# 党委 or 纪委 (党委宣传部, 党委学生工作部) is a party office, whatever its ending.
UNIT_KIND_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
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


def guess_unit_kind(name: str, kinds: Sequence[str]) -> str:
    """A likely unit kind from the end of its name (…学院 → college), among the
    profile's kinds; never from characters in the middle of the name."""
    name = name.strip()
    if name.startswith(_PARTY_PREFIXES) and "party_office" in kinds:
        return "party_office"
    for ending, candidates in UNIT_KIND_ENDINGS:
        if name.endswith(ending):
            for kind in candidates:
                if kind in kinds:
                    return kind
    for fallback in ("admin_dept", "college"):
        if fallback in kinds:
            return fallback
    return kinds[0]


class LedgerUnit:
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


class UnitTree:
    """The register's units by name, and the new ones the ledger describes."""

    def __init__(self, profile: Profile, label: Callable[[str], str]) -> None:
        self.profile = profile
        self._label = label  # a field's column as the ledger heads it
        self.unit_kinds = list(profile.unit_kinds)
        self.register_units: dict[str, int] = {}  # every unit of the register by name
        self.ledger_units: dict[str, LedgerUnit] = {}  # those it lacks, as the ledger has them
        self.new_units: dict[str, NewUnit] = {}  # those the rows open accounts in

    def plan(self, rows: Sequence[PlannedRow], unit_id: Callable[[PlannedRow], int | None]) -> None:
        """The units the register lacks (``unit_id`` None), with the 上级单位 and 单位类别
        their rows give. A row that gives a unit another parent or kind than an earlier
        row did is an error, and so is every row of a unit that would be its own ancestor."""
        ledger = self.ledger_units
        rows_of: dict[str, list[PlannedRow]] = defaultdict(list)
        for row in rows:
            if row.verdict is Verdict.ERROR or unit_id(row) is not None:
                continue
            name, f = row.unit_name, row.fields
            rows_of[name].append(row)
            unit = ledger.setdefault(name, LedgerUnit())
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

    def has_parent(self, name: str) -> bool:
        """Whether the ledger gives the new unit of that name a 上级单位."""
        unit = self.ledger_units.get(name)
        return unit is not None and bool(unit.parent)

    def count_new_unit(self, name: str) -> None:
        """A unit the commit will create, listed for review with the rows that need it."""
        if name not in self.new_units:
            self.new_units[name] = self.new_unit(name)
        self.new_units[name].rows += 1

    def new_unit(self, name: str) -> NewUnit:
        """A unit as the ledger describes it, its kind guessed where no row gave one."""
        unit = self.ledger_units.get(name) or LedgerUnit()
        kind = unit.kind or guess_unit_kind(name, self.unit_kinds)
        return NewUnit(name, kind, parent=unit.parent, kind_from_ledger=bool(unit.kind))

    def units_to_create(self) -> list[NewUnit]:
        """The new units the commit creates, each after its 上级单位: those the rows open
        accounts in, and any parent of theirs the register lacks (with the kind a row
        gave it, else the kind its name suggests)."""
        ordered: dict[str, NewUnit] = {}
        visited: set[str] = set()  # plan made a loop an error: this only guards

        def add(name: str) -> None:
            if name in visited or name in self.register_units:
                return
            visited.add(name)
            unit = self.new_units.get(name) or self.new_unit(name)
            if unit.parent:
                add(unit.parent)
            ordered[name] = unit

        for name in list(self.new_units):
            add(name)
        return list(ordered.values())
