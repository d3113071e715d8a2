"""The bundle's cold start beside the venv's: ``dist/nmdesk/nmdesk --path <register>``
and ``python main.py --path <register>`` started one after the other in each round,
under ``QT_QPA_PLATFORM=offscreen`` with ``NMDESK_STARTUP_PROBE`` set, to the first
paint of the main window on the 100,000-account register (median over the rounds,
one discarded warm-up round of each first). Target: the bundle ≤ 1.5× the venv.

Measured only when the bundle exists (``make dist``); otherwise the row says so.

    python -m benchmarks bundle [--rounds N]
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
BUNDLE = ROOT / "dist" / "nmdesk" / ("nmdesk.exe" if os.name == "nt" else "nmdesk")
RATIO_MAX = 1.5
WHAT = "打包程序（PyInstaller 目录包）冷启动到主窗口首次绘制，对比 venv"
TARGET = f"≤ {RATIO_MAX:g}× venv 冷启动（同轮交替测量）"


def _spawn(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawn to the first paint the probe reports."""
    start = time.time()
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[:2] == ["NMDESK_PROBE", "paint"]:
            return float(parts[2]) - start
    raise RuntimeError(f"{command[0]} 没有报告首次绘制：{result.stdout}\n{result.stderr}")


def run(quick: bool, rounds: int | None = None) -> list[dict[str, Any]]:
    if not BUNDLE.exists():
        return [
            row(WHAT, None, None, TARGET, None, "s",
                note=f"未测量：没有打包程序 {BUNDLE.relative_to(ROOT)}（先运行 make dist）")
        ]  # fmt: skip
    path, _built = large_register()
    rounds = rounds or (3 if quick else 7)
    with tempfile.TemporaryDirectory(prefix="nmdesk-bench-bundle-") as home:
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            XDG_CONFIG_HOME=home,
            NMDESK_STARTUP_PROBE="1",
            PYTHONPYCACHEPREFIX=str(OUT / "pycache"),
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        bundle = [str(BUNDLE), "--path", str(path)]
        venv = [sys.executable, "main.py", "--path", str(path)]
        _spawn(bundle, env)
        _spawn(venv, env)
        ours: list[float] = []
        base: list[float] = []
        for _ in range(rounds):
            ours.append(_spawn(bundle, env))
            base.append(_spawn(venv, env))
    measured, baseline = median(ours), median(base)
    return [
        row(
            WHAT, measured, baseline, TARGET, measured <= RATIO_MAX * baseline, "s",
            runs=[round(x, 3) for x in ours], baseline_runs=[round(x, 3) for x in base],
        )
    ]  # fmt: skip


def main(argv: list[str]) -> int:
    from benchmarks.__main__ import run_module

    return run_module("bundle", run, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
