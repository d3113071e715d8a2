"""帮助 → 使用说明: the clerk's guide is bundled, names only menus and buttons that exist,
and F1 opens it at the section of the window in front."""

from __future__ import annotations

import ast
import datetime as dt
import html
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget

from nmdesk import paths
from ui.common import guide
from ui.register.main_window import MainWindow

UI_DIR = Path(guide.__file__).resolve().parent


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture(autouse=True)
def _close_guide():
    yield
    shown = guide.current_guide()
    if shown is not None:
        shown.close()


def _main_window(qtbot, register, settings) -> MainWindow:
    window = MainWindow(register, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _names_anchor(block, section: str) -> bool:
    fragments = block.begin()
    while not fragments.atEnd():
        if section in fragments.fragment().charFormat().anchorNames():
            return True
        fragments += 1
    return False


def heading_offset(shown: guide.GuideWindow, section: str) -> tuple[int, int, bool]:
    """(heading top relative to the viewport's top, viewport height, scrolled to the end)."""
    browser = shown.browser
    document = browser.document()
    title = guide.section_titles()[section]
    block = document.begin()
    while block.isValid() and not _names_anchor(block, section):
        block = block.next()
    assert block.isValid(), f"no anchor {section} in the shown document"
    assert block.text() == title
    top = document.documentLayout().blockBoundingRect(block).top()
    bar = browser.verticalScrollBar()
    return int(top) - bar.value(), browser.viewport().height(), bar.value() == bar.maximum()


def assert_opened_at(section: str, window: QWidget) -> None:
    shown = guide.current_guide()
    assert shown is not None, "F1 opened no guide"
    assert shown.section == section
    assert shown.browser.source().fragment() == section
    assert shown.parentWidget() is window.window()  # usable while that window is modal
    QApplication.processEvents()
    offset, height, at_end = heading_offset(shown, section)
    # the section's heading is at the top of the page, or (near the end of the guide)
    # on the page with the page scrolled as far as it goes
    assert -30 <= offset < height  # (the block starts with its top margin)
    assert offset < 60 or at_end, (section, offset)


def press_f1(qtbot, widget: QWidget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_F1)


# -- the bundled guide -----------------------------------------------------------------


def test_guide_is_bundled_and_every_section_and_link_has_its_anchor():
    assert paths.resource("guide", "guide.html").is_file()
    anchors = guide.guide_anchors()
    assert len(anchors) == len(set(anchors))
    assert set(anchors) == set(guide.SECTIONS)
    assert set(guide.section_titles()) == set(guide.SECTIONS)
    links = re.findall(r'<a href="#([^"]+)"', guide.guide_html())
    assert set(links) == set(guide.SECTIONS) - {"contents"}


def test_every_picture_of_the_guide_is_bundled():
    pictures = re.findall(r'<img src="([^"]+)"', guide.guide_html())
    assert len(pictures) >= 8
    for name in pictures:
        assert paths.resource("guide", *name.split("/")).is_file(), name


def test_make_screenshots_draws_every_picture_of_the_guide_at_1366_by_768(qapp, tmp_path):
    from PySide6.QtGui import QImage

    from tools.guide_screenshots import render_guide_pictures

    written = {path.name: path for path in render_guide_pictures(tmp_path)}
    pictures = re.findall(r'<img src="images/([^"]+)"', guide.guide_html())
    assert set(pictures) <= set(written)
    for name in pictures:
        image = QImage(str(written[name]))
        assert 300 < image.width() <= 1366 and 200 < image.height() <= 768, name
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 37)
            for y in range(0, image.height(), 23)
        }
        assert len(colours) > 10, f"{name} looks blank"


def _ui_strings() -> set[str]:
    """Every string literal in ui/*.py, as the clerk sees it: mnemonics and markup removed."""
    found: set[str] = set()
    for source in UI_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = re.sub(r"<[^>]+>", "", node.value)
                found.add(re.sub(r"\(&\w\)|&(?=\w)", "", text).strip())
    return found


def test_every_button_the_guide_names_exists_with_that_text():
    strings = _ui_strings()
    buttons = re.findall(r"【([^】]+)】", html.unescape(guide.guide_html()))
    assert len(buttons) > 40
    missing = [
        name
        for name in buttons
        if name not in strings
        and not any(s.startswith((name + "（", name + "：")) for s in strings)
    ]
    assert missing == []


def test_every_menu_path_the_guide_names_is_a_menu_of_the_main_window(qtbot, register, settings):
    window = _main_window(qtbot, register, settings)

    def shown(text: str) -> str:
        return re.sub(r"\(&\w\)", "", text).split("\t")[0]

    menus = {
        shown(menu.title()): {shown(a.text()) for a in menu.actions() if not a.isSeparator()}
        for menu in (a.menu() for a in window.menuBar().actions())
        if menu is not None
    }
    paths_named = re.findall(r"「([^」]+)」", guide.guide_html())
    assert len(paths_named) > 20
    for path in paths_named:
        menu, item = (part.strip() for part in path.split("→"))
        assert menu in menus, path
        assert item in menus[menu], path


# -- 帮助 → 使用说明 and F1 ------------------------------------------------------------


def test_help_menu_opens_the_guide_at_its_contents(qtbot, register, settings):
    window = _main_window(qtbot, register, settings)
    help_menu = next(
        a.menu() for a in window.menuBar().actions() if a.menu() and "帮助" in a.text()
    )
    entry = next(a for a in help_menu.actions() if a.text().startswith("使用说明"))
    assert entry.text().endswith("\tF1")
    entry.trigger()
    assert_opened_at("contents", window)
    images = guide.current_guide().browser.document()
    assert images.toPlainText().startswith("新媒体账号备案管理台 使用说明")


def test_f1_in_the_main_window_and_in_the_deadlines_board(qtbot, demo_register, settings):
    window = _main_window(qtbot, demo_register, settings)
    press_f1(qtbot, window.table)
    assert_opened_at("main-window", window)
    press_f1(qtbot, window.search)
    assert_opened_at("main-window", window)
    press_f1(qtbot, window.board.view)
    assert_opened_at("deadlines", window)
    assert guide.current_guide().windowTitle() == "使用说明 — 截止事项面板"


def test_f1_in_the_account_form_print_preview_and_review_wizard(qtbot, demo_register):
    from ui.desk.account_form import AccountFormDialog
    from ui.printing.print_preview import PrintPreviewDialog
    from ui.review.review_wizard import ReviewWizard

    form = AccountFormDialog(demo_register)
    qtbot.addWidget(form)
    form.show()
    press_f1(qtbot, form.name)
    assert_opened_at("account-form", form)
    press_f1(qtbot, form.unit)
    assert_opened_at("account-form", form)
    form.close()

    preview = PrintPreviewDialog(demo_register, demo_register.accounts.ids()[0])
    qtbot.addWidget(preview)
    preview.show()
    press_f1(qtbot, preview.view)
    assert_opened_at("printing", preview)
    preview.close()

    wizard = ReviewWizard(demo_register, today=dt.date(2026, 11, 20), year=2026)
    qtbot.addWidget(wizard)
    wizard.show()
    press_f1(qtbot, wizard.currentPage().focusWidget() or wizard.currentPage())
    assert_opened_at("review", wizard)
    wizard.close()


def test_f1_in_the_import_wizard_holiday_window_backups_and_first_start(qtbot, register, tmp_path):
    from ui.calendar.holiday_calendar import HolidayCalendarDialog
    from ui.common.first_start import FirstStartDialog
    from ui.excel.import_wizard import ImportWizard
    from ui.safety.data_safety import BackupDialog

    wizard = ImportWizard(register)
    qtbot.addWidget(wizard)
    wizard.show()
    press_f1(qtbot, wizard.currentPage().path_edit)
    assert_opened_at("import-export", wizard)
    wizard.close()

    holidays = HolidayCalendarDialog(register, today=dt.date(2025, 11, 5))
    qtbot.addWidget(holidays)
    holidays.show()
    press_f1(qtbot, holidays.notice_edit)
    assert_opened_at("holidays", holidays)
    holidays.close()

    backups = BackupDialog(register)
    qtbot.addWidget(backups)
    backups.show()
    press_f1(qtbot, backups)
    assert_opened_at("backup", backups)
    backups.close()

    first = FirstStartDialog(tmp_path / "new.nmdesk")
    qtbot.addWidget(first)
    first.show()
    press_f1(qtbot, first.demo)
    assert_opened_at("first-start", first)
    first.close()


def test_one_guide_at_a_time_and_f1_inside_it_changes_nothing(qtbot, register, settings):
    window = _main_window(qtbot, register, settings)
    press_f1(qtbot, window.table)
    first = guide.current_guide()
    press_f1(qtbot, window.board.view)
    assert guide.current_guide() is first and first.section == "deadlines"
    press_f1(qtbot, first.browser)
    assert guide.current_guide() is first and first.section == "deadlines"


def test_a_window_cannot_declare_a_section_the_guide_lacks(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    with pytest.raises(ValueError):
        guide.attach_guide(widget, "no-such-section")


class _BlockedWindows(QObject):
    """Records the widgets Qt tells that a modal window blocks their input."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[QObject] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowBlocked:
            self.blocked.append(watched)
        return False


def test_the_guide_can_be_read_while_a_modal_account_form_is_open(qtbot, qapp, register, settings):
    from ui.desk.account_form import AccountFormDialog

    window = _main_window(qtbot, register, settings)
    press_f1(qtbot, window.table)
    from_main = guide.current_guide()
    spy = _BlockedWindows()
    qapp.installEventFilter(spy)
    try:
        form = AccountFormDialog(register, parent=window)
        form.setWindowModality(Qt.WindowModality.ApplicationModal)  # as exec() does
        form.show()
        # the modal form blocks the main window and the guide opened from it
        assert window in spy.blocked and from_main in spy.blocked
        press_f1(qtbot, form.name)
        shown = guide.current_guide()
        assert shown is not None and shown is not from_main
        assert shown.section == "account-form"
        assert shown not in spy.blocked  # but not the guide opened from the form
        form.close()
    finally:
        qapp.removeEventFilter(spy)
