"""The register table on a large register: open time, scrolling and search latency.

Builds (once, then reuses) a register of 100,000 accounts in ``benchmarks/out/``
with ``nmdesk.demo_large``, then measures through the same code the main window
uses — ``AccountTableModel`` and ``register.accounts.ids`` — and, next to each
search, the very same SQL run on a plain ``sqlite3`` connection, so the cost of
nmdesk's own layers is visible. Prints a Markdown table.

    python -m benchmarks table [--accounts N] [--repeat N] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OUT = Path(__file__).resolve().parent / "out"
# (label, query text): 1-, 2- and 3-character Chinese, pinyin initials, an ID fragment.
SEARCHES = [
    ("1 字中文 王", "王"),
    ("2 字中文 王伟", "王伟"),
    ("2 字中文 学院", "学院"),
    ("3 字中文 计算机", "计算机"),
    ("4 字中文 学生会青", "学生会青"),
    ("拼音首字母 blg", "blg"),
    ("拼音首字母 jsjxy", "jsjxy"),
    ("账号ID片段 0012345", "0012345"),
]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time in milliseconds over ``repeat`` runs, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def ensure_register(accounts: int, rebuild: bool) -> tuple[Path, float | None]:
    from nmdesk.demo_large import build_large_register

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"table-{accounts}.nmdesk"
    if path.exists() and not rebuild:
        return path, None
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    start = time.perf_counter()
    build_large_register(path, accounts)
    return path, time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks table")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="重新生成测试备案库")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    from nmdesk.store import Register
    from nmdesk.store.search import AccountQuery, build_account_query
    from ui.account_table import COLUMN_KEYS, AccountTableModel

    app = QCoreApplication.instance() or QApplication([])
    path, built = ensure_register(args.accounts, args.rebuild)
    rows: list[tuple[str, str, str, str]] = []
    if built is not None:
        rows.append((f"生成 {args.accounts} 个账号的备案库", f"{built * 1000:.0f}", "", ""))

    # Opening: the register file, the id query, the first screen of rows.
    def open_table() -> tuple[Register, AccountTableModel]:
        register = Register.open(path, actor="bench", auto_backup=False)
        model = AccountTableModel(register)
        model.set_query(
            AccountQuery(rotation_days=register.profile.deadlines["password_rotation_days"])
        )
        for row in range(40):
            for column in range(len(COLUMN_KEYS)):
                model.index(row, column).data(Qt.ItemDataRole.DisplayRole)
        return register, model

    start = time.perf_counter()
    register, model = open_table()
    first_open = (time.perf_counter() - start) * 1000
    rows.append(("打开表格（首屏 40 行，首次）", f"{first_open:.1f}", "", str(model.rowCount())))
    register.close()
    open_ms, (register, model) = timed(open_table, 1)
    rows.append(("打开表格（首屏 40 行）", f"{open_ms:.1f}", "", str(model.rowCount())))

    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    # Scrolling: jump to random places and paint a screen of rows (cold chunks).
    rng = random.Random(1)
    total = model.rowCount()

    def jump() -> None:
        top = rng.randrange(max(total - 40, 1))
        for row in range(top, min(top + 40, total)):
            for column in range(len(COLUMN_KEYS)):
                model.index(row, column).data(Qt.ItemDataRole.DisplayRole)

    jump_ms, _ = timed(jump, max(args.repeat, 10))
    rows.append(("滚动：跳到随机位置并绘制 40 行", f"{jump_ms:.1f}", "", ""))

    # Sorting in SQL.
    for label, key in (("按账号名称排序", "name"), ("按开设单位排序", "unit")):
        column = COLUMN_KEYS.index("name" if key == "name" else "unit")
        ms, _ = timed(
            lambda c=column: (
                model.sort(c, Qt.SortOrder.DescendingOrder),
                model.sort(c, Qt.SortOrder.AscendingOrder),
            ),
            1,
        )
        query = AccountQuery(order_by=key)
        sql, params = build_account_query(query)
        raw_ms, _ = timed(lambda s=sql, p=params: raw.execute(s, p).fetchall(), args.repeat)
        rows.append((label + "（两次）", f"{ms:.1f}", f"{raw_ms * 2:.1f}", str(model.rowCount())))
    model.sort(0, Qt.SortOrder.AscendingOrder)

    # Search as you type: the store's ids() against the same SQL on sqlite3.
    for label, text in SEARCHES:
        query = AccountQuery(text=text)
        ms, found = timed(lambda q=query: register.accounts.ids(q), args.repeat)
        sql, params = build_account_query(query)
        raw_ms, raw_found = timed(lambda s=sql, p=params: raw.execute(s, p).fetchall(), args.repeat)
        assert len(found) == len(raw_found)
        model_ms, _ = timed(
            lambda q=query: (model.set_query(q), model.index(0, 4).data()), args.repeat
        )
        rows.append(
            (f"搜索 {label}", f"{ms:.1f}（表格 {model_ms:.1f}）", f"{raw_ms:.1f}", str(len(found)))
        )

    # The whole main window: table, filters, details, the board computed on a worker.
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow

    register.close()
    settings = QSettings(str(OUT / "bench-settings.ini"), QSettings.Format.IniFormat)
    start = time.perf_counter()
    register = Register.open(path, actor="bench", auto_backup=False)
    window = MainWindow(register, settings=settings)
    window.show()
    app.processEvents()
    shown = (time.perf_counter() - start) * 1000
    while window.board.loading and time.perf_counter() - start < 120:
        app.processEvents()
        time.sleep(0.01)
    board_ms = (time.perf_counter() - start) * 1000
    rows.append(("主窗口显示（含首屏、详情）", f"{shown:.0f}", "", str(window.model.rowCount())))
    rows.append(
        ("截止事项面板（后台计算完成）", f"{board_ms:.0f}", "", str(len(window.board.clocks)))
    )
    window.close()

    overdue = AccountQuery(overdue_only=True)
    ms, found = timed(lambda: register.accounts.ids(overdue), args.repeat)
    sql, params = build_account_query(overdue)
    raw_ms, _ = timed(lambda: raw.execute(sql, params).fetchall(), args.repeat)
    rows.append(("筛选 只看逾期", f"{ms:.1f}", f"{raw_ms:.1f}", str(len(found))))
    raw.close()
    register.close()
    del app

    print(f"\n### 备案表格基准（{args.accounts} 个账号，取 {args.repeat} 次中位数，毫秒）\n")
    print("| 操作 | nmdesk | 原生 sqlite3 | 结果行数 |")
    print("|---|---:|---:|---:|")
    for label, ours, bare, count in rows:
        print(f"| {label} | {ours} | {bare} | {count} |")
    print(f"\n备案库：{path}")
    return 0
