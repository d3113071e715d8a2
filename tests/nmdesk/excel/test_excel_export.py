"""Export to xlsx and CSV, and the import template (issue #8).

Every file is read back: openpyxl for the look and the cell types, python-calamine
for what an import sees. No cell in any export may be a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from fixtures_excel import build_messy_ledger
from openpyxl.utils import column_index_from_string, get_column_letter
from register_state import location_option, register_state

from nmdesk.cli import main
from nmdesk.excel.error_report import write_error_report
from nmdesk.excel.export import COLUMNS, ExcelWriteError, ExportCancelled, export_csv, export_xlsx
from nmdesk.excel.ledger_import import commit_import, plan_import
from nmdesk.excel.template import DATA_SHEET, LISTS_SHEET, write_template
from nmdesk.models import Account, AccountStatus, Unit
from nmdesk.services.accounts import assign_role
from nmdesk.store import AccountQuery, Register

TRAPS = ("=1+1", "@SUM(A1)", "+86 139", "-2+3", '=HYPERLINK("http://evil","x")')


def no_formulas(path: Path) -> int:
    """Assert no cell of any sheet is a formula; returns how many cells were checked."""
    checked = 0
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                checked += 1
    return checked


@pytest.fixture
def trap_register(register: Register) -> Register:
    """Accounts whose user-typed text looks like formulas."""
    with register.transaction():
        unit_id = register.units.add(Unit(None, "=SUM(1)单位", "college"))
        for index, trap in enumerate(TRAPS):
            register.accounts.create(
                Account(
                    None,
                    "微信",
                    "订阅号",
                    f"{trap}号",
                    unit_id,
                    2,
                    platform_id=f"id{index}",
                    purpose=trap,
                    note=trap,
                    status=AccountStatus.RUNNING,
                )
            )
    return register


def test_xlsx_export_look_and_types(demo_register: Register, tmp_path: Path) -> None:
    target = tmp_path / "register.xlsx"
    seen: list[tuple[int, int]] = []
    count = export_xlsx(demo_register, target, progress=lambda d, t: seen.append((d, t)))
    assert count == demo_register.accounts.count() == 300
    assert seen[-1] == (300, 300)
    workbook = openpyxl.load_workbook(target)
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    header = [cell for cell in sheet[1]]
    assert [c.value for c in header] == [title for title, _k, _w in COLUMNS]
    assert all(c.font.b for c in header) and header[0].fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet.column_dimensions["D"].width == 26
    assert sheet.max_row == 301
    date_col = [title for title, _k, _w in COLUMNS].index("开设时间") + 1
    dates = [sheet.cell(row=r, column=date_col) for r in range(2, 302)]
    real = [c for c in dates if isinstance(c.value, dt.datetime)]
    assert real and all(c.is_date and c.number_format == "yyyy-mm-dd" for c in real)
    assert no_formulas(target) > 300 * 20


def test_formula_looking_text_stays_text(trap_register: Register, tmp_path: Path) -> None:
    target = tmp_path / "traps.xlsx"
    export_xlsx(trap_register, target)
    no_formulas(target)
    sheet = openpyxl.load_workbook(target).active
    values = {cell.value for row in sheet.iter_rows(min_row=2) for cell in row}
    assert set(TRAPS) <= values and "=SUM(1)单位" in values

    csv_path = tmp_path / "traps.csv"
    export_csv(trap_register, csv_path)
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [title for title, _k, _w in COLUMNS]
    cells = [value for row in rows[1:] for value in row]
    assert not any(value[:1] in "=+-@" for value in cells if value)
    assert "'=1+1" in cells and "'@SUM(A1)" in cells and "'=SUM(1)单位" in cells


def test_filtered_view_and_cli_search(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Register.open(demo_path) as register:
        query = AccountQuery(platform="微博")
        expected = register.accounts.ids(query)
        target = tmp_path / "weibo.xlsx"
        assert export_xlsx(register, target, query=query) == len(expected) > 0
        sheet = openpyxl.load_workbook(target).active
        assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"微博"}
        text = register.accounts.get(expected[0]).name
    out = tmp_path / "search.xlsx"
    assert main(["export", str(out), "--search", text, "--path", str(demo_path)]) == 0
    assert "已导出" in capsys.readouterr().out
    names = [
        row[3] for row in openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True)
    ]
    assert text in names
    no_formulas(out)


def test_export_then_reimport_changes_nothing(demo_register: Register, tmp_path: Path) -> None:
    target = tmp_path / "round.xlsx"
    export_xlsx(demo_register, target)
    before = register_state(demo_register)
    plan = plan_import(demo_register, target)
    counts = plan.counts()
    assert counts["new"] == 0 and counts["update"] == 0, [r.reason for r in plan.rows if r.changes]
    assert counts["unchanged"] == 300 and counts["error"] == 0
    commit_import(demo_register, plan)
    assert register_state(demo_register) == before


def test_cancelled_export_writes_no_file(demo_register: Register, tmp_path: Path) -> None:
    before = sorted(tmp_path.iterdir())
    calls: list[int] = []

    def cancel_on_second_chunk() -> bool:
        calls.append(1)
        return len(calls) > 1

    demo_register.excel.export_rows = lambda ids, f=demo_register.excel.export_rows: f(ids) * 5
    with pytest.raises(ExportCancelled):
        export_xlsx(demo_register, tmp_path / "cancel.xlsx", cancelled=cancel_on_second_chunk)
    assert sorted(tmp_path.iterdir()) == before
    with pytest.raises(ExportCancelled):
        export_csv(demo_register, tmp_path / "cancel.csv", cancelled=lambda: True)
    assert sorted(tmp_path.iterdir()) == before


def test_error_report_keeps_formula_looking_text(register: Register, tmp_path: Path) -> None:
    plan = plan_import(register, build_messy_ledger(tmp_path / "ledger.xlsx"))
    rows = [row for row in plan.rows if row.row_number == 5]  # its 备注 is "=1+1"
    target = tmp_path / "report.xlsx"
    write_error_report(plan, target, rows)
    no_formulas(target)
    sheet = openpyxl.load_workbook(target).active
    assert "=1+1" in [cell.value for cell in sheet[2]]


def test_template_dropdowns_reference_a_hidden_sheet(
    register: Register, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with register.transaction():
        for index in range(40):  # the platform list grows past Excel's 255-character limit
            register.accounts.add_platform(f"校内自建平台第{index + 1}号")
    assert len(",".join(register.accounts.platforms())) > 255
    target = tmp_path / "template.xlsx"
    write_template(register, target)
    workbook = openpyxl.load_workbook(target)
    assert workbook[LISTS_SHEET].sheet_state == "hidden"
    sheet = workbook[DATA_SHEET]
    assert sheet.freeze_panes == "A2"
    headers = [cell.value for cell in sheet[1]]
    validations = {}
    for validation in sheet.data_validations.dataValidation:
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        validations[headers[column_index_from_string(column) - 1]] = validation.formula1
    assert set(validations) == {"开设平台", "账号类型", "账号级别", "状态", "单位类别"}
    assert all(formula.startswith(f"'{LISTS_SHEET}'!$") for formula in validations.values())
    lists = workbook[LISTS_SHEET]
    platforms = [row[0] for row in lists.iter_rows(min_row=2, values_only=True) if row[0]]
    assert platforms == register.accounts.platforms()
    types = [row[1] for row in lists.iter_rows(min_row=2, values_only=True) if row[1]]
    assert "订阅号" in types and "机构认证" in types
    assert validations["开设平台"] == f"'{LISTS_SHEET}'!$A$2:$A${len(platforms) + 1}"
    no_formulas(target)

    # a unit fills the template in; it imports with no mapping work
    sheet.append(
        [
            "信息与电子学院",
            "微信",
            "订阅号",
            "信电",
            "xd01",
            "2019年3月",
            "二级账号",
            "运行中",
            "新闻",
            "张三",
            "院长",
            "010-68912345",
            "13911113333",
        ]
    )
    workbook.save(target)
    plan = plan_import(register, target)
    assert plan.counts()["new"] == 1 and plan.counts()["error"] == 0

    cli_target = tmp_path / "cli-template.xlsx"
    assert main(["template", str(cli_target), *location_option(register)]) == 0
    assert cli_target.exists()


def test_unwritable_target_is_one_message(
    register: Register, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "没有这个文件夹" / "x.xlsx"
    for writer in (export_xlsx, export_csv, write_template):
        with pytest.raises(ExcelWriteError, match="无法写入文件"):
            writer(register, missing)
    assert main(["export", str(missing), *location_option(register)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：无法写入文件") and len(err.splitlines()) == 1


def test_two_operators_round_trip(register: Register, tmp_path: Path) -> None:
    from nmdesk.models import Person, PersonKind

    with register.transaction():
        unit_id = register.units.add(Unit(None, "校团委", "mass_org"))
        account_id = register.accounts.create(
            Account(None, "微信", "订阅号", "北理青年", unit_id, 2, platform_id="qn1",
                    status=AccountStatus.RUNNING)
        )  # fmt: skip
        for name in ("小王", "小李"):
            person = register.people.add(Person(None, name, PersonKind.STUDENT, unit_id=unit_id))
            assign_role(register, account_id, "operator", person, dt.date(2024, 1, 1))
    target = tmp_path / "ops.xlsx"
    export_xlsx(register, target)
    sheet = openpyxl.load_workbook(target).active
    assert "小王、小李" in [cell.value for cell in sheet[2]]
    before = register_state(register)
    plan = plan_import(register, target)
    assert plan.counts()["unchanged"] == 1
    commit_import(register, plan)
    assert register_state(register) == before
