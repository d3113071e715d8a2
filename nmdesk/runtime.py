"""The Python runtime around nmdesk's long jobs: the cyclic garbage collector.

``collections_paused`` pauses the collector while a bulk job (a ledger import, a
publish, the desk's warm-up) makes objects that live until it ends;
``freeze_long_lived`` moves what lives as long as the process (modules, classes,
dictionaries) out of the collector's generations.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


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
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def freeze_long_lived() -> None:
    """Move every object alive now out of the collector's generations: a full
    collection no longer walks them (call it once what lives as long as the process
    is loaded)."""
    gc.freeze()
