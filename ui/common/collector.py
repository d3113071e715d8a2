"""Python's cyclic garbage collector, run on Qt's main thread only.

Qt objects must be destroyed on the thread that owns them. The automatic collector
runs on whichever thread happens to allocate: a worker laying out a PDF (the print
preview, a batch) could find a closed window in a reference cycle and destroy it
there, and the process crashes (seen in the print preview's tests). So the
automatic collector is turned off and a timer on the main thread collects instead,
generation by generation, when Python would have (the same thresholds): the recipe
pyqtgraph and Spyder use. While a bulk job has collections paused
(``nmdesk.runtime.collections_paused``: an import, a publish), it waits, as the
automatic collector would.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from nmdesk.runtime import collect_on_one_thread, collections_are_paused

INTERVAL_MS = 1000


class MainThreadCollector(QObject):
    """The collector's timer (see the module); one per application."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        collect_on_one_thread()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect)
        self.timer.start(INTERVAL_MS)

    def collect(self) -> int:
        """Collect the generations over their threshold now; how many objects went."""
        if collections_are_paused():
            return 0
        young, middle, old = gc.get_count()
        found = 0
        if young > self.threshold[0]:
            found += gc.collect(0)
            if middle > self.threshold[1]:
                found += gc.collect(1)
                if old > self.threshold[2]:
                    found += gc.collect(2)
        return found


def install_collector(app: QObject) -> MainThreadCollector:
    """The application's collector, made the first time (``ui.app.make_app``)."""
    existing = app.findChild(MainThreadCollector)
    if isinstance(existing, MainThreadCollector):
        return existing
    return MainThreadCollector(app)
