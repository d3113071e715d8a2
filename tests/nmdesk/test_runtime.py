"""nmdesk/runtime.py: the collector paused for bulk jobs, resumed as it was."""

from __future__ import annotations

import gc
import threading

from nmdesk.runtime import collections_paused


def test_overlapping_jobs_resume_the_collector_when_the_last_one_ends() -> None:
    inside, release = threading.Event(), threading.Event()

    def job() -> None:
        with collections_paused():
            inside.set()
            release.wait(5)

    assert gc.isenabled()
    worker = threading.Thread(target=job)
    with collections_paused():
        assert not gc.isenabled()
        worker.start()
        assert inside.wait(5)
    assert not gc.isenabled()  # the worker's job still runs
    release.set()
    worker.join()
    assert gc.isenabled()


def test_a_collector_the_program_turned_off_stays_off() -> None:
    gc.disable()
    try:
        with collections_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_store_no_longer_pauses_the_collector() -> None:
    from nmdesk.store import bulk

    assert not hasattr(bulk, "collections_paused")
