"""Start-up probe for the benchmarks: when ``NMDESK_STARTUP_PROBE`` is set, the
main window reports the wall-clock time of its table's first paint and the
process's memory on stdout, then quits once the deadlines board has loaded.

Only ``benchmarks/bench_startup.py`` sets the variable; without it nothing here runs.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

PREFIX = "NMDESK_PROBE"


def memory_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in kB, from /proc (0 where unavailable)."""
    values = {"VmRSS:": 0, "VmHWM:": 0}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                parts = line.split()
                if parts and parts[0] in values:
                    values[parts[0]] = int(parts[1])
    except OSError:
        pass
    return values["VmRSS:"], values["VmHWM:"]


class FirstPaint(QObject):
    """Prints ``NMDESK_PROBE paint <epoch seconds>`` at the first paint of ``target``."""

    def __init__(self, target: QObject, on_painted: Any = None) -> None:
        super().__init__(target)
        self.target = target
        self.on_painted = on_painted
        self.painted = False
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.painted and event.type() == QEvent.Type.Paint:
            self.painted = True
            print(f"{PREFIX} paint {time.time():.6f}", flush=True)
            if self.on_painted is not None:
                QTimer.singleShot(0, self.on_painted)
        return False


def watch(window: Any) -> None:
    """Report the first paint of the main window's table, memory, then quit."""
    modules = ("reportlab", "openpyxl", "python_calamine", "pypinyin", "zhconv", "xlsxwriter")

    def report(stage: str) -> None:
        rss, peak = memory_kb()
        loaded = ",".join(name for name in modules if name in sys.modules) or "-"
        print(f"{PREFIX} {stage} rss_kb={rss} peak_kb={peak} heavy={loaded}", flush=True)

    def painted() -> None:
        report("painted")
        board = getattr(window, "board", None)
        started = time.perf_counter()

        def settle() -> None:
            from ui.common import warm_up

            busy = (board is not None and board.loading) or not warm_up.finished.is_set()
            if busy and time.perf_counter() - started < 120:
                QTimer.singleShot(20, settle)
                return
            QTimer.singleShot(200, finish)

        settle()

    def finish() -> None:
        report("settled")
        window.close()
        QApplication.quit()

    window._startup_probe = FirstPaint(window.table.viewport(), painted)
