"""The command line, run as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nmdesk.cli import main
from nmdesk.store import Register


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nmdesk", *args], capture_output=True, text=True, timeout=120
    )


def test_init_list_show_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "office.nmdesk"
    assert main(["init", "--profile", "pku-coe", "--path", str(path)]) == 0
    assert "北京大学工学院" in capsys.readouterr().out
    with Register.open(path) as register:
        assert register.profile.id == "pku-coe"
    assert main(["list", "--path", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_demo_then_list_search_and_show(tmp_path: Path) -> None:
    path = tmp_path / "demo.nmdesk"
    result = run("demo", "--path", str(path))
    assert result.returncode == 0, result.stderr
    assert "300 个账号" in result.stdout
    listing = run("list", "--path", str(path))
    lines = listing.stdout.splitlines()
    assert len(lines) == 300
    first = lines[0].split("\t")
    assert first[0] == "1" and first[1] in {
        "微信",
        "微博",
        "抖音",
        "B站",
        "QQ",
        "今日头条",
        "小红书",
        "快手",
        "知乎",
        "APP",
        "其他",
    }
    assert first[3] == "北京理工大学"  # platform, name, then unit
    found = run("list", "--search", "计算机", "--path", str(path)).stdout.splitlines()
    assert found and all("计算机" in line for line in found)
    shown = run("show", first[0], "--path", str(path))
    assert shown.returncode == 0
    assert f"账号名称：{first[2]}" in shown.stdout and "备案记录" in shown.stdout
    serial = first[-1]
    assert f"序号：{first[0]}" in run("show", serial, "--path", str(path)).stdout


def test_due_prints_the_date_then_whether_it_is_an_estimate() -> None:
    known = run("due", "2026-09-30", "3", "--path", "/nonexistent/never.nmdesk")
    assert known.returncode == 2  # a named register that does not exist is an error
    known = run("due", "2026-09-30", "3")
    assert known.stdout.splitlines()[0] == "2026-10-10"
    assert "估算" not in known.stdout.splitlines()[1]
    guessed = run("due", "2027-01-29", "5").stdout.splitlines()
    assert guessed[0] == "2027-02-05"
    assert "估算" in guessed[1]


@pytest.mark.parametrize(
    "args",
    [
        ["due", "2026-13-40", "3"],
        ["due", "2026-09-30", "three"],
        ["show", "99999"],
        ["init", "--profile", "mit"],
        ["list", "--bogus"],
    ],
)
def test_user_errors_are_one_line_of_chinese_with_exit_2(tmp_path: Path, args: list[str]) -> None:
    path = tmp_path / "r.nmdesk"
    Register.create(path, "bit").close()
    if args[0] in ("show", "init"):
        args = [*args, "--path", str(path if args[0] == "show" else tmp_path / "new.nmdesk")]
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_check_lists_overdue_and_verify_is_clean(demo_path: Path) -> None:
    check = run("check", "--path", str(demo_path))
    assert check.returncode == 1
    assert "逾期" in check.stdout
    verify = run("verify", "--path", str(demo_path))
    assert verify.returncode == 0, verify.stdout
    assert "校验通过" in verify.stdout


def test_verify_detects_an_edit_made_outside_nmdesk(demo_path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(demo_path)
    conn.execute("UPDATE accounts SET name = '被篡改' WHERE id = 5")
    conn.commit()
    conn.close()
    result = run("verify", "--path", str(demo_path))
    assert result.returncode == 1
    assert "accounts #5" in result.stdout and "name" in result.stdout
