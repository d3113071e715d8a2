"""openpyxl: discarding a write-only sheet that will not be saved.

A write-only sheet streams its rows into a temporary file of openpyxl's; when an
export is cancelled or fails, ``sheet._writer.cleanup()`` (openpyxl 3.1) removes
that file at once. On other versions the sheet is only closed, and openpyxl
removes its temporary files when the process ends: the same files in the end.
"""

from __future__ import annotations

from typing import Any

from nmdesk.compat import installed_version, written_for

WRITTEN_FOR = ("3.1",)


def openpyxl_version() -> str:
    return installed_version("openpyxl")


def discard_write_only(sheet: Any) -> None:
    """Close a write-only sheet that will not be saved, removing its temporary file."""
    sheet.close()
    if written_for(openpyxl_version(), WRITTEN_FOR):
        sheet._writer.cleanup()
