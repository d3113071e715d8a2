"""Windows that fit the screen they open on, and forms that change only on purpose.

- ``fit_to_screen(window, preferred, key)``: when the window is first shown it takes
  its remembered size (QSettings ``windows/<key>/size``) or the preferred one, bounded
  by the available geometry of the screen it opens on (its parent's screen), and is
  moved inside that screen. Its size is remembered when it is hidden. One event
  filter does this for every dialog, wizard and the main window.
- ``scrolling(content)``: a long form's fields in a scroll area, so that the action
  buttons placed after it stay visible.
- ``guard_wheel(root)``: dropdowns, spin boxes and date fields under ``root`` ignore
  the mouse wheel unless they have focus; the wheel scrolls the form instead. The
  fitting filter installs it on every scroll area's form when the window first shows.
"""

from __future__ import annotations

import getpass
import json
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFrame,
    QScrollArea,
    QWidget,
)

# room left for what the window manager adds: the title bar and the frame
FRAME_ROOM = QSize(16, 40)
# below this a window is not usable anyway; a screen smaller than this is not bounded
SMALLEST = QSize(480, 360)


# the office laptop the desk is made for
OFFICE_SCREEN = (1366, 768)


def offscreen_platform(width: int, height: int, scale: float = 1.0) -> str:
    """``QT_QPA_PLATFORM`` for a headless screen of that many pixels at that scaling.

    Windows' 125 % and 150 % are logical DPIs 120 and 144: a 1920 × 1080 screen at
    150 % has 1280 × 720 logical pixels for the windows.
    """
    screen = {
        "name": f"{width}x{height}@{round(scale * 100)}%",
        "x": 0,
        "y": 0,
        "width": width,
        "height": height,
        "logicalDpi": round(96 * scale),
        "logicalBaseDpi": 96,
        "dpr": 1,
    }
    folder = Path(tempfile.gettempdir()) / f"nmdesk-screens-{getpass.getuser()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    config = folder / f"{width}x{height}-{round(scale * 100)}.json"
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    return f"offscreen:configfile={config}"


def use_office_screen() -> None:
    """Headless runs (tests, screenshots) get the office laptop's 1366 × 768 screen."""
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
        os.environ["QT_QPA_PLATFORM"] = offscreen_platform(*OFFICE_SCREEN)


def make_settings() -> QSettings:
    """The desk's own settings (the application's organization and name)."""
    return QSettings("nmdesk", "nmdesk")


def available_geometry(window: QWidget) -> QRect:
    """The available geometry of the screen the window opens on (its parent's, if any)."""
    parent = window.parentWidget()
    screen = (parent.screen() if parent is not None else None) or window.screen()
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:
        return QRect(0, 0, 1366, 728)
    return screen.availableGeometry()


def bounded_size(size: QSize, available: QRect) -> QSize:
    """The size, made no larger than the available geometry less the window frame."""
    room = QSize(
        max(SMALLEST.width(), available.width() - FRAME_ROOM.width()),
        max(SMALLEST.height(), available.height() - FRAME_ROOM.height()),
    )
    return size.boundedTo(room)


def placed_inside(frame: QRect, available: QRect) -> QPoint:
    """The top-left corner that keeps a frame of that size inside the available geometry."""
    x = min(max(frame.x(), available.x()), available.x() + available.width() - frame.width())
    y = min(max(frame.y(), available.y()), available.y() + available.height() - frame.height())
    return QPoint(max(x, available.x()), max(y, available.y()))


class _ScreenFit(QObject):
    """Sizes its window on the first show and remembers the size on every hide."""

    def __init__(self, window: QWidget, preferred: QSize | None, key: str | None) -> None:
        super().__init__(window)
        self.target = window
        self.preferred = preferred
        self.key = key
        self.fitted = False

    def _settings_key(self) -> str:
        return f"windows/{self.key}/size"

    def remembered(self) -> QSize | None:
        if not self.key:
            return None
        value = make_settings().value(self._settings_key())
        return value if isinstance(value, QSize) and value.isValid() else None

    def fit(self) -> None:
        window = self.target
        if window.isMaximized() or window.isFullScreen():
            return
        available = available_geometry(window)
        wanted = self.remembered() or self.preferred or window.size()
        size = bounded_size(wanted, available)
        window.resize(size.expandedTo(window.minimumSize()))
        # centred on the parent (or the screen), then kept inside the screen
        frame = window.frameGeometry()
        parent = window.parentWidget()
        around = parent.window().frameGeometry() if parent is not None else available
        frame.moveCenter(around.center())
        if not window.testAttribute(Qt.WidgetAttribute.WA_Moved) or not available.contains(
            window.frameGeometry()
        ):
            window.move(placed_inside(frame, available))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # also asked while the window is torn down, when this object's Python half is gone
        if watched is getattr(self, "target", None):
            if event.type() == QEvent.Type.Show and not self.fitted:
                self.fitted = True
                self.fit()
                guard_scrolling_forms(self.target)
            elif event.type() == QEvent.Type.Hide and self.fitted and self.key:
                window = self.target
                if not (window.isMaximized() or window.isFullScreen()):
                    settings = make_settings()
                    settings.setValue(self._settings_key(), window.size())
        return False


def fit_to_screen(window: QWidget, preferred: QSize | None = None, key: str | None = None) -> None:
    """Fit the window to the screen it opens on when first shown; remember it under key.

    ``preferred`` is the size on a screen with room to spare; without it the window's
    size at the first show is bounded (the main window restores its own geometry).
    """
    window.installEventFilter(_ScreenFit(window, preferred, key))


def scrolling(content: QWidget, parent: QWidget | None = None) -> QScrollArea:
    """The content in a frameless, resizable scroll area, its wheel-guarded fields included."""
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    guard_wheel(content)
    return area


class _WheelGuard(QObject):
    """Ignores wheel events on a field without focus, so that they scroll the form."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        wheel = event.type() == QEvent.Type.Wheel
        if wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            area = _scroll_area_of(watched)
            if area is not None:  # the form scrolls, as if the field were not there
                QApplication.sendEvent(area.viewport(), event)
            else:
                event.ignore()  # passed on to the parent
            return True
        return False


def _scroll_area_of(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


_WHEEL_GUARD: _WheelGuard | None = None
WHEEL_GUARDED = (QComboBox, QAbstractSpinBox)  # QDateEdit is a QAbstractSpinBox


def wheel_guard() -> _WheelGuard:
    global _WHEEL_GUARD
    if _WHEEL_GUARD is None:
        _WHEEL_GUARD = _WheelGuard()
    return _WHEEL_GUARD


def guard_wheel(root: QWidget) -> None:
    """Make every dropdown, spin box and date field under root ignore an unfocused wheel."""
    guard = wheel_guard()
    for kind in WHEEL_GUARDED:
        for field in root.findChildren(kind):
            guard_field(field, guard)


def guard_scrolling_forms(window: QWidget) -> None:
    """Every scrolling form of the window: its fields ignore an unfocused wheel."""
    for area in window.findChildren(QScrollArea):
        content = area.widget()
        if content is not None:
            guard_wheel(content)


def guard_field(field: QWidget, guard: _WheelGuard | None = None) -> None:
    """One field: wheel only when focused, and focus by click or Tab, never by wheel."""
    field.installEventFilter(guard or wheel_guard())
    if field.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
