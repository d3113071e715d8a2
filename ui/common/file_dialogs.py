"""File dialogs that never open a file: the only way nmdesk asks for a path.

POSIX locks belong to the process, and closing *any* descriptor on a file drops
all of them (sqlite.org/howtocorrupt.html §2.2). Qt's own file dialog shows a
folder's files with icons and type names taken from their MIME type, which it
guesses by opening each file and reading its first bytes. Shown on the folder
of the open register, it opened and closed ``office.nmdesk`` and its ``-wal``
and ``-shm``: SQLite's locks were gone, the next nmdesk process to close the
register thought it was the last one and deleted the ``-wal`` the window was
still writing into, and saves reported as saved were lost.

So every dialog here is Qt's widget dialog (never the platform's, which would
sniff the same way in this process) with ``QuietIconProvider``, which answers
from the name alone, and a filter that leaves SQLite's companion files
(``-wal``, ``-shm``, ``-journal``) and nmdesk's lock files out of the list.
On Windows the native dialog is kept: its locks belong to file handles, not to
the process. ``tests/ui/common/test_file_dialogs.py`` proves with the real dialog that SQLite's
locks survive it, and keeps every other module from calling ``QFileDialog``
directly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import ClassVar

from PySide6.QtCore import (
    QFileInfo,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QTranslator,
)
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QFileSystemModel,
    QStyle,
    QWidget,
)

from nmdesk.files import is_companion_file

Exec = Callable[[QFileDialog], int]


def _tr(text: str) -> str:
    return QApplication.translate("FileDialogs", text)


class QuietIconProvider(QAbstractFileIconProvider):
    """Icons and type names from a file's name alone; never opens or reads a file."""

    def __init__(self) -> None:
        super().__init__()
        style = QApplication.style()
        self._folder = style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        self._file = style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        self._drive = style.standardIcon(QStyle.StandardPixmap.SP_DriveHDIcon)

    def icon(self, which: object) -> QIcon:  # type: ignore[override]
        if isinstance(which, QFileInfo):
            return self._folder if which.isDir() else self._file
        if which == QAbstractFileIconProvider.IconType.Folder:
            return self._folder
        if which in (
            QAbstractFileIconProvider.IconType.Drive,
            QAbstractFileIconProvider.IconType.Computer,
            QAbstractFileIconProvider.IconType.Network,
        ):
            return self._drive
        return self._file

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return _tr("文件夹")
        suffix = info.suffix()
        return _tr("{0} 文件").format(suffix.upper()) if suffix else _tr("文件")


class _HideCompanions(QSortFilterProxyModel):
    """Leaves SQLite's -wal/-shm/-journal files and nmdesk's lock files out of the list."""

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if isinstance(model, QFileSystemModel):
            name = model.fileName(model.index(row, 0, parent))
            return not is_companion_file(name)
        return True


def _run(dialog: QFileDialog) -> int:
    return int(dialog.exec())


# Tests replace this to drive the real dialog (see tests/ui/common/test_file_dialogs.py).
exec_file_dialog: Exec = _run


def quiet_dialog(
    parent: QWidget | None,
    title: str,
    start: str,
    pattern: str = "",
    *,
    mode: QFileDialog.FileMode = QFileDialog.FileMode.ExistingFile,
    save: bool = False,
) -> QFileDialog:
    """A file dialog configured never to open a file (see the module docstring)."""
    dialog = QFileDialog(parent, title, start, pattern)
    dialog.setFileMode(mode)
    dialog.setAcceptMode(
        QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen
    )
    if sys.platform != "win32":
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
        provider = QuietIconProvider()
        dialog.setIconProvider(provider)
        dialog._quiet_provider = provider  # type: ignore[attr-defined]  # kept alive
        proxy = _HideCompanions(dialog)
        dialog.setProxyModel(proxy)
    if mode == QFileDialog.FileMode.Directory:
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    return dialog


def _chosen(dialog: QFileDialog) -> list[str]:
    try:
        if exec_file_dialog(dialog) != QDialog.DialogCode.Accepted.value:
            return []
        return [name for name in dialog.selectedFiles() if name]
    finally:
        dialog.deleteLater()


def open_file_name(parent: QWidget | None, title: str, start: str, pattern: str) -> str:
    """One existing file, or "" when cancelled (``QFileDialog.getOpenFileName``)."""
    chosen = _chosen(quiet_dialog(parent, title, start, pattern))
    return chosen[0] if chosen else ""


def open_file_names(parent: QWidget | None, title: str, start: str, pattern: str) -> list[str]:
    """Several existing files (``QFileDialog.getOpenFileNames``)."""
    return _chosen(
        quiet_dialog(parent, title, start, pattern, mode=QFileDialog.FileMode.ExistingFiles)
    )


def save_file_name(parent: QWidget | None, title: str, start: str, pattern: str) -> str:
    """A file to write, or "" when cancelled (``QFileDialog.getSaveFileName``)."""
    dialog = quiet_dialog(
        parent, title, start, pattern, mode=QFileDialog.FileMode.AnyFile, save=True
    )
    chosen = _chosen(dialog)
    return chosen[0] if chosen else ""


def existing_directory(parent: QWidget | None, title: str, start: str) -> str:
    """A folder, or "" when cancelled (``QFileDialog.getExistingDirectory``)."""
    chosen = _chosen(quiet_dialog(parent, title, start, mode=QFileDialog.FileMode.Directory))
    return chosen[0] if chosen else ""


class FileDialogGapsTranslator(QTranslator):
    """The file dialog's two labels whose source text changed in Qt 6 and that
    qtbase_zh_CN.qm still carries only in their old form (its "查找范围：" is for
    "Look in:"); installed after Qt's translator by ``ui.app.install_qt_translations``."""

    GAPS: ClassVar[dict[tuple[str, str], str]] = {
        ("QFileDialog", "&Look in:"): "查找范围(&I)：",
        ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    }

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None is a null QString: Qt then asks the next translator
        return self.GAPS.get((context, source))

    def isEmpty(self) -> bool:
        return False
