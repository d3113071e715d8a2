"""帮助 → 关于: version, profile, register and backup folder, and the licences of
the bundled parts (fonts, Qt/PySide6 under the LGPL, the icon).

The facts come from ``nmdesk.about``; this module only lays them out.
"""

from __future__ import annotations

import html
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, QSize, Qt, qVersion
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from nmdesk import __version__
from nmdesk.about import APP_TITLE, BUNDLED_PARTS, is_frozen, licence_text
from nmdesk.paths import resource_path
from nmdesk.profiles import Profile
from nmdesk.store.backup import backups_dir
from ui.common.window_fit import fit_to_screen


def tr(text: str) -> str:
    return QCoreApplication.translate("About", text)


def app_icon() -> QIcon:
    """The application icon in every bundled size (window title bar, task bar, About)."""
    icon = QIcon()
    for png in sorted(resource_path("icons").glob("nmdesk-*.png")):
        icon.addFile(str(png))
    return icon


def _summary_html(register_path: Path | str, profile: Profile) -> str:
    rows = [
        (tr("版本"), f"nmdesk {__version__}" + (tr("（安装包）") if is_frozen() else "")),
        (tr("策略配置"), f"{profile.name}（{profile.policy_title}）"),
        (tr("备案库"), str(register_path)),
        (
            tr("备份目录"),
            tr("由服务器管理员用 pg_dump 备份")
            if isinstance(register_path, str)
            else str(backups_dir(register_path)),
        ),
        (tr("界面库"), f"Qt {qVersion()}，PySide6 {PySide6.__version__}"),
    ]
    cells = "".join(
        f"<tr><td style='padding-right:12px'><b>{html.escape(k)}</b></td>"
        f"<td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    parts = "".join(
        f"<li><b>{html.escape(p.name)}</b>：{html.escape(p.used_for)}；"
        f"{tr('许可')}：{html.escape(p.licence)}</li>"
        for p in BUNDLED_PARTS
    )
    lgpl = tr(
        "Qt 与 PySide6 按 LGPL-3.0 授权。本程序以目录形式发布，Qt 库是安装目录中"
        "独立的文件（Linux：_internal/PySide6/Qt/lib/，Windows：_internal\\PySide6\\），"
        "可以换成同版本的自行编译的 Qt 库，重启程序即可。详见“许可证”页。"
    )
    return (
        f"<h3>{html.escape(APP_TITLE)}</h3><table>{cells}</table>"
        f"<p><b>{tr('随附组件')}</b></p><ul>{parts}</ul><p>{html.escape(lgpl)}</p>"
    )


class AboutDialog(QDialog):
    """The About window: a summary page and one page per licence text."""

    def __init__(self, register_path: Path | str, profile: Profile, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("关于 nmdesk"))
        fit_to_screen(self, QSize(720, 520), "about")
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(QPixmap(str(resource_path("icons", "nmdesk-64.png"))))
        head.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        self.summary = QTextBrowser()
        self.summary.setOpenExternalLinks(True)
        self.summary.setHtml(_summary_html(register_path, profile))
        head.addWidget(self.summary, 1)
        self.tabs = QTabWidget()
        page = QWidget()
        page.setLayout(head)
        self.tabs.addTab(page, tr("关于"))
        for part in BUNDLED_PARTS:
            text = QPlainTextEdit(licence_text(part))
            text.setReadOnly(True)
            self.tabs.addTab(text, tr("许可证：") + part.name.split("（")[0])
        layout.addWidget(self.tabs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        if isinstance(close, QPushButton):
            close.setText(tr("关闭"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
