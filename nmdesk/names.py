"""Protected-name matching that survives case, width, script and spacing.

BIT clause 7 forbids personal accounts named with the school's names; PKU-CoE
clause 2 puts every account whose name uses 北京大学/北大/PKU… in scope. A clerk
must find ``ＢＩＴ``, ``b i t``, ``Bit`` and ``北京大學`` alike, without flagging
``rabbit`` or ``bitcoin``.

Chinese keywords match as substrings of the normalised name (all spacing and
punctuation removed). Latin keywords match whole words: runs of single spaced
letters are joined first (``b i t`` → ``bit``), and a multi-word keyword
matches consecutive words (``Peking  University``).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_LATIN_WORD = re.compile(r"[a-z0-9]+")
_NOT_CJK_OR_ALNUM = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=1)
def _zhconv():  # type: ignore[no-untyped-def]
    """zhconv, made to open its dictionary beside its module (its fallback) instead of
    through setuptools' pkg_resources, whose import is slow and large (docs/performance.md)."""
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails
    try:
        import zhconv
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    return zhconv


def to_simplified(text: str) -> str:
    """Traditional characters to simplified, character by character."""
    if not text or text.isascii():
        return text
    converted: str = _zhconv().convert(text, "zh-cn")
    return converted


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, simplified characters, whitespace folded."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(to_simplified(folded).split())


def _latin_words(normalized: str) -> list[str]:
    words: list[str] = []
    pending_letters = ""
    for token in _LATIN_WORD.findall(normalized):
        if len(token) == 1 and token.isalpha():
            pending_letters += token
            continue
        if pending_letters:
            words.append(pending_letters)
            pending_letters = ""
        words.append(token)
    if pending_letters:
        words.append(pending_letters)
    return words


def _is_latin(keyword: str) -> bool:
    return all(ch.isascii() for ch in keyword)


def matched_keywords(name: str, keywords: Iterable[str]) -> list[str]:
    """The protected keywords that ``name`` uses, in the order given. Empty if none."""
    text = normalize(name)
    compact = _NOT_CJK_OR_ALNUM.sub("", text)
    words = _latin_words(text)
    found: list[str] = []
    for keyword in keywords:
        key = normalize(keyword)
        if _is_latin(key):
            key_words = _LATIN_WORD.findall(key)
            width = len(key_words)
            if width and any(
                words[i : i + width] == key_words for i in range(len(words) - width + 1)
            ):
                found.append(keyword)
        elif _NOT_CJK_OR_ALNUM.sub("", key) in compact:
            found.append(keyword)
    return found


def uses_protected_name(name: str, keywords: Iterable[str]) -> bool:
    return bool(matched_keywords(name, keywords))
