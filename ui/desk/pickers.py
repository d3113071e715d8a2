"""The choices the desk's pickers offer: units in tree order, people by the kinds a
role allows (with unit and id when a name is shared), made once per form."""

from __future__ import annotations

from nmdesk.models import PersonKind
from nmdesk.store.interfaces import Register


def unit_choices(register: Register) -> list[tuple[str, int]]:
    """Units in tree order, indented by depth, for pickers."""
    units = register.units.all()
    children: dict[int | None, list[int]] = {}
    by_id = {u.id: u for u in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in by_id else None
        children.setdefault(parent, []).append(unit.id or 0)
    result: list[tuple[str, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit_id in children.get(parent, []):
            result.append(("　" * depth + by_id[unit_id].name, unit_id))
            walk(unit_id, depth + 1)

    walk(None, 0)
    return result


PickerRows = list[tuple[int, str, "str | None", PersonKind, int]]


def person_choices(
    register: Register, kinds: tuple[str, ...] | None = None, *, rows: PickerRows | None = None
) -> list[tuple[str, int]]:
    """People as picker items; names shared by several people get their unit and id.
    ``kinds``: only people of these kinds (the role's ``person_kinds`` in the profile:
    a student is never offered as 单位负责人). ``rows``: the register's
    ``people.picker_rows()`` when the caller has read them already."""
    items = []
    for person_id, name, unit, kind, same_name in rows or register.people.picker_rows():
        if kinds is not None and kind.value not in kinds:
            continue
        label = f"{name}（{unit or kind.label}，#{person_id}）" if same_name > 1 else name
        items.append((label, person_id))
    return items


class PersonPicks:
    """The people a form's pickers offer, with an empty first choice: the texts, the
    person id of each row and the row of each id, made once and shared by the six
    pickers (a picker that must add a person copies them first)."""

    def __init__(self, items: list[tuple[str, int]]) -> None:
        self.texts = ["", *(text for text, _person_id in items)]
        self.ids: list[int | None] = [None, *(person_id for _text, person_id in items)]
        self.rows = {person_id: row for row, person_id in enumerate(self.ids)}
