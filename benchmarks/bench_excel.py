"""Excel in and out: import a ledger, export the register, next to the raw libraries.

Import: a generated ledger (title rows, merged unit cells, text dates, phones in
several forms) is read with a raw python-calamine pass, then planned and
committed by nmdesk. Export: a large register (``nmdesk.demo_large``) is
exported by nmdesk, next to a raw openpyxl write-only pass over the very same
values. Prints a Markdown table of rows per second.

    python -m benchmarks.bench_excel           # quick: 1,000-row ledger, 10,000 accounts
    python -m benchmarks.bench_excel --full    # 10,000-row ledger, 100,000 accounts
    python -m benchmarks excel [--full]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
LEDGER_HEADERS = [
    "序号", "开设单位", "平台", "账号类型", "账号名称", "账号 ID 号", "开通时间", "级别", "用途",
    "单位负责人", "职务", "办公电话", "手机", "邮箱", "运维负责人", "手机", "备注",
]  # fmt: skip
PLATFORMS = [("微信", "订阅号"), ("微博", "机构认证"), ("抖音", "企业号"), ("B站", "机构号"),
             ("小红书", "企业号"), ("快手", "机构号")]  # fmt: skip
DATES = ["2019年3月", "2019.03", "2017年", "2016-9-1", "2020/10", "2021-05-20"]
PHONES = ["139 1111 {0:04d}", "+86 1391112{0:04d}", "138-2222-{0:04d}", "1370000{0:04d}"]


def write_ledger(path: Path, rows: int, seed: int = 7) -> Path:
    """A ledger of ``rows`` accounts, 8 per unit, with the unit cell merged down."""
    import datetime as dt

    import openpyxl

    rng = random.Random(seed)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "账号台账"
    ws["A1"] = "新媒体公共账号台账"
    ws["A2"] = "填报单位：党委宣传部"
    ws.append(LEDGER_HEADERS)
    per_unit = 8
    for index in range(rows):
        unit_no, offset = divmod(index, per_unit)
        platform, kind = PLATFORMS[index % len(PLATFORMS)]
        opened: Any = DATES[index % len(DATES)]
        if index % 7 == 0:
            opened = dt.datetime(2015 + index % 9, 1 + index % 12, 1 + index % 28)
        ws.append([
            index + 1, f"第{unit_no + 1}学院" if offset == 0 else None, platform, kind,
            f"账号{index + 1}号{rng.choice('新闻青年视界资讯')}", f"id{index + 1:07d}", opened,
            "二级", "发布新闻与通知" * rng.randint(1, 5), f"负责人{unit_no}", "院长",
            "010-68912345", PHONES[index % len(PHONES)].format(index % 10000), "",
            f"运维{unit_no}", PHONES[(index + 1) % len(PHONES)].format(index % 10000), "",
        ])  # fmt: skip
        if offset == per_unit - 1 or index == rows - 1:
            first = 4 + unit_no * per_unit
            ws.merge_cells(f"B{first}:B{4 + index}")
    ws.append(["合计", None, None, None, f"{rows} 个账号"])
    wb.save(path)
    return path


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _row(name: str, rows: int, seconds: float) -> dict[str, Any]:
    return {"name": name, "rows": rows, "seconds": round(seconds, 3),
            "rows_per_s": round(rows / seconds) if seconds > 0 else 0}  # fmt: skip


def bench_import(folder: Path, rows: int) -> list[dict[str, Any]]:
    from python_calamine import CalamineWorkbook

    from nmdesk.excel.ledger_import import commit_import, plan_import
    from nmdesk.store import Register

    ledger = write_ledger(folder / f"ledger-{rows}.xlsx", rows)

    def raw_read() -> int:
        with CalamineWorkbook.from_path(str(ledger)) as workbook:
            return len(workbook.get_sheet_by_index(0).to_python())

    results = []
    seconds, _ = _timed(raw_read)
    results.append(_row("导入：python-calamine 原始读取", rows, seconds))
    path = folder / f"import-{rows}.nmdesk"
    for leftover in folder.glob(f"import-{rows}.nmdesk*"):
        leftover.unlink()
    with Register.create(path, "bit", actor="bench") as register:
        seconds, plan = _timed(lambda: plan_import(register, ledger))
        assert plan.counts()["new"] == rows, plan.counts()
        results.append(_row("导入：nmdesk 读取与检查（预览）", rows, seconds))
        seconds, _ = _timed(lambda: commit_import(register, plan))
        results.append(_row("导入：nmdesk 写入（一个事务）", rows, seconds))
        seconds, again = _timed(lambda: plan_import(register, ledger))
        assert again.counts()["unchanged"] == rows
        results.append(_row("导入：再次导入同一文件（无变化）", rows, seconds))
    return results


def _export_register(accounts: int) -> Path:
    from nmdesk.demo_large import build_large_register

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"excel-{accounts}.nmdesk"
    if not path.exists():
        built_by_table_bench = OUT / f"table-{accounts}.nmdesk"  # same generator, same rows
        if built_by_table_bench.exists():
            shutil.copyfile(built_by_table_bench, path)
        else:
            build_large_register(path, accounts)
    return path


def bench_export(folder: Path, accounts: int) -> list[dict[str, Any]]:
    from openpyxl import Workbook

    from nmdesk.excel.export import COLUMNS, _records, export_csv, export_ids, export_xlsx
    from nmdesk.store import Register

    results = []
    with Register.open(_export_register(accounts), actor="bench", auto_backup=False) as register:
        ids = export_ids(register)
        values = list(_records(register, ids, None, None))

        def raw_write() -> None:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("raw")
            sheet.append([title for title, _key, _width in COLUMNS])
            for row in values:
                sheet.append(row)
            workbook.save(folder / "raw.xlsx")

        seconds, _ = _timed(raw_write)
        results.append(_row("导出：openpyxl 只写模式原始写入（同一数据）", len(ids), seconds))
        seconds, count = _timed(lambda: export_xlsx(register, folder / "export.xlsx", ids=ids))
        results.append(_row("导出：nmdesk xlsx（查询、样式、日期、防公式）", count, seconds))
        seconds, count = _timed(lambda: export_csv(register, folder / "export.csv", ids=ids))
        results.append(_row("导出：nmdesk CSV", count, seconds))
    return results


def run(quick: bool) -> list[dict[str, Any]]:
    """Measure import and export; quick mode uses a 1,000-row ledger and 10,000 accounts."""
    rows, accounts = (1_000, 10_000) if quick else (10_000, 100_000)
    with tempfile.TemporaryDirectory(prefix="bench-excel-") as temp:
        folder = Path(temp)
        return bench_import(folder, rows) + bench_export(folder, accounts)


def print_table(results: list[dict[str, Any]]) -> None:
    print("| 项目 | 行数 | 秒 | 行/秒 |")
    print("|---|---:|---:|---:|")
    for item in results:
        print(f"| {item['name']} | {item['rows']:,} | {item['seconds']:.2f} | "
              f"{item['rows_per_s']:,} |")  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_excel")
    parser.add_argument("--full", action="store_true",
                        help="10,000 行台账导入、100,000 个账号导出（默认为快速模式）")  # fmt: skip
    args = parser.parse_args(argv)
    print_table(run(quick=not args.full))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
