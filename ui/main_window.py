"""The clerk's main window: register table, filters, search, details and deadlines.

Entry forms and dialogs live in their own ``ui/`` modules. The window opens
each through a small hook method (``open_account_form``, ``open_units`` …) that
imports the module lazily and runs it with ``exec_dialog``, so that tests can
patch one place and a module that does not exist yet only shows a message.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from nmdesk.errors import NmdeskError
from nmdesk.models import AccountStatus
from ui import file_dialogs
from ui.account_details import AccountDetails
from ui.account_table import COLUMNS, AccountTableModel, AccountTableView
from ui.deadlines_board import DeadlinesBoard
from ui.filters_bar import FiltersBar
from ui.guide import attach_guide, open_guide
from ui.window_fit import fit_to_screen

if TYPE_CHECKING:
    from nmdesk.store.register import Register

SEARCH_DELAY_MS = 150
DETAILS_DELAY_MS = 60
HISTORY_DELAY_MS = 300
STATUS_MESSAGE_MS = 6000
# From this many accounts on, the deadlines board is computed on a worker thread.
BACKGROUND_BOARD_ACCOUNTS = 20_000
WARM_UP_DELAY_MS = 1000


# A large register's first background id read waits this long for the first paint.
FIRST_PAINT_DELAY_MS = 100


def _start_warm_up() -> None:
    from ui import warm_up

    warm_up.start()


class MainWindow(QMainWindow):
    """The register of one file. ``owns_register`` closes it with the window."""

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
        self.settings = settings if settings is not None else QSettings("nmdesk", "nmdesk")
        self.today = today or dt.date.today()
        profile = register.profile
        # Qt appends the application's display name: "文件名（机构） — 新媒体账号备案管理台"
        self.setWindowTitle(
            self.tr("{0}（{1}）").format(Path(register.path).name, profile.name)
            + (self.tr("［演示］") if register.is_demo else "")
        )
        # the default size; at the first show it is bounded by the screen it opens on
        # (an office laptop's 1366 × 768, or 1920 × 1080 at 150 %: 1280 × 720)
        self.resize(1440, 860)
        fit_to_screen(self)

        self.model = AccountTableModel(register, self)
        self.model.today = self.today
        self.table = self._make_table()
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
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(2)
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
            central_layout.addWidget(self.demo_banner, 0)
        central_layout.addWidget(self.filters, 0)
        central_layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        large = register.accounts.count() > BACKGROUND_BOARD_ACCOUNTS
        self.board = DeadlinesBoard(register, today=self.today, background=large)
        self.board.accountActivated.connect(self.select_account)
        self.board.handOverRequested.connect(self.open_hand_over)
        self.board.loaded.connect(self.update_counts)
        self.board.holidaysRequested.connect(self.open_holidays)
        attach_guide(self.board, "deadlines")
        self.board_dock = QDockWidget(self.tr("截止事项"), self)
        self.board_dock.setObjectName("deadlinesDock")
        self.board_dock.setWidget(self.board)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.board_dock)
        self.resizeDocks([self.board_dock], [240], Qt.Orientation.Vertical)

        self.search = QLineEdit()
        self._typed_search = ""
        self.search.setObjectName("searchBox")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(
            self.tr("搜索名称、账号ID、单位、人员或拼音首字母（Ctrl+F）")
        )
        self.search.setMinimumWidth(340)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.apply_query)
        self.search.textChanged.connect(lambda _text: self.search_timer.start())
        self.search.returnPressed.connect(self.apply_query)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.clear_search)

        self.details_timer = QTimer(self)
        self.details_timer.setSingleShot(True)
        self.details_timer.setInterval(DETAILS_DELAY_MS)
        self.details_timer.timeout.connect(self._show_current_details)

        self.count_label = QLabel()
        self._totals: tuple[int, int] | None = None
        self.clock_label = QLabel()
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.clock_label)

        self._make_actions()
        self._make_menus_and_toolbar()
        self.restore_settings()
        # a large register shows searches and filters progressively: the first screen
        # at once, the rest of the ids from a background read (ui/account_table.py)
        self.model.progressive = large
        self.model.first_load_delay_ms = FIRST_PAINT_DELAY_MS if large else 0
        self._keep_after_load: int | None = None
        self.model.completed.connect(self._all_ids_loaded)
        self.apply_query()
        self.show_register_warnings()
        self._set_tab_order()
        # after the first paint: load what the first edit needs on a background thread
        QTimer.singleShot(WARM_UP_DELAY_MS, _start_warm_up)

    # -- building --------------------------------------------------------------------

    def _make_table(self) -> QTableView:
        table = AccountTableView()
        table.typed.connect(self._typed_in_table)
        table.setObjectName("accountTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(26)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        for column, (_key, _title, _sort, width) in enumerate(COLUMNS):
            table.setColumnWidth(column, width)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._keep_sort_indicator)
        table.activated.connect(self._row_activated)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._table_menu)
        return table

    def _action(
        self, text: str, slot: Any, shortcut: Any = None, icon: Any = None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.act_new_register = self._action(self.tr("新建备案库…"), self.new_register_file)
        self.act_open_register = self._action(
            self.tr("打开备案库…"),
            self.open_register_file,
            QKeySequence.StandardKey.Open,
            sp.SP_DialogOpenButton,
        )
        self.act_save = self._action(
            self.tr("保存(&S)"),
            self.save,
            QKeySequence.StandardKey.Save,
            sp.SP_DialogSaveButton,
            self.tr("每次修改都已即时写入备案库"),
        )
        self.act_backup = self._action(self.tr("备份备案库…"), self.backup_register)
        self.act_verify = self._action(
            self.tr("校验备案库…"),
            self.verify_register,
            None,
            None,
            self.tr("检查数据库完整性和审计链，发现 nmdesk 之外的改动"),
        )
        self.act_unlock = self._action(
            self.tr("解除占用…"),
            self.unlock_register,
            None,
            None,
            self.tr("另一台电脑上的 nmdesk 已关闭但占用未解除时，接管备案库"),
        )
        self.act_audit_export = self._action(
            self.tr("导出审计记录…"), self.export_audit_trail, None, None, self.tr("供检查使用")
        )
        self.act_import = self._action(self.tr("从 Excel 导入…"), self.import_data)
        self.act_export = self._action(self.tr("导出到 Excel…"), self.export_data)
        self.act_print = self._action(
            self.tr("打印(&P)…"),
            self.print_current,
            QKeySequence.StandardKey.Print,
            sp.SP_FileDialogDetailedView,
            self.tr("打印所选账号的备案表（一式两份）"),
        )
        self.act_receive_copy = self._action(
            self.tr("登记交回签字表…"),
            self.open_receive_copy,
            None,
            None,
            self.tr("输入或扫描纸质表上的校验码，登记签字表已交回"),
        )
        self.act_quit = self._action(self.tr("退出(&Q)"), self.close, QKeySequence.StandardKey.Quit)
        self.act_undo = self._action(
            self.tr("撤销(&U)"), self.undo_last, QKeySequence.StandardKey.Undo, sp.SP_ArrowBack
        )
        self.act_new_account = self._action(
            self.tr("新建账号(&N)…"),
            self.open_account_form,
            QKeySequence.StandardKey.New,
            sp.SP_FileIcon,
            self.tr("按备案表录入一个新账号"),
        )
        self.act_edit_account = self._action(
            self.tr("编辑账号(&E)…"),
            self.edit_current_account,
            None,
            sp.SP_FileDialogContentsView,
            self.tr("打开所选账号（在表格中按回车亦可）"),
        )
        self.act_closure = self._action(self.tr("注销账号…"), self.open_closure)
        self.act_sanctions = self._action(self.tr("处理与整改…"), self.open_sanctions)
        self.act_attachments = self._action(self.tr("附件…"), self.open_attachments)
        self.act_filings = self._action(
            self.tr("备案交回登记…"),
            self.open_filings,
            None,
            None,
            self.tr("待交回的备案：标记归档、按校验码登记、附加扫描件"),
        )
        self.act_units = self._action(self.tr("单位管理…"), self.open_units, None, sp.SP_DirIcon)
        self.act_people = self._action(self.tr("人员名录…"), self.open_people)
        self.act_hand_over = self._action(
            self.tr("人员交接…"),
            self.open_hand_over,
            None,
            None,
            self.tr("离职、毕业人员的全部职责一次移交"),
        )
        self.act_watch_list = self._action(self.tr("巡查登记…"), self.open_watch_list)
        self.act_review = self._action(self.tr("年度审核…"), self.open_annual_review)
        self.act_holidays = self._action(
            self.tr("节假日安排…"),
            self.open_holidays,
            None,
            None,
            self.tr("录入国务院办公厅的节假日安排通知，截止日期按实际工作日计算"),
        )
        self.act_refresh = self._action(
            self.tr("刷新"), self.refresh, QKeySequence.StandardKey.Refresh, sp.SP_BrowserReload
        )
        if self.act_refresh.shortcut() != QKeySequence(Qt.Key.Key_F5):
            self.act_refresh.setShortcuts(
                [QKeySequence(Qt.Key.Key_F5), self.act_refresh.shortcut()]
            )
        self.act_find = self._action(
            self.tr("查找(&F)"), self.focus_search, QKeySequence.StandardKey.Find
        )
        self.act_find.setShortcut(QKeySequence("Ctrl+F"))
        self.act_clear_filters = self._action(self.tr("清除筛选与搜索"), self.clear_all)
        # F1 is not this action's shortcut: F1 opens the section of the window or panel
        # in front (ui/guide.py); the menu shows the key all the same.
        self.act_guide = self._action(self.tr("使用说明") + "\tF1", self.show_guide)
        self.act_about = self._action(self.tr("关于"), self.show_about)
        self.act_board = self.board_dock.toggleViewAction()
        self.act_board.setText(self.tr("截止事项面板"))

    def _make_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("文件(&F)"))
        for item in (
            self.act_new_register,
            self.act_open_register,
            None,
            self.act_save,
            self.act_backup,
            self.act_verify,
            self.act_unlock,
            self.act_audit_export,
            None,
            self.act_import,
            self.act_export,
            None,
            self.act_print,
            self.act_receive_copy,
            None,
            self.act_quit,
        ):
            file_menu.addSeparator() if item is None else file_menu.addAction(item)
        edit_menu = bar.addMenu(self.tr("编辑(&E)"))
        edit_menu.addAction(self.act_undo)
        edit_menu.addSeparator()
        edit_menu.addAction(self.act_find)
        edit_menu.addAction(self.act_clear_filters)
        account_menu = bar.addMenu(self.tr("账号(&A)"))
        for item in (
            self.act_new_account,
            self.act_edit_account,
            None,
            self.act_closure,
            self.act_sanctions,
            self.act_attachments,
            self.act_filings,
        ):
            account_menu.addSeparator() if item is None else account_menu.addAction(item)
        people_menu = bar.addMenu(self.tr("单位与人员(&U)"))
        for item in (self.act_units, self.act_people, self.act_hand_over):
            people_menu.addAction(item)
        office_menu = bar.addMenu(self.tr("监管(&M)"))
        for item in (self.act_watch_list, self.act_review):
            office_menu.addAction(item)
        view_menu = bar.addMenu(self.tr("视图(&V)"))
        view_menu.addAction(self.act_refresh)
        view_menu.addAction(self.act_board)
        tools_menu = bar.addMenu(self.tr("工具(&T)"))
        tools_menu.addAction(self.act_holidays)
        help_menu = bar.addMenu(self.tr("帮助(&H)"))
        help_menu.addAction(self.act_guide)
        help_menu.addAction(self.act_about)

        toolbar = self.addToolBar(self.tr("工具栏"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for item in (
            self.act_new_account,
            self.act_edit_account,
            self.act_save,
            self.act_print,
            self.act_refresh,
        ):
            toolbar.addAction(item)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.search)

    def _set_tab_order(self) -> None:
        """Tab goes search → filters → table → details → deadlines, as the eye reads."""
        f = self.filters
        chain = [
            self.search,
            f.platform,
            f.level,
            f.unit,
            f.sub_units,
            f.status,
            f.person,
            f.overdue,
            f.clear_button,
            self.table,
            self.details,
            self.board.view,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

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
            from ui.data_safety import read_only_banner

            self.read_only_banner = read_only_banner(register.read_only_message)
            self.centralWidget().layout().insertWidget(0, self.read_only_banner)
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
        """Take today's automatic backup in the background (see ui/data_safety.py)."""
        from ui.data_safety import DailyBackup

        self.daily_backup = DailyBackup(Path(self.register.path), self)
        self.daily_backup.finished.connect(self._daily_backup_finished)
        self.daily_backup.start()

    def _daily_backup_finished(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text, 30_000 if "未完成" in text else STATUS_MESSAGE_MS)

    # -- query, selection and counts ---------------------------------------------------

    def apply_query(self) -> None:
        """Run search text and filters as one SQL query, keeping the selected account."""
        self.search_timer.stop()
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

    def refresh(self, select_id: int | None = None) -> None:
        """F5: re-read the register (after an edit in a dialog or by another clerk)."""
        keep = select_id if select_id is not None else self.current_account_id()
        self.filters.reload_choices()
        self.model.refresh()
        self.board.refresh()
        self._keep_selection(keep)
        self.details.show_account(self.current_account_id())
        self.update_counts(totals=True)

    def update_counts(self, *, totals: bool = False) -> None:
        """Status bar counts; the register totals are re-read only on refresh."""
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

    def _row_activated(self, index: QModelIndex) -> None:
        account_id = self.model.account_id(index.row())
        if account_id is not None:
            self.open_account_form(account_id)

    def _keep_sort_indicator(self, column: int, order: Qt.SortOrder) -> None:
        if COLUMNS[column][2] is None:
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(
                self.model.sort_column(),
                Qt.SortOrder.DescendingOrder
                if self.model.query.descending
                else Qt.SortOrder.AscendingOrder,
            )
            header.blockSignals(False)
            self.statusBar().showMessage(
                self.tr("“{0}”列不能排序").format(COLUMNS[column][1]), STATUS_MESSAGE_MS
            )

    def _table_menu(self, pos: Any) -> None:
        menu = QMenu(self)
        for item in (
            self.act_edit_account,
            self.act_print,
            None,
            self.act_closure,
            self.act_sanctions,
            self.act_attachments,
        ):
            menu.addSeparator() if item is None else menu.addAction(item)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _typed_in_table(self, text: str) -> None:
        """Typing in the table starts a search with what was typed."""
        continuing = bool(self.search.text()) and self.search.text() == self._typed_search
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.setText(self.search.text() + text if continuing else text)
        self._typed_search = self.search.text()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear_search(self) -> None:
        self.search.clear()
        self.apply_query()

    def clear_all(self) -> None:
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.filters.blockSignals(True)
        self.filters.clear()
        self.filters.blockSignals(False)
        self.apply_query()

    # -- dialogs: one place tests patch ----------------------------------------------

    def exec_dialog(self, dialog: QDialog) -> int:
        """Run a modal dialog; tests replace this to answer dialogs."""
        return int(dialog.exec())

    def show_error(self, error: Exception) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("无法完成操作"),
            str(error),
            QMessageBox.StandardButton.Ok,
            self,
        )
        self.exec_dialog(box)

    def feature_missing(self, exc: ModuleNotFoundError, module: str, feature: str) -> None:
        """A hook whose module is not installed yet: say so instead of failing."""
        if exc.name != module:
            raise exc
        self.statusBar().showMessage(
            self.tr("“{0}”功能尚未提供").format(feature), STATUS_MESSAGE_MS
        )

    def require_account(self) -> int | None:
        account_id = self.current_account_id()
        if account_id is None:
            self.statusBar().showMessage(self.tr("请先在表格中选择一个账号"), STATUS_MESSAGE_MS)
        return account_id

    def run_dialog(self, dialog: QDialog, select_id: int | None = None) -> bool:
        """Run a hook's dialog; refresh the window after it was accepted."""
        try:
            accepted = self.exec_dialog(dialog) == QDialog.DialogCode.Accepted
        except NmdeskError as exc:
            self.show_error(exc)
            return False
        if accepted:
            self.refresh(select_id=select_id)
        return accepted

    # -- hooks into other modules (each imports its module lazily) -------------------

    def open_account_form(self, account_id: int | None = None) -> None:
        """Ctrl+N (new) or Enter (edit): the filing-sheet form, ui/account_form.py."""
        try:
            from ui.account_form import AccountFormDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.account_form", self.tr("账号表单"))
        dialog = AccountFormDialog(self.register, account_id=account_id, parent=self)
        if self.run_dialog(dialog, select_id=account_id) and dialog.account_id != account_id:
            self.refresh(select_id=dialog.account_id)

    def edit_current_account(self) -> None:
        account_id = self.require_account()
        if account_id is not None:
            self.open_account_form(account_id)

    def open_units(self) -> None:
        try:
            from ui.units_editor import UnitsDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.units_editor", self.tr("单位管理"))
        self.run_dialog(UnitsDialog(self.register, parent=self))

    def open_people(self) -> None:
        try:
            from ui.people_editor import PeopleDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.people_editor", self.tr("人员名录"))
        self.run_dialog(PeopleDialog(self.register, parent=self))

    def open_hand_over(self, person_id: int | None = None) -> None:
        try:
            from ui.hand_over import HandOverDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.hand_over", self.tr("人员交接"))
        self.run_dialog(HandOverDialog(self.register, person_id=person_id, parent=self))

    def open_closure(self) -> None:
        account_id = self.require_account()
        if account_id is None:
            return None
        try:
            from ui.closure import ClosureDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.closure", self.tr("注销账号"))
        self.run_dialog(
            ClosureDialog(self.register, account_id=account_id, parent=self), account_id
        )

    def open_sanctions(self) -> None:
        try:
            from ui.sanctions import SanctionsDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.sanctions", self.tr("处理与整改"))
        account_id = self.current_account_id()
        self.run_dialog(
            SanctionsDialog(self.register, account_id=account_id, parent=self), account_id
        )

    def open_watch_list(self) -> None:
        try:
            from ui.watch_list import WatchListDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.watch_list", self.tr("巡查登记"))
        self.run_dialog(WatchListDialog(self.register, parent=self))

    def open_attachments(self) -> None:
        account_id = self.require_account()
        if account_id is None:
            return None
        try:
            from ui.attachments import AttachmentsDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.attachments", self.tr("附件"))
        self.run_dialog(
            AttachmentsDialog(self.register, account_id=account_id, parent=self), account_id
        )

    def open_filings(self) -> None:
        """Filings waiting for their signed paper (of the selected account, or all)."""
        try:
            from ui.filings_dialog import FilingsDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.filings_dialog", self.tr("备案交回登记"))
        account_id = self.current_account_id()
        self.run_dialog(
            FilingsDialog(self.register, account_id=account_id, parent=self), account_id
        )

    def undo_last(self) -> None:
        try:
            from ui.undo import undo_last_edit
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.undo", self.tr("撤销"))
        try:
            message = undo_last_edit(self.register, parent=self)
        except NmdeskError as exc:
            return self.show_error(exc)
        self.refresh()
        if message:
            self.statusBar().showMessage(str(message), STATUS_MESSAGE_MS)
        return None

    def print_current(self) -> None:
        try:
            from ui.print_dialog import PrintDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.print_dialog", self.tr("打印"))
        account_id = self.current_account_id()
        dialog = PrintDialog(
            self.register, account_id=account_id, account_ids=self.model.ids(), parent=self
        )
        self.run_dialog(dialog, account_id)

    def open_receive_copy(self) -> None:
        """A signed copy came back: find its filing by the check code, mark it received."""
        try:
            from ui.receive_copy import ReceiveCopyDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.receive_copy", self.tr("登记交回"))
        self.run_dialog(ReceiveCopyDialog(self.register, parent=self))

    def import_data(self) -> None:
        try:
            from ui.import_wizard import ImportWizard
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.import_wizard", self.tr("导入"))
        self.run_dialog(ImportWizard(self.register, parent=self))

    def export_data(self) -> None:
        try:
            from ui.export_dialog import ExportDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.export_dialog", self.tr("导出"))
        self.run_dialog(ExportDialog(self.register, parent=self, query=self.model.query))

    def open_annual_review(self) -> None:
        try:
            from ui.review_wizard import ReviewWizard
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.review_wizard", self.tr("年度审核"))
        self.run_dialog(ReviewWizard(self.register, parent=self))

    def open_holidays(self) -> None:
        """工具 → 节假日安排… (ui/holiday_calendar.py); every clock is recomputed after a save."""
        try:
            from ui.holiday_calendar import HolidayCalendarDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.holiday_calendar", self.tr("节假日安排"))
        self.run_dialog(HolidayCalendarDialog(self.register, parent=self, today=self.today))
        return None

    def backup_register(self) -> None:
        """备份与恢复 (ui/data_safety.py); after a restore the register is opened afresh."""
        try:
            from ui.data_safety import BackupDialog
        except ModuleNotFoundError as exc:
            return self.feature_missing(exc, "ui.data_safety", self.tr("备份"))
        dialog = BackupDialog(self.register, parent=self)
        self.run_dialog(dialog)
        if dialog.restored:
            self.switch_to(str(self.register.path), create=False)
        return None

    def verify_register(self) -> None:
        from ui.data_safety import verify_register

        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("校验备案库"),
            verify_register(self.register),
            QMessageBox.StandardButton.Ok,
            self,
        )
        self.exec_dialog(box)

    def unlock_register(self) -> None:
        """文件 → 解除占用…: confirmed, then the register is opened afresh (ui/data_safety.py)."""
        from ui.data_safety import unlock_register

        if unlock_register(self.register, self, self.exec_dialog):
            self.switch_to(str(self.register.path), create=False)

    def export_audit_trail(self) -> None:
        from ui.data_safety import export_audit_trail

        export_audit_trail(self.register, self)

    # -- file ------------------------------------------------------------------------

    def save(self) -> None:
        """Ctrl+S: every action is its own committed transaction, so this only confirms it."""
        self.statusBar().showMessage(
            self.tr("所有修改均已即时保存到备案库 {0}").format(Path(self.register.path).name),
            STATUS_MESSAGE_MS,
        )

    def choose_file(self, title: str, save: bool = False) -> str:
        """A file dialog; tests replace this."""
        pattern = self.tr("备案库 (*.nmdesk *.db *.sqlite);;所有文件 (*)")
        folder = str(Path(self.register.path).parent)
        if save:
            return file_dialogs.save_file_name(self, title, folder, pattern)
        return file_dialogs.open_file_name(self, title, folder, pattern)

    def open_register_file(self) -> None:
        path = self.choose_file(self.tr("打开备案库"))
        if path:
            self.switch_to(path, create=False)

    def new_register_file(self) -> None:
        path = self.choose_file(self.tr("新建备案库"), save=True)
        if path:
            self.switch_to(path, create=True)

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

    def show_guide(self) -> None:
        """帮助 → 使用说明: the clerk's guide from its contents (ui/guide.py)."""
        open_guide("contents", self)

    def show_about(self) -> None:
        from ui.about import AboutDialog

        self.exec_dialog(AboutDialog(self.register.path, self.register.profile, self))

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
        self.search_timer.stop()
        self.details_timer.stop()
        self.save_settings()
        self.model.close()
        if self.owns_register:
            self.register.close()
        super().closeEvent(event)
