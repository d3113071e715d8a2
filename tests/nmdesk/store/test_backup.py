"""Backups: automatic, rotated, manual, and restores that check before they overwrite."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nmdesk.errors import NewerRegisterError, RegisterError
from nmdesk.models import Person, PersonKind
from nmdesk.store import Register
from nmdesk.store import backup as backups
from nmdesk.store.restore import restore


def _people(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM people").fetchone()[0])
    finally:
        conn.close()


def _add_person(register: Register, name: str) -> int:
    with register.transaction():
        return register.people.add(Person(None, name, PersonKind.STAFF))


def test_opening_takes_one_daily_and_one_monthly_backup_a_day(demo_path: Path) -> None:
    with Register.open(demo_path) as register:
        assert register.backup_warning is None
    found = backups.list_backups(demo_path)
    assert sorted(b.kind for b in found) == ["daily", "monthly"]
    assert all(b.path.parent == demo_path.with_name("demo-backups") for b in found)
    with Register.open(demo_path):
        pass
    assert len(backups.list_backups(demo_path)) == 2
    daily = next(b for b in found if b.kind == "daily")
    checked = backups.check_backup(daily.path)
    assert checked.accounts == 300 and checked.profile_id == "bit"
    # a self-contained file: rollback journal mode, no -wal beside it
    assert daily.path.read_bytes()[18:20] == b"\x01\x01"
    assert not Path(f"{daily.path}-wal").exists()


def test_no_automatic_backup_when_asked_not_to_or_on_create(tmp_path: Path) -> None:
    path = tmp_path / "new.nmdesk"
    Register.create(path, "bit").close()
    assert backups.list_backups(path) == []
    with Register.open(path, auto_backup=False):
        pass
    assert backups.list_backups(path) == []


def test_rotation_keeps_seven_daily_and_twelve_monthly(register: Register) -> None:
    start = dt.datetime(2025, 1, 15, 9, 0, 0)
    for day in range(0, 400, 3):
        backups.auto_backup(register.path, register.db.conn, now=start + dt.timedelta(days=day))
    found = backups.list_backups(register.path)
    daily = [b for b in found if b.kind == "daily"]
    monthly = [b for b in found if b.kind == "monthly"]
    assert len(daily) == 7 and len(monthly) == 12
    newest = start + dt.timedelta(days=399)
    assert daily[0].taken_at.date() == newest.date()
    assert [b.taken_at.date() for b in daily] == sorted(
        (b.taken_at.date() for b in daily), reverse=True
    )
    months = [(b.taken_at.year, b.taken_at.month) for b in monthly]
    assert len(set(months)) == 12 and months[0] == (newest.year, newest.month)
    assert not list(backups.backups_dir(register.path).glob("*.part"))


def test_manual_backup_to_a_file_and_refuses_to_overwrite(
    register: Register, tmp_path: Path
) -> None:
    _add_person(register, "张伟")
    out = tmp_path / "copy" / "office-copy.nmdesk"
    assert register.backup(out) == out
    assert _people(out) == 1
    with pytest.raises(RegisterError, match="已存在"):
        register.backup(out)
    with pytest.raises(RegisterError, match="同名"):
        register.backup(register.path)
    inside = register.backup()
    assert inside.parent == backups.backups_dir(register.path)
    assert [b.kind for b in backups.list_backups(register.path)] == ["manual"]


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(demo_path: Path) -> None:
    with Register.open(demo_path, auto_backup=False) as register:
        saved = register.backup()
        people_before = register.scalar("SELECT count(*) FROM people")
        _add_person(register, "恢复后应消失")
    result = restore(demo_path, saved)
    assert result.safety_copy is not None and result.safety_copy.exists()
    assert _people(result.safety_copy) == people_before + 1
    with Register.open(demo_path, auto_backup=False) as register:
        assert register.scalar("SELECT count(*) FROM people") == people_before
        assert register.people.find("恢复后应消失") == []
        assert saved.name in register.meta("last_restore")
        assert register.integrity_ok()
        assert register.audit.verify() == []
        assert register.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _snapshot(folder: Path) -> dict[str, bytes]:
    """The register's own files (the register, its lock, -wal, backups), by content."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("demo*"))
        if p.is_file()
    }


def _bad_backups(tmp_path: Path, good: Path) -> list[tuple[Path, str]]:
    bad = tmp_path / "bad"
    bad.mkdir()
    truncated = bad / "truncated.nmdesk"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    text = bad / "text.nmdesk"
    text.write_text("这不是数据库", encoding="utf-8")
    foreign = bad / "foreign.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    newer = bad / "newer.nmdesk"
    shutil.copy(good, newer)
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    corrupt = bad / "corrupt.nmdesk"
    data = bytearray(good.read_bytes())
    page = 4096
    for offset in range(3 * page, min(len(data), 40 * page), page):
        data[offset + 8 : offset + 200] = b"\xff" * 192
    corrupt.write_bytes(bytes(data))
    return [
        (truncated, "损坏|无法读取"),
        (text, "不是 SQLite"),
        (foreign, "不是 nmdesk"),
        (newer, "更新版本"),
        (corrupt, "损坏|无法读取"),
        (bad / "missing.nmdesk", "不存在"),
    ]


def test_restore_refuses_a_bad_backup_and_writes_nothing(demo_path: Path, tmp_path: Path) -> None:
    with Register.open(demo_path, auto_backup=False) as register:
        good = register.backup(tmp_path / "good.nmdesk")
    before = _snapshot(demo_path.parent)
    for bad, message in _bad_backups(tmp_path, good):
        with pytest.raises(RegisterError, match=message):
            restore(demo_path, bad)
        assert _snapshot(demo_path.parent) == before, bad.name
    with pytest.raises(NewerRegisterError):
        backups.check_backup(tmp_path / "bad" / "newer.nmdesk")


def test_restore_over_a_damaged_register_keeps_the_damaged_file(
    register: Register, tmp_path: Path
) -> None:
    _add_person(register, "李娜")
    saved = register.backup(tmp_path / "saved.nmdesk")
    path = register.path
    register.close()
    path.write_bytes(b"garbage, not a database" * 100)
    result = restore(path, saved)
    assert result.safety_copy is not None
    assert result.safety_copy.read_bytes() == b"garbage, not a database" * 100
    with Register.open(path) as reopened:
        assert [p.name for p in reopened.people.all()] == ["李娜"]
        assert reopened.audit.verify() == []


def test_restore_is_refused_while_another_instance_holds_the_register(
    register: Register, tmp_path: Path
) -> None:
    saved = register.backup(tmp_path / "saved.nmdesk")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom nmdesk.store import Register\n"
            f"r = Register.open({str(register.path)!r})\nprint('ready', flush=True)\n"
            "sys.stdin.readline()\nr.close()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    register.close()
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(RegisterError, match="另一个 nmdesk"):
            restore(register.path, saved)
    finally:
        holder.communicate("\n", timeout=60)
    assert restore(register.path, saved).safety_copy is not None


def test_cli_backup_list_restore(demo_path: Path, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "nmdesk", *args, "--path", str(demo_path)],
            capture_output=True,
            text=True,
            timeout=120,
        )

    out = tmp_path / "cli-copy.nmdesk"
    done = run("backup", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout and _people(out) == _people(demo_path)
    listed = run("backups")
    assert listed.returncode == 0 and "每日自动备份" in listed.stdout
    refused = run("backup", "--out", str(out))
    assert refused.returncode == 2 and "已存在" in refused.stderr
    assert "Traceback" not in refused.stderr
    restored = run("restore", str(out))
    assert restored.returncode == 0, restored.stderr
    assert "安全副本" not in restored.stderr and "恢复前的备案库已保存为" in restored.stdout
    broken = tmp_path / "broken.nmdesk"
    broken.write_bytes(b"PK\x03\x04 not a register")
    failed = run("restore", str(broken))
    assert failed.returncode == 2
    assert failed.stderr.count("\n") == 1 and "不是 SQLite" in failed.stderr
