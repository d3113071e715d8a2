"""文件 → 连接服务器备案库…: the form's checks (no server needed), and a smoke set on the
session's throwaway PostgreSQL server: the dialog opens a real server register and the
main window shows its accounts; a wrong password is one sentence in the dialog."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from desk_helpers import wait_for_job
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog

import ui.app as app_module
from nmdesk.pgpass import PasswordEntry
from nmdesk.store import open_register
from ui.common import server_connect
from ui.common.first_start import CONNECT_SERVER, FirstStartDialog
from ui.common.server_connect import ServerConnectDialog, recent_servers, server_url
from ui.register.main_window import MainWindow


@pytest.fixture(autouse=True)
def no_session_passwords():
    """Each test starts without the passwords an earlier one gave this process."""
    yield
    from nmdesk.store import server_connection

    server_connection._session_passwords.clear()


def session_password(url: str) -> str | None:
    from nmdesk.store import server_connection

    return server_connection._session_password(server_connection.parse_server_url(url))


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def dialog(qtbot, settings) -> ServerConnectDialog:
    made = ServerConnectDialog(settings)
    qtbot.addWidget(made)
    return made


def fill(dialog: ServerConnectDialog, host: str, port: int, database: str, user: str) -> None:
    dialog.host.setText(host)
    dialog.port.setValue(port)
    dialog.database.setText(database)
    dialog.user.setText(user)


# -- the form, without a server ------------------------------------------------------


def test_the_form_starts_with_the_default_port_the_os_user_and_no_encryption(dialog):
    import getpass

    assert dialog.port.value() == 5432
    assert dialog.user.text() == getpass.getuser()
    assert dialog.sslmode() == "disable"
    assert [dialog.ssl.itemData(i) for i in range(dialog.ssl.count())] == [
        "disable",
        "require",
        "verify-full",
    ]
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    assert dialog.windowTitle() == "连接服务器备案库"


@pytest.mark.parametrize(
    ("host", "database", "user", "field"),
    [
        ("", "nmdesk", "clerk", "服务器地址："),
        ("db.example.edu/nmdesk", "nmdesk", "clerk", "服务器地址："),
        ("clerk@db.example.edu", "nmdesk", "clerk", "服务器地址："),
        ("db.example.edu", "  ", "clerk", "数据库："),
        ("db.example.edu", "nmdesk", "", "用户名："),
    ],
)
def test_a_missing_or_wrong_field_is_named_in_the_dialog_and_nothing_connects(
    dialog, host, database, user, field
):
    fill(dialog, host, 5432, database, user)
    dialog.connect_button.click()
    assert dialog.job is None  # nothing was started
    assert not dialog.error.isHidden()
    assert dialog.error.text().startswith(field)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.host.text() == host  # the fields are kept


def test_the_url_carries_no_password_and_encodes_names():
    assert server_url("db.example.edu", 5433, "备案库", "张三") == (
        "postgresql://%E5%BC%A0%E4%B8%89@db.example.edu:5433/%E5%A4%87%E6%A1%88%E5%BA%93"
    )
    assert (
        server_url("fd00::5", 5432, "nmdesk", "clerk") == "postgresql://clerk@[fd00::5]:5432/nmdesk"
    )


def test_the_last_server_is_offered_again_without_its_password(qtbot, settings):
    first = ServerConnectDialog(settings)
    qtbot.addWidget(first)
    fill(first, "db.example.edu", 6432, "nmdesk", "clerk")
    first.password.setText("s3cret-not-kept")
    first.ssl.setCurrentIndex(2)
    first.save()
    again = ServerConnectDialog(settings)
    qtbot.addWidget(again)
    assert (again.host.text(), again.port.value(), again.database.text()) == (
        "db.example.edu",
        6432,
        "nmdesk",
    )
    assert again.user.text() == "clerk" and again.sslmode() == "verify-full"
    assert again.password.text() == ""
    assert recent_servers(settings) == ["postgresql://clerk@db.example.edu:6432/nmdesk"]
    settings.sync()
    assert "s3cret-not-kept" not in Path(settings.fileName()).read_text(encoding="utf-8")


def test_the_file_menu_offers_the_server_and_cancel_changes_nothing(
    qtbot, demo_register, settings, monkeypatch
):
    window = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(window)
    file_menu = window.menuBar().actions()[0].menu()
    assert "连接服务器备案库…" in [action.text() for action in file_menu.actions()]
    seen: list[QDialog] = []

    def cancel(dialog: QDialog) -> int:
        seen.append(dialog)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(window, "exec_dialog", cancel)
    window.act_connect_server.trigger()
    assert isinstance(seen[0], ServerConnectDialog)
    assert window.register is demo_register and not demo_register.closed
    window.close()


def test_the_first_start_offers_the_server(qtbot, tmp_path, monkeypatch):
    asked: list[QDialog] = []

    def run(dialog: QDialog) -> int:
        asked.append(dialog)
        if isinstance(dialog, FirstStartDialog):
            dialog.server_button.click()
            return dialog.result()
        return QDialog.DialogCode.Rejected  # the connection dialog, cancelled

    monkeypatch.setattr(app_module, "exec_dialog", run)
    monkeypatch.setattr(
        app_module,
        "make_settings",
        lambda: QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
    )
    assert app_module.first_start(tmp_path / "new.nmdesk") is None
    assert asked[0].result() == CONNECT_SERVER
    assert isinstance(asked[1], ServerConnectDialog)
    assert not (tmp_path / "new.nmdesk").exists()  # no file was made


# -- on the server -----------------------------------------------------------------------


@pytest.fixture
def server_demo(server_cluster, _server_demo_template):
    """A private copy of the server's demo register: (cluster, database name)."""
    name = server_cluster.create_database(template=_server_demo_template)
    yield server_cluster, name
    server_cluster.drop_database(name)


def test_the_dialog_opens_a_server_register_and_the_window_shows_its_accounts(
    qtbot, server_demo, demo_register, settings, monkeypatch
):
    cluster, name = server_demo
    file_window = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(file_window)
    opened: list[MainWindow] = []
    monkeypatch.setattr(app_module, "make_settings", lambda: settings)

    def connect(dialog: QDialog) -> int:
        assert isinstance(dialog, ServerConnectDialog)
        fill(dialog, "127.0.0.1", cluster.port, name, cluster.user)  # password: .pgpass
        dialog.connect_button.click()
        assert dialog.job is not None
        wait_for_job(qtbot, dialog.job)
        return dialog.result()

    monkeypatch.setattr(file_window, "exec_dialog", connect)
    monkeypatch.setattr(
        "ui.app.WINDOWS", _Recording(opened), raising=True
    )  # the new window, kept for the test
    file_window.act_connect_server.trigger()
    assert len(opened) == 1
    window = opened[0]
    qtbot.addWidget(window)
    try:
        assert window.register.accounts.count() == 300
        qtbot.waitUntil(lambda: window.model.rowCount() == 300, timeout=20_000)
        assert "共 300 个账号" in window.count_label.text()
        assert window.windowTitle().startswith(f"{name}（服务器 127.0.0.1）")
        assert recent_servers(settings)[0] == cluster.url(name)
        assert not hasattr(window, "daily_backup")  # no local backup folder for a server
        # a job on the register worker opens the server register again, by its URL
        shown: list[str] = []
        monkeypatch.setattr(window, "show_message", lambda title, text, **_: shown.append(text))
        window.act_verify.trigger()
        wait_for_job(qtbot, window.job)
        assert window.job.error is None and shown and "校验通过" in shown[0]
    finally:
        window.close()
    assert window.register.closed


class _Recording(list):
    """Stands in for ui.app.WINDOWS: keeps the windows the test opened."""

    def __init__(self, into: list) -> None:
        super().__init__()
        self.into = into

    def append(self, window) -> None:
        self.into.append(window)
        super().append(window)


def test_a_wrong_password_is_one_sentence_and_the_fields_stay(
    qtbot, server_demo, dialog, tmp_path, monkeypatch
):
    cluster, name = server_demo
    private = tmp_path / "pgpass"
    private.write_text("elsewhere:5432:*:someone:keep-me\n")
    private.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(private))
    fill(dialog, "127.0.0.1", cluster.port, name, cluster.user)
    dialog.password.setText("not-the-password")
    dialog.remember.setChecked(True)
    dialog.connect_button.click()
    wait_for_job(qtbot, dialog.job)
    assert dialog.register is None
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not dialog.error.isHidden()
    assert "用户名或密码不对" in dialog.error.text()
    assert "\n" not in dialog.error.text()
    assert dialog.host.text() == "127.0.0.1" and dialog.database.text() == name
    assert dialog.password.text() == "not-the-password"
    assert dialog.connect_button.isEnabled()
    # a wrong password is kept neither in the .pgpass nor for the next connection
    assert private.read_text() == "elsewhere:5432:*:someone:keep-me\n"
    assert session_password(dialog.connect_url()) is None


@pytest.mark.parametrize("remember", [True, False])
def test_a_typed_password_connects_and_stays_only_when_remembered(
    qtbot, server_demo, dialog, tmp_path, monkeypatch, remember
):
    """Not remembered, the password lives in this process's memory only, for the
    window's jobs; remembered without a keyring, in the .pgpass (0600)."""
    cluster, name = server_demo
    password = cluster.pgpass.read_text().splitlines()[0].rsplit(":", 1)[1]
    private = tmp_path / "pgpass"
    monkeypatch.setenv("PGPASSFILE", str(private))  # empty: only the typed password works
    monkeypatch.setattr(server_connect, "usable_keyring", lambda: None)
    dialog = ServerConnectDialog(dialog.settings)
    qtbot.addWidget(dialog)
    fill(dialog, "127.0.0.1", cluster.port, name, cluster.user)
    dialog.password.setText(password)
    dialog.remember.setChecked(remember)
    dialog.connect_button.click()
    wait_for_job(qtbot, dialog.job)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()
    assert dialog.register is not None
    try:
        assert dialog.register.accounts.count() == 300
    finally:
        dialog.register.close()
    again = open_register(dialog.connect_url())  # as a job of the window opens it
    try:
        assert again.accounts.count() == 300
    finally:
        again.close()
    entry = PasswordEntry("127.0.0.1", cluster.port, name, cluster.user)
    if remember:
        assert entry.saved_line(private) == entry.line(password)
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    else:
        assert not private.exists() or entry.saved_line(private) is None


class FakeKeyring:
    """A keyring backend that keeps passwords in a dict (the real one needs a desktop session)."""

    priority = 5

    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.saved.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.saved[(service, user)] = password


def test_with_a_keyring_a_remembered_password_lives_there_not_in_the_file(
    qtbot, server_demo, settings, tmp_path, monkeypatch
):
    cluster, name = server_demo
    password = cluster.pgpass.read_text().splitlines()[0].rsplit(":", 1)[1]
    private = tmp_path / "pgpass"
    monkeypatch.setenv("PGPASSFILE", str(private))
    keyring = FakeKeyring()
    monkeypatch.setattr(server_connect, "usable_keyring", lambda: keyring)
    entry = PasswordEntry("127.0.0.1", cluster.port, name, cluster.user)
    for typed in (password, ""):  # typed and remembered, then taken from the keyring
        dialog = ServerConnectDialog(settings)
        qtbot.addWidget(dialog)
        assert "系统钥匙串" in dialog.remember.text()
        fill(dialog, "127.0.0.1", cluster.port, name, cluster.user)
        dialog.password.setText(typed)
        dialog.remember.setChecked(True)
        dialog.connect_button.click()
        wait_for_job(qtbot, dialog.job)
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()
        dialog.register.close()
        assert keyring.saved == {("nmdesk", cluster.url(name)): password}
        assert not private.exists() or entry.saved_line(private) is None  # never in a file
        from nmdesk.store import server_connection

        server_connection._session_passwords.clear()  # nmdesk starts again


def test_without_a_usable_keyring_the_file_is_offered(qtbot, settings, monkeypatch):
    from nmdesk import pgpass

    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed
    assert pgpass.usable_keyring() is None
    dialog = ServerConnectDialog(settings)
    qtbot.addWidget(dialog)
    assert ".pgpass" in dialog.remember.text()


def test_what_a_server_register_cannot_do_yet_is_one_sentence_in_the_window(
    qtbot, server_demo, settings, monkeypatch
):
    from nmdesk.store import open_register

    cluster, name = server_demo
    window = MainWindow(open_register(cluster.url(name)), settings=settings, owns_register=True)
    qtbot.addWidget(window)
    errors: list[str] = []
    monkeypatch.setattr(window, "show_error", lambda error, title=None: errors.append(str(error)))
    monkeypatch.setattr(window, "exec_dialog", lambda dialog: pytest.fail("no dialog opens"))
    try:
        qtbot.waitUntil(lambda: window.current_account_id() is not None, timeout=20_000)
        for action in (window.act_backup, window.act_unlock):
            action.trigger()
        assert len(errors) == 2
        assert "pg_dump" in errors[0] and "无需解除" in errors[1]
        assert all("\n" not in sentence for sentence in errors)
    finally:
        window.close()


def test_a_clerks_error_raised_by_a_menu_command_is_shown_in_the_window(
    qtbot, demo_register, settings, monkeypatch
):
    from nmdesk.errors import RegisterError

    window = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(window)
    errors: list[str] = []
    monkeypatch.setattr(window, "show_error", lambda error, title=None: errors.append(str(error)))

    def refuse() -> int:
        raise RegisterError("服务器备案库的附件将保存在数据库中，本版本尚不支持服务器上的附件")

    monkeypatch.setattr(window, "require_account", refuse)
    window.act_attachments.trigger()  # no traceback, no error hook: one sentence
    assert errors == ["服务器备案库的附件将保存在数据库中，本版本尚不支持服务器上的附件"]
    window.close()
