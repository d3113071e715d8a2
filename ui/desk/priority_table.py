"""The unit's 账号优先顺序表 (PKU-CoE clause 7) as the application form edits it.

Every live account of the applying unit in the unit's order, with the account
being entered among them ("本账号"); 上移 / 下移 (or Alt+↑ / Alt+↓) move the
selected one. Saving the form stores the whole ranking for the unit
(``register.units.set_priorities``) and the account's own place on its application.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nmdesk.store.interfaces import Register
from ui.desk.desk_common import tr

THIS_ACCOUNT = 0  # the item standing for the account the form enters


class PriorityTable(QWidget):
    """The ranking list and its move buttons; ``changed`` after every move or reload."""

    changed = Signal()

    def __init__(self, register: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.list = QListWidget()
        self.list.setFixedHeight(96)
        self.up_button = QPushButton(tr("上移"))
        self.down_button = QPushButton(tr("下移"))
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        for keys, step in (("Alt+Up", -1), ("Alt+Down", 1)):
            shortcut = QShortcut(QKeySequence(keys), self.list)
            shortcut.activated.connect(lambda step=step: self.move_selected(step))
        buttons = QVBoxLayout()
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    def load(self, unit_id: int | None, account_id: int | None, name: str = "") -> None:
        """The unit's order with the entered account in its place (last if unranked)."""
        self.list.clear()
        order = self.register.units.priorities(unit_id) if unit_id is not None else []
        ranks = self.register.units.priority_ranks(unit_id) if unit_id is not None else {}
        if account_id is None or account_id not in ranks:
            order = [i for i in order if i != account_id] + [THIS_ACCOUNT]
        for ranked_id in order:
            self._add(ranked_id if ranked_id != account_id else THIS_ACCOUNT, name)
        self.list.setCurrentRow(self.place() - 1)
        self._renumber()

    def _add(self, account_id: int, name: str) -> None:
        if account_id == THIS_ACCOUNT:
            text = tr("本账号（本申请）") + (f"：{name}" if name else "")
        else:
            account = self.register.accounts.get(account_id)
            text = f"{account.platform}{account.account_type}“{account.name}”"
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, account_id)
        item.setData(Qt.ItemDataRole.UserRole + 1, text)
        self.list.addItem(item)

    def move_selected(self, step: int) -> None:
        """Move the selected entry ``step`` places (not QWidget.move, which places the widget)."""
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)
        self._renumber()

    def _renumber(self) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setText(f"{row + 1}. {item.data(Qt.ItemDataRole.UserRole + 1)}")
        self.changed.emit()

    def ranking(self, account_id: int | None = None) -> list[int | None]:
        """The order, ids first to last; None stands for the entered account."""
        ids: list[int | None] = []
        for row in range(self.list.count()):
            value = int(self.list.item(row).data(Qt.ItemDataRole.UserRole))
            ids.append(None if value == THIS_ACCOUNT else value)
        return ids

    def place(self) -> int:
        """The entered account's place, 1 first."""
        return self.ranking().index(None) + 1 if None in self.ranking() else 0
