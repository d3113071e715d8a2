"""Loading pypinyin without stalling the window.

pypinyin reads its 2.5 MB phrase dictionary (``phrases_dict.json``) with a single
``json.loads`` when it is first imported: about 130 ms in one C call, during which
the importing thread holds the GIL. The desk imports pypinyin on a background
thread after the first paint (``ui/warm_up.py``), and that one call still froze the
window for as long. Here pypinyin is imported with ``PYPINYIN_NO_PHRASES`` (its own
switch for "no phrase dictionary") and the same file is then parsed in pieces of
about 64 KB, each added to pypinyin's phrase dictionary and its segmenter as
pypinyin's ``load_phrases_dict`` would; the GIL is released between pieces. The
result is the same dictionary (a test compares it with pypinyin's own load).

Memory: the 47,000 phrases hold about 200,000 one-syllable lists such as ``["xué"]``;
loaded by ``json`` each is its own list (43 MB in all). pypinyin only ever reads a
phrase's value through ``deepcopy``, so equal syllable lists are shared here (about
15 MB), and ``PYPINYIN_NO_DICT_COPY`` keeps pypinyin from holding a second copy of its
dictionaries (nmdesk never adds to them).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

PHRASE_PIECE_CHARS = 64_000
# Between two entries of pypinyin's phrases_dict.json: the end of one value (a list),
# the comma, and the opening quote of the next key. Inside a value, lists follow
# lists (``],\n[``) and strings follow strings (``",\n"``), so this marks only entries.
_ENTRY_BOUNDARY = '],\n"'

_lock = threading.Lock()
_loaded: ModuleType | None = None


def load_pypinyin() -> ModuleType:
    """The ``pypinyin`` module with its full phrase dictionary; safe from any thread."""
    global _loaded
    if _loaded is not None:
        return _loaded
    with _lock:  # a second caller waits for the whole dictionary, never a part of it
        if _loaded is None:
            _loaded = _import_in_pieces()
    return _loaded


def _import_in_pieces() -> ModuleType:
    if "pypinyin.constants" not in sys.modules:
        switches = ("PYPINYIN_NO_PHRASES", "PYPINYIN_NO_DICT_COPY")
        previous = {name: os.environ.get(name) for name in switches}
        os.environ.update(dict.fromkeys(switches, "1"))
        try:
            import pypinyin.constants  # reads the switches once, here
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    import pypinyin
    from pypinyin.constants import PHRASES_DICT
    from pypinyin.seg import mmseg

    if not PHRASES_DICT:  # not already loaded whole by someone importing pypinyin first
        syllables: dict[tuple[str, ...], list[str]] = {}
        for piece in phrase_pieces(phrases_file(pypinyin)):
            for phrase, readings in piece.items():
                PHRASES_DICT[phrase] = [syllables.setdefault(tuple(r), r) for r in readings]
            mmseg.seg.train(iter(piece))
    return pypinyin


def phrases_file(pypinyin: ModuleType) -> Path:
    assert pypinyin.__file__ is not None
    return Path(pypinyin.__file__).with_name("phrases_dict.json")


def phrase_pieces(path: Path) -> Iterator[dict[str, list[list[str]]]]:
    """The phrase dictionary in pieces of about ``PHRASE_PIECE_CHARS`` characters.

    A file whose layout is not the one expected is read whole, as pypinyin does."""
    text = path.read_text(encoding="utf-8").strip()
    if not (text.startswith("{") and text.endswith("}")) or _ENTRY_BOUNDARY not in text:
        yield json.loads(text)
        return
    body = text[1:-1]
    start = 0
    while start < len(body):
        boundary = body.find(_ENTRY_BOUNDARY, start + PHRASE_PIECE_CHARS)
        end = len(body) if boundary < 0 else boundary + 1  # keep the closing bracket
        yield json.loads("{" + body[start:end] + "}")
        start = end + 1  # past the comma
