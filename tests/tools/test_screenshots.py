"""``make screenshots`` keeps working: every picture is written and not blank."""

from __future__ import annotations

from PySide6.QtGui import QImage

from tools.screenshots import render


def test_screenshots_are_rendered(qapp, tmp_path):
    written = render(tmp_path)
    names = {path.name for path in written}
    assert {"main-window.png", "deadlines-board.png", "account-history.png"} <= names
    for path in written:
        image = QImage(str(path))
        assert image.width() > 300 and image.height() > 200
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 37)
            for y in range(0, image.height(), 23)
        }
        assert len(colours) > 10, f"{path.name} looks blank"
