"""How search text is cut into the tokens both engines' indexes hold (a leaf module:
``nmdesk.store.search`` and ``nmdesk.store.dialect`` use it)."""

from __future__ import annotations

import itertools


def spaced_characters(text: str | None) -> str:
    """Every character a token of its own: ``王伟 bit`` → ``王 伟 b i t``.

    ``str.split()`` drops exactly the characters ``str.isspace`` calls whitespace, so
    this is the character-by-character filter, done in C (the triggers call it per row)."""
    return " ".join("".join(text.split())) if text else ""


def fts_phrase(text: str) -> str:
    """Text as one FTS5 phrase (quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'


def short_grams(text: str) -> list[str]:
    """The one- and two-character grams of a search text, for the server's index of
    short queries: the characters FTS5's unicode61 tokenizer keeps as tokens (letters
    and digits; spaces and punctuation dropped, as ``spaced_characters`` and the
    tokenizer drop them), each alone and with the next."""
    kept = [ch for ch in text if ch.isalnum()]
    return sorted({*kept, *(a + b for a, b in itertools.pairwise(kept))})
