"""Excel in and out, each figure next to its baseline measured in the same run.

Issue 7's rows:

- import a 10,000-row ledger with validation: <= 0.5 s and (issue 17) <= 2x the
  physical limit, measured in the same rounds: a raw python-calamine read of the
  same file plus a raw write of the same rows into the same tables of a fresh
  register (same indexes and FTS5 triggers, one transaction, no checks, no audit);
  the ratio to the raw read alone is a reported row, and the same ledger is imported
  as an .xls saved by LibreOffice and as a GBK CSV, each next to its raw read.
  nmdesk's figure is the whole import a clerk waits for: read, normalise and check
  every row (the preview), then the commit in one transaction (every row audited,
  search index refreshed) into a fresh register;
- export 100,000 accounts to xlsx: <= 1.3x openpyxl write-only writing the same
  rows, already in memory, with no styles (the baseline). nmdesk's figure
  includes fetching the rows from the register.

The ledger is generated (title rows, merged unit cells, text dates, phones in
several forms); the register is ``nmdesk.demo_large``'s. Each figure is the
median of several rounds in which nmdesk and its baseline alternate. Parts
(preview, commit, re-import check, CSV) are reported too, without a target.

    python -m benchmarks.bench_excel           # quick: 1,000-row ledger, 10,000 accounts
    python -m benchmarks.bench_excel --full    # 10,000-row ledger, 100,000 accounts
    python -m benchmarks.bench_excel --full --only import   # the 10,000-row import alone
    python -m benchmarks excel [--full] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
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


IMPORT_LIMIT_S = 0.5
IMPORT_NOTE = (
    "未达标。0.5 s 的目标与物理极限本身相当：同一次运行中，python-calamine 原始读取加上把同样的行"
    "原始写入同样的表（单位 1,250、人员 2,500、账号 10,000、角色 20,000、搜索文本 10,000 行，"
    "同样的 12 个账号索引与三个 FTS5 索引，一个事务，不检查、不审计）就约 0.5 s，任何检查或审计"
    "都会超出。本轮（issue 17）：一次批量插入每 1,000 行记为一条审计记录（行集 row_set，迁移 0013），列出"
    "它写入的每一行及其值，由 SQLite 从已存储的行一次生成；verify 逐行核对行集，篡改行集或其中"
    "任一行都会被发现。时间去向（CPU 时间，4 轮取最小，10,000 行；改前 → 改后）：审计 0.37 s"
    "（33,750 条链节）→ 0.065 s（35 条）；搜索文本 0.35 → 0.29 s（拼音首字母的非汉字段不再逐段"
    "查缓存）；提交 1.43 → 0.97 s；合计 2.11 → 1.6 s，物理极限约 0.6 s：3.46× → 2.6–2.7×。剩余"
    "时间：读取 0.16 s 与逐格检查 0.5 s（预览）；写入中数据行 0.27 s（极限 0.23 s）、搜索文本"
    " 0.29 s（其中 FTS5 0.17 s 与极限相同）、逐行构造并按账号规则检查账号、人员与角色 0.25 s、"
    "文字规则 0.04 s、审计 0.065 s、提交及其余 0.06 s。预览随后又省下约 0.19 s：读取前的文件"
    "检查（量出工作表实际用到的行列）0.2 → 0.085 s，查找公式 0.019 → 0.004 s，逐格检查 0.17 →"
    " 0.155 s；预览超出原始读取的部分 0.5 → 0.35 s。剩下的主要是逐格检查（名称、账号 ID、手机号"
    "各不相同，每个值至少检查一次）与提交时的逐行构造，见 docs/performance.md。"
)
IMPORT_MAX_RATIO = 2.0
EXPORT_MAX_RATIO = 1.3


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _median(times: list[float]) -> float:
    return round(statistics.median(times), 4)


def _row(
    what: str, measured: float, baseline: float | None, target: str, met: bool | None
) -> dict[str, Any]:
    ratio = round(measured / baseline, 2) if baseline else None
    return {"what": what, "measured": measured, "baseline": baseline, "ratio": ratio,
            "target": target, "met": met}  # fmt: skip


# The tables a ledger import writes (besides audit_log); the FTS5 indexes follow by trigger.
IMPORT_TABLES = ("units", "people", "accounts", "role_assignments", "account_search")


def _stored_rows(register: Any) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every row of the tables an import writes, as stored: the physical limit's rows."""
    rows = {}
    for table in IMPORT_TABLES:
        cursor = register.db.conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
        rows[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    return rows


def _raw_write(register: Any, rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> None:
    """The physical limit's write: the same rows into the same tables of a fresh register
    (same indexes, same FTS5 triggers), one transaction, no checks, no audit.

    One ``executemany`` per table, except the search text: FTS5 flushes its pending terms
    at the end of every statement that fired its triggers, so an ``executemany`` of the
    10,000 search rows is several times slower than one INSERT … SELECT over a JSON array
    of the same rows (the row's note gives the figures); the limit is the faster of the
    two, as nmdesk's own write (``AccountStore.refresh_search``) is."""
    conn = register.db.conn
    conn.execute("BEGIN IMMEDIATE")
    for table, (names, values) in rows.items():
        if table == "account_search":
            picks = ", ".join(f"value ->> {index}" for index in range(len(names)))
            conn.execute(
                f"INSERT INTO {table} ({', '.join(names)}) SELECT {picks} FROM json_each(?)",
                [json.dumps(values, ensure_ascii=False)],
            )
            continue
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            values,
        )
    conn.execute("COMMIT")


def bench_import(folder: Path, rows: int, rounds: int) -> list[dict[str, Any]]:
    from python_calamine import CalamineWorkbook

    from nmdesk.compat import pypinyin as compat_pypinyin
    from nmdesk.excel.ledger_import import commit_import, plan_import
    from nmdesk.store import Register
    from nmdesk.store.search import pinyin_initials

    ledger = write_ledger(folder / f"ledger-{rows}.xlsx", rows)
    pinyin_initials("北京理工大学")  # load pypinyin's dictionaries once, as a running app has

    def raw_read() -> int:
        with CalamineWorkbook.from_path(str(ledger)) as workbook:
            return len(workbook.get_sheet_by_index(0).to_python())

    times: dict[str, list[float]] = {
        "raw": [], "plan": [], "commit": [], "again": [], "limit": [], "limit_write": []
    }  # fmt: skip
    stored: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    for round_no in range(rounds):
        # every round imports the same names: forget the initials cached in the last one
        pinyin_initials.cache_clear()
        compat_pypinyin.run_initials.cache_clear()
        compat_pypinyin.word_initials.cache_clear()
        times["raw"].append(_timed(raw_read)[0])
        path = folder / f"import-{rows}-{round_no}.nmdesk"
        with Register.create(path, "bit", actor="bench") as register:
            start = time.perf_counter()
            plan = plan_import(register, ledger)
            times["plan"].append(time.perf_counter() - start)
            assert plan.counts()["new"] == rows, plan.counts()
            start = time.perf_counter()
            commit_import(register, plan)
            times["commit"].append(time.perf_counter() - start)
            seconds, again = _timed(lambda: plan_import(register, ledger))
            assert again.counts()["unchanged"] == rows
            times["again"].append(seconds)
            if round_no == 0:
                assert register.audit.verify() == []
                stored = _stored_rows(register)
        # the physical limit, in the same round: raw read + raw write of the same rows
        with Register.create(folder / f"limit-{rows}-{round_no}.nmdesk", "bit") as bare:
            start = time.perf_counter()
            raw_read()
            read_done = time.perf_counter()
            _raw_write(bare, stored)
            end = time.perf_counter()
            times["limit"].append(end - start)
            times["limit_write"].append(end - read_done)
    raw, limit = _median(times["raw"]), _median(times["limit"])
    total = _median([p + c for p, c in zip(times["plan"], times["commit"], strict=True)])
    ratio_target = f"≤ {IMPORT_MAX_RATIO:g}× 物理极限（原始读取 + 原始 executemany，见下一行）"
    if rows == 10_000:
        target = f"≤ {IMPORT_LIMIT_S} s，且 {ratio_target}"
        met = total <= IMPORT_LIMIT_S and total <= IMPORT_MAX_RATIO * limit
    else:  # the time limit is for 10,000 rows (--full); a quick run checks the ratio only
        target = f"{ratio_target}（{IMPORT_LIMIT_S} s 的目标针对 10,000 行）"
        met = total <= IMPORT_MAX_RATIO * limit
    first = _row(f"导入 {rows:,} 行台账（读取、检查、一个事务写入）", total, limit, target, met)
    if rows == 10_000:
        first["note"] = IMPORT_NOTE
    counts = "、".join(f"{table} {len(values):,} 行" for table, (_n, values) in stored.items())
    limit_row = _row(
        "　物理极限：python-calamine 原始读取 + 同样的行原始 executemany 写入同样的表"
        "（同样的索引与 FTS5 触发器，一个事务，不检查、不审计）",
        limit, None, "—", None,
    )  # fmt: skip
    limit_row["note"] = (
        f"写入 {counts}；其中读取 {raw:.3f} s，写入 {_median(times['limit_write']):.3f} s"
    )
    return [
        first,
        limit_row,
        _row("　与原始读取相比（python-calamine 原始读取）", total, raw, "—", None),
        _row("　其中：读取与检查（预览）", _median(times["plan"]), raw, "—", None),
        _row("　其中：写入（审计、搜索索引）", _median(times["commit"]), raw, "—", None),
        _row("　再次导入同一文件（检查，全部无变化）", _median(times["again"]), raw, "—", None),
    ]


def bench_import_csv(folder: Path, rows: int, rounds: int) -> list[dict[str, Any]]:
    """The same ledger saved as GBK CSV (as Excel on a Chinese Windows saves it):
    nmdesk's whole import next to a raw read (decode + ``csv.reader``) of the file."""
    import csv
    import io

    from python_calamine import CalamineWorkbook

    from nmdesk.excel.ledger_import import commit_import, plan_import
    from nmdesk.store import Register

    workbook_path = folder / f"ledger-{rows}.xlsx"
    if not workbook_path.exists():
        write_ledger(workbook_path, rows)
    with CalamineWorkbook.from_path(str(workbook_path)) as workbook:
        grid = workbook.get_sheet_by_index(0).to_python()
    ledger = folder / f"ledger-{rows}-gbk.csv"
    with ledger.open("w", encoding="gbk", newline="") as handle:
        previous = ""
        writer = csv.writer(handle)
        for index, row in enumerate(grid):  # merged unit cells (column B) on every row,
            cells = ["" if value is None else str(value) for value in row]  # as Excel saves
            if index > 2 and not cells[1]:
                cells[1] = previous
            previous = cells[1]
            writer.writerow(cells)

    def raw_read() -> int:
        return len(list(csv.reader(io.StringIO(ledger.read_bytes().decode("gb18030")))))

    raw_times, import_times = [], []
    for round_no in range(rounds):
        raw_times.append(_timed(raw_read)[0])
        with Register.create(folder / f"csv-{rows}-{round_no}.nmdesk", "bit") as register:
            start = time.perf_counter()
            plan = plan_import(register, ledger)
            commit_import(register, plan)
            import_times.append(time.perf_counter() - start)
            assert plan.read_as.startswith("GBK"), plan.read_as
            assert plan.counts()["new"] == rows, plan.counts()
    return [
        _row(
            f"导入 {rows:,} 行 GBK 编码 CSV 台账（识别编码、读取、检查、写入）",
            _median(import_times),
            _median(raw_times),
            "— （基线：GBK 解码 + csv.reader 原始读取）",
            None,
        )
    ]


def _libreoffice_xls(workbook_path: Path, folder: Path) -> Path | None:
    """The ledger saved as .xls (Excel 97–2003) by LibreOffice headless, as offices that
    use LibreOffice or WPS send it; None where soffice is missing."""
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    out = folder / "xls"
    subprocess.run(
        [
            soffice, "--headless", "--norestore",
            f"-env:UserInstallation={(folder / 'libreoffice-profile').as_uri()}",
            "--convert-to", "xls", "--outdir", str(out), str(workbook_path),
        ],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return out / f"{workbook_path.stem}.xls"


def bench_import_xls(folder: Path, rows: int, rounds: int) -> list[dict[str, Any]]:
    """The same ledger saved as .xls by LibreOffice (merged unit cells kept): nmdesk's
    whole import (the container measured before calamine reads it, then read, check and
    write) next to a raw python-calamine read of the same .xls."""
    from python_calamine import CalamineWorkbook

    from nmdesk.excel.ledger_import import commit_import, plan_import
    from nmdesk.store import Register

    what = f"导入 {rows:,} 行 .xls 台账（LibreOffice 另存；检查文件、读取、检查、写入）"
    workbook_path = folder / f"ledger-{rows}.xlsx"
    if not workbook_path.exists():
        write_ledger(workbook_path, rows)
    ledger = _libreoffice_xls(workbook_path, folder)
    if ledger is None:
        row = _row(what, 0.0, None, "—", None)
        row["note"] = "未测：本机没有 LibreOffice（soffice），无法生成 .xls"
        return [row]

    def raw_read() -> int:
        with CalamineWorkbook.from_path(str(ledger)) as workbook:
            return len(workbook.get_sheet_by_index(0).to_python())

    raw_times, import_times = [], []
    for round_no in range(rounds):
        raw_times.append(_timed(raw_read)[0])
        with Register.create(folder / f"xls-{rows}-{round_no}.nmdesk", "bit") as register:
            start = time.perf_counter()
            plan = plan_import(register, ledger)
            commit_import(register, plan)
            import_times.append(time.perf_counter() - start)
            assert plan.counts()["new"] == rows, plan.counts()
    return [
        _row(
            what,
            _median(import_times),
            _median(raw_times),
            "— （基线：python-calamine 原始读取同一 .xls）",
            None,
        )
    ]


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


def bench_export(folder: Path, accounts: int, rounds: int) -> list[dict[str, Any]]:
    from openpyxl import Workbook

    from nmdesk.excel.export import COLUMNS, _records, export_csv, export_ids, export_xlsx
    from nmdesk.store import Register

    times: dict[str, list[float]] = {"raw": [], "xlsx": [], "csv": []}
    with Register.open(_export_register(accounts), actor="bench", auto_backup=False) as register:
        ids = export_ids(register)
        # the baseline's rows: the same display values nmdesk writes, fetched beforehand
        values = list(_records(register, ids, None, None))
        headers = [title for title, _key, _width in COLUMNS]

        def raw_write() -> None:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("raw")
            sheet.append(headers)
            for row in values:
                sheet.append(row)
            workbook.save(folder / "raw.xlsx")

        for _round in range(rounds):
            times["raw"].append(_timed(raw_write)[0])
            seconds, count = _timed(lambda: export_xlsx(register, folder / "export.xlsx", ids=ids))
            assert count == len(ids)
            times["xlsx"].append(seconds)
            times["csv"].append(
                _timed(lambda: export_csv(register, folder / "export.csv", ids=ids))[0]
            )
    raw, xlsx = _median(times["raw"]), _median(times["xlsx"])
    return [
        _row(
            f"导出 {len(ids):,} 个账号到 xlsx（查询、表头样式、日期、防公式）",
            xlsx,
            raw,
            f"≤ {EXPORT_MAX_RATIO:g}× 基线（openpyxl 只写模式写同样的行）",
            xlsx <= EXPORT_MAX_RATIO * raw,
        ),
        _row(f"　导出 {len(ids):,} 个账号到 CSV", _median(times["csv"]), raw, "—", None),
    ]


def run(quick: bool, rounds: int | None = None, only: str | None = None) -> list[dict[str, Any]]:
    """Measure import and export; quick mode uses a 1,000-row ledger and 10,000 accounts.
    ``only`` ("import" or "export") measures one of the two.

    Returns one dict per row: what, measured (s), baseline (s), ratio, target, met."""
    rows, accounts = (1_000, 10_000) if quick else (10_000, 100_000)
    import_rounds = rounds or 3
    export_rounds = rounds or 3
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-excel-") as temp:
        folder = Path(temp)
        if only in (None, "import"):
            results += bench_import(folder, rows, import_rounds)
            results += bench_import_xls(folder, rows, import_rounds)
            results += bench_import_csv(folder, rows, import_rounds)
        if only in (None, "export"):
            results += bench_export(folder, accounts, export_rounds)
    return results


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f} s"


def print_table(results: list[dict[str, Any]]) -> None:
    print("| 项目 | 实测 | 基线（同一次运行） | 比值 | 目标 | 达标 |")
    print("|---|---:|---:|---:|---|---|")
    for item in results:
        ratio = "—" if item["ratio"] is None else f"{item['ratio']:.2f}×"
        met = {True: "是", False: "否", None: "—"}[item["met"]]
        print(f"| {item['what']} | {_seconds(item['measured'])} | {_seconds(item['baseline'])} "
              f"| {ratio} | {item['target']} | {met} |")  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_excel")
    parser.add_argument("--full", action="store_true",
                        help="10,000 行台账导入、100,000 个账号导出（默认为快速模式）")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=None,
                        help="每项测几轮取中位数（默认 3 轮）")  # fmt: skip
    parser.add_argument("--only", choices=("import", "export"), default=None,
                        help="只测导入或只测导出（默认两者都测）")  # fmt: skip
    args = parser.parse_args(argv)
    print_table(run(quick=not args.full, rounds=args.rounds, only=args.only))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
