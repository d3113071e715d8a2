"""A guard against a reference-counting bug in the pinned Qt binding.

PySide6 6.12.0 on CPython 3.11 returns None from void methods without a new
reference, so every call such as ``label.setText(...)`` lowers None's reference
count by one. After some hundred thousand calls (a long session, or a test run)
the count reaches zero and Python aborts with "none_dealloc: deallocating None",
even at interpreter exit. CPython 3.12 made None immortal, and PySide6 6.11 does
not have the bug; but 6.11's QtPdf only comes in PySide6-Addons, which pulls in
QtWebEngine (~440 MB), so nmdesk stays on 6.12 Essentials + Pdf.

When (and only when) the bug is present, the guard raises None's reference count
by 2**40 once, which no session can exhaust: None behaves as it does on 3.12.

``Signal.emit`` has the same bug with its result: every emit drops a reference
to True (a stack of 40 scans read and received on a worker emits progress per
page, and a test run aborted with "bool_dealloc" at exit). True and False get the
same margin when emit is seen to leak them.
"""

from __future__ import annotations

import ctypes
import sys

IMMORTAL_MARGIN = 1 << 40


def none_refcount_leaks() -> bool:
    """Whether calling a void Qt method loses a reference to None."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(200):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 100


def guard_none_refcount() -> bool:
    """Make None effectively immortal if the binding leaks it; True if the guard was needed."""
    if not none_refcount_leaks():
        return False
    if sys.getrefcount(None) < IMMORTAL_MARGIN:
        ctypes.c_ssize_t.from_address(id(None)).value += IMMORTAL_MARGIN
    return True


def bool_refcount_leaks() -> bool:
    """Whether emitting a Qt signal loses a reference to True (its result)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        fired = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(200):
        probe.fired.emit()
    return sys.getrefcount(True) < before - 100


def guard_bool_refcount() -> bool:
    """Make True and False effectively immortal if emit leaks them; True if it was needed."""
    if not bool_refcount_leaks():
        return False
    for value in (True, False):
        if sys.getrefcount(value) < IMMORTAL_MARGIN:
            ctypes.c_ssize_t.from_address(id(value)).value += IMMORTAL_MARGIN
    return True
