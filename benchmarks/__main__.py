"""Run benchmarks: ``python -m benchmarks`` runs every ``bench_*`` module,
``python -m benchmarks table --accounts 20000`` runs one with its own options.

Each module has ``main(argv: list[str]) -> int``.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def available() -> list[str]:
    folder = Path(__file__).resolve().parent
    return sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules([str(folder)])
        if info.name.startswith("bench_")
    )


def main(argv: list[str]) -> int:
    names = available()
    if argv and argv[0] in ("-h", "--help"):
        print("用法：python -m benchmarks [名称 [选项…]]；可用：" + "、".join(names))
        return 0
    if argv and not argv[0].startswith("-"):
        if argv[0] not in names:
            print(f"没有名为“{argv[0]}”的基准测试；可用：{'、'.join(names)}", file=sys.stderr)
            return 2
        selected, options = [argv[0]], argv[1:]
    else:
        selected, options = names, argv
    status = 0
    for name in selected:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        status = max(status, int(module.main(options)))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
