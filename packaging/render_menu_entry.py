"""Draw what a desktop menu shows for the INSTALLED nmdesk.desktop: the Name (zh_CN and
en), the Comment and the 48 px icon the package put under /usr/share/icons/hicolor.

It is a rendering of the installed entry's fields, not a screenshot of a real desktop
menu (CI machines have no desktop shell). docs/install.md says so.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_menu_entry.py OUT.png
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QListWidget, QListWidgetItem

import ui  # noqa: F401  (PySide6 6.12.0 binding bug: import ui before any Qt object)
from ui.app import install_ui_font

DESKTOP = Path("/usr/share/applications/nmdesk.desktop")
ICON = Path("/usr/share/icons/hicolor/48x48/apps/nmdesk.png")


def main() -> int:
    app = QApplication(sys.argv)
    install_ui_font(app, 11)
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP, encoding="utf-8")
    fields = entry["Desktop Entry"]
    menu = QListWidget()
    menu.setIconSize(QSize(48, 48))
    menu.setFixedSize(560, 190)
    title = QListWidgetItem(f"办公 (Categories={fields['Categories']})")
    menu.addItem(title)
    for name_key, comment_key in (("Name[zh_CN]", "Comment[zh_CN]"), ("Name", "Comment")):
        item = QListWidgetItem(QIcon(str(ICON)), f"{fields[name_key]}\n{fields[comment_key]}")
        menu.addItem(item)
    menu.show()
    app.processEvents()
    menu.grab().save(sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
