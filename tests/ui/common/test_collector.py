"""Cyclic garbage dies on Qt's main thread, never on a worker (ui.common.collector)."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

from nmdesk.runtime import collections_paused
from ui.common.collector import MainThreadCollector, install_collector


class Cycle:
    """An object in a reference cycle that notes the thread it is destroyed on."""

    died_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cycle.died_on.append(threading.current_thread().name)


def test_the_automatic_collector_is_off_and_a_bulk_job_does_not_turn_it_on(qapp) -> None:
    collector = install_collector(qapp)
    assert install_collector(qapp) is collector
    assert qapp.findChildren(MainThreadCollector) == [collector]
    assert not gc.isenabled()
    with collections_paused():
        assert collector.collect() == 0  # a bulk job holds collections back
    assert not gc.isenabled()


def test_garbage_made_on_the_main_thread_dies_there_whatever_a_worker_allocates(
    qtbot, qapp, monkeypatch
) -> None:
    from ui.common import warm_up

    collector = install_collector(qapp)
    if warm_up._started:  # a window of an earlier test started it: its end freezes all
        qtbot.waitUntil(warm_up.finished.is_set, timeout=60_000)
    Cycle.died_on.clear()
    Cycle()  # unreachable at once, but only the cyclic collector can free it

    def allocate() -> None:  # a worker laying out a PDF: many tracked containers
        for _ in range(50):
            kept = [(n, [n]) for n in range(20_000)]
            del kept

    worker = threading.Thread(target=allocate, name="nmdesk-register")
    worker.start()
    worker.join()
    assert Cycle.died_on == []  # the worker's allocations collected nothing
    monkeypatch.setattr(collector, "threshold", (0, 0, 0))  # the next tick: every generation
    qtbot.waitUntil(lambda: Cycle.died_on != [], timeout=5_000)
    assert Cycle.died_on == [threading.main_thread().name]
