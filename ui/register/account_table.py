"""The register table: a SQL-backed model that holds ids and fetches rows on demand.

Like Anki's browser model, the model keeps only the list of account ids the
store returned for the current ``AccountQuery`` (already filtered and sorted in
SQL) and asks the store for display rows in chunks when the view paints them.
A small LRU cache of chunks keeps scrolling smooth on 100,000 accounts. No
``QSortFilterProxyModel``: sorting re-runs the query with another ``order_by``.

On a large register a search or filter is shown progressively: the first screen
of ids is read at once, and the whole list (up to 100,000 ids) is read
by ``IdListLoader`` on the register worker (``ui.common.tasks``) and appended when it arrives, so a
keystroke never waits for it.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QContextMenuEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from nmdesk.models import AccountStatus
from nmdesk.store.search import AccountQuery
from ui.common.register_location import location
from ui.common.tasks import Job, runner

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

ModelIndex = QModelIndex | QPersistentModelIndex

# (row key, header, sort key in nmdesk.store.search.SORT_COLUMNS or None, default width)
COLUMNS: tuple[tuple[str, str, str | None, int], ...] = (
    ("id", QCoreApplication.translate("AccountTable", "序号"), "id", 52),
    ("serial_no", QCoreApplication.translate("AccountTable", "备案编号"), "serial_no", 118),
    ("platform", QCoreApplication.translate("AccountTable", "平台"), "platform", 66),
    ("account_type", QCoreApplication.translate("AccountTable", "账号类型"), "account_type", 76),
    ("name", QCoreApplication.translate("AccountTable", "账号名称"), "name", 172),
    ("platform_id", QCoreApplication.translate("AccountTable", "账号ID"), "platform_id", 96),
    ("unit", QCoreApplication.translate("AccountTable", "开设单位"), "unit", 130),
    ("level", QCoreApplication.translate("AccountTable", "级别"), "level", 72),
    ("status", QCoreApplication.translate("AccountTable", "状态"), "status", 60),
    ("first_responsible", QCoreApplication.translate("AccountTable", "第一责任人"), None, 76),
    ("operator", QCoreApplication.translate("AccountTable", "运营人"), None, 100),
    ("next_due", QCoreApplication.translate("AccountTable", "最近截止"), None, 88),
)
COLUMN_KEYS = [column[0] for column in COLUMNS]
CENTERED = {"id", "platform", "level", "status", "next_due"}
OVERDUE_COLOR = QColor(200, 30, 30)
INACTIVE_COLOR = QColor(128, 128, 128)
INACTIVE_STATUSES = {AccountStatus.CLOSED.value, AccountStatus.REFUSED.value}
ACCOUNT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class IdListLoader(QObject):
    """Reads a query's whole id list on the task runner's register worker, with that
    worker's reading connection (``Job.reader``: a connection belongs to the thread that
    opened it), and reports it with ``loaded(generation, ids)``; a failure reports the
    sentence instead, and the model then reads the list itself."""

    loaded = Signal(int, object)

    def __init__(self, path: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.latest = 0
        self.job: Job[list[int]] | None = None  # the latest read (tests wait for it)

    def load(self, generation: int, query: AccountQuery, delay_ms: int = 0) -> None:
        """Read the ids of ``query`` in the background, after ``delay_ms``."""
        self.latest = generation
        if delay_ms > 0:
            QTimer.singleShot(delay_ms, self, lambda: self._submit(generation, query))
        else:
            self._submit(generation, query)

    def _submit(self, generation: int, query: AccountQuery) -> None:
        if generation != self.latest:
            return  # a newer query replaced this one before it started

        def read(job: Job[list[int]]) -> list[int]:
            if generation != self.latest:
                return []  # replaced while it waited for the worker: the model ignores it
            return job.reader.accounts.ids(query)

        self.job = runner().run(
            read,
            register_path=self.path,
            read_only=True,
            on_done=lambda ids: self.loaded.emit(generation, ids),
            on_failed=lambda sentence: self.loaded.emit(generation, sentence),
            owner=self,
        )

    def close(self) -> None:
        """The window is closing: later reads are dropped and the reading connection closed."""
        self.latest = -1
        runner().release(self.path)


class AccountTableModel(QAbstractTableModel):
    """Accounts matching an ``AccountQuery``; rows are fetched lazily from the store."""

    CHUNK = 200
    CACHE_CHUNKS = 16

    # ``completed``: the whole id list of a progressive query has arrived.
    completed = Signal()

    def __init__(self, register: Register, parent: Any = None) -> None:
        super().__init__(parent)
        self.register = register
        # a large register shows queries progressively (see the module's docstring)
        self.progressive = False
        # the window's first query waits for its first paint before reading in the background
        # (the reading thread's Python would share the interpreter lock with the painting)
        self.first_load_delay_ms = 0
        self._generation = 0
        self._complete = True
        self._loader: IdListLoader | None = None
        self.today = dt.date.today()
        rotation = register.profile.deadlines["password_rotation_days"]
        self._query = AccountQuery(rotation_days=rotation)
        self._ids: list[int] = []
        self._positions: dict[int, int] | None = None
        self._lookups = 0
        self._cache: OrderedDict[int, dict[int, dict[str, Any]]] = OrderedDict()
        self._levels = {level.level: level.name for level in register.profile.levels}
        self.fetched_chunks = 0  # how many chunk queries ran, for tests and benchmarks

    # -- query -----------------------------------------------------------------------

    @property
    def query(self) -> AccountQuery:
        return self._query

    def set_query(self, query: AccountQuery) -> None:
        """Run a new query: filters, search text and order all go to SQL.

        With ``self.progressive``: read only the first screen of ids now and the whole
        list on a background thread; ``completed`` fires when it is in (``is_complete``)."""
        self.beginResetModel()
        self._query = replace(query, today=self.today)
        self._generation += 1
        if self.progressive:
            self._ids = self.register.accounts.ids(self._query, limit=self.CHUNK)
            self._complete = len(self._ids) < self.CHUNK
            if not self._complete:
                delay, self.first_load_delay_ms = self.first_load_delay_ms, 0
                self._id_loader().load(self._generation, self._query, delay)
        else:
            self._ids = self.register.accounts.ids(self._query)
            self._complete = True
        self._positions = None
        self._lookups = 0
        self._cache.clear()
        self.endResetModel()

    @property
    def is_complete(self) -> bool:
        return self._complete

    def ensure_complete(self) -> None:
        """Read the rest of a progressive query now (when every id is needed at once)."""
        if not self._complete:
            self._take_all_ids(self.register.accounts.ids(self._query))

    def close(self) -> None:
        """Stop the background reader (the window is closing)."""
        if self._loader is not None:
            self._loader.close()
            self._loader = None

    def _id_loader(self) -> IdListLoader:
        if self._loader is None:
            self._loader = IdListLoader(location(self.register), self)
            self._loader.loaded.connect(self._ids_loaded)
        return self._loader

    def _ids_loaded(self, generation: int, result: object) -> None:
        if generation != self._generation or self._complete:
            return  # an older query, or the list was already read
        if not isinstance(result, list):  # the background read failed: read it here
            result = self.register.accounts.ids(self._query)
        self._take_all_ids(result)

    def _take_all_ids(self, ids: list[int]) -> None:
        shown = len(self._ids)
        if ids[:shown] == self._ids:  # the usual case: the rest is appended below
            if len(ids) > shown:
                self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
                self._ids = ids
                self.endInsertRows()
        else:  # the register changed in between: show the list as it is now
            self.beginResetModel()
            self._ids = ids
            self._cache.clear()
            self.endResetModel()
        self._positions = None
        self._lookups = 0
        self._complete = True
        self.completed.emit()

    def refresh(self) -> None:
        """Re-run the current query, e.g. after an edit or on F5."""
        self.set_query(self._query)

    def account_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, account_id: int) -> int | None:
        """The account's row among the ids read so far (see ``ensure_complete``)."""
        # A lookup scans the id list in C; the position map, which costs far more to
        # build at 100,000 rows than one scan, is made only when many lookups follow a query.
        if self._positions is None:
            self._lookups += 1
            if self._lookups <= 8:
                try:
                    return self._ids.index(account_id)
                except ValueError:
                    return None
            self._positions = {value: index for index, value in enumerate(self._ids)}
        return self._positions.get(account_id)

    def ids(self) -> list[int]:
        self.ensure_complete()
        return list(self._ids)

    def row_data(self, row: int) -> dict[str, Any] | None:
        """The display row for a table row, from the cache or one chunk query."""
        if not 0 <= row < len(self._ids):
            return None
        chunk = row // self.CHUNK
        rows = self._cache.get(chunk)
        if rows is None:
            start = chunk * self.CHUNK
            rows = self.register.accounts.rows(self._ids[start : start + self.CHUNK])
            self.fetched_chunks += 1
            self._cache[chunk] = rows
            while len(self._cache) > self.CACHE_CHUNKS:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(chunk)
        return rows.get(self._ids[row])

    # -- Qt model --------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][1]
            if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section][2] is None:
                return self.tr("此列不能排序")
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == ACCOUNT_ID_ROLE:
            return self.account_id(index.row())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if COLUMN_KEYS[index.column()] in CENTERED:
                return Qt.AlignmentFlag.AlignCenter
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        key = COLUMN_KEYS[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "next_due" and self._is_overdue(row):
                return QBrush(OVERDUE_COLOR)
            if row["status"] in INACTIVE_STATUSES:
                return QBrush(INACTIVE_COLOR)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "next_due" and self._is_overdue(row):
                return self.tr("已逾期：{0}").format(row["next_due"])
            if key in ("name", "unit", "operator"):
                return row[key] or None
            return None
        return self.display(row, key)

    def display(self, row: dict[str, Any], key: str) -> str:
        value = row.get(key)
        if value is None:
            return ""
        if key == "status":
            try:
                return AccountStatus(value).label
            except ValueError:
                return str(value)
        if key == "level":
            return self._levels.get(value, str(value))
        return str(value)

    def _is_overdue(self, row: dict[str, Any]) -> bool:
        due = row.get("next_due")
        return bool(due) and str(due) < self.today.isoformat()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-query in SQL order; columns without a sort key keep the current order."""
        if not 0 <= column < len(COLUMNS) or COLUMNS[column][2] is None:
            return
        key = COLUMNS[column][2]
        assert key is not None
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._query.order_by and descending == self._query.descending:
            return
        self.set_query(replace(self._query, order_by=key, descending=descending))

    def sort_column(self) -> int:
        for number, column in enumerate(COLUMNS):
            if column[2] == self._query.order_by:
                return number
        return 0


class AccountTableView(QTableView):
    """The register table, set up as the main window shows it.

    Typing in it goes to the search box (``typed``) instead of Qt's keyboard search,
    which would read every row of a 100,000-row model. A click on a column that cannot
    be sorted keeps the indicator where the sort is and says so (``message``). The
    right-click menu shows ``context_actions`` (None is a separator)."""

    typed = Signal(str)
    message = Signal(str)

    def __init__(self, model: AccountTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context_actions: list[QAction | None] = []
        self.setObjectName("accountTable")
        self.setModel(model)
        self.account_model = model
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(26)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        for column, (_key, _title, _sort, width) in enumerate(COLUMNS):
            self.setColumnWidth(column, width)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._keep_sort_indicator)

    def keyboardSearch(self, search: str) -> None:
        if search.strip():
            self.typed.emit(search)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        for action in self.context_actions:
            menu.addSeparator() if action is None else menu.addAction(action)
        menu.popup(event.globalPos())

    def _keep_sort_indicator(self, column: int, _order: Qt.SortOrder) -> None:
        if COLUMNS[column][2] is not None:
            return
        model = self.account_model
        header = self.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(
            model.sort_column(),
            Qt.SortOrder.DescendingOrder if model.query.descending else Qt.SortOrder.AscendingOrder,
        )
        header.blockSignals(False)
        self.message.emit(self.tr("“{0}”列不能排序").format(COLUMNS[column][1]))
