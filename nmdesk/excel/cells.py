"""Cell values that are safe to write into a spreadsheet.

openpyxl writes a string starting with ``=`` as a live formula, and Excel and
LibreOffice also treat ``+``, ``-`` and ``@`` at the start of a CSV field as
one. Every string a user typed goes through ``safe_text`` before it is
written, so it stays text.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Prefix a formula-looking string with an apostrophe for CSV; return other text unchanged."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def set_text_cell(cell, value: str) -> None:  # type: ignore[no-untyped-def]
    """Write ``value`` into an openpyxl cell as a plain string, never as a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def cell_text(value: str) -> str:
    """Control and bidi characters written as ``\\x1b`` / ``\\u202e`` (an xlsx cannot hold
    the first, and the second make a name read wrong); only an older register holds them."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from nmdesk.text_rules import printable

    return str(ILLEGAL_CHARACTERS_RE.sub("", printable(value)))
