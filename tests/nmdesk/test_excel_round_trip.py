"""A register's own export imported into a fresh register of the same profile (issue 17,
item 3): every account comes back, field by field, with its unit's place in the tree and
kind, its status, its opening date at its precision and every role holder's contacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from nmdesk.demo import build_demo_register
from nmdesk.excel.export import export_csv, export_ids, export_xlsx
from nmdesk.excel.ledger_import import Verdict, commit_import, import_file, plan_import
from nmdesk.store import Register
from nmdesk.store.mappings import EXPORT_ROLES

_CONTACTS = ("name", "title", "office_phone", "mobile", "email")


def account_views(register: Register) -> dict[tuple[str, str], dict[str, Any]]:
    """Every account by (platform, platform ID), as the comparison sees it."""
    units = {unit.id: unit for unit in register.units.all()}
    views = {}
    for account_id in export_ids(register):
        account = register.accounts.get(account_id)
        unit = units[account.unit_id]
        parent = units[unit.parent_id].name if unit.parent_id is not None else None
        holders = register.excel.current_holders(account_id)
        view: dict[str, Any] = {
            "unit": unit.name,
            "parent": parent,
            "unit_kind": unit.kind,
            "level": account.level,
            "platform": account.platform,
            "account_type": account.account_type,
            "name": account.name,
            "platform_id": account.platform_id,
            "purpose": account.purpose,
            "opened_on": account.opened_on,
            "opened_precision": account.opened_on.precision if account.opened_on else None,
            "status": account.status,
            "note": account.note,
        }
        for role in EXPORT_ROLES:
            view[role] = sorted(
                tuple(str(person[key] or "") for key in _CONTACTS)
                for person in holders.get(role, [])
            )
        views[(account.platform, account.platform_id)] = view
    return views


def assert_same_accounts(source: Register, copy: Register) -> None:
    before, after = account_views(source), account_views(copy)
    assert sorted(after) == sorted(before)
    for key, view in before.items():
        for field, value in view.items():
            assert after[key][field] == value, (key, field)


@pytest.fixture(scope="module")
def pku_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pku") / "pku-demo.nmdesk"
    build_demo_register(path, "pku-coe", accounts=300, seed=11)
    return path


def _round_trip(source_path: Path, profile: str, tmp_path: Path, suffix: str) -> None:
    source = Register.open(source_path, actor="tester")
    copy = Register.create(tmp_path / f"fresh-{profile}.nmdesk", profile, actor="tester")
    try:
        exported = tmp_path / f"导出{suffix}"
        writer = export_xlsx if suffix == ".xlsx" else export_csv
        count = writer(source, exported)
        assert count == source.accounts.count()
        plan = plan_import(copy, exported)
        assert [row.reason for row in plan.error_rows()] == []
        assert plan.counts()["new"] == count, plan.summary()
        commit_import(copy, plan)
        assert_same_accounts(source, copy)
        again = plan_import(copy, exported)  # and the file is now the register: nothing to do
        assert {row.verdict for row in again.rows} == {Verdict.UNCHANGED}
    finally:
        source.close()
        copy.close()


def test_bit_demo_export_round_trips_exactly(demo_path: Path, tmp_path: Path) -> None:
    _round_trip(demo_path, "bit", tmp_path, ".xlsx")


def test_pku_coe_demo_export_round_trips_exactly(pku_demo: Path, tmp_path: Path) -> None:
    _round_trip(pku_demo, "pku-coe", tmp_path, ".xlsx")


def test_bit_demo_csv_export_round_trips_exactly(demo_path: Path, tmp_path: Path) -> None:
    _round_trip(demo_path, "bit", tmp_path, ".csv")


def test_units_are_built_parents_first_whatever_the_row_order(
    demo_path: Path, tmp_path: Path
) -> None:
    """The export's rows reversed (every child unit's rows before its parent's), and its
    kind column honoured over what the name suggests."""
    source = Register.open(demo_path, actor="tester")
    copy = Register.create(tmp_path / "fresh.nmdesk", "bit", actor="tester")
    try:
        exported = tmp_path / "导出.xlsx"
        export_xlsx(source, exported)
        workbook = openpyxl.load_workbook(exported)
        sheet = workbook.active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        header, data = rows[0], rows[1:]
        reversed_path = tmp_path / "倒序.xlsx"
        out = openpyxl.Workbook()
        out.active.append(header)
        for row in reversed(data):
            out.active.append(row)
        out.save(reversed_path)
        plan, _result = import_file(copy, reversed_path)
        assert plan.error_rows() == []
        assert_same_accounts(source, copy)
    finally:
        source.close()
        copy.close()
