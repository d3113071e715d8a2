"""Cold start to the first painted main window on the 100,000-account register,
and the memory the process holds with it open.

Each round starts two fresh processes under ``QT_QPA_PLATFORM=offscreen``, one
after the other: ``main.py --path <register>`` (the real application, with
``NMDESK_STARTUP_PROBE`` set so ``ui/common/startup_probe.py`` prints the wall-clock time
of the table's first paint) and ``benchmarks/bare_window.py`` (a bare PySide6
window with one table, the baseline). The figure is the time from just before
the process is spawned to that first paint, the median over the rounds. After
the paint the application waits for the deadlines board (computed on a worker)
and the warm-up (modules, dictionaries and fonts loaded in the background)
and reports VmRSS from /proc/self/status; the memory row is the larger of the
two readings, median over rounds. One discarded warm-up round first, so the file
cache is warm for both and the bytecode is compiled (into ``benchmarks/out/pycache``,
as an installed nmdesk has it): a cold process, not a cold disk.

    python -m benchmarks startup [--rounds N]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.large import OUT, large_register, median, row

ROOT = Path(__file__).resolve().parent.parent
START_MAX_S = 1.0
START_MAX_RATIO = 2.5
RSS_MAX_MB = 250.0


def _spawn(args: list[str], env: dict[str, str]) -> tuple[float, dict[str, str]]:
    """Seconds from spawn to the first paint, and the probe's key=value reports."""
    start = time.time()
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    painted = None
    reports: dict[str, str] = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "NMDESK_PROBE":
            if parts[1] == "paint":
                painted = float(parts[2])
            else:
                for item in parts[2:]:
                    key, _, value = item.partition("=")
                    reports[f"{parts[1]}.{key}"] = value
    if painted is None:
        raise RuntimeError(f"{args[0]} 没有报告首次绘制：{result.stdout}\n{result.stderr}")
    return painted - start, reports


def run(quick: bool, rounds: int | None = None) -> list[dict[str, Any]]:
    path, _built = large_register()
    rounds = rounds or (3 if quick else 7)
    with tempfile.TemporaryDirectory(prefix="nmdesk-bench-startup-") as home:
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            XDG_CONFIG_HOME=home,  # window settings of the probe runs stay out of the user's
            NMDESK_STARTUP_PROBE="1",
            # compiled bytecode, as an installed nmdesk has it (kept out of the tree)
            PYTHONPYCACHEPREFIX=str(OUT / "pycache"),
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        app_args = ["main.py", "--path", str(path)]
        bare_args = [str(ROOT / "benchmarks" / "bare_window.py")]
        _spawn(app_args, env)
        _spawn(bare_args, env)
        ours: list[float] = []
        bare: list[float] = []
        rss: list[float] = []
        heavy = set()
        for _ in range(rounds):
            seconds, reports = _spawn(app_args, env)
            ours.append(seconds)
            rss.append(max(int(reports["painted.rss_kb"]), int(reports["settled.rss_kb"])) / 1024)
            heavy.update(x for x in reports["painted.heavy"].split(",") if x != "-")
            bare.append(_spawn(bare_args, env)[0])
    measured, baseline = median(ours), median(bare)
    rss_mb = median(rss)
    return [
        row(
            "冷启动到主窗口首次绘制（10 万账号备案库）",
            measured,
            baseline,
            f"≤ {START_MAX_S:g} s 中位数，且 ≤ {START_MAX_RATIO:g}× 基线"
            "（只有一个表格的空白 PySide6 窗口）",
            measured <= START_MAX_S and measured <= START_MAX_RATIO * baseline,
            "s",
            runs=[round(x, 3) for x in ours],
            baseline_runs=[round(x, 3) for x in bare],
            note="启动时未加载：reportlab、openpyxl、calamine、pypinyin、zhconv"
            if not heavy
            else f"启动时加载了：{'、'.join(sorted(heavy))}",
        ),
        row(
            "打开 10 万账号备案库时的内存（VmRSS，首屏后与截止事项面板算完、后台预载完成后取大者）",
            rss_mb,
            None,
            f"≤ {RSS_MAX_MB:g} MB",
            rss_mb <= RSS_MAX_MB,
            "MB",
            runs=[round(x, 1) for x in rss],
        ),
    ]


def main(argv: list[str]) -> int:
    from benchmarks.__main__ import run_module

    return run_module("startup", run, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
