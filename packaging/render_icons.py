"""Render ``resources/icons/nmdesk.svg`` to the PNG sizes desktops ask for.

The PNGs are committed (a wheel or bundle needs no SVG renderer to show them);
run this again after changing the SVG:

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

import ui  # noqa: F401  (PySide6 6.12.0 binding bug: import ui before any Qt object)

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    app = QGuiApplication(sys.argv)  # noqa: F841  (QImage text/painting needs an application)
    renderer = QSvgRenderer(str(ICONS / "nmdesk.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.save(str(ICONS / f"nmdesk-{size}.png"))
    image = QImage(str(ICONS / "nmdesk-256.png"))
    image.save(str(ICONS / "nmdesk.ico"))  # Windows: the bundle's .exe icon
    return 0


if __name__ == "__main__":
    sys.exit(main())
