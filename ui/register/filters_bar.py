"""The filters above the register table, mapped onto ``AccountQuery``.

Platform, level, unit (with or without its sub-units), status, role holder and
"只看逾期". Every filter runs in SQL through ``register.accounts.ids``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from nmdesk.models import AccountStatus
from nmdesk.store.search import AccountQuery

if TYPE_CHECKING:
    from nmdesk.models import Unit
    from nmdesk.store.interfaces import Register


def tr(text: str) -> str:
    return QCoreApplication.translate("FiltersBar", text)


def unit_tree_rows(register: Register) -> list[tuple[int, str, int]]:
    """(unit id, name, depth) in tree order, for an indented unit picker."""
    units = register.units.all()
    children: dict[int | None, list[Unit]] = {}
    known = {unit.id for unit in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in known else None
        children.setdefault(parent, []).append(unit)
    rows: list[tuple[int, str, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            assert unit.id is not None
            rows.append((unit.id, unit.name, depth))
            if depth < 20:
                walk(unit.id, depth + 1)

    walk(None, 0)
    return rows


# Milliseconds after the bar is built before the 责任人 choices load.
PEOPLE_LOAD_DELAY_MS = 60


class FiltersBar(QWidget):
    """A row of filter widgets; ``changed`` fires whenever one of them changes."""

    changed = Signal()

    def __init__(self, register: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(6)
        layout.addWidget(QLabel(tr("筛选：")))

        self.platform = QComboBox()
        self.platform.setToolTip(tr("开设平台"))
        layout.addWidget(self.platform)

        self.level = QComboBox()
        self.level.setToolTip(tr("账号级别"))
        layout.addWidget(self.level)

        self.unit = QComboBox()
        self.unit.setToolTip(tr("开设单位"))
        self.unit.setMinimumContentsLength(12)
        self.unit.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        layout.addWidget(self.unit)
        self.sub_units = QCheckBox(tr("含下级"))
        self.sub_units.setChecked(True)
        self.sub_units.setToolTip(tr("同时显示下级单位的账号"))
        layout.addWidget(self.sub_units)

        self.status = QComboBox()
        self.status.setToolTip(tr("账号状态"))
        layout.addWidget(self.status)

        self.person = QComboBox()
        self.person.setEditable(True)
        self.person.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.person.setToolTip(tr("责任人：第一责任人、具体负责人、运营人等现任角色"))
        self.person.setMinimumContentsLength(10)
        self.person.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        completer = QCompleter(self.person.model(), self.person)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.person.setCompleter(completer)
        self.person.installEventFilter(self)  # the choices load when first used
        layout.addWidget(self.person)

        self.overdue = QCheckBox(tr("只看逾期"))
        self.overdue.setToolTip(tr("备案逾期未交回、整改逾期或密码超期未更换"))
        layout.addWidget(self.overdue)

        self.clear_button = QToolButton()
        self.clear_button.setText(tr("清除筛选"))
        self.clear_button.clicked.connect(self.clear)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)

        self._people_loaded = False
        self.reload_choices()
        # A large register has thousands of people: the window paints first, then they load.
        QTimer.singleShot(PEOPLE_LOAD_DELAY_MS, self.load_people)
        for combo in (self.platform, self.level, self.unit, self.status, self.person):
            combo.currentIndexChanged.connect(self._changed)
        self.sub_units.toggled.connect(self._changed)
        self.overdue.toggled.connect(self._changed)
        self._quiet = False

    def reload_choices(self) -> None:
        """Refill the combos from the register (after units or people were edited)."""
        self._quiet = True
        try:
            current = self.query_values()
            self.platform.clear()
            self.platform.addItem(tr("全部平台"), None)
            for name in self.register.accounts.platforms():
                self.platform.addItem(name, name)
            self.level.clear()
            self.level.addItem(tr("全部级别"), None)
            for level in self.register.profile.levels:
                self.level.addItem(level.name, level.level)
            self.unit.clear()
            self.unit.addItem(tr("全部单位"), None)
            for unit_id, name, depth in unit_tree_rows(self.register):
                self.unit.addItem("　" * depth + name, unit_id)
            self.status.clear()
            self.status.addItem(tr("全部状态"), None)
            for status in AccountStatus:
                self.status.addItem(status.label, status.value)
            self.person.clear()
            self.person.addItem(tr("全部责任人"), None)
            if self._people_loaded:
                self._add_people()
            for combo, key in (
                (self.platform, "platform"),
                (self.level, "level"),
                (self.unit, "unit_id"),
                (self.status, "status"),
                (self.person, "role_holder_id"),
            ):
                index = combo.findData(current.get(key))
                combo.setCurrentIndex(max(index, 0))
        finally:
            self._quiet = False

    def load_people(self) -> None:
        """Fill the 责任人 choices once (after the first paint, or when first needed)."""
        if self._people_loaded or self.register.closed:
            return
        self._people_loaded = True
        self._quiet = True
        try:
            self._add_people()
        finally:
            self._quiet = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.person and event.type() in (
            QEvent.Type.FocusIn,
            QEvent.Type.MouseButtonPress,
        ):
            self.load_people()
        return super().eventFilter(watched, event)

    def _add_people(self) -> None:
        for person_id, name, unit, _kind, _same_name in self.register.people.picker_rows():
            self.person.addItem(f"{name}（{unit}）" if unit else name, person_id)

    def query_values(self) -> dict[str, object]:
        if not hasattr(self, "person") or self.person.count() == 0:
            return {}
        return {
            "platform": self.platform.currentData(),
            "level": self.level.currentData(),
            "unit_id": self.unit.currentData(),
            "include_sub_units": self.sub_units.isChecked(),
            "status": self.status.currentData(),
            "role_holder_id": self.person.currentData(),
            "overdue_only": self.overdue.isChecked(),
        }

    def apply_to(self, query: AccountQuery) -> AccountQuery:
        """The query with this bar's filters (search text and order are left alone)."""
        return replace(query, **self.query_values())  # type: ignore[arg-type]

    def tab_chain(self) -> list[QWidget]:
        """The filters in the order Tab visits them."""
        return [
            self.platform,
            self.level,
            self.unit,
            self.sub_units,
            self.status,
            self.person,
            self.overdue,
            self.clear_button,
        ]

    def is_active(self) -> bool:
        values = self.query_values()
        return any(
            values.get(key) not in (None, False)
            for key in ("platform", "level", "unit_id", "status", "role_holder_id", "overdue_only")
        )

    def select(self, combo: QComboBox, data: object) -> None:
        """Pick the entry carrying ``data`` (tests and menu actions use this)."""
        if combo is self.person:
            self.load_people()
        index = combo.findData(data)
        if index >= 0:
            combo.setCurrentIndex(index)

    def clear(self) -> None:
        self._quiet = True
        try:
            for combo in (self.platform, self.level, self.unit, self.status, self.person):
                combo.setCurrentIndex(0)
            self.sub_units.setChecked(True)
            self.overdue.setChecked(False)
        finally:
            self._quiet = False
        self.changed.emit()

    def _changed(self, *_args: object) -> None:
        if not self._quiet:
            self.changed.emit()
