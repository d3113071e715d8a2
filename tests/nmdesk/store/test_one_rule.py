"""Each rule exists once and serves the single-row and the bulk path (issue 16, part 2):
the same mistake is refused with the same sentence on both paths, and a rule changed
in its one place changes on both."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fixtures_entry import sample_entry

import nmdesk.store.account_rules as account_rules
import nmdesk.store.units as units_module
from nmdesk.entry import AccountEntry
from nmdesk.entry_checks import collect_errors
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.models import Account, Person, PersonKind, Unit
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


# -- accounts: the form (nmdesk.entry_checks), the store and an import ---------------------------


def _account(entry: AccountEntry) -> Account:
    assert entry.unit_id is not None
    return Account(
        None,
        entry.platform,
        entry.account_type,
        entry.name,
        entry.unit_id,
        entry.level,
        entry.platform_id,
        entry.purpose,
        status=entry.status,
        campus_data_service=entry.campus_data_service,
        it_approval_ref=entry.it_approval_ref,
    )


def _three_refusals(register: Register, entry: AccountEntry) -> list[str]:
    """The sentence each path refuses the account with: the form, the store, an import."""
    errors, _checked = collect_errors(register, entry)
    in_form = [str(error) for error in errors]
    single = _refusal(lambda: register.accounts.create(_account(entry)))

    def through_import() -> None:
        batch = ImportBatch(register)
        batch.add_account(_account(entry))
        batch.flush()

    bulk = _refusal(through_import)
    assert any(text.endswith(single) for text in in_form), in_form  # the form may name a field
    return [single, bulk]


BAD_ACCOUNTS: dict[str, dict[str, object]] = {
    "unlisted platform": {"platform": "聊天室"},
    "unknown level": {"level": 9},
    "level needs a parent unit": {"level": 3},
    "campus data without approval": {"campus_data_service": True},
}


@pytest.mark.parametrize("case", sorted(BAD_ACCOUNTS))
def test_a_bad_account_is_refused_alike_by_the_form_the_store_and_the_import(
    register: Register, case: str
) -> None:
    unit_id = register.units.add(Unit(None, "计算机学院", "college"))
    single, bulk = _three_refusals(register, sample_entry(unit_id, **BAD_ACCOUNTS[case]))
    assert single == bulk
    assert register.accounts.count() == 0


def test_a_taken_platform_id_reads_alike_in_the_store_and_the_import(
    register: Register,
) -> None:
    unit_id = register.units.add(Unit(None, "计算机学院", "college"))
    register.accounts.create(_account(sample_entry(unit_id)))
    again = sample_entry(unit_id, name="计算机学院新闻")
    single, bulk = _three_refusals(register, again)
    assert single == bulk
    assert "已登记为“北理工计算机”（编号 " in single


def test_an_account_rule_changed_in_its_one_place_shows_on_every_path(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An approval reference of 无 is no reference: said once, in the account rules."""
    plain = account_rules.clean_text
    monkeypatch.setattr(
        account_rules, "clean_text", lambda value: "" if plain(value) == "无" else plain(value)
    )
    unit_id = register.units.add(Unit(None, "计算机学院", "college"))
    entry = sample_entry(unit_id, campus_data_service=True, it_approval_ref="无")
    single, bulk = _three_refusals(register, entry)
    assert single == bulk
    assert single.startswith("信息化部门审批文号：涉及校内数据服务的账号须经")


# -- lengths: the profile's text_limits, never a second figure ----------------------------


def test_the_profile_sets_how_long_a_name_may_be_on_every_path(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A profile that allows 150-character account names is obeyed by the form, the
    store and an import alike (the store's checks had 100 written in)."""
    monkeypatch.setitem(register.profile.text_limits, "accounts.name", 150)
    unit_id = register.units.add(Unit(None, "计算机学院", "college"))
    long_name = "计" * 120
    errors, _checked = collect_errors(register, sample_entry(unit_id, name=long_name))
    assert errors == []
    register.accounts.create(_account(sample_entry(unit_id, name=long_name)))
    batch = ImportBatch(register)
    batch.add_account(_account(sample_entry(unit_id, name=long_name, platform_id="b")))
    batch.flush()
    assert register.accounts.count() == 2


@pytest.mark.parametrize(
    ("key", "write"),
    [
        ("units.name", "unit"),
        ("people.name", "person"),
        ("accounts.name", "account"),
    ],
)
def test_a_shorter_limit_refuses_alike_on_the_single_and_the_bulk_path(
    register: Register, monkeypatch: pytest.MonkeyPatch, key: str, write: str
) -> None:
    unit_id = register.units.add(Unit(None, "计算机学院", "college"))
    monkeypatch.setitem(register.profile.text_limits, key, 5)
    name = "计算机学院新媒体中心"

    def single() -> object:
        if write == "unit":
            return register.units.add(Unit(None, name, "college"))
        if write == "person":
            return register.people.add(Person(None, name, PersonKind.STAFF, unit_id))
        return register.accounts.create(_account(sample_entry(unit_id, name=name)))

    def bulk() -> object:
        batch = ImportBatch(register)
        if write == "unit":
            batch.add_unit(Unit(None, name, "college"))
        elif write == "person":
            batch.add_person(Person(None, name, PersonKind.STAFF, unit_id))
        else:
            batch.add_account(_account(sample_entry(unit_id, name=name)))
        return batch.flush()

    assert _refusal(single) == _refusal(bulk)
    assert "最多 5 字" in _refusal(single)
