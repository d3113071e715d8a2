"""Every failure is one Chinese sentence, and the register stays as it was (issue 12, items 5-6).

The hostile cases are built here, at test time: a backups folder that is a file, a
directory named like a register, a read-only file system (a read-only bind mount)
and a full disk (a small tmpfs) when this machine lets the test mount them, another
program holding SQLite's write lock, a lock left by another computer, an export
under an extension nmdesk does not write. Each asserts the exit code, one sentence
without English, and the register's content before and after, read through SQLite
(``iterdump`` on a read-only connection, when no process has the register open).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nmdesk.cli import main
from nmdesk.errors import NmdeskError
from nmdesk.models import Person, PersonKind
from nmdesk.store import Register, locking
from nmdesk.store.register import database_error_message

ROOT = Path(__file__).resolve().parents[3]
ENGLISH = ("Error", "error", "Errno", "database", "disk is", "such file", "Permission", "denied")
ENGLISH += ("Read-only", "Traceback", "malformed", "locked")


def _nmdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nmdesk", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def _state(path: Path) -> list[str]:
    """The register's whole content, through SQLite (only while nobody has it open)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        return [f"user_version={version}", *conn.iterdump()]
    finally:
        conn.close()


def _one_sentence(text: str, tmp_path: Path) -> str:
    lines = [line for line in text.strip().splitlines() if line]
    assert len(lines) == 1, lines
    line = lines[0].replace(str(tmp_path), "<tmp>")
    assert not any(word in line for word in ENGLISH), line
    return line


@pytest.fixture
def office(tmp_path: Path) -> Path:
    path = tmp_path / "office.nmdesk"
    with Register.create(path, "bit", actor="tester") as register, register.transaction():
        register.people.add(Person(None, "甲", PersonKind.STAFF))
    return path


def test_export_refuses_an_extension_it_will_not_write(office: Path, tmp_path: Path) -> None:
    before = _state(office)
    done = _nmdesk("export", str(tmp_path / "台账.xls"), "--path", str(office))
    assert done.returncode == 2
    assert "只能导出为 .xlsx" in _one_sentence(done.stderr, tmp_path)
    assert not (tmp_path / "台账.xls").exists()
    assert _state(office) == before


def test_a_backups_folder_that_is_a_file_is_a_warning_not_a_crash(office, tmp_path) -> None:
    (tmp_path / "office-backups").write_text("not a folder", encoding="utf-8")
    before = _state(office)
    for command in ("list", "verify"):
        done = _nmdesk(command, "--path", str(office))
        assert done.returncode == 0, done.stderr
        warning = _one_sentence(done.stderr, tmp_path)
        assert warning.startswith("注意：今天的自动备份未完成") and "不是文件夹" in warning
    assert "校验通过" in done.stdout
    assert _state(office) == before


def test_a_directory_named_like_a_register_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "folder.nmdesk"
    folder.mkdir()
    done = _nmdesk("list", "--path", str(folder))
    assert done.returncode == 2
    assert "是一个文件夹" in _one_sentence(done.stderr, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.nmdesk"]


@contextlib.contextmanager
def _mounted(*command: str) -> Iterator[None]:
    done = subprocess.run(command, capture_output=True, timeout=30)
    if done.returncode != 0:
        pytest.skip(f"this machine does not let the test mount: {done.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["umount", command[-1]], capture_output=True, timeout=30)


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    with _mounted("mount", "--bind", str(folder), str(folder)):
        remount = subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True, timeout=30
        )
        if remount.returncode != 0:
            pytest.skip("this machine does not let the test remount read-only")
        yield


def test_a_register_on_a_read_only_file_system_opens_read_only(office, tmp_path) -> None:
    before = _state(office)
    with _read_only(tmp_path):
        listed = _nmdesk("list", "--path", str(office))
        assert listed.returncode == 0, listed.stderr
        checked = _nmdesk("verify", "--path", str(office))
        assert "只读" in checked.stdout
        assert not any(word in checked.stdout for word in ENGLISH), checked.stdout
        with Register.open(office, auto_backup=False) as register:
            assert register.read_only and "只读" in register.read_only_message
            with pytest.raises(NmdeskError, match="只读"):
                register.people.add(Person(None, "乙", PersonKind.STAFF))
    assert _state(office) == before


def test_backup_out_onto_a_full_disk_is_one_sentence_and_leaves_nothing(demo_path, tmp_path):
    disk = tmp_path / "usb"
    disk.mkdir()
    before = _state(demo_path)
    with _mounted("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)):
        done = _nmdesk("backup", "--out", str(disk / "copy.nmdesk"), "--path", str(demo_path))
        left = sorted(p.name for p in disk.iterdir())
    assert done.returncode == 2
    assert "磁盘已满" in _one_sentence(done.stderr, tmp_path)
    assert left == []  # no copy, no .part, no .part-journal
    assert _state(demo_path) == before


_HOLD_WRITE_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def test_another_program_holding_the_write_lock_is_waited_for_then_named(office) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_WRITE_LOCK, str(office), "30"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with Register.open(office, auto_backup=False) as register:
            started = time.monotonic()
            with pytest.raises(sqlite3.OperationalError) as raised, register.transaction():
                register.people.add(Person(None, "乙", PersonKind.STAFF))
            waited = time.monotonic() - started
        message = database_error_message(raised.value)
    finally:
        holder.kill()
        holder.wait(30)
    assert waited >= 4  # SQLite's busy timeout waited and retried before giving up
    assert message is not None and "另一个程序占用" in message and "已等待" in message
    assert [p.name for p in Register.open(office, read_only=True).people.all()] == ["甲"]


def _foreign_lock(path: Path) -> None:
    info = {"pid": 4242, "host": "教务处-办公室电脑", "since": "2026-12-01T09:00:00", "user": "李"}
    locking.lock_path(path).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")


def test_a_foreign_host_lock_explains_itself_and_can_be_taken_over(office, tmp_path) -> None:
    _foreign_lock(office)
    before = _state(office)
    with Register.open(office, auto_backup=False) as register:
        assert register.read_only
        assert "unlock --force" in register.read_only_message
        assert "文件 → 解除占用…" in register.read_only_message
    asked = _nmdesk("unlock", "--path", str(office))
    assert asked.returncode == 1 and "教务处-办公室电脑" in asked.stdout
    assert locking.lock_path(office).exists() and _state(office) == before
    done = _nmdesk("unlock", "--force", "--path", str(office))
    assert done.returncode == 0 and "已解除" in done.stdout
    assert not locking.lock_path(office).exists()
    with Register.open(office, auto_backup=False) as register:
        assert not register.read_only


def test_a_live_nmdesk_on_this_computer_keeps_its_lock(office, tmp_path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom nmdesk.store import Register\n"
            "r = Register.open(sys.argv[1], auto_backup=False)\nprint('open', flush=True)\n"
            "time.sleep(60)",
            str(office),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        done = _nmdesk("unlock", "--force", "--path", str(office))
        assert done.returncode == 2
        assert "不能解除占用" in _one_sentence(done.stderr, tmp_path)
        assert locking.lock_path(office).exists()
    finally:
        holder.kill()
        holder.wait(30)


def test_files_with_personal_data_are_private(office: Path, tmp_path: Path) -> None:
    from fixtures_excel import build_messy_ledger

    from nmdesk.excel.error_report import write_error_report
    from nmdesk.excel.ledger_import import plan_import

    outputs = {
        "export.xlsx": ("export",),
        "export.csv": ("export",),
        "audit.xlsx": ("audit-export",),
        "audit.csv": ("audit-export",),
    }
    for name, (command,) in outputs.items():
        done = _nmdesk(command, str(tmp_path / name), "--path", str(office))
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
    ledger = build_messy_ledger(tmp_path / "ledger.xlsx")
    with Register.open(office, auto_backup=False) as register:
        plan = plan_import(register, ledger)
    assert write_error_report(plan, tmp_path / "errors.xlsx", plan.rows) >= 1
    assert (tmp_path / "errors.xlsx").stat().st_mode & 0o777 == 0o600


def test_the_network_share_warning_reaches_every_writing_command(
    office: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    warning = "备案库 office.nmdesk 位于网络共享（cifs）上。请把备案库放在本机磁盘上"
    monkeypatch.setattr(locking, "network_share_warning", lambda path: warning)
    for argv in (
        ["export", str(tmp_path / "a.xlsx")],
        ["backup"],
        ["audit-export", str(tmp_path / "audit.csv")],
        ["template", str(tmp_path / "template.xlsx")],
    ):
        assert main([*argv, "--path", str(office)]) == 0
        assert f"注意：{warning}" in capsys.readouterr().err, argv


def test_english_never_reaches_the_clerk_for_a_full_disk_by_code() -> None:
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
    assert database_error_message(full) == "磁盘已满，修改未保存。请腾出磁盘空间后重试"
    bug = sqlite3.OperationalError("no such column: x")
    bug.sqlite_errorcode = sqlite3.SQLITE_ERROR  # type: ignore[attr-defined]
    assert database_error_message(bug) is None  # a bug stays a traceback
