"""The toolbar's search box: what the clerk types becomes the register's search.

A search runs when the clerk pauses (``SEARCH_DELAY_MS``), presses Enter or clears the
box; Escape clears it. Typing in the register table continues here
(``continue_typing``), so a clerk can type a name wherever the focus is.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLineEdit, QWidget

SEARCH_DELAY_MS = 150


class SearchBox(QLineEdit):
    """``changed`` says that the search text should be applied now."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._typed_in_table = ""
        self.setObjectName("searchBox")
        self.setClearButtonEnabled(True)
        self.setPlaceholderText(self.tr("搜索名称、账号ID、单位、人员或拼音首字母（Ctrl+F）"))
        self.setMinimumWidth(340)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.changed)
        self.textChanged.connect(lambda _text: self.timer.start())
        self.returnPressed.connect(self.changed)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.clear_and_apply)

    def focus_all(self) -> None:
        """Ctrl+F: the box, with its text selected for typing over."""
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()

    def continue_typing(self, text: str) -> None:
        """Keys typed in the table: a new search, or more of the one typed there."""
        continuing = bool(self.text()) and self.text() == self._typed_in_table
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.setText(self.text() + text if continuing else text)
        self._typed_in_table = self.text()

    def clear_and_apply(self) -> None:
        self.clear()
        self.timer.stop()
        self.changed.emit()

    def clear_quietly(self) -> None:
        """Empty the box without a search of its own (the caller applies one)."""
        self.blockSignals(True)
        self.clear()
        self.blockSignals(False)
        self.timer.stop()
