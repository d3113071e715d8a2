"""CSV and text ledgers (issue 17): the clerk's choice of encoding and delimiter over the
detected ones, and a CSV's unit column filled down as a merged cell would be."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from nmdesk.cli import main
from nmdesk.excel.ledger_import import Verdict, commit_import, plan_import
from nmdesk.excel.reader import ExcelFileError, read_sheet
from nmdesk.store import Register

_HEADERS = ["开设单位", "平台", "账号类型", "账号名称", "微信号/账号ID"]
# saved from an Excel ledger whose unit cells were merged down over their accounts
_MERGED_AS_CSV = [
    ["信息与电子学院", "微信", "订阅号", "北理工信电", "bit_ie"],
    ["", "微博", "机构认证", "北理工信电微博", "bit_ie_wb"],
    ["", "抖音", "企业号", "北理工信电抖音", "bit_ie_dy"],
    ["机械与车辆学院", "微信", "订阅号", "北理工机车", "bit_mv"],
    ["", "微博", "机构认证", "北理工机车微博", "bit_mv_wb"],
    ["", "", "", "", ""],
    ["", "B站", "", "无单位的账号", "bit_none"],
]


def _write_csv(
    path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(_HEADERS)
        writer.writerows(rows)
    return path


@pytest.fixture
def register(tmp_path: Path):
    with Register.create(tmp_path / "r.nmdesk", "bit", actor="t") as opened:
        yield opened


def test_a_blank_unit_under_a_filled_one_takes_the_unit_above_and_the_preview_says_so(
    tmp_path, register
) -> None:
    ledger = _write_csv(tmp_path / "台账.csv", _MERGED_AS_CSV, "gbk")
    plan = plan_import(register, ledger)
    units = [(row.row_number, row.unit_name) for row in plan.rows]
    assert units[:5] == [
        (2, "信息与电子学院"),
        (3, "信息与电子学院"),
        (4, "信息与电子学院"),
        (5, "机械与车辆学院"),
        (6, "机械与车辆学院"),
    ]
    assert plan.units_filled_down == [3, 4, 6]
    assert "单位列有 3 个空格（第 3、4、6 行）已按上一行的单位填入，如同合并单元格，请核对" in (
        plan.warnings()
    )
    # a blank row ends the run: the account after it has no unit, and says so
    last = plan.rows[-1]
    assert last.verdict is Verdict.ERROR and "开设单位" in last.reason
    result = commit_import(register, plan)
    assert len(result.created) == 5
    units = {u.name: u.id for u in register.units.all()}
    assert {a.name for a in register.accounts.of_unit(units["信息与电子学院"])} == {
        "北理工信电",
        "北理工信电微博",
        "北理工信电抖音",
    }


def test_a_workbook_is_not_filled_down_where_the_cells_are_not_merged(tmp_path, register) -> None:
    book = openpyxl.Workbook()
    book.active.append(_HEADERS)
    for row in _MERGED_AS_CSV[:2]:
        book.active.append(row)
    book.save(tmp_path / "ledger.xlsx")
    plan = plan_import(register, tmp_path / "ledger.xlsx")
    assert plan.units_filled_down == []
    assert plan.rows[1].verdict is Verdict.ERROR


def test_the_clerks_encoding_and_delimiter_replace_the_detected_ones(tmp_path, register) -> None:
    ledger = _write_csv(tmp_path / "台账.csv", _MERGED_AS_CSV[:1], "gbk", ";")
    assert read_sheet(ledger).read_as == "GBK/GB18030 编码，分号分隔"
    as_big5 = read_sheet(ledger, encoding="big5", delimiter=";")
    assert as_big5.read_as == "Big5（繁体） 编码，分号分隔"
    assert as_big5.rows[1][0] != "信息与电子学院"  # the clerk sees the garbled text at once
    with pytest.raises(ExcelFileError, match="不能按 UTF-8 编码读取"):
        read_sheet(ledger, encoding="utf-8")
    one_column = read_sheet(ledger, delimiter=",")
    assert one_column.width == 1
    plan = plan_import(register, ledger, encoding="gb18030", delimiter=";")
    assert [row.verdict for row in plan.rows] == [Verdict.NEW]
    assert plan.read_as == "GBK/GB18030 编码，分号分隔"


def test_the_cli_takes_an_encoding_and_a_delimiter(tmp_path, capsys) -> None:
    ledger = _write_csv(tmp_path / "台账.txt", _MERGED_AS_CSV[:1], "gbk", "|")
    path = tmp_path / "cli.nmdesk"
    Register.create(path, "bit", actor="t").close()
    args = ["import", str(ledger), "--path", str(path), "--encoding", "gbk", "--delimiter", "|"]
    assert main(args) == 0
    assert "读取\t台账.txt：GBK/GB18030 编码，竖线分隔" in capsys.readouterr().out
    assert main([*args[:-1], "tab", "--dry-run"]) == 2
    assert "找不到表头" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse names the choices
        main([*args[:4], "--encoding", "ebcdic"])
    assert "gbk" in capsys.readouterr().err
