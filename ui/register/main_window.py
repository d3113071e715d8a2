"""The clerk's main window: register table, filters, search, details and deadlines.

Its actions, menus and toolbar come from one table in ``ui/register/main_actions.py``, whose
commands open the entry forms and dialogs of their own ``ui/`` modules through
``run_dialog``. A dialog says what it changed (``nmdesk.changes.Changes``), and the
window re-reads only the views that show it (``apply_changes``); F5 re-reads all.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nmdesk.changes import EVERYTHING, Changes
from nmdesk.errors import NmdeskError
from nmdesk.models import AccountStatus
from ui.common import file_dialogs
from ui.common.guide import attach_guide
from ui.common.modal_host import ModalHost
from ui.common.register_location import display_name
from ui.common.register_location import folder as register_folder
from ui.common.window_fit import fit_to_screen
from ui.register import main_actions
from ui.register.account_details import AccountDetails
from ui.register.account_table import AccountTableModel, AccountTableView
from ui.register.deadlines_board import DeadlinesBoard
from ui.register.filters_bar import FiltersBar
from ui.register.search_box import SearchBox

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from nmdesk.store.interfaces import Register
    from ui.common.tasks import Job

DETAILS_DELAY_MS = 60
HISTORY_DELAY_MS = 300
STATUS_MESSAGE_MS = main_actions.STATUS_MESSAGE_MS
# From this many accounts on, the deadlines board is computed on a worker thread.
BACKGROUND_BOARD_ACCOUNTS = 20_000
WARM_UP_DELAY_MS = 1000
# A large register's first background id read waits this long for the first paint.
FIRST_PAINT_DELAY_MS = 100


def _start_warm_up() -> None:
    from ui.common import warm_up

    warm_up.start()


class MainWindow(ModalHost, QMainWindow):
    """The register of one file. ``owns_register`` closes it with the window."""

    # set by main_actions.install: one per ActionSpec, and the deadlines dock's toggle
    act_board: QAction

    def __init__(
        self,
        register: Register,
        *,
        settings: QSettings | None = None,
        today: dt.date | None = None,
        owns_register: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        attach_guide(self, "main-window")
        self.register = register
        self.owns_register = owns_register
        self.job: Job[Any] | None = None  # the last job a menu action started (tests wait)
        self.settings = settings if settings is not None else QSettings("nmdesk", "nmdesk")
        self.today = today or dt.date.today()
        # Qt appends the application's display name: "文件名（机构） — 新媒体账号备案管理台"
        self.setWindowTitle(
            self.tr("{0}（{1}）").format(display_name(register), register.profile.name)
            + (self.tr("［演示］") if register.is_demo else "")
        )
        # the default size; at the first show it is bounded by the screen it opens on
        # (an office laptop's 1366 × 768, or 1920 × 1080 at 150 %: 1280 × 720)
        self.resize(1440, 860)
        fit_to_screen(self)
        large = register.accounts.count() > BACKGROUND_BOARD_ACCOUNTS
        self._build_views(large)
        self.search: SearchBox = SearchBox()
        self.search.changed.connect(self.apply_query)
        self.table.typed.connect(self.search.continue_typing)
        self.details_timer = QTimer(self)
        self.details_timer.setSingleShot(True)
        self.details_timer.setInterval(DETAILS_DELAY_MS)
        self.details_timer.timeout.connect(self._show_current_details)
        self.count_label = QLabel()
        self._totals: tuple[int, int] | None = None
        self.clock_label = QLabel()
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.clock_label)
        main_actions.install(self)
        self.restore_settings()
        # a large register shows searches and filters progressively: the first screen
        # at once, the rest of the ids from a background read (ui/register/account_table.py)
        self.model.progressive = large
        self.model.first_load_delay_ms = FIRST_PAINT_DELAY_MS if large else 0
        self._keep_after_load: int | None = None
        self.model.completed.connect(self._all_ids_loaded)
        self.apply_query()
        self.show_register_warnings()
        # Tab goes search → filters → table → details → deadlines, as the eye reads
        chain = [self.search, *self.filters.tab_chain(), self.table, self.details, self.board.view]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        # after the first paint: load what the first edit needs on a background thread
        QTimer.singleShot(WARM_UP_DELAY_MS, _start_warm_up)

    def _build_views(self, large: bool) -> None:
        """The filters over the table beside the details, and the deadlines dock."""
        register = self.register
        self.model = AccountTableModel(register, self)
        self.model.today = self.today
        self.table = AccountTableView(self.model)
        self.table.message.connect(
            lambda text: self.statusBar().showMessage(text, STATUS_MESSAGE_MS)
        )
        self.table.activated.connect(
            lambda index: main_actions.open_account_form(self, self.model.account_id(index.row()))
        )
        self.filters = FiltersBar(register)
        self.filters.changed.connect(self.apply_query)
        self.filters.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.details = AccountDetails(register)
        self.details.today = self.today
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([980, 460])
        central = QWidget()
        layout = self.central_layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        if register.is_demo:
            self.demo_banner = QLabel(
                self.tr(
                    "演示备案库：其中的单位、人员和账号均为虚构，仅供熟悉操作，"
                    "请勿用于正式登记（正式使用请「文件 → 新建备案库…」）"
                )
            )
            self.demo_banner.setObjectName("demoBanner")
            self.demo_banner.setWordWrap(True)
            self.demo_banner.setStyleSheet(
                "color: #5c3b00; background: #ffe8a3; padding: 4px 10px; font-weight: bold;"
            )
            layout.addWidget(self.demo_banner, 0)
        layout.addWidget(self.filters, 0)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.board = DeadlinesBoard(register, today=self.today, background=large)
        self.board.accountActivated.connect(self.select_account)
        self.board.handOverRequested.connect(lambda pid: main_actions.open_hand_over(self, pid))
        self.board.loaded.connect(self.update_counts)
        self.board.holidaysRequested.connect(lambda: main_actions.open_holidays(self))
        attach_guide(self.board, "deadlines")
        self.board_dock = QDockWidget(self.tr("截止事项"), self)
        self.board_dock.setObjectName("deadlinesDock")
        self.board_dock.setWidget(self.board)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.board_dock)
        self.resizeDocks([self.board_dock], [240], Qt.Orientation.Vertical)

    def show_register_warnings(self) -> None:
        """Read-only (another clerk holds the register), network share or failed backup."""
        register = self.register
        if getattr(register, "read_only", False):
            self.setWindowTitle(self.windowTitle() + self.tr(" — 只读"))
            badge = QLabel(self.tr("只读"))
            badge.setObjectName("readOnlyBadge")
            badge.setToolTip(register.read_only_message)
            badge.setStyleSheet("color: white; background: #c81e1e; padding: 0 6px;")
            self.statusBar().addPermanentWidget(badge)
            from ui.safety.data_safety import read_only_banner

            self.read_only_banner = read_only_banner(register.read_only_message)
            self.central_layout.insertWidget(0, self.read_only_banner)
        warnings = [
            text
            for text in (
                register.read_only_message if getattr(register, "read_only", False) else None,
                getattr(register, "network_warning", None),
                getattr(register, "backup_warning", None),
            )
            if text
        ]
        if warnings:
            self.statusBar().showMessage("；".join(warnings), 30_000)

    def start_daily_backup(self) -> None:
        """Take today's automatic backup in the background (see ui/safety/data_safety.py)."""
        from ui.safety.data_safety import DailyBackup

        def finished(text: str) -> None:
            if text:
                self.statusBar().showMessage(
                    text, 30_000 if "未完成" in text else STATUS_MESSAGE_MS
                )

        self.daily_backup = DailyBackup(Path(self.register.path), self)
        self.daily_backup.finished.connect(finished)
        self.daily_backup.start()

    # -- query, selection and counts ---------------------------------------------------

    def apply_query(self) -> None:
        """Run search text and filters as one SQL query, keeping the selected account."""
        self.search.timer.stop()
        keep = self.current_account_id()
        query = replace(self.filters.apply_to(self.model.query), text=self.search.text().strip())
        self.model.set_query(query)
        self._keep_selection(keep)
        self.update_counts()

    def _keep_selection(self, keep: int | None) -> None:
        """After a new query: select ``keep`` again if the list has it, else the first row."""
        self._keep_after_load = None
        if keep is not None and self.model.row_of(keep) is not None:
            self.select_account(keep)
            return
        if keep is not None and not self.model.is_complete:
            self._keep_after_load = keep  # it may be further down: see _all_ids_loaded
        if self.model.rowCount() > 0:
            self.table.selectRow(0)
        else:
            self.details.show_account(None)

    def _all_ids_loaded(self) -> None:
        """The rest of a progressive query arrived: reselect the account the clerk had."""
        keep, self._keep_after_load = self._keep_after_load, None
        if keep is not None and self.model.row_of(keep) is not None:
            self.select_account(keep)
        self.update_counts()

    def refresh(self) -> None:
        """F5: re-read the register (after a change by another clerk)."""
        self.apply_changes(EVERYTHING)

    def apply_changes(self, changes: Changes) -> None:
        """Re-read the views that show what ``changes`` names, and select its account.

        The table (a 100,000-id query) and the filters' choices are read again only
        for accounts, units or people; the deadlines board for any change; the
        details of the selected account always; the register's totals for accounts."""
        if not changes:
            return
        keep = changes.select if changes.select is not None else self.current_account_id()
        if changes.choices:
            self.filters.reload_choices()
        if changes.table:
            self.model.refresh()
        if changes.board:
            self.board.refresh()
        if changes.table or changes.select is not None:
            self._keep_selection(keep)
        self.details.show_account(self.current_account_id())
        self.update_counts(totals=changes.accounts)

    def update_counts(self, *, totals: bool = False) -> None:
        """Status bar counts; the register totals are re-read only when accounts changed."""
        if totals or self._totals is None:
            self._totals = (
                self.register.accounts.count(),
                self.register.accounts.count_by_status().get(AccountStatus.RUNNING.value, 0),
            )
        total, running = self._totals
        shown = self.model.rowCount()
        if self.model.is_complete:
            text = self.tr("显示 {0} / 共 {1} 个账号 · 运行中 {2}").format(shown, total, running)
        else:
            text = self.tr("显示 {0}+（正在读取其余）/ 共 {1} 个账号 · 运行中 {2}").format(
                shown, total, running
            )
        self.count_label.setText(text)
        if self.board.loading:
            self.clock_label.setText(self.tr("正在计算截止事项…"))
            self.clock_label.setStyleSheet("")
            return
        overdue = self.board.overdue_count()
        estimates = self.board.estimate_count()
        text = self.tr("截止事项 {0} 项，逾期 {1} 项").format(len(self.board.clocks), overdue)
        if estimates:
            text += self.tr("，估算 {0} 项").format(estimates)
        self.clock_label.setText(text)
        self.clock_label.setStyleSheet("color: #c81e1e;" if overdue else "")

    def current_account_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.account_id(index.row()) if index.isValid() else None

    def select_account(self, account_id: int) -> bool:
        """Select an account in the table, clearing search and filters if they hide it."""
        row = self.model.row_of(account_id)
        if row is None and not self.model.is_complete:  # it may be past the first screen
            self.model.ensure_complete()
            row = self.model.row_of(account_id)
        if row is None and (self.search.text() or self.filters.is_active()):
            self.clear_all()
            self.model.ensure_complete()  # the whole list, not only its first screen
            row = self.model.row_of(account_id)
        if row is None:
            self.statusBar().showMessage(
                self.tr("账号 #{0} 不在表格中").format(account_id), STATUS_MESSAGE_MS
            )
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.details.show_account(account_id)
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # The history tab scans the audit trail: wait until the clerk stops on a row.
        slow = self.details.currentWidget() is self.details.history
        self.details_timer.start(HISTORY_DELAY_MS if slow else DETAILS_DELAY_MS)

    def _show_current_details(self) -> None:
        account_id = self.current_account_id()
        if account_id != self.details.account_id:
            self.details.show_account(account_id)

    def clear_all(self) -> None:
        """清除筛选与搜索 (and a search that hides the account to select)."""
        self.search.clear_quietly()
        self.filters.blockSignals(True)
        self.filters.clear()
        self.filters.blockSignals(False)
        self.apply_query()

    # -- dialogs: exec_dialog / show_error / confirm come from ModalHost ---------------

    def require_account(self) -> int | None:
        account_id = self.current_account_id()
        if account_id is None:
            self.statusBar().showMessage(self.tr("请先在表格中选择一个账号"), STATUS_MESSAGE_MS)
        return account_id

    def run_dialog(self, dialog: QDialog) -> bool:
        """Run a command's dialog, then refresh what it changed.

        A desk dialog says what it saved (``dialog.changes``); any other dialog that
        wrote to the register (its audit trail grew) is taken to have changed
        everything."""
        before = self.register.audit.last_id()
        try:
            accepted = self.exec_dialog(dialog) == QDialog.DialogCode.Accepted
        except NmdeskError as exc:
            self.show_error(exc)
            return False
        changes = getattr(dialog, "changes", None)
        if changes is None:
            changes = EVERYTHING if self.register.audit.last_id() != before else Changes()
        self.apply_changes(changes)
        return accepted

    # -- file ------------------------------------------------------------------------

    def choose_file(self, title: str, save: bool = False) -> str:
        """A file dialog; tests replace this."""
        pattern = self.tr("备案库 (*.nmdesk *.db *.sqlite);;所有文件 (*)")
        folder = str(register_folder(self.register))
        if save:
            return file_dialogs.save_file_name(self, title, folder, pattern)
        return file_dialogs.open_file_name(self, title, folder, pattern)

    def switch_to(self, path: str, *, create: bool) -> None:
        """Open another register in a new window and close this one."""
        from ui.app import open_window

        try:
            window = open_window(Path(path), parent=self, create=create)
        except NmdeskError as exc:
            return self.show_error(exc)
        if window is not None:
            self.close()
        return None

    def switch_to_register(self, register: Register) -> None:
        """Show an already open register (one on a server) in a new window; close this one."""
        from ui.app import show_window

        show_window(register)
        self.close()

    # -- settings --------------------------------------------------------------------

    def restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = s.value("main/state")
        if state is not None:
            self.restoreState(state)
        splitter = s.value("main/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        header = s.value("main/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
            self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("main/geometry", self.saveGeometry())
        s.setValue("main/state", self.saveState())
        s.setValue("main/splitter", self.splitter.saveState())
        s.setValue("main/header", self.table.horizontalHeader().saveState())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.search.timer.stop()
        self.details_timer.stop()
        self.save_settings()
        self.model.close()
        if self.owns_register:
            self.register.close()
        super().closeEvent(event)
