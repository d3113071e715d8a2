"""The Python runtime around nmdesk's long jobs: the cyclic garbage collector.

``collections_paused`` pauses the collector while a bulk job (a ledger import, a
publish, the desk's warm-up) makes objects that live until it ends;
``freeze_long_lived`` moves what lives as long as the process (modules, classes,
dictionaries) out of the collector's generations; ``collect_on_one_thread`` turns
the automatic collector off for good, for a program that collects on one thread
of its own (the desktop program: Qt's main thread, ``ui.common.collector``).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False
_collected_by_caller = False  # collect_on_one_thread: never turn the automatic one on


@contextmanager
def collections_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a bulk job (an import of thousands of
    rows), and resumed as it was when the last such job ends (safe across threads).

    A bulk job makes hundreds of thousands of objects that live until it ends (rows,
    audit entries); every so often the collector walks them all, in vain. Objects no
    longer referenced are still freed at once; only reference cycles wait for the end."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled and not _collected_by_caller:
                gc.enable()


def collections_are_paused() -> bool:
    """Whether a bulk job has the collector paused now (``collections_paused``)."""
    with _gc_lock:
        return _gc_pausers > 0


def collect_on_one_thread() -> None:
    """Turn the automatic collector off for the rest of the process: the caller runs
    the collections itself, on the one thread where that is safe."""
    global _collected_by_caller
    with _gc_lock:
        _collected_by_caller = True
        gc.disable()


def freeze_long_lived() -> None:
    """Move every object alive now out of the collector's generations: a full
    collection no longer walks them (call it once what lives as long as the process
    is loaded)."""
    gc.freeze()
