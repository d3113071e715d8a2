"""Warm-up after the main window painted: the modules and data a first action needs
(the account form, simplified-Chinese conversion for name checks, pinyin for search
text, reportlab and openpyxl) are loaded on a background thread, so the clerk's
first Enter on an account, or first print, does not wait for imports. Imports and
table loading only; no Qt object is created off the GUI thread. Runs once per process."""

from __future__ import annotations

import importlib
import threading

# nmdesk.forms brings reportlab (~0.2 s of imports), which the first print would wait
# for; the review's packets bring openpyxl (~0.15 s), which the first annual review,
# import or export would wait for.
MODULES = (
    "ui.desk.account_form",
    "nmdesk.entry",
    "nmdesk.names",
    "nmdesk.forms",
    "nmdesk.review.packets",
)
_started = False
finished = threading.Event()  # set when the warm-up is over (the start-up probe waits for it)


def _warm() -> None:
    from nmdesk.runtime import collections_paused, freeze_long_lived

    # The warm-up makes about 200,000 objects that live as long as the process; the
    # collector, left on, walked them again and again while they were made (full
    # collections of 40-60 ms each, holding the interpreter lock: the window froze).
    with collections_paused():
        try:
            for name in MODULES:
                importlib.import_module(name)
            from nmdesk.names import normalize
            from nmdesk.store.search import pinyin_initials

            normalize("預熱")  # loads the traditional → simplified table
            pinyin_initials("预热")  # loads pypinyin's dictionaries
            from nmdesk.forms.text import register_fonts

            register_fonts()  # parses the bundled TrueType fonts for reportlab (~0.2 s)
        except Exception:  # a warm-up failure only means the first action loads it itself
            pass
        # Modules, classes and dictionaries live as long as the process: moved out of the
        # collector's generations, a full collection no longer walks them (a pause of tens
        # of milliseconds at 100,000 accounts, e.g. in the middle of scrolling).
        freeze_long_lived()
    finished.set()


def start() -> None:
    global _started
    if _started:
        return
    _started = True
    threading.Thread(target=_warm, name="nmdesk-warm-up", daemon=True).start()
