"""Run the benchmarks.

``python -m benchmarks`` (``make bench``) runs every ``bench_*`` module's
``run(quick=False)``, prints one table and writes it to ``BENCHMARKS.md``: for
each target of issue 7, the median of several runs, the baseline measured in the
same run, the ratio, the target and whether it is met.

``python -m benchmarks --quick`` runs the short variants and writes
``benchmarks/out/BENCHMARKS-quick.md``; ``python -m benchmarks NAME [options]``
runs one module's own ``main`` (e.g. ``python -m benchmarks table --help``).

Each module has ``run(quick: bool) -> list[dict]`` (keys ``what, measured,
baseline, ratio, target, met``, optionally ``unit`` and ``note``) and
``main(argv: list[str]) -> int``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import pkgutil
import platform
import sqlite3
import sys
import time
import traceback
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
# The order of the rows in BENCHMARKS.md follows the table.
ORDER = ["startup", "bundle", "table", "excel", "print", "review"]


def available() -> list[str]:
    folder = Path(__file__).resolve().parent
    names = [
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules([str(folder)])
        if info.name.startswith("bench_")
    ]
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def normalize(name: str, item: dict[str, Any]) -> dict[str, Any]:
    """A result row with every key the table needs, whatever shape the module returned."""
    row = dict(item)
    if "what" not in row and "publish_s" in row:  # bench_review before its row shape
        seconds = float(row["publish_s"])
        row.update(
            what=f"发布 {row.get('accounts', '?')} 个账号的年度复核",
            measured=seconds,
            baseline=None,
            ratio=None,
            target="≤ 3 s",
            met=seconds <= 3.0,
            unit="s",
        )
    row.setdefault("what", row.get("name", name))
    row.setdefault("measured", row.get("seconds"))
    row.setdefault("baseline", None)
    if "ratio" not in row:
        measured, baseline = row["measured"], row["baseline"]
        row["ratio"] = (
            measured / baseline
            if isinstance(measured, (int, float))
            and isinstance(baseline, (int, float))
            and baseline
            else None
        )
    row.setdefault("target", "—")
    row.setdefault("met", None)
    row.setdefault("unit", "s")
    row["module"] = name
    return row


def _number(value: Any, unit: str, missing: str = "—") -> str:
    if value is None:
        return missing
    if not isinstance(value, (int, float)):
        return str(value)
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:,.1f} {unit}"


def table_lines(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| 项目 | 实测（中位数） | 基线（同一次运行） | 比值 | 目标 | 达标 |",
        "|---|---:|---:|---:|---|:---:|",
    ]
    for row in rows:
        ratio = row["ratio"]
        ratio_text = "—" if not isinstance(ratio, (int, float)) else f"{ratio:.2f}×"
        met = {True: "✅ 是", False: "❌ 否", None: "—"}.get(row["met"], str(row["met"]))
        cells = [
            str(row["what"]).replace("|", "\\|"),
            _number(row["measured"], row["unit"], missing="未测量"),
            _number(row["baseline"], row["unit"]),
            ratio_text,
            str(row["target"]).replace("|", "\\|"),
            met,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def print_rows(rows: list[dict[str, Any]], name: str = "") -> None:
    print("\n".join(table_lines([normalize(name, r) for r in rows])))


def run_module(name: str, run: Any, argv: list[str]) -> int:
    """``python -m benchmarks NAME [--rounds N] [--quick]`` for a module whose whole
    output is its ``run(quick, rounds)`` rows."""
    import argparse

    parser = argparse.ArgumentParser(prog=f"python -m benchmarks {name}")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    print_rows(run(args.quick, args.rounds))
    return 0


def environment() -> str:
    try:
        from PySide6 import __version__ as qt
    except ImportError:  # pragma: no cover
        qt = "?"
    load = "/".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')}；"
        f"{os.cpu_count()} 个 CPU 核（与其他进程共用），开始时负载 {load}；"
        f"Python {platform.python_version()}，PySide6 {qt}，SQLite {sqlite3.sqlite_version}；"
        f"{platform.platform()}"
    )


def run_all(names: list[str], quick: bool) -> tuple[list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    log: list[str] = []
    for name in names:
        start = time.perf_counter()
        print(f"== {name} …", flush=True)
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            if hasattr(module, "run"):
                result = module.run(quick)
            else:  # a module without run(): its main's own output only
                module.main(["--quick"] if quick else [])
                result = []
            new = [normalize(name, item) for item in result]
        except Exception as exc:  # one broken benchmark must not hide the others
            traceback.print_exc()
            new = [
                normalize(
                    name,
                    {
                        "what": f"bench_{name}：运行失败（{type(exc).__name__}: {exc}）",
                        "measured": None,
                        "met": False,
                    },
                )
            ]
        elapsed = time.perf_counter() - start
        log.append(f"bench_{name}：{elapsed:.0f} s")
        print("\n".join(table_lines(new)), flush=True)
        print(f"   ({elapsed:.0f} s)", flush=True)
        rows.extend(new)
    return rows, log


def write_markdown(path: Path, rows: list[dict[str, Any]], log: list[str], quick: bool) -> None:
    met = sum(1 for r in rows if r["met"] is True)
    targets = sum(1 for r in rows if r["met"] is not None)
    parts = [
        "# nmdesk 性能基准（issue 7）",
        "",
        "由 `make bench`（`python -m benchmarks`）生成，请勿手工编辑数值。"
        + ("（快速模式，数值不代表正式目标。）" if quick else ""),
        "每一行是多次运行的中位数；基线在同一次运行中交替测量，比值 = 实测 ÷ 基线"
        "（每秒页数一行为 nmdesk 用时 ÷ 基线用时）。",
        "",
        f"运行环境：{environment()}",
        "",
        f"达标：{met} / {targets} 项有目标的行。",
        "",
        *table_lines(rows),
        "",
    ]
    notes = [(r["what"], r["note"]) for r in rows if r.get("note")]
    if notes:
        parts += ["## 说明", ""]
        parts += [f"- **{what}**：{note}" for what, note in notes]
        parts.append("")
    notes_file = Path(__file__).resolve().parent / "NOTES.md"
    if notes_file.exists():
        parts += [notes_file.read_text(encoding="utf-8").rstrip(), ""]
    parts += ["## 各模块用时", "", "；".join(log) + "。", ""]
    path.write_text("\n".join(parts), encoding="utf-8")


def main(argv: list[str]) -> int:
    names = available()
    if argv and not argv[0].startswith("-"):
        if argv[0] not in names:
            print(f"没有名为“{argv[0]}”的基准测试；可用：{'、'.join(names)}", file=sys.stderr)
            return 2
        module = importlib.import_module(f"benchmarks.bench_{argv[0]}")
        return int(module.main(argv[1:]))
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="运行全部基准测试并写出 BENCHMARKS.md；"
        f"“python -m benchmarks 名称 [选项…]”只运行一项（可用：{'、'.join(names)}）",
    )
    parser.add_argument("--quick", action="store_true", help="快速模式（较小规模、较少轮次）")
    parser.add_argument("--only", default="", help="只运行这些（逗号分隔）")
    parser.add_argument("--out", type=Path, default=None, help="Markdown 输出文件")
    args = parser.parse_args(argv)
    selected = [n for n in names if not args.only or n in args.only.split(",")]
    started = time.perf_counter()
    rows, log = run_all(selected, args.quick)
    log.append(f"合计 {time.perf_counter() - started:.0f} s")
    out = args.out or (
        ROOT / "benchmarks" / "out" / "BENCHMARKS-quick.md"
        if args.quick
        else ROOT / "BENCHMARKS.md"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_markdown(out, rows, log, args.quick)
    print(f"\n已写出 {out}")
    # unmet targets are reported in the table; only a benchmark that crashed fails
    return 1 if any("运行失败" in str(r["what"]) for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
