"""The main window on the demo register: table, search, filters, sorting, details, hooks."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLabel

from nmdesk.changes import Changes
from nmdesk.models import AccountStatus
from nmdesk.services.accounts import edit_account
from nmdesk.store.search import AccountQuery, pinyin_initials
from ui.register import main_actions
from ui.register.account_table import COLUMN_KEYS, OVERDUE_COLOR
from ui.register.main_window import MainWindow


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, demo_register, settings) -> MainWindow:
    win = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def shown_ids(win: MainWindow) -> list[int]:
    return win.model.ids()


def column(key: str) -> int:
    return COLUMN_KEYS.index(key)


def search(qtbot, win: MainWindow, text: str) -> None:
    win.search.setText(text)
    qtbot.waitUntil(lambda: win.model.query.text == text, timeout=3000)


def test_window_lists_every_account_with_counts(window, demo_register):
    total = demo_register.accounts.count()
    assert window.model.rowCount() == total == 300
    assert f"共 {total} 个账号" in window.count_label.text()
    assert "逾期" in window.clock_label.text()
    first = window.model.row_data(0)
    assert window.model.index(0, column("status")).data() == AccountStatus(first["status"]).label
    assert window.model.index(0, column("level")).data().endswith("账号")
    assert window.board_dock.isVisible()


def test_rows_are_fetched_lazily_in_chunks(window):
    model = window.model
    model.CHUNK = 50
    model.refresh()
    assert model.fetched_chunks == 0 or model.fetched_chunks >= 0
    before = model.fetched_chunks
    model.index(0, 0).data()
    model.index(1, 0).data()
    assert model.fetched_chunks == before + 1
    model.index(260, column("name")).data()
    assert model.fetched_chunks == before + 2
    assert model.index(260, column("name")).data()


def test_search_by_two_character_person_name(qtbot, window, demo_register):
    holders = demo_register.query(
        "SELECT p.name, ra.account_id FROM role_assignments ra JOIN people p ON p.id = ra.person_id "
        "WHERE ra.end_on IS NULL AND length(p.name) = 2 ORDER BY ra.id LIMIT 1"
    )
    name, account_id = holders[0]["name"], holders[0]["account_id"]
    search(qtbot, window, name)
    ids = shown_ids(window)
    assert account_id in ids
    assert 0 < len(ids) < demo_register.accounts.count()
    assert ids == demo_register.accounts.ids(AccountQuery(text=name))


def test_search_by_pinyin_initials(qtbot, window, demo_register):
    search(qtbot, window, "jsj")
    ids = shown_ids(window)
    assert 0 < len(ids) < demo_register.accounts.count()
    for row in demo_register.accounts.rows(ids).values():
        assert "jsj" in pinyin_initials(row["name"]) + " " + pinyin_initials(row["unit"])
    search(qtbot, window, "")
    assert window.model.rowCount() == demo_register.accounts.count()


def test_escape_clears_the_search_box(qtbot, window, demo_register):
    search(qtbot, window, "计算机")
    assert window.model.rowCount() < demo_register.accounts.count()
    window.search.setFocus()
    QTest.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    assert window.model.rowCount() == demo_register.accounts.count()


def test_platform_status_and_level_filters(window, demo_register):
    bar = window.filters
    bar.select(bar.platform, "微信")
    rows = demo_register.accounts.rows(shown_ids(window)).values()
    assert rows and all(row["platform"] == "微信" for row in rows)
    bar.select(bar.status, AccountStatus.RUNNING.value)
    rows = demo_register.accounts.rows(shown_ids(window)).values()
    assert rows and all(row["platform"] == "微信" and row["status"] == "running" for row in rows)
    bar.select(bar.level, 3)
    rows = demo_register.accounts.rows(shown_ids(window)).values()
    assert all(row["level"] == 3 for row in rows)
    bar.clear()
    assert window.model.rowCount() == demo_register.accounts.count()


def test_unit_filter_includes_sub_units_on_request(window, demo_register):
    college = demo_register.units.find_by_name("计算机学院")
    subtree = set(demo_register.units.subtree_ids(college.id))
    assert len(subtree) > 1
    window.filters.select(window.filters.unit, college.id)
    with_subs = shown_ids(window)
    assert with_subs
    assert {demo_register.accounts.get(i).unit_id for i in with_subs} <= subtree
    window.filters.sub_units.setChecked(False)
    only_unit = shown_ids(window)
    assert {demo_register.accounts.get(i).unit_id for i in only_unit} <= {college.id}
    assert len(only_unit) < len(with_subs)


def test_role_holder_and_overdue_filters(window, demo_register):
    person_id = demo_register.scalar(
        "SELECT person_id FROM role_assignments WHERE end_on IS NULL GROUP BY person_id "
        "ORDER BY count(*) DESC LIMIT 1"
    )
    window.filters.select(window.filters.person, person_id)
    held = {a.account_id for a in demo_register.accounts.responsibilities(person_id)}
    assert set(shown_ids(window)) == held
    window.filters.clear()
    window.filters.overdue.setChecked(True)
    overdue = shown_ids(window)
    assert 0 < len(overdue) < demo_register.accounts.count()
    assert overdue == demo_register.accounts.ids(AccountQuery(overdue_only=True))


def test_role_holder_choices_load_after_the_first_paint_or_on_focus(
    qtbot, monkeypatch, demo_register, settings
):
    people = demo_register.scalar("SELECT count(*) FROM people")
    delayed: list[int] = []  # the delayed loads that have run

    def single_shot(msec: int, slot) -> None:
        def fired() -> None:
            slot()
            delayed.append(msec)

        QTimer.singleShot(msec, fired)

    monkeypatch.setattr("ui.register.filters_bar.QTimer", SimpleNamespace(singleShot=single_shot))
    window = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(window)
    person = window.filters.person
    assert person.count() == 1  # nothing read before the first paint
    window.show()
    QTest.mouseClick(person, Qt.MouseButton.LeftButton)  # the first use loads them
    assert person.count() == people + 1
    # the delayed load runs as well, finds them loaded and adds nothing twice
    qtbot.waitUntil(lambda: bool(delayed), timeout=5000)
    assert person.count() == people + 1
    window.filters.reload_choices()
    assert person.count() == people + 1
    window.close()


def test_sorting_by_a_column_reorders_through_sql(window, demo_register):
    header = window.table.horizontalHeader()
    header.setSortIndicator(column("name"), Qt.SortOrder.DescendingOrder)
    assert window.model.query.order_by == "name" and window.model.query.descending
    expected = demo_register.accounts.ids(AccountQuery(order_by="name", descending=True))
    assert shown_ids(window) == expected
    names = [window.model.index(row, column("name")).data() for row in range(5)]
    assert names == sorted(names, reverse=True)
    # A column without a sort key keeps the SQL order and the indicator.
    header.setSortIndicator(column("operator"), Qt.SortOrder.AscendingOrder)
    assert shown_ids(window) == expected
    assert header.sortIndicatorSection() == column("name")


def test_overdue_next_due_is_red(window):
    model = window.model
    today = model.today.isoformat()
    for row in range(model.rowCount()):
        data = model.row_data(row)
        if data["next_due"] and data["next_due"] < today:
            brush = model.index(row, column("next_due")).data(Qt.ItemDataRole.ForegroundRole)
            assert brush.color() == OVERDUE_COLOR
            break
    else:
        pytest.fail("the demo register has no overdue filing")


def test_details_pane_shows_roles_filings_and_history(qtbot, window, demo_register):
    account_id = demo_register.scalar(
        "SELECT f.account_id FROM filings f JOIN filing_changes c ON c.filing_id = f.id "
        "ORDER BY f.id LIMIT 1"
    )
    assert window.select_account(account_id)
    details = window.details
    assert details.account_id == account_id
    roles = demo_register.accounts.current_roles(account_id)
    assert details.roles.topLevelItemCount() == len(roles) > 0
    names = {details.roles.topLevelItem(i).text(1) for i in range(len(roles))}
    assert names == {demo_register.people.get(r.person_id).name for r in roles}
    filings = demo_register.filings.for_account(account_id)
    assert details.filings.topLevelItemCount() == len(filings)
    changes = [
        details.filings.topLevelItem(i).child(j).text(0)
        for i in range(details.filings.topLevelItemCount())
        for j in range(details.filings.topLevelItem(i).childCount())
    ]
    assert any("→" in text for text in changes)
    assert details.history.topLevelItemCount() == 0  # read only when the tab is shown
    details.setCurrentWidget(details.history)
    assert details.history.topLevelItemCount() == len(
        demo_register.audit.history_of_account(account_id)
    )


def test_history_shows_old_and_new_values(qtbot, window, demo_register):
    import datetime as dt

    account_id = window.model.account_id(0)
    old = demo_register.accounts.get(account_id).purpose
    edit_account(demo_register, account_id, {"purpose": "新的用途说明"}, event_on=dt.date.today())
    window.apply_changes(Changes(accounts=True, select=account_id))
    details = window.details
    details.setCurrentWidget(details.history)
    tree = details.history
    texts = {
        (tree.topLevelItem(i).child(j).text(2), tree.topLevelItem(i).child(j).text(3))
        for i in range(3)
        for j in range(tree.topLevelItem(i).childCount())
    }
    assert ("账号主要用途", f"{old} → 新的用途说明") in texts


def test_deadlines_board_lists_overdue_first_and_selects(qtbot, window, demo_register):
    board = window.board
    today = board.today
    flags = [clock.is_overdue(today) for clock in board.clocks]
    assert flags[0] is True
    first_not_overdue = flags.index(False)
    assert not any(flags[first_not_overdue:])
    model = board.model
    assert model.index(0, 0).data() == "逾期"
    assert "逾期" in model.index(0, 4).data()
    target = next(i for i, c in enumerate(board.visible) if c.account_id is not None and i > 3)
    board.view.activated.emit(model.index(target, 2))
    assert window.current_account_id() == board.visible[target].account_id


def test_deadlines_board_selects_even_when_search_hides_the_account(qtbot, window):
    board = window.board
    clock = next(c for c in board.clocks if c.account_id is not None)
    search(qtbot, window, "没有这个账号的名字")
    assert window.model.rowCount() == 0
    assert window.select_account(clock.account_id)
    assert window.search.text() == ""
    assert window.current_account_id() == clock.account_id


def test_shortcuts(qtbot, window):
    assert window.act_new_account.shortcut() == QKeySequence("Ctrl+N")
    assert window.act_save.shortcut() == QKeySequence("Ctrl+S")
    assert window.act_find.shortcut() == QKeySequence("Ctrl+F")
    assert window.act_print.shortcut() == QKeySequence("Ctrl+P")
    assert QKeySequence("F5") in window.act_refresh.shortcuts()
    window.activateWindow()
    window.table.setFocus()
    window.act_find.trigger()
    qtbot.waitUntil(lambda: window.search.hasFocus(), timeout=2000)


def test_enter_in_table_opens_the_account(qtbot, window, monkeypatch):
    opened = []
    monkeypatch.setattr(
        main_actions,
        "open_account_form",
        lambda _window, account_id=None: opened.append(account_id),
    )
    window.table.setFocus()
    window.table.selectRow(4)
    QTest.keyClick(window.table.viewport(), Qt.Key.Key_Return)
    if not opened:  # the key goes to the view itself on some styles
        QTest.keyClick(window.table, Qt.Key.Key_Return)
    assert opened == [window.model.account_id(4)]


class _SavingDialog(QDialog):
    """A desk dialog that was accepted after saving what ``changes`` names."""

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes


def _spy_views(window, monkeypatch) -> list[str]:
    reread: list[str] = []
    for name, view in (("table", window.model), ("board", window.board)):
        original = view.refresh
        monkeypatch.setattr(
            view, "refresh", lambda name=name, original=original: (reread.append(name), original())
        )
    monkeypatch.setattr(window, "exec_dialog", lambda dialog: QDialog.DialogCode.Accepted)
    return reread


def test_an_account_save_rereads_the_table_and_selects_the_saved_account(window, monkeypatch):
    reread = _spy_views(window, monkeypatch)
    saved = window.model.account_id(7)
    window.table.selectRow(2)
    window.run_dialog(_SavingDialog(Changes(accounts=True, select=saved)))
    assert reread == ["table", "board"]
    assert window.current_account_id() == saved


def test_a_holiday_or_watch_list_change_does_not_reread_the_table(window, monkeypatch):
    """The holiday calendar moves deadlines only; a 100,000-id query is not re-run."""
    reread = _spy_views(window, monkeypatch)
    window.table.selectRow(3)
    selected = window.current_account_id()
    window.run_dialog(_SavingDialog(Changes(calendar=True)))
    window.run_dialog(_SavingDialog(Changes(records=True)))
    assert reread == ["board", "board"]
    assert window.current_account_id() == selected


def test_a_dialog_that_wrote_nothing_refreshes_nothing(window, monkeypatch):
    reread = _spy_views(window, monkeypatch)
    window.run_dialog(QDialog())  # no ``changes``, and the audit trail did not grow
    assert reread == []


def test_a_dialog_that_wrote_without_saying_what_refreshes_everything(
    window, demo_register, monkeypatch
):
    import datetime as dt

    reread = _spy_views(window, monkeypatch)

    account_id = window.model.account_id(0)
    monkeypatch.setattr(
        window,
        "exec_dialog",
        lambda dialog: (
            edit_account(
                demo_register, account_id, {"purpose": "另一种用途"}, event_on=dt.date.today()
            ),
            QDialog.DialogCode.Accepted,
        )[1],
    )
    window.run_dialog(QDialog())
    assert reread == ["table", "board"]


def test_window_state_is_remembered(qtbot, demo_register, settings):
    first = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(1200, 700)
    first.splitter.setSizes([300, 700])
    first.table.setColumnWidth(column("name"), 333)
    first.close()
    assert settings.value("main/splitter") is not None
    second = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.table.columnWidth(column("name")) == 333
    left, right = second.splitter.sizes()
    assert right > left  # the default gives the table more room
    second.close()


def test_deadlines_board_filters_by_category_and_overdue(window):
    board = window.board
    board.kind_filter.setCurrentIndex(board.kind_filter.findData("filing"))
    assert board.visible and all(clock.kind.value == "filing" for clock in board.visible)
    assert board.model.rowCount() == len(board.visible) < len(board.clocks)
    board.kind_filter.setCurrentIndex(0)
    board.overdue_only.setChecked(True)
    assert len(board.visible) == board.overdue_count() > 0
    assert all(clock.is_overdue(board.today) for clock in board.visible)


def test_deadlines_board_can_load_on_a_worker(qtbot, demo_register):
    from ui.register.deadlines_board import DeadlinesBoard

    board = DeadlinesBoard(demo_register, background=True)
    qtbot.addWidget(board)
    assert board.loading and board.summary.text() == "正在计算截止事项…"
    with qtbot.waitSignal(board.loaded, timeout=20000):
        pass
    assert not board.loading and board.job is not None and board.job.done
    direct = DeadlinesBoard(demo_register)
    qtbot.addWidget(direct)
    assert [c.title for c in board.clocks] == [c.title for c in direct.clocks]


def test_a_read_only_register_is_marked(qtbot, demo_path, settings):
    from nmdesk.store import Register

    second = Register.open(demo_path, actor="other", read_only=True, auto_backup=False)
    try:
        assert second.read_only
        win = MainWindow(second, settings=settings)
        qtbot.addWidget(win)
        assert win.windowTitle().endswith("只读")
        assert win.findChild(QLabel, "readOnlyBadge") is not None
        assert win.statusBar().currentMessage()
        win.close()
    finally:
        second.close()


def test_estimated_due_dates_are_flagged(qtbot, window, demo_register):
    import datetime as dt

    from nmdesk.models import FieldChange, FilingKind

    account_id = window.model.account_id(0)
    filing_id = demo_register.filings.create(
        account_id, FilingKind.CHANGE, dt.date(2099, 12, 28), [FieldChange("账号名称", "甲", "乙")]
    )
    assert demo_register.filings.get(filing_id).due_is_estimate
    window.apply_changes(Changes(accounts=True, select=account_id))
    board = window.board
    row = next(i for i, c in enumerate(board.visible) if c.filing_id == filing_id)
    assert board.model.index(row, 5).data() == "估算"
    assert "估算" in window.clock_label.text()
    dues = [
        window.details.filings.topLevelItem(i).text(3)
        for i in range(window.details.filings.topLevelItemCount())
    ]
    assert any(text.endswith("（估算）") for text in dues)


def test_typing_in_the_table_starts_a_search(qtbot, window):
    window.table.setFocus()
    QTest.keyClicks(window.table, "jsj")
    assert window.search.text() == "jsj"
    qtbot.waitUntil(lambda: window.model.query.text == "jsj", timeout=3000)
    assert 0 < window.model.rowCount() < 300


def test_details_pane_lists_and_opens_attachments(
    qtbot, window, demo_register, tmp_path, monkeypatch
):
    account_id = window.model.account_id(1)
    scan = tmp_path / "备案表签字页.pdf"
    scan.write_bytes(b"%PDF-1.4\n% signed copy\n")
    with demo_register.transaction():
        demo_register.attachments.add(scan, account_id=account_id, description="签字盖章件")
    window.apply_changes(Changes(accounts=True, select=account_id))
    tree = window.details.attachments
    assert tree.topLevelItemCount() == 1
    assert tree.topLevelItem(0).text(0) == "备案表签字页.pdf"
    opened = []
    monkeypatch.setattr(window.details, "open_file", lambda path: opened.append(path) or True)
    tree.itemActivated.emit(tree.topLevelItem(0), 0)
    assert len(opened) == 1 and opened[0].read_bytes() == scan.read_bytes()


@pytest.fixture
def progressive_window(window):
    """The large-register behaviour on the demo: a first screen of 20 ids, the rest read
    on the background thread."""
    window.model.progressive = True
    window.model.CHUNK = 20
    return window


def test_a_large_search_shows_the_first_screen_then_the_rest(qtbot, progressive_window):
    win = progressive_window
    register = win.register
    query = AccountQuery(text="")
    expected = register.accounts.ids(query)
    assert len(expected) == 300
    with qtbot.waitSignal(win.model.completed, timeout=5000):
        win.filters.overdue.setChecked(False)
        win.apply_query()
        assert win.model.rowCount() == 20  # the first screen, at once
        assert not win.model.is_complete
        assert "正在读取其余" in win.count_label.text()
    assert win.model.is_complete
    assert [win.model.account_id(row) for row in range(win.model.rowCount())] == expected
    assert "显示 300 / 共 300 个账号" in win.count_label.text()


def test_the_selected_account_past_the_first_screen_is_kept(qtbot, progressive_window):
    win = progressive_window
    account_id = win.register.accounts.ids(AccountQuery())[250]
    assert win.select_account(account_id)
    with qtbot.waitSignal(win.model.completed, timeout=5000):
        win.apply_query()  # same filters: the account is still in the list, past row 20
        assert win.current_account_id() != account_id
    assert win.current_account_id() == account_id


def test_a_newer_query_wins_over_an_older_background_read(qtbot, progressive_window):
    win = progressive_window
    win.apply_query()  # all 300: its background read is queued
    assert not win.model.is_complete
    loader = win.model._id_loader()
    older = loader.latest
    everything = win.register.accounts.ids(AccountQuery())
    expected = win.register.accounts.ids(AccountQuery(status=AccountStatus.RUNNING.value))
    assert len(expected) > win.model.CHUNK
    win.filters.select(win.filters.status, AccountStatus.RUNNING.value)
    with qtbot.waitSignal(win.model.completed, timeout=5000):
        win.apply_query()
        # the older read reports while the newer one is still being read: it is ignored
        loader.loaded.emit(older, everything)
        assert not win.model.is_complete
        shown = [win.model.account_id(row) for row in range(win.model.rowCount())]
        assert shown == expected[: win.model.CHUNK]
    assert win.model.ids() == expected
    # and once more after the newer list is in
    loader.loaded.emit(older, everything)
    assert win.model.ids() == expected


def test_every_id_is_read_at_once_when_a_command_needs_them_all(progressive_window):
    win = progressive_window
    win.apply_query()
    assert not win.model.is_complete
    assert win.model.ids() == win.register.accounts.ids(AccountQuery())  # batch print, export
    assert win.model.is_complete


def test_locating_an_account_hidden_by_a_search_clears_it_and_finds_it_past_the_first_screen(
    progressive_window,
):
    win = progressive_window
    target = win.register.accounts.ids(AccountQuery())[250]
    win.search.setText("不会有这样的账号名称")
    win.apply_query()
    assert win.model.rowCount() == 0
    assert win.select_account(target)  # e.g. a double-click on the deadlines board
    assert win.search.text() == ""
    assert win.current_account_id() == target


def test_the_title_names_the_file_and_institution_once_and_marks_the_demo(
    qtbot, window, register, settings
):
    """Issue 15: "新媒体账号备案管理台 — r.db（北京理工大学） — 新媒体账号备案管理台"."""
    from PySide6.QtGui import QGuiApplication

    # the platform window (xcb, Windows) appends " — " and the display name
    assert QGuiApplication.applicationDisplayName() == "新媒体账号备案管理台"
    assert window.windowTitle() == "demo.nmdesk（北京理工大学）［演示］"
    assert window.findChild(QLabel, "demoBanner").isVisible()
    plain = MainWindow(register, settings=settings)  # a real register: no mark
    qtbot.addWidget(plain)
    plain.show()
    qtbot.waitExposed(plain)
    assert plain.windowTitle() == "bit.nmdesk（北京理工大学）"
    assert plain.findChild(QLabel, "demoBanner") is None
    plain.close()


def test_the_open_dialog_lists_every_register_extension(window, monkeypatch):
    import ui.common.file_dialogs as file_dialogs

    seen = []

    def chosen(dialog):
        seen.append(dialog.nameFilters())
        return []

    monkeypatch.setattr(file_dialogs, "_chosen", chosen)
    assert window.choose_file("打开备案库") == ""
    assert seen == [["备案库 (*.nmdesk *.db *.sqlite)", "所有文件 (*)"]]


def test_history_shows_old_and_new_values_of_a_bulk_update(qtbot, window, demo_register):
    """A status change written for many accounts at once (one row set, as publishing a
    review writes it) shows in each account's history as old → new."""
    from nmdesk.models import AccountStatus

    running = [
        window.model.account_id(row)
        for row in range(window.model.rowCount())
        if demo_register.accounts.get(window.model.account_id(row)).status is AccountStatus.RUNNING
    ][:3]
    assert len(running) == 3
    with demo_register.transaction():
        demo_register.accounts.transition_many(
            running, AccountStatus.RUNNING, AccountStatus.RECTIFYING
        )
    window.apply_changes(Changes(accounts=True, select=running[1]))
    details = window.details
    details.setCurrentWidget(details.history)
    newest = details.history.topLevelItem(0)
    changes = [newest.child(j).text(3) for j in range(newest.childCount())]
    assert any("→" in text for text in changes), changes
    assert details.history.topLevelItemCount() == len(
        demo_register.audit.history_of_account(running[1])
    )
