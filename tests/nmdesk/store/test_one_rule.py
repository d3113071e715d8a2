"""Each rule exists once and serves the single-row and the bulk path (issue 16, part 2):
the same mistake is refused with the same sentence on both paths, and a rule changed
in its one place changes on both."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import nmdesk.store.units as units_module
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.models import Unit
from nmdesk.store import Register
from nmdesk.store.bulk import ImportBatch


def _refusal(write: Callable[[], object]) -> str:
    with pytest.raises(NmdeskError) as caught:
        write()
    return str(caught.value)


def _through_import(register: Register, unit: Unit) -> int:
    batch = ImportBatch(register)
    unit_id = batch.add_unit(unit)
    batch.flush()
    return unit_id


BAD_UNITS = {
    "no name": Unit(None, "  ", "college"),
    "name taken": Unit(None, "计算机学院", "college"),
    "unknown kind": Unit(None, "新学院", "guild"),
    "no such parent": Unit(None, "新学院", "college", parent_id=999),
}


@pytest.mark.parametrize("case", sorted(BAD_UNITS))
def test_a_bad_unit_is_refused_alike_by_the_form_and_the_import(
    register: Register, case: str
) -> None:
    register.units.add(Unit(None, "计算机学院", "college"))
    unit = BAD_UNITS[case]
    single = _refusal(lambda: register.units.add(unit))
    bulk = _refusal(lambda: _through_import(register, unit))
    assert single == bulk
    assert len(register.units.all()) == 1


def test_a_unit_rule_changed_in_its_one_place_shows_on_both_paths(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_commas(value: str | None, field: str, max_length: int = 200) -> str:
        if "," in (value or ""):
            raise ValidationError(field, "不能含逗号")
        return (value or "").strip()

    monkeypatch.setattr(units_module, "require_text", no_commas)
    unit = Unit(None, "计算机,学院", "college")
    assert _refusal(lambda: register.units.add(unit)) == "单位名称：不能含逗号"
    assert _refusal(lambda: _through_import(register, unit)) == "单位名称：不能含逗号"
    assert register.units.all() == []
