"""What 帮助 → 关于 and ``nmdesk --version`` say: the version, and the bundled
parts with their licences.

The version is written once, in ``nmdesk/__init__.py``; the wheel's metadata
takes it from there (``[tool.setuptools.dynamic]`` in pyproject.toml).
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

from nmdesk import __version__
from nmdesk.paths import resource

APP_NAME = "nmdesk"
APP_TITLE = "新媒体账号备案管理台"


@dataclass(frozen=True)
class BundledPart:
    """A third-party part nmdesk ships, and where its licence text is."""

    name: str
    used_for: str
    licence: str
    licence_file: tuple[str, ...] | None  # under nmdesk.resources


BUNDLED_PARTS = (
    BundledPart(
        "AR PL UMing CN（文鼎明体，子集）",
        "打印表单（PDF）的字体",
        "Arphic Public License",
        ("fonts", "LICENSE-ARPHICPL.txt"),
    ),
    BundledPart(
        "WenQuanYi Micro Hei（文泉驿微米黑，子集）",
        "界面字体",
        "Apache-2.0，或 GPL-3.0 及以上（附字体例外）",
        ("fonts", "LICENSE-WenQuanYiMicroHei.txt"),
    ),
    BundledPart(
        "Qt 6 与 PySide6（Qt for Python）",
        "窗口界面",
        "LGPL-3.0（可替换 Qt 库，见许可说明）",
        ("licenses", "Qt-LGPL.md"),
    ),
    BundledPart(
        "nmdesk 应用图标",
        "图标",
        "随 nmdesk 发布",
        ("icons", "LICENSE.md"),
    ),
)


def version_line() -> str:
    """``nmdesk 0.1.0 (Python 3.11.2, Linux)``: what ``--version`` prints."""
    return f"{APP_NAME} {__version__} (Python {platform.python_version()}, {platform.system()})"


def is_frozen() -> bool:
    """True inside the PyInstaller bundle (the .deb and the Windows folder)."""
    return bool(getattr(sys, "frozen", False))


def licence_text(part: BundledPart) -> str:
    """The full licence text of a bundled part, read from the package's resources."""
    if part.licence_file is None:
        return ""
    return resource(*part.licence_file).read_text(encoding="utf-8")
