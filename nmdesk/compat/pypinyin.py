"""pypinyin: loading it without stalling the window, and pinyin initials word by word.

pypinyin reads its 2.5 MB phrase dictionary (``phrases_dict.json``) with a single
``json.loads`` when it is first imported: about 130 ms in one C call, during which
the importing thread holds the GIL. The desk imports pypinyin on a background
thread after the first paint (``ui/common/warm_up.py``), and that one call still froze the
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

``initials`` gives the first letters of a text's pinyin as pypinyin's
``lazy_pinyin(text, style=FIRST_LETTER)`` does, computed per word with the words
cached (see ``initials``). Both reach into pypinyin's modules (its phrase
dictionary, its segmenter, its Chinese-character pattern); they were written for
pypinyin 0.55 (``WRITTEN_FOR``). On other versions pypinyin is imported as it
is and ``initials`` calls ``lazy_pinyin`` on the whole text: the same results.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from nmdesk.compat import installed_version, written_for

WRITTEN_FOR = ("0.55",)

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


def pypinyin_version() -> str:
    return installed_version("pypinyin")


def _internals_known() -> bool:
    return written_for(pypinyin_version(), WRITTEN_FOR)


def _import_in_pieces() -> ModuleType:
    if not _internals_known():
        import pypinyin as plain

        return plain
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


def initials(text: str) -> str:
    """``北理工学生会`` → ``blgxsh``: the first letters of ``text``'s pinyin (other
    characters kept as they are), as ``lazy_pinyin(text, style=FIRST_LETTER)``.

    pypinyin cuts the text into words (phrases of its dictionary, single characters,
    runs of other characters) and converts each word on its own, so the initials are
    computed per word, and words, which recur across thousands of account names
    (学院, 团委, 新闻 …), are cached: the same result, about three times faster for
    a bulk import of new names."""
    if not _internals_known():
        pypinyin = load_pypinyin()
        style = pypinyin.Style.FIRST_LETTER
        return "".join(pypinyin.lazy_pinyin(text, style=style, errors="default"))
    return "".join(run_initials(run) for run in _runs().findall(text))


@lru_cache(maxsize=65536)
def run_initials(run: str) -> str:
    """The initials of one run of Chinese (or of other) characters: its words' initials.
    ``_words`` cuts a text run by run, so this is the text's initials, run by run; runs
    recur across names (团委 in 北理工团委2024) and are cached."""
    return "".join(word_initials(word) for word in _words(run))


@lru_cache(maxsize=1)
def _runs() -> re.Pattern[str]:
    """Maximal runs of Chinese characters (as pypinyin tells them) or of other characters."""
    load_pypinyin()  # pypinyin loaded in pieces, before any of its modules
    from pypinyin.constants import RE_HANS

    chinese = RE_HANS.pattern.removeprefix("^(?:").removesuffix(")+$")  # one class: [...]
    assert chinese.startswith("[") and chinese.endswith("]"), chinese
    return re.compile(f"{chinese}+|[^{chinese[1:-1]}]+")


def _words(text: str) -> list[str]:
    """The words pypinyin's ``seg`` (pypinyin 0.55) cuts ``text`` into, without its loop
    over every character: runs of Chinese or other characters found by one regex, and
    each Chinese run cut by its phrase segmenter, as ``seg`` does."""
    load_pypinyin()  # the whole phrase dictionary first
    from pypinyin.constants import PHRASES_DICT, RE_HANS
    from pypinyin.seg import mmseg

    words: list[str] = []
    for run in _runs().findall(text):
        if PHRASES_DICT and RE_HANS.match(run):
            words.extend(mmseg.seg.cut(run))
        else:
            words.append(run)
    return words


@lru_cache(maxsize=65536)
def word_initials(word: str) -> str:
    pypinyin = load_pypinyin()
    from pypinyin.constants import RE_HANS

    if not RE_HANS.match(word):  # a run without Chinese characters (digits, Latin) stays as is
        return word
    return "".join(pypinyin.lazy_pinyin(word, style=pypinyin.Style.FIRST_LETTER, errors="default"))
