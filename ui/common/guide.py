"""帮助 → 使用说明: the clerk's guide, in Chinese, opened inside the program; F1 opens it
at the section of the window in front.

The guide is one HTML file with its pictures, bundled under ``resources/guide/`` (so it
ships in the wheel as ``nmdesk.resources.guide``) and shown in a QTextBrowser. The
pictures are made by ``make screenshots`` (``tools/guide_screenshots.py``).

One mechanism for F1: a window (or a part of one, such as the deadlines board docked
in the main window) declares its section with ``attach_guide(widget, "section-id")``.
That installs an event filter on the widget: F1 pressed anywhere inside it, and not
used by a nearer widget that declared a section of its own, reaches the filter while
Qt passes the unused key up to the parents, and opens the guide at that section.
"""

from __future__ import annotations

import re
import weakref
from functools import cache

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QImage, QKeyEvent, QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from nmdesk.paths import resource, resource_path

GUIDE_FILE = ("guide", "guide.html")
# The sections the program's windows open with F1; each is an <a name="…"> in guide.html.
SECTIONS = (
    "contents",
    "first-start",
    "main-window",
    "account-form",
    "units-people",
    "printing",
    "receive",
    "deadlines",
    "holidays",
    "import-export",
    "review",
    "closure-sanctions",
    "backup",
)
# Pictures wider than the page (or than this) are shown scaled down, smoothly, so a
# 1366-pixel screenshot fits the guide window.
MAX_PICTURE_WIDTH = 760
PROPERTY = "guideSection"


@cache
def guide_html() -> str:
    """The guide's HTML text, as bundled."""
    return resource(*GUIDE_FILE).read_text(encoding="utf-8")


def guide_anchors() -> list[str]:
    """Every ``<a name="…">`` of the guide, in order."""
    return re.findall(r'<a name="([^"]+)"', guide_html())


def section_titles() -> dict[str, str]:
    """Each section's heading, by its anchor: ``{"printing": "打印备案表（一式两份）", …}``."""
    return dict(re.findall(r'<h[12]><a name="([^"]+)"></a>([^<]+)</h[12]>', guide_html()))


def guide_url(section: str = "contents") -> QUrl:
    url = QUrl.fromLocalFile(str(resource_path(*GUIDE_FILE)))
    url.setFragment(section)
    return url


class GuideBrowser(QTextBrowser):
    """A QTextBrowser that scales wide screenshots down to the page's width."""

    def picture_width(self) -> int:
        """The page's width inside its margins (at most MAX_PICTURE_WIDTH)."""
        margin = int(self.document().documentMargin())
        # the vertical scroll bar may appear only after the pictures are laid out
        bar = (
            0
            if self.verticalScrollBar().isVisible()
            else self.verticalScrollBar().sizeHint().width()
        )
        room = self.viewport().width() - bar - 2 * margin - 8
        return min(MAX_PICTURE_WIDTH, room) if room > 200 else MAX_PICTURE_WIDTH

    def loadResource(self, kind: int, name: QUrl) -> object:
        if kind == QTextDocument.ResourceType.ImageResource.value and name.isLocalFile():
            image = QImage(name.toLocalFile())
            width = self.picture_width()
            if not image.isNull() and image.width() > width:
                image = image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            return image
        return super().loadResource(kind, name)


class GuideWindow(QWidget):
    """使用说明: the guide in a window of its own, beside the window it was opened from."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(self.tr("使用说明"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.section = "contents"
        self.browser = GuideBrowser()
        self.browser.setObjectName("guideBrowser")
        self.browser.setOpenExternalLinks(False)
        self.browser.document().setDocumentMargin(16)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.browser, 1)
        row = QHBoxLayout()
        self.contents_button = QPushButton(self.tr("目录"))
        self.contents_button.clicked.connect(lambda: self.show_section("contents"))
        self.back_button = QPushButton(self.tr("后退"))
        self.back_button.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.back_button.setEnabled(False)
        row.addWidget(self.contents_button)
        row.addWidget(self.back_button)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        close.rejected.connect(self.close)
        row.addWidget(close)
        layout.addLayout(row)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.activated.connect(self.close)
        self.resize(self._fitting_size())

    def _fitting_size(self) -> QSize:
        """About 880 × 700, within the screen the window opens on."""
        parent = self.parentWidget()
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else QSize(1366, 728)
        return QSize(min(880, room.width() - 40), min(700, room.height() - 60))

    def show_section(self, section: str) -> None:
        """Show the guide with ``section``'s heading at the top."""
        if section not in SECTIONS:
            section = "contents"
        self.section = section
        title = section_titles().get(section, "")
        name = self.tr("使用说明")
        self.setWindowTitle(f"{name} — {title}" if section != "contents" and title else name)
        self.browser.setSource(guide_url(section))
        self.browser.scrollToAnchor(section)


_open_guide: weakref.ref[GuideWindow] | None = None


def current_guide() -> GuideWindow | None:
    """The guide window open now, if any."""
    guide = _open_guide() if _open_guide is not None else None
    try:
        return guide if guide is not None and guide.isVisible() else None
    except RuntimeError:  # its C++ object was deleted when it closed
        return None


def open_guide(section: str = "contents", parent: QWidget | None = None) -> GuideWindow:
    """Show the guide at ``section``, beside ``parent`` (the window in front).

    The guide is a window of its parent's, so that it can be read and scrolled while
    a modal dialog such as the account form is open. One guide is open at a time.
    """
    global _open_guide
    guide = current_guide()
    owner = parent.window() if parent is not None else None
    if guide is not None and guide.parentWidget() is not owner:
        guide.close()
        guide = None
    if guide is None:
        guide = GuideWindow(owner)
        _open_guide = weakref.ref(guide)
    guide.show()
    guide.raise_()
    guide.activateWindow()
    guide.show_section(section)
    return guide


class _HelpKey(QObject):
    """F1 inside the widget it watches: the guide at the widget's section."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_F1
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and isinstance(watched, QWidget)
        ):
            open_guide(section_of(watched), watched)
            return True
        return False


def attach_guide(widget: QWidget, section: str) -> None:
    """Declare that F1 inside ``widget`` opens the guide at ``section``."""
    if section not in SECTIONS:
        raise ValueError(f"unknown guide section {section!r}")
    widget.setProperty(PROPERTY, section)
    help_key = _HelpKey(widget)
    widget.installEventFilter(help_key)


def section_of(widget: QWidget | None) -> str:
    """The section declared by ``widget`` or its nearest parent; else the contents."""
    while widget is not None:
        section = widget.property(PROPERTY)
        if isinstance(section, str) and section:
            return section
        widget = widget.parentWidget()
    return "contents"
