"""One writer: a second instance opens read-only, a crashed one leaves no lock behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nmdesk.errors import RegisterError
from nmdesk.models import Person, PersonKind
from nmdesk.store import Register, locking

HOLDER = """
import sys
from nmdesk.models import Person, PersonKind
from nmdesk.store import Register
register = Register.open(sys.argv[1])
print("ready", register.read_only, flush=True)
for line in sys.stdin:
    command = line.strip()
    if command == "quit":
        break
    with register.transaction():
        register.people.add(Person(None, command, PersonKind.STAFF))
    print("done", command, flush=True)
register.close()
"""


class Holder:
    """Another nmdesk process that opens the register and writes what it is told."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.first = self.readline()

    def readline(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def write(self, name: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        return self.readline()

    def quit(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()
        self.process.wait(timeout=60)


@pytest.fixture
def path(register: Register) -> Path:
    register.close()
    return register.path


def test_a_second_instance_opens_read_only_and_loses_no_write(path: Path) -> None:
    holder = Holder(path)
    try:
        assert holder.first == "ready False"
        with Register.open(path) as second:
            assert second.read_only
            assert second.lock_holder is not None
            assert second.lock_holder.pid == holder.process.pid
            message = second.read_only_message
            assert "正由另一个 nmdesk 使用" in message and "当前为只读" in message
            assert str(holder.process.pid) in message and socket.gethostname() in message
            with pytest.raises(RegisterError, match="当前为只读"), second.transaction():
                second.people.add(Person(None, "不应写入", PersonKind.STAFF))
            # the holder keeps writing while the read-only instance reads
            for index in range(5):
                assert holder.write(f"持有者{index}") == f"done 持有者{index}"
            assert len(second.people.all()) == 5
            assert second.audit.verify() == []
        assert holder.write("之后") == "done 之后"
    finally:
        holder.quit()
    with Register.open(path) as after:
        assert not after.read_only
        names = sorted(p.name for p in after.people.all())
        assert names == sorted([*(f"持有者{i}" for i in range(5)), "之后"])
        assert after.audit.verify() == []
    assert not locking.lock_path(path).exists()


def test_the_cli_reads_while_the_app_holds_the_register(path: Path, tmp_path: Path) -> None:
    with Register.open(path, auto_backup=False) as register:
        saved = register.backup(tmp_path / "saved.nmdesk")
    holder = Holder(path)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "nmdesk", "verify", "--path", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        backup = subprocess.run(
            [sys.executable, "-m", "nmdesk", "restore", str(saved), "--path", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert backup.returncode == 2 and "Traceback" not in backup.stderr
        assert "正由另一个 nmdesk 使用" in backup.stderr and "无法恢复" in backup.stderr
    finally:
        holder.quit()


def test_a_lock_left_by_a_killed_instance_is_taken_over(path: Path) -> None:
    holder = Holder(path)
    assert holder.write("崩溃前") == "done 崩溃前"
    holder.process.send_signal(signal.SIGKILL)
    holder.process.wait(timeout=60)
    assert locking.read_lock(path) is not None  # the file is still there ...
    with Register.open(path) as register:  # ... but the lock is not held
        assert not register.read_only
        assert register.stale_lock is not None
        assert register.stale_lock.pid == holder.process.pid
        assert [p.name for p in register.people.all()] == ["崩溃前"]


def test_a_lock_note_of_a_dead_process_on_this_host_is_stale(path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)
    note = {"pid": pid, "host": socket.gethostname(), "since": "2026-01-01T08:00:00", "user": "x"}
    locking.lock_path(path).write_text(json.dumps(note), encoding="utf-8")
    info = locking.read_lock(path)
    assert info is not None and locking.is_stale(info)
    with Register.open(path) as register:
        assert not register.read_only and register.stale_lock == info


def test_a_lock_note_from_another_host_is_respected(path: Path) -> None:
    note = {"pid": 4242, "host": "另一台电脑", "since": "2026-01-01T08:00:00", "user": "x"}
    locking.lock_path(path).write_text(json.dumps(note), encoding="utf-8")
    with Register.open(path) as register:
        assert register.read_only
        assert "另一台电脑" in register.read_only_message
        with pytest.raises(RegisterError, match="当前为只读"):
            register.set_meta("x", "y")


def test_the_same_process_shares_its_lock_with_a_worker_thread(path: Path) -> None:
    main = Register.open(path)
    results: list[bool] = []

    def worker() -> None:
        with Register.open(path) as own:
            results.append(own.read_only)
            with own.transaction():
                own.people.add(Person(None, "线程写入", PersonKind.STAFF))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=60)
    assert results == [False]
    assert locking.lock_path(path).exists()  # still held by ``main``
    assert [p.name for p in main.people.all()] == ["线程写入"]
    main.close()
    assert not locking.lock_path(path).exists()


def test_explicit_read_only_takes_no_lock_and_refuses_writes(path: Path) -> None:
    with Register.open(path, read_only=True) as register:
        assert register.read_only and register.lock_holder is None
        assert not locking.lock_path(path).exists()
        with pytest.raises(RegisterError, match="只读"):
            register.set_meta("x", "y")
        with Register.open(path) as writer:
            assert not writer.read_only


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
//fileserver/office /mnt/office cifs rw,vers=3.0 0 0
nas:/export/home /home/shared nfs4 rw 0 0
tmpfs /mnt/office/tmp tmpfs rw 0 0
"""


@pytest.mark.parametrize(
    ("where", "kind"),
    [
        ("/home/clerk/register.nmdesk", None),
        ("/mnt/office/备案/register.nmdesk", "cifs"),
        ("/home/shared/register.nmdesk", "nfs4"),
        ("/mnt/office/tmp/register.nmdesk", None),
        ("/mnt/officer/register.nmdesk", None),
    ],
)
def test_network_shares_get_a_warning(where: str, kind: str | None) -> None:
    warning = locking.network_share_warning(Path(where), MOUNTS)
    if kind is None:
        assert warning is None
    else:
        assert warning is not None and kind in warning and "网络共享" in warning


def test_a_local_register_has_no_network_warning(path: Path) -> None:
    with Register.open(path) as register:
        assert register.network_warning is None
        assert register.db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


@pytest.mark.skipif(os.name != "posix", reason="POSIX lock file mode")
def test_the_lock_file_is_private(path: Path) -> None:
    with Register.open(path):
        assert locking.lock_path(path).stat().st_mode & 0o777 == 0o600


def test_a_cli_write_while_the_app_holds_the_register_is_refused_clearly(
    path: Path, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.xlsx"
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["开设单位", "开设平台", "账号名称", "账号ID号"])
    book.active.append(["计算机学院", "微博", "北理工计算机", "cs_weibo"])
    book.save(ledger)
    holder = Holder(path)
    try:
        assert holder.write("持有者") == "done 持有者"
        done = subprocess.run(
            [sys.executable, "-m", "nmdesk", "import", str(ledger), "--path", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert "正由另一个 nmdesk 使用" in done.stderr and "当前为只读" in done.stderr
        assert holder.write("之后") == "done 之后"
    finally:
        holder.quit()
    with Register.open(path) as register:
        assert register.scalar("SELECT count(*) FROM accounts") == 0
        assert sorted(p.name for p in register.people.all()) == ["之后", "持有者"]
        assert register.audit.verify() == []


def test_a_folder_where_no_lock_can_be_made_opens_read_only(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(register_path: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(locking, "_acquire_flock", refuse)
    monkeypatch.setattr(locking, "_acquire_exclusive", refuse)
    with Register.open(path) as register:
        assert register.read_only
        assert "无法在所在文件夹创建锁文件" in register.read_only_message
        assert "当前为只读" in register.read_only_message
        with pytest.raises(RegisterError, match="当前为只读"):
            register.set_meta("x", "y")
        assert register.audit.verify() == []


def test_a_register_file_without_write_permission_opens_read_only(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == path else real_access(p, mode)
    )
    with Register.open(path) as register:
        assert register.read_only and "没有写入该文件的权限" in register.read_only_message
        assert not locking.lock_path(path).exists()


def test_without_flock_a_live_holder_blocks_and_a_dead_one_is_stale(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Windows path: an exclusive lock file judged by its pid."""
    monkeypatch.setattr(locking, "fcntl", None)
    alive = {"pid": os.getppid(), "host": socket.gethostname(), "since": "2026-01-01T08:00:00"}
    locking.lock_path(path).write_text(json.dumps({**alive, "user": "x"}), encoding="utf-8")
    with Register.open(path) as register:
        assert register.read_only and register.lock_holder is not None
        assert register.lock_holder.pid == os.getppid()
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = {**alive, "pid": int(gone.stdout), "user": "x"}
    locking.lock_path(path).write_text(json.dumps(dead), encoding="utf-8")
    with Register.open(path) as register:
        assert not register.read_only
        assert register.stale_lock is not None and register.stale_lock.pid == int(gone.stdout)
        with Register.open(path) as same_process:  # shared within the process
            assert not same_process.read_only
    assert not locking.lock_path(path).exists()
