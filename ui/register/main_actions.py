"""The main window's actions, menus and toolbar, from one table (as Picard's
``mainwindow/actions.py``), and the commands they run.

Each ``ActionSpec`` names the window attribute it becomes (``act_<name>``), its text,
shortcut, icon, status tip and the command it runs. A command is a function of the
window: it opens a dialog through ``MainWindow.run_dialog``, which refreshes only what
the dialog says it changed (``nmdesk.changes``). The dialog modules are imported when
their command first runs, so that start-up loads none of them (the start-up bench
row in BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QSizePolicy, QStyle, QWidget

from nmdesk.changes import Changes
from nmdesk.errors import NmdeskError
from ui.common.guide import open_guide
from ui.common.register_location import display_name, location, on_server

if TYPE_CHECKING:
    from ui.register.main_window import MainWindow

Command = Callable[["MainWindow"], object]
STATUS_MESSAGE_MS = 6000
_Key = QKeySequence.StandardKey
_Icon = QStyle.StandardPixmap


@dataclass(frozen=True)
class ActionSpec:
    """One action of the main window: ``window.act_<name>``."""

    name: str
    text: str
    run: Command
    shortcut: QKeySequence.StandardKey | str | None = None
    icon: QStyle.StandardPixmap | None = None
    tip: str = ""


# -- commands ------------------------------------------------------------------------


def open_account_form(window: MainWindow, account_id: int | None = None) -> None:
    """Ctrl+N (new) or Enter (edit): the filing-sheet form, ui/desk/account_form.py."""
    from ui.desk.account_form import AccountFormDialog

    window.run_dialog(AccountFormDialog(window.register, account_id=account_id, parent=window))


def edit_current_account(window: MainWindow) -> None:
    account_id = window.require_account()
    if account_id is not None:
        open_account_form(window, account_id)


def open_units(window: MainWindow) -> None:
    from ui.desk.units_editor import UnitsDialog

    window.run_dialog(UnitsDialog(window.register, parent=window))


def open_people(window: MainWindow) -> None:
    from ui.desk.people_editor import PeopleDialog

    window.run_dialog(PeopleDialog(window.register, parent=window))


def open_hand_over(window: MainWindow, person_id: int | None = None) -> None:
    from ui.desk.hand_over import HandOverDialog

    window.run_dialog(HandOverDialog(window.register, person_id=person_id, parent=window))


def open_closure(window: MainWindow) -> None:
    account_id = window.require_account()
    if account_id is not None:
        from ui.desk.closure import ClosureDialog

        window.run_dialog(ClosureDialog(window.register, account_id=account_id, parent=window))


def open_sanctions(window: MainWindow) -> None:
    from ui.desk.sanctions import SanctionsDialog

    account_id = window.current_account_id()
    window.run_dialog(SanctionsDialog(window.register, account_id=account_id, parent=window))


def open_watch_list(window: MainWindow) -> None:
    from ui.desk.watch_list import WatchListDialog

    window.run_dialog(WatchListDialog(window.register, parent=window))


def open_attachments(window: MainWindow) -> None:
    account_id = window.require_account()
    if account_id is not None:
        from ui.desk.attachments import AttachmentsDialog

        dialog = AttachmentsDialog(window.register, account_id=account_id, parent=window)
        window.run_dialog(dialog)


def open_filings(window: MainWindow) -> None:
    """Filings waiting for their signed paper (of the selected account, or all)."""
    from ui.desk.filings_dialog import FilingsDialog

    account_id = window.current_account_id()
    window.run_dialog(FilingsDialog(window.register, account_id=account_id, parent=window))


def undo_last(window: MainWindow) -> None:
    from ui.desk.undo import undo_last_edit

    try:
        message = undo_last_edit(window.register, parent=window)
    except NmdeskError as exc:
        window.show_error(exc)
        return
    if message:  # an edit was taken back: its account, unit or person, and its filing
        window.apply_changes(Changes(accounts=True, units=True, people=True, filings=True))
        window.statusBar().showMessage(str(message), STATUS_MESSAGE_MS)


def print_current(window: MainWindow) -> None:
    from ui.printing.print_preview import PrintPreviewDialog

    dialog = PrintPreviewDialog(
        window.register,
        account_id=window.current_account_id(),
        account_ids=window.model.ids(),
        parent=window,
    )
    window.run_dialog(dialog)


def open_receive_copy(window: MainWindow) -> None:
    """A signed copy came back: find its filing by the check code, mark it received."""
    from ui.printing.receive_copy import ReceiveCopyDialog

    window.run_dialog(ReceiveCopyDialog(window.register, parent=window))


def import_data(window: MainWindow) -> None:
    from ui.excel.import_wizard import ImportWizard

    window.run_dialog(ImportWizard(window.register, parent=window))


def export_data(window: MainWindow) -> None:
    from ui.excel.export_dialog import ExportDialog

    window.run_dialog(ExportDialog(window.register, parent=window, query=window.model.query))


def open_annual_review(window: MainWindow) -> None:
    from ui.review.review_wizard import ReviewWizard

    window.run_dialog(ReviewWizard(window.register, parent=window))


def open_holidays(window: MainWindow) -> None:
    """工具 → 节假日安排… (ui/calendar/holiday_calendar.py); every clock is recomputed after a save."""
    from ui.calendar.holiday_calendar import HolidayCalendarDialog

    window.run_dialog(HolidayCalendarDialog(window.register, parent=window, today=window.today))


def backup_register(window: MainWindow) -> None:
    """备份与恢复 (ui/safety/data_safety.py); after a restore the register is opened afresh."""
    from ui.safety.data_safety import BackupDialog

    if on_server(window.register):
        window.show_error(
            window.tr(
                "服务器上的备案库由服务器管理员用 pg_dump 备份，本版本尚不能在 nmdesk 中备份或恢复"
            )
        )
        return
    dialog = BackupDialog(window.register, parent=window)
    window.run_dialog(dialog)
    if dialog.restored:
        window.switch_to(str(window.register.path), create=False)


def verify_register(window: MainWindow) -> None:
    """工具 → 校验备案库: checked on the register worker, the report shown when done."""
    from ui.safety.data_safety import start_verify

    window.job = start_verify(
        window,
        location(window.register),
        lambda report: window.show_message(window.tr("校验备案库"), report),
    )


def unlock_register(window: MainWindow) -> None:
    """文件 → 解除占用…: confirmed, then the register is opened afresh (ui/safety/data_safety.py)."""
    from ui.safety.data_safety import unlock_register as unlocked

    if on_server(window.register):
        window.show_error(
            window.tr("服务器上的备案库没有本机的占用，可由多位工作人员同时打开，无需解除")
        )
        return
    if unlocked(window.register, window, window.exec_dialog):
        window.switch_to(str(window.register.path), create=False)


def export_audit_trail(window: MainWindow) -> None:
    from ui.safety.data_safety import export_audit_trail as export

    export(window.register, window)


def confirm_saved(window: MainWindow) -> None:
    """Ctrl+S: every action is its own committed transaction, so this only confirms it."""
    window.statusBar().showMessage(
        window.tr("所有修改均已即时保存到备案库 {0}").format(display_name(window.register)),
        STATUS_MESSAGE_MS,
    )


def open_register_file(window: MainWindow) -> None:
    path = window.choose_file(window.tr("打开备案库"))
    if path:
        window.switch_to(path, create=False)


def connect_server(window: MainWindow) -> None:
    """文件 → 连接服务器备案库…: the register opens in a new window (ui/common/server_connect.py)."""
    from ui.common.server_connect import ServerConnectDialog

    dialog = ServerConnectDialog(window.settings, window)
    if window.exec_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.register is not None:
        window.switch_to_register(dialog.register)


def new_register_file(window: MainWindow) -> None:
    path = window.choose_file(window.tr("新建备案库"), save=True)
    if path:
        window.switch_to(path, create=True)


def show_about(window: MainWindow) -> None:
    from ui.common.about import AboutDialog

    window.exec_dialog(AboutDialog(location(window.register), window.register.profile, window))


# -- the table -----------------------------------------------------------------------

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("new_register", "新建备案库…", new_register_file),
    ActionSpec(
        "open_register", "打开备案库…", open_register_file, _Key.Open, _Icon.SP_DialogOpenButton
    ),
    ActionSpec(
        "connect_server",
        "连接服务器备案库…",
        connect_server,
        tip="打开单位 PostgreSQL 服务器上多人共用的备案库",
    ),
    ActionSpec(
        "save",
        "保存(&S)",
        confirm_saved,
        _Key.Save,
        _Icon.SP_DialogSaveButton,
        "每次修改都已即时写入备案库",
    ),
    ActionSpec("backup", "备份备案库…", backup_register),
    ActionSpec(
        "verify",
        "校验备案库…",
        verify_register,
        tip="检查数据库完整性和审计链，发现 nmdesk 之外的改动",
    ),
    ActionSpec(
        "unlock",
        "解除占用…",
        unlock_register,
        tip="另一台电脑上的 nmdesk 已关闭但占用未解除时，接管备案库",
    ),
    ActionSpec("audit_export", "导出审计记录…", export_audit_trail, tip="供检查使用"),
    ActionSpec("import", "从 Excel 导入…", import_data),
    ActionSpec("export", "导出到 Excel…", export_data),
    ActionSpec(
        "print",
        "打印(&P)…",
        print_current,
        _Key.Print,
        _Icon.SP_FileDialogDetailedView,
        "打印所选账号的备案表（一式两份）",
    ),
    ActionSpec(
        "receive_copy",
        "登记交回签字表…",
        open_receive_copy,
        tip="输入或扫描纸质表上的校验码，登记签字表已交回",
    ),
    ActionSpec("quit", "退出(&Q)", lambda window: window.close(), _Key.Quit),
    ActionSpec("undo", "撤销(&U)", undo_last, _Key.Undo, _Icon.SP_ArrowBack),
    ActionSpec(
        "new_account",
        "新建账号(&N)…",
        open_account_form,
        _Key.New,
        _Icon.SP_FileIcon,
        "按备案表录入一个新账号",
    ),
    ActionSpec(
        "edit_account",
        "编辑账号(&E)…",
        edit_current_account,
        icon=_Icon.SP_FileDialogContentsView,
        tip="打开所选账号（在表格中按回车亦可）",
    ),
    ActionSpec("closure", "注销账号…", open_closure),
    ActionSpec("sanctions", "处理与整改…", open_sanctions),
    ActionSpec("attachments", "附件…", open_attachments),
    ActionSpec(
        "filings",
        "备案交回登记…",
        open_filings,
        tip="待交回的备案：标记归档、按校验码登记、附加扫描件",
    ),
    ActionSpec("units", "单位管理…", open_units, icon=_Icon.SP_DirIcon),
    ActionSpec("people", "人员名录…", open_people),
    ActionSpec("hand_over", "人员交接…", open_hand_over, tip="离职、毕业人员的全部职责一次移交"),
    ActionSpec("watch_list", "巡查登记…", open_watch_list),
    ActionSpec("review", "年度审核…", open_annual_review),
    ActionSpec(
        "holidays",
        "节假日安排…",
        open_holidays,
        tip="录入国务院办公厅的节假日安排通知，截止日期按实际工作日计算",
    ),
    ActionSpec("refresh", "刷新", lambda window: window.refresh(), "F5", _Icon.SP_BrowserReload),
    ActionSpec("find", "查找(&F)", lambda window: window.search.focus_all(), "Ctrl+F"),
    ActionSpec("clear_filters", "清除筛选与搜索", lambda window: window.clear_all()),
    # F1 is not this action's shortcut: F1 opens the section of the window or panel in
    # front (ui/common/guide.py); the menu shows the key all the same.
    ActionSpec("guide", "使用说明\tF1", lambda window: open_guide("contents", window)),
    ActionSpec("about", "关于", show_about),
)

# (menu title, action names; None is a separator); "board" is the deadlines dock's toggle
MENUS: tuple[tuple[str, tuple[str | None, ...]], ...] = (
    (
        "文件(&F)",
        (
            "new_register",
            "open_register",
            "connect_server",
            None,
            "save",
            "backup",
            "verify",
            "unlock",
            "audit_export",
            None,
            "import",
            "export",
            None,
            "print",
            "receive_copy",
            None,
            "quit",
        ),
    ),
    ("编辑(&E)", ("undo", None, "find", "clear_filters")),
    (
        "账号(&A)",
        ("new_account", "edit_account", None, "closure", "sanctions", "attachments", "filings"),
    ),
    ("单位与人员(&U)", ("units", "people", "hand_over")),
    ("监管(&M)", ("watch_list", "review")),
    ("视图(&V)", ("refresh", "board")),
    ("工具(&T)", ("holidays",)),
    ("帮助(&H)", ("guide", "about")),
)
TOOLBAR = ("new_account", "edit_account", "save", "print", "refresh")
TABLE_MENU = ("edit_account", "print", None, "closure", "sanctions", "attachments")


def install(window: MainWindow) -> None:
    """Create ``window.act_<name>`` for every spec, then the menus, the toolbar (with the
    search box at its right end) and the table's context menu."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = _make_action(window, spec)
        actions[spec.name] = action
        setattr(window, f"act_{spec.name}", action)
    # F5 on every platform, and the platform's own refresh key where it has another
    refresh = actions["refresh"]
    keys = [QKeySequence("F5")]
    platform_refresh = QKeySequence(_Key.Refresh)
    if not platform_refresh.isEmpty() and platform_refresh != keys[0]:
        keys.append(platform_refresh)
    refresh.setShortcuts(keys)
    board = window.board_dock.toggleViewAction()
    board.setText(window.tr("截止事项面板"))
    actions["board"] = window.act_board = board

    bar = window.menuBar()
    for title, names in MENUS:
        _fill(bar.addMenu(window.tr(title)), names, actions)
    toolbar = window.addToolBar(window.tr("工具栏"))
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    _fill(toolbar, TOOLBAR, actions)
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    toolbar.addWidget(spacer)
    toolbar.addWidget(window.search)
    window.table.context_actions = [actions[name] if name else None for name in TABLE_MENU]


def _make_action(window: MainWindow, spec: ActionSpec) -> QAction:
    action = QAction(window.tr(spec.text), window)
    if spec.shortcut is not None:
        action.setShortcut(QKeySequence(spec.shortcut))
    if spec.icon is not None:
        action.setIcon(window.style().standardIcon(spec.icon))
    if spec.tip:
        action.setStatusTip(window.tr(spec.tip))
    run = spec.run

    def triggered(_checked: bool = False) -> None:
        try:
            run(window)
        except NmdeskError as exc:  # e.g. what a server register cannot do yet
            window.show_error(exc)

    action.triggered.connect(triggered)
    window.addAction(action)
    return action


def _fill(target: Any, names: tuple[str | None, ...], actions: dict[str, QAction]) -> None:
    for name in names:
        target.addSeparator() if name is None else target.addAction(actions[name])
