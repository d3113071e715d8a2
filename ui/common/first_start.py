"""The first-start dialog: a new register with a chosen profile, or the demo register."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from nmdesk.profiles import builtin_profile_ids, load_profile
from ui.common.guide import attach_guide

DEMO = "demo"
# the dialog's result when the clerk chose a register on a server instead
CONNECT_SERVER = 2


def tr(text: str) -> str:
    return QCoreApplication.translate("FirstStartDialog", text)


class FirstStartDialog(QDialog):
    """Asks which policy profile the new register follows, or offers the demo register.

    ``choice()`` returns ``(profile_id, demo)`` after the dialog was accepted.
    """

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        attach_guide(self, "first-start")
        self.setWindowTitle(tr("新建备案库"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr("欢迎使用新媒体账号备案管理台。尚未找到备案库，将在以下位置新建：\n{0}").format(path)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        box = QGroupBox(tr("本单位执行的管理办法（策略配置）"))
        box_layout = QVBoxLayout(box)
        self.group = QButtonGroup(self)
        self.profile_buttons: dict[str, QRadioButton] = {}
        for profile_id in builtin_profile_ids():
            profile = load_profile(profile_id)
            button = QRadioButton(f"{profile.name} — {profile.policy_title}")
            button.setToolTip(profile.institution)
            self.group.addButton(button)
            self.profile_buttons[profile_id] = button
            box_layout.addWidget(button)
        layout.addWidget(box)

        self.demo = QCheckBox(
            tr("先看看：填入演示数据（约 300 个示例账号，单位、人员和账号均为虚构）")
        )
        layout.addWidget(self.demo)
        hint = QLabel(
            tr(
                "演示备案库只用于熟悉操作。正式使用时，请通过“文件 → 新建备案库”另建一个不含演示数据的备案库。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: gray;")
        layout.addWidget(hint)

        server = QHBoxLayout()
        server_hint = QLabel(tr("单位已在服务器上建好共用的备案库？"))
        server_hint.setWordWrap(True)
        self.server_button = QPushButton(tr("连接服务器备案库…"))
        self.server_button.clicked.connect(lambda: self.done(CONNECT_SERVER))
        server.addWidget(server_hint, 1)
        server.addWidget(self.server_button, 0)
        layout.addLayout(server)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("创建"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("退出"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        first = next(iter(self.profile_buttons.values()), None)
        if first is not None:
            first.setChecked(True)
        self._last_profile = next(iter(self.profile_buttons), "bit")
        for profile_id, button in self.profile_buttons.items():
            button.toggled.connect(lambda on, pid=profile_id: self._remember(pid, on))

    def _remember(self, profile_id: str, on: bool) -> None:
        if on:
            self._last_profile = profile_id

    def select(self, profile_id: str, *, demo: bool = False) -> None:
        self.profile_buttons[profile_id].setChecked(True)
        self.demo.setChecked(demo)

    def choice(self) -> tuple[str, bool]:
        return self._last_profile, self.demo.isChecked()
