"""When a file dialog has finished looking at its folder, for the file dialog tests and
their worker scripts (which import it from this folder)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QFileDialog, QFileSystemModel

NEVER_LISTED = 3  # a worker script's exit status when its dialog never listed the folder


def folder_settled(dialog: QFileDialog, names: Iterable[str]) -> bool:
    """True once the dialog's model holds ``names`` and every entry of the folder has its
    type name: the icon provider has then seen every file, so a dialog that sniffs files
    (Qt's own) has opened them by now."""
    model = dialog.findChild(QFileSystemModel)
    if model is None:
        return False
    root = model.index(dialog.directory().absolutePath())
    entries = [model.index(row, 0, root) for row in range(model.rowCount(root))]
    listed = {model.fileName(entry) for entry in entries}
    return set(names) <= listed and all(model.type(entry) for entry in entries)
