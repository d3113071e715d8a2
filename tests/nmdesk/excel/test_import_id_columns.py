"""Ledgers whose ID column is headed the way offices write it: the ID is imported, or
the clerk is warned, never dropped without a word (issue 14, item 2)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from register_state import location_option

from nmdesk.cli import main
from nmdesk.excel.ledger_import import commit_import, plan_import
from nmdesk.excel.mapping import auto_mapping, unmapped_warnings
from nmdesk.excel.plan import Verdict
from nmdesk.store import Register

ACCOUNTS = [
    ("信息与电子学院", "微信", "信电青年", "xdqn_bit"),
    ("信息与电子学院", "微博", "信电学院官微", "7351234567"),
    ("校团委", "抖音", "北理团团", "bit_tuanwei"),
]

# (ID header, where the ledger puts it): headers copied from real ledgers.
ID_HEADERS = [
    "微信号/账号ID",
    "微信号／账号ＩＤ",
    "账号ID",
    "账号 ID",
    "账号ID（微信号）",
    "公众号ID",
    "原始ID",
    "UID",
    "抖音号",
    "链接",
    "微信号或账号ID",
    "账号（UID）",
    "ＩＤ号",
]


def _ledger(path: Path, id_header: str, extra: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["XX大学新媒体账号台账"])
    sheet.append(["序号", "单位名称", "平台", "账号名称", id_header, *extra])
    for index, (unit, platform, name, platform_id) in enumerate(ACCOUNTS, start=1):
        sheet.append([index, unit, platform, name, platform_id, *("" for _ in extra)])
    wb.save(path)
    return path


@pytest.mark.parametrize("header", ID_HEADERS)
def test_the_id_column_is_matched_however_it_is_headed(header: str) -> None:
    mapping = auto_mapping(["序号", "单位名称", "平台", "账号名称", header])
    assert mapping[4] == "platform_id", header
    assert unmapped_warnings(["序号", "单位名称", "平台", "账号名称", header], mapping) == []


@pytest.mark.parametrize("header", ["微信号/账号ID", "公众号ID", "UID", "链接"])
def test_a_ledger_imports_with_its_ids_and_reimport_matches_by_id(
    register: Register, tmp_path: Path, header: str
) -> None:
    path = _ledger(tmp_path / "台账.xlsx", header)
    plan = plan_import(register, path)
    assert plan.warnings() == []
    assert [row.fields["platform_id"] for row in plan.rows] == [a[3] for a in ACCOUNTS]
    commit_import(register, plan)
    for _unit, platform, name, platform_id in ACCOUNTS:
        account = register.accounts.by_platform_id(platform, platform_id)
        assert account is not None and account.name == name
    # a unit renames its account: the re-import finds it by its ID, not by its old name
    wb = openpyxl.load_workbook(path)
    wb.active["D3"] = "信电青年（新）"
    wb.save(path)
    again = plan_import(register, path)
    first = again.rows[0]
    assert first.verdict is Verdict.UPDATE
    assert first.account_id == register.accounts.by_platform_id("微信", "xdqn_bit").id
    assert [r.verdict for r in again.rows[1:]] == [Verdict.UNCHANGED, Verdict.UNCHANGED]


def test_an_unmapped_id_column_and_rows_without_id_are_warned_about(
    register: Register, tmp_path: Path
) -> None:
    """A second ID-like column, and a ledger imported with the ID column set to 不导入."""
    path = _ledger(tmp_path / "台账.xlsx", "微信号", extra=("原始ID（gh_）", "主页链接"))
    plan = plan_import(register, path)
    warnings = plan.warnings()
    assert any("第 6 列“原始ID（gh_）”像是“账号ID号”，但未导入" in w for w in warnings)
    assert any("第 7 列“主页链接”像是“账号ID号”" in w for w in warnings)
    # the clerk sets the ID column to （不导入）: every row is flagged, and so is the file
    mapping = list(plan.mapping)
    mapping[4] = ""
    dropped = plan_import(register, path, mapping=mapping)
    warnings = dropped.warnings()
    assert any("第 5 列“微信号”像是“账号ID号”，但未导入" in w for w in warnings)
    assert any("没有列对应到“账号ID号”" in w for w in warnings)
    assert any(w.startswith("3 个账号没有账号ID号（第 3、4、5 行") for w in warnings)
    assert all("没有账号ID号" in row.reason for row in dropped.rows)


def test_the_cli_prints_the_warnings(register: Register, tmp_path: Path, capsys) -> None:
    path = _ledger(tmp_path / "台账.xlsx", "微信号", extra=("原始ID（gh_）",))
    register.close()
    assert main(["import", str(path), "--dry-run", *location_option(register)]) == 0
    out = capsys.readouterr().out
    assert "警告\t第 6 列“原始ID（gh_）”像是“账号ID号”，但未导入" in out
    wb = openpyxl.load_workbook(path)
    for row in range(3, 6):
        wb.active.cell(row=row, column=5).value = None
    wb.save(path)
    assert main(["import", str(path), *location_option(register)]) == 0
    out = capsys.readouterr().out
    assert "警告\t3 个账号没有账号ID号（第 3、4、5 行）" in out
