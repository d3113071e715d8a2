"""Units: the tree of schools, departments, colleges and their bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NotFoundError, ValidationError
from nmdesk.models import Unit
from nmdesk.store.search_index import refresh_search_for_unit
from nmdesk.validation import require_text

if TYPE_CHECKING:
    from nmdesk.profiles import Profile
    from nmdesk.store.core import StoreCore


def check_unit_kind(profile: Profile, kind: str) -> str:
    """The kind, if the profile has it; the one rule for a unit's kind (a form's unit,
    an import's batch and a ledger's 单位类别 column)."""
    if kind not in profile.unit_kinds:
        names = "、".join(profile.unit_kinds.values())
        raise ValidationError("单位类型", f"“{kind}”不在策略配置的单位类型中，应为 {names}")
    return kind


def checked_unit_name(
    profile: Profile, name: str, find_id: Callable[[str], int | None], unit_id: int | None = None
) -> str:
    """A unit's name, given, within the profile's length, and held by no other unit than
    ``unit_id``."""
    name = require_text(name, "单位名称", profile.text_limits["units.name"])
    other = find_id(name)
    if other is not None and other != unit_id:
        raise ValidationError("单位名称", f"“{name}”已存在")
    return name


def checked_unit_row(
    profile: Profile,
    unit: Unit,
    find_id: Callable[[str], int | None],
    unit_of: Callable[[int], Unit],
) -> dict[str, Any]:
    """The stored row of a new unit, checked against the unit rules: a name given and
    not taken, a kind of the profile, a parent unit that exists.

    The one implementation of these rules, for a form's single unit (``UnitStore.add``)
    and for a ledger import's many (``nmdesk.store.bulk.ImportBatch``, which passes its
    cached lookups): ``find_id`` gives the id of the unit of a name (None: no such
    unit), ``unit_of`` a unit by id (NotFoundError if there is none)."""
    name = checked_unit_name(profile, unit.name, find_id)
    check_unit_kind(profile, unit.kind)
    if unit.parent_id is not None:
        unit_of(unit.parent_id)
    return {
        "name": name,
        "short_name": unit.short_name.strip(),
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "head_person_id": unit.head_person_id,
        "note": unit.note,
    }


def _unit(row: dict[str, Any]) -> Unit:
    return Unit(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        parent_id=row["parent_id"],
        head_person_id=row["head_person_id"],
        short_name=row["short_name"],
        note=row["note"],
    )


def get_unit(core: StoreCore, unit_id: int) -> Unit:
    """One unit by id (NotFoundError if there is none): ``Units.get``, for every
    repository that needs a unit."""
    rows = core.query("SELECT * FROM units WHERE id = ?", [unit_id])
    if not rows:
        raise NotFoundError(f"单位 #{unit_id} 不存在")
    return _unit(rows[0])


class UnitStore:
    def __init__(self, register: StoreCore) -> None:
        self.r = register

    def add(self, unit: Unit) -> int:
        row = checked_unit_row(self.r.profile, unit, self._id_of, self.get)
        return self.r.insert_row("units", row)

    def _id_of(self, name: str) -> int | None:
        found = self.find_by_name(name)
        return None if found is None else found.id

    def update(self, unit_id: int, **changes: Any) -> None:
        parent_id = changes.get("parent_id")
        if parent_id is not None and parent_id in self.subtree_ids(unit_id):
            raise ValidationError("上级单位", "不能把单位挂到它自己或它的下级单位之下")
        if "name" in changes:
            changes["name"] = checked_unit_name(
                self.r.profile, changes["name"], self._id_of, unit_id
            )
        with self.r.transaction():
            self.r.update_row("units", unit_id, changes)
            if "name" in changes:
                refresh_search_for_unit(self.r, unit_id)

    def get(self, unit_id: int) -> Unit:
        return get_unit(self.r, unit_id)

    def find_by_name(self, name: str) -> Unit | None:
        rows = self.r.query("SELECT * FROM units WHERE name = ?", [name.strip()])
        return _unit(rows[0]) if rows else None

    def all(self) -> list[Unit]:
        return [_unit(row) for row in self.r.query("SELECT * FROM units ORDER BY id")]

    def children(self, unit_id: int | None) -> list[Unit]:
        if unit_id is None:
            rows = self.r.query("SELECT * FROM units WHERE parent_id IS NULL ORDER BY id")
        else:
            rows = self.r.query("SELECT * FROM units WHERE parent_id = ? ORDER BY id", [unit_id])
        return [_unit(row) for row in rows]

    def subtree_ids(self, unit_id: int) -> list[int]:
        """The unit and every unit below it."""
        rows = self.r.db.execute(
            "WITH RECURSIVE sub(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT u.id FROM units u "
            "JOIN sub ON u.parent_id = sub.id) SELECT id FROM sub",
            [unit_id],
        ).fetchall()
        return [row[0] for row in rows]

    def priorities(self, unit_id: int) -> list[int]:
        """The unit's 账号优先顺序表 (PKU-CoE clause 7): its live accounts' ids, ranked
        first to last. Accounts it has not ranked yet follow, oldest first."""
        rows = self.r.db.execute(
            "SELECT a.id FROM accounts a LEFT JOIN account_priorities p "
            "ON p.account_id = a.id AND p.unit_id = a.unit_id "
            "WHERE a.unit_id = ? AND a.status NOT IN ('closed', 'refused') "
            "ORDER BY p.rank IS NULL, p.rank, a.id",
            [unit_id],
        ).fetchall()
        return [row[0] for row in rows]

    def priority_ranks(self, unit_id: int) -> dict[int, int]:
        """{account id: rank} of the unit's ranked live accounts (empty: never ranked)."""
        rows = self.r.db.execute(
            "SELECT p.account_id FROM account_priorities p JOIN accounts a "
            "ON a.id = p.account_id AND a.unit_id = p.unit_id "
            "WHERE p.unit_id = ? AND a.status NOT IN ('closed', 'refused') ORDER BY p.rank",
            [unit_id],
        ).fetchall()
        return {row[0]: place for place, row in enumerate(rows, start=1)}

    def set_priorities(self, unit_id: int, account_ids: list[int]) -> None:
        """Replace the unit's ranking with ``account_ids``, first = rank 1, in one
        transaction. Every id must be a live account of the unit, each once."""
        live = set(self.priorities(unit_id))
        if len(set(account_ids)) != len(account_ids):
            raise ValidationError("账号优先顺序", "同一账号在排序中出现了两次")
        stray = [i for i in account_ids if i not in live]
        if stray:
            raise ValidationError(
                "账号优先顺序", f"账号 #{stray[0]} 不是“{self.get(unit_id).name}”在用的账号"
            )
        current = {
            row[1]: (row[0], row[2])
            for row in self.r.db.execute(
                "SELECT id, account_id, rank FROM account_priorities WHERE unit_id = ?",
                [unit_id],
            ).fetchall()
        }
        with self.r.transaction():
            for account_id, (row_id, _rank) in current.items():
                if account_id not in account_ids:
                    self.r.delete_row("account_priorities", row_id)
            for rank, account_id in enumerate(account_ids, start=1):
                if account_id not in current:
                    # an account ranked under another unit before it moved here
                    moved = self.r.db.execute(
                        "SELECT id FROM account_priorities WHERE account_id = ?", [account_id]
                    ).fetchone()
                    if moved is not None:
                        self.r.delete_row("account_priorities", moved[0])
                    self.r.insert_row(
                        "account_priorities",
                        {"unit_id": unit_id, "account_id": account_id, "rank": rank},
                    )
                elif current[account_id][1] != rank:
                    self.r.update_row("account_priorities", current[account_id][0], {"rank": rank})

    def is_apply_suspended(self, unit_id: int) -> bool:
        """True while the unit has an unresolved 暂停申办资格 sanction (PKU-CoE clause 15)."""
        return bool(
            self.r.scalar(
                "SELECT 1 FROM sanctions WHERE unit_id = ? AND kind = 'suspend_apply' "
                "AND resolved_on IS NULL LIMIT 1",
                [unit_id],
            )
        )

    def account_counts(self) -> dict[int, int]:
        """Live accounts per unit, for total-quantity control.

        All accounts per unit less the closed and refused ones: both counts come from
        indexes, where asking for the live ones directly read every account row."""
        execute = self.r.db.execute
        counts = dict(execute("SELECT unit_id, count(*) FROM accounts GROUP BY unit_id"))
        for unit_id, ended in execute(
            "SELECT unit_id, count(*) FROM accounts WHERE status IN ('closed', 'refused') "
            "GROUP BY unit_id"
        ):
            counts[unit_id] -= ended
        return {unit_id: count for unit_id, count in counts.items() if count > 0}
