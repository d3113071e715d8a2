"""Every window fits the clerk's screen: 1366 × 768, and 1920 × 1080 at 125 % and 150 %.

Each screen is a real offscreen screen (the offscreen platform's ``configfile``), in
its own process: ``tests/ui/window_fit_worker.py`` opens every dialog, wizard and
the main window on it and reports where each window and each action button is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui.common.window_fit import offscreen_platform

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "tests" / "ui" / "window_fit_worker.py"

# (pixels, scaling): 1920 × 1080 at 125 % is 1536 × 864 logical, at 150 % 1280 × 720
SCREENS = {
    "1366x768": (1366, 768, 1.0),
    "1920x1080@125%": (1920, 1080, 1.25),
    "1920x1080@150%": (1920, 1080, 1.5),
}


def _inside(inner: list[int], outer: list[int]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox and y >= oy and x + w <= ox + ow and y + h <= oy + oh


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_window_and_action_button_is_inside_the_screen(
    screen: str, demo_path: Path, tmp_path: Path
) -> None:
    width, height, scale = SCREENS[screen]
    settings = tmp_path / "settings"
    settings.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM=offscreen_platform(width, height, scale))
    done = subprocess.run(
        [sys.executable, str(WORKER), str(demo_path), str(settings)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    available = report["available"]
    assert available[2] == round(width / scale) and available[3] == round(height / scale)
    outside = []
    for name, window in report["windows"].items():
        if not _inside(window["frame"], available):
            outside.append(f"{name}: window {window['frame']}")
        outside += [
            f"{name}: {button['text']} {button['rect']}"
            for button in window["buttons"]
            if not _inside(button["rect"], available)
            or not _inside(button["rect"], window["frame"])
        ]
        assert window["buttons"], f"{name} shows no action button"
    assert not outside, f"outside the {screen} screen {available}:\n" + "\n".join(outside)


def test_a_dialog_remembers_its_size_and_a_remembered_size_is_bounded_by_the_screen(
    qtbot, register
) -> None:
    from PySide6.QtCore import QSize

    from ui.common.window_fit import FRAME_ROOM, make_settings
    from ui.printing.receive_copy import ReceiveCopyDialog

    first = ReceiveCopyDialog(register)
    qtbot.addWidget(first)
    first.show()
    first.resize(610, 410)
    first.hide()
    second = ReceiveCopyDialog(register)
    qtbot.addWidget(second)
    second.show()
    assert second.size() == QSize(610, 410)
    second.hide()

    # remembered on a larger monitor: on this one it is bounded, and inside the screen
    make_settings().setValue("windows/receive_copy/size", QSize(4000, 3000))
    third = ReceiveCopyDialog(register)
    qtbot.addWidget(third)
    third.show()
    available = third.screen().availableGeometry()
    assert third.width() <= available.width() - FRAME_ROOM.width()
    assert third.height() <= available.height() - FRAME_ROOM.height()
    assert available.contains(third.frameGeometry())
