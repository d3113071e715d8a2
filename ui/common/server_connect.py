"""文件 → 连接服务器备案库…: a register on the office's PostgreSQL server.

The clerk gives the server, port, database, their own role and its password, and
whether the connection is encrypted. The dialog builds the register's URL
(``postgresql://USER@HOST:PORT/DB``, never with the password), opens the register on
the task runner (connecting can take seconds) and, once it is open, hands it to the
caller as ``dialog.register``. A failure is one sentence in the dialog and every
field is kept.

The password the clerk types (or the keyring holds) is kept in this process's memory
for the connection and the jobs that open the register again
(``nmdesk.store.use_server_password``), never written; a wrong one is forgotten at
once. 记住密码 keeps it in the system keyring when the ``keyring`` package has a
working backend, else in the clerk's ``.pgpass`` (0600, ``nmdesk.pgpass``), where
libpq finds it next time. A password left empty is taken from the keyring, else
libpq finds it in the .pgpass. nmdesk's own settings keep the last server (address,
port, database, user, encryption), never a password.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nmdesk.pgpass import KEYRING_SERVICE, PasswordEntry, password_file, usable_keyring
from ui.common.tasks import runner

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register
    from ui.common.tasks import Job

DEFAULT_PORT = 5432
# what the clerk picks, and libpq's sslmode for it
SSL_MODES = (
    ("不加密", "disable"),
    ("加密（require）", "require"),
    ("加密并核对证书（verify-full）", "verify-full"),
)
RECENT_KEY = "server/recent"  # the URLs of the last servers, newest first (no password)
RECENT_MAX = 5


def tr(text: str) -> str:
    return QCoreApplication.translate("ServerConnectDialog", text)


def server_url(host: str, port: int, database: str, user: str) -> str:
    """The register's URL; an IPv6 address in brackets, names percent-encoded."""
    shown_host = f"[{host}]" if ":" in host else host
    return f"postgresql://{quote(user, safe='')}@{shown_host}:{port}/{quote(database, safe='')}"


class ServerConnectDialog(QDialog):
    """Connect to a register on a PostgreSQL server (see the module).

    ``check()`` names the first field that is wrong; ``connect_register()`` starts the
    connection (the 连接 button); ``register`` is the open register once accepted."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.register: Register | None = None
        self._given_password = False  # a password went with the last attempt
        self.job: Job[Register] | None = None  # the running connection (tests wait)
        self.setWindowTitle(tr("连接服务器备案库"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "多位工作人员共用的备案库保存在单位的 PostgreSQL 服务器上。"
                "以下信息由信息化部门（网络中心）提供，用户名和密码是您本人的。"
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.host = QLineEdit()
        self.host.setPlaceholderText(tr("如 db.example.edu.cn 或 10.1.2.3"))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.database = QLineEdit()
        self.database.setPlaceholderText(tr("如 nmdesk"))
        self.user = QLineEdit(_os_user())
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("已记住密码时可不填"))
        self.ssl = QComboBox()
        for label, mode in SSL_MODES:
            self.ssl.addItem(tr(label), mode)
        self.keyring = usable_keyring()
        self.remember = QCheckBox(
            tr("记住密码（保存在系统钥匙串中）")
            if self.keyring is not None
            else tr("记住密码（保存在本机的 .pgpass 文件中，仅本人可读）")
        )
        self.remember.setToolTip(
            tr("系统钥匙串") if self.keyring is not None else str(password_file())
        )
        for label, widget in (
            (tr("服务器地址"), self.host),
            (tr("端口"), self.port),
            (tr("数据库"), self.database),
            (tr("用户名"), self.user),
            (tr("密码"), self.password),
            (tr("加密连接"), self.ssl),
        ):
            form.addRow(label, widget)
        form.addRow("", self.remember)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("connectError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c81e1e;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.connect_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.connect_button.setText(tr("连接"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        self.buttons.accepted.connect(self.connect_register)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.load()

    # -- load, check ---------------------------------------------------------------

    def load(self) -> None:
        """The last server this computer connected to (no password is kept)."""
        s = self.settings
        self.host.setText(str(s.value("server/host", "") or ""))
        self.port.setValue(int(str(s.value("server/port", DEFAULT_PORT) or DEFAULT_PORT)))
        self.database.setText(str(s.value("server/database", "") or ""))
        self.user.setText(str(s.value("server/user", "") or _os_user()))
        index = self.ssl.findData(str(s.value("server/sslmode", "disable")))
        self.ssl.setCurrentIndex(max(index, 0))

    def check(self) -> str | None:
        """The first wrong field, in one sentence; None when the form is complete."""
        host = self.host.text().strip()
        if not host:
            return tr("服务器地址：请填写服务器的名称或 IP 地址")
        if any(char.isspace() or char in "/@?#" for char in host):
            return tr("服务器地址：只填写服务器的名称或 IP 地址，如 db.example.edu.cn")
        if not self.database.text().strip():
            return tr("数据库：请填写备案库所在数据库的名称")
        if not self.user.text().strip():
            return tr("用户名：请填写信息化部门为您开设的数据库用户名")
        return None

    def url(self) -> str:
        return server_url(
            self.host.text().strip(),
            self.port.value(),
            self.database.text().strip(),
            self.user.text().strip(),
        )

    def connect_url(self) -> str:
        """The URL the register is opened with: ``url()`` and the encryption chosen."""
        return f"{self.url()}?sslmode={self.sslmode()}"

    def sslmode(self) -> str:
        return str(self.ssl.currentData())

    # -- connecting ----------------------------------------------------------------

    def connect_register(self) -> None:
        """连接: check the form, then open the register on a worker."""
        problem = self.check()
        if problem is not None:
            self.show_problem(problem)
            return
        self.error.hide()
        self._give_password()
        url = self.connect_url()
        self._set_busy(True)

        def work(_job: Job[Register]) -> Register:
            from nmdesk.store import open_register

            return open_register(url)

        self.job = runner().with_progress(
            work,
            tr("正在连接服务器 {0}…").format(self.host.text().strip()),
            self,
            cancellable=False,
            uses_register=False,  # a new connection: the open register's worker stays free
            on_done=self._connected,
            on_failed=self._failed,
        )

    def _give_password(self) -> None:
        """A typed password, or the one in the keyring, for this connection: in memory
        only (see the module)."""
        from nmdesk.store import use_server_password

        password = self.password.text()
        if not password and self.keyring is not None:
            password = self._keyring_password() or ""
        self._given_password = bool(password)
        if password:
            use_server_password(self.connect_url(), password)

    def _keyring_password(self) -> str | None:
        assert self.keyring is not None
        try:
            found = self.keyring.get_password(KEYRING_SERVICE, self.url())
        except Exception:  # a locked or broken keyring: as if it held nothing
            return None
        return str(found) if found else None

    def _kept_in_keyring(self) -> bool:
        """记住密码 with a keyring: the typed password saved there (True), or not."""
        password = self.password.text()
        if self.keyring is None or not password or not self.remember.isChecked():
            return False
        try:
            self.keyring.set_password(KEYRING_SERVICE, self.url(), password)
        except Exception:  # refused (locked, no session bus): the .pgpass keeps it
            return False
        return True

    def _connected(self, register: Register) -> None:
        self._set_busy(False)
        password = self.password.text()
        if password and self.remember.isChecked() and not self._kept_in_keyring():
            entry = PasswordEntry(
                self.host.text().strip(),
                self.port.value(),
                self.database.text().strip(),
                self.user.text().strip(),
            )
            try:
                entry.put(entry.line(password))
            except OSError as error:  # connected all the same: say what was not kept
                self.show_problem(
                    tr("已连接，但未能把密码保存到 .pgpass：{0}").format(error.strerror)
                )
        self.register = register
        self.save()
        self.accept()

    def _failed(self, sentence: str) -> None:
        from nmdesk.store import use_server_password

        self._set_busy(False)
        if self._given_password:  # a wrong password is not tried again
            use_server_password(self.connect_url(), None)
        self.show_problem(sentence)

    def show_problem(self, sentence: str) -> None:
        self.error.setText(sentence)
        self.error.show()

    def _set_busy(self, busy: bool) -> None:
        self.connect_button.setEnabled(not busy)
        for widget in (self.host, self.port, self.database, self.user, self.password, self.ssl):
            widget.setEnabled(not busy)

    def save(self) -> None:
        """Remember the server (never the password) for the next time."""
        s = self.settings
        s.setValue("server/host", self.host.text().strip())
        s.setValue("server/port", self.port.value())
        s.setValue("server/database", self.database.text().strip())
        s.setValue("server/user", self.user.text().strip())
        s.setValue("server/sslmode", self.sslmode())
        recent = [self.url(), *(u for u in recent_servers(s) if u != self.url())]
        s.setValue(RECENT_KEY, recent[:RECENT_MAX])
        s.sync()

    def reject(self) -> None:
        if self.job is not None and not self.job.done:
            return  # connecting: the attempt ends by itself (a timeout of seconds)
        super().reject()


def recent_servers(settings: QSettings) -> list[str]:
    """The URLs of the servers last connected to, newest first."""
    value: Any = settings.value(RECENT_KEY, [])
    if isinstance(value, str):
        return [value] if value else []
    return [str(each) for each in value or []]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid
        return ""
