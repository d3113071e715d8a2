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
    # the demo has what makes a round trip hard: level-3 accounts under a parent unit,
    # dates known to the month or year, every status, several operators on one account
    views = list(before.values())
    assert any(view["level"] == 3 and view["parent"] for view in views)
    assert {view["opened_precision"] for view in views} >= {"year", "month", "day"}
    assert len({view["status"] for view in views}) >= 5
    assert any(len(view["operator"]) > 1 and view["operator"][1][3] for view in views)
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


def _ledger(path: Path, rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.append(
        ["开设单位", "上级单位", "单位类别", "开设平台", "账号名称", "账号ID号", "账号级别"]
    )
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def test_kind_column_wins_over_the_name_and_parents_are_created(
    register: Register, tmp_path: Path
) -> None:
    """A 单位类别 cell decides the kind (话剧社 would be a club by its name); a 上级单位
    that no row opens an account in is created too, before its children."""
    path = _ledger(
        tmp_path / "x.xlsx",
        [
            ["话剧社", "校团委", "学生组织", "微信", "北理话剧", "hj1", "三级"],
            ["机电学院学生会", "机电学院", "", "微博", "机电学生会", "jd1", "三级"],
            ["机电学院", "", "学院", "微信", "北理机电", "jd0", "二级"],
        ],
    )
    plan = plan_import(register, path)
    assert plan.error_rows() == []
    assert [(u.name, u.parent, u.kind, u.kind_from_ledger, u.rows) for u in plan.new_units] == [
        ("校团委", "", "mass_org", False, 0),
        ("话剧社", "校团委", "student_org", True, 1),
        ("机电学院", "", "college", True, 1),
        ("机电学院学生会", "机电学院", "student_org", False, 1),
    ]
    commit_import(register, plan)
    drama = register.units.find_by_name("话剧社")
    league = register.units.find_by_name("校团委")
    assert drama is not None and league is not None
    assert (drama.kind, drama.parent_id) == ("student_org", league.id)


def test_a_unit_tree_the_ledger_contradicts_is_an_error(register: Register, tmp_path: Path) -> None:
    path = _ledger(
        tmp_path / "x.xlsx",
        [
            ["话剧社", "校团委", "学生社团", "微信", "北理话剧", "hj1", "三级"],
            ["话剧社", "学生会", "", "微博", "北理话剧微博", "hj2", "三级"],
            ["话剧社", "", "学生组织", "抖音", "北理话剧抖音", "hj3", "三级"],
            ["甲中心", "乙中心", "", "微信", "甲", "a1", "三级"],
            ["乙中心", "甲中心", "", "微信", "乙", "b1", "三级"],
            ["丙社", "", "球队", "微信", "丙", "c1", "二级"],
        ],
    )
    reasons = [row.reason for row in plan_import(register, path).rows]
    assert reasons[0] == ""
    assert "“上级单位”列：与第 2 行不一致：那一行“话剧社”的上级单位是“校团委”" in reasons[1]
    assert "“单位类别”列：与第 2 行不一致：那一行“话剧社”的单位类别是“学生社团”" in reasons[2]
    assert "上级单位形成循环：甲中心 → 乙中心 → 甲中心" in reasons[3]
    assert "上级单位形成循环：乙中心 → 甲中心 → 乙中心" in reasons[4]
    assert "“单位类别”列：“球队”不在策略配置的单位类型中" in reasons[5]
