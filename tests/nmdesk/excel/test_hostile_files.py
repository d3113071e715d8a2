"""Hostile spreadsheets are refused before any parser sees them (issue #12, item 3).

Each file is built at test time (``tests/hostile_files.py``) and given to a real
``python -m nmdesk import`` process. Each must be refused with exit code 2 and one
Chinese sentence, within 5 s and 200 MB (measured on the child by ``wait4``), and
leave the register byte-identical once the process has exited. On the base
commit the far cell aborted the process (exit 134), ``ZZ99999`` took 13.7 s and
3.2 GB, and the zip bombs took gigabytes.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_files import Repeated, many_rows, one_far_cell, workbook_parts, write_zip, zip_bomb

from nmdesk.excel.limits import LIMITS, SpreadsheetTooLargeError
from nmdesk.excel.reader import check_xlsx, read_sheet

CJK = re.compile(r"[\u4e00-\u9fff]")
SECONDS = 5.0  # generous: the refusal itself takes milliseconds; this bounds a slow CI
MEGABYTES = 200


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


# The child is started by this small launcher, not by pytest: a child forked from a
# large process counts the parent's pages in its own peak (Linux keeps it across exec).
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_cli(*args: str, scratch: Path) -> Run:
    """``python -m nmdesk ARGS`` in a child; its own peak memory from ``wait4``."""
    peak = scratch / "peak-kb"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(peak), sys.executable, "-m", "nmdesk", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    seconds = time.monotonic() - started
    return Run(done.returncode, done.stdout, done.stderr, seconds, int(peak.read_text()) / 1024)


def register_state(path: Path, scratch: Path) -> tuple[dict[str, bytes], list[str]]:
    """Every file of the register's folder, byte for byte, and the SQL dump of the
    register, read from a copy (opening the register itself would touch its files)."""
    files = {
        str(p.relative_to(path.parent)): p.read_bytes()
        for p in sorted(path.parent.rglob("*"))
        if p.is_file()
    }
    scratch.mkdir(exist_ok=True)
    for name, data in files.items():
        if name.startswith(path.name):
            (scratch / name).write_bytes(data)
    db = sqlite3.connect(scratch / path.name)
    dump = list(db.iterdump())
    db.close()
    for copy in scratch.iterdir():
        copy.unlink()
    return files, dump


@pytest.fixture
def quiet_register(tmp_path: Path) -> Path:
    """A register in its own folder, opened once today so its daily backup already exists."""
    path = tmp_path / "register" / "office.nmdesk"
    path.parent.mkdir()
    for command in (["init", "--profile", "bit"], ["verify"]):
        assert run_cli(*command, "--path", str(path), scratch=tmp_path).returncode == 0
    return path


HOSTILE: dict[str, tuple[Callable[[Path], Path], tuple[str, ...]]] = {
    "far-cell-XFD99999": (lambda p: one_far_cell(p, "XFD99999"), ("16384 列", "上限 256 列")),
    "far-cell-ZZ99999": (lambda p: one_far_cell(p, "ZZ99999"), ("702 列", "上限 256 列")),
    "far-cell-undeclared": (
        lambda p: one_far_cell(p, "XFD99999", declared=False),
        ("16384 列", "上限"),
    ),
    "zip-bomb-600MB": (lambda p: zip_bomb(p, 600), ("600 MB", "压缩炸弹")),
    "zip-bomb-2400MB": (lambda p: zip_bomb(p, 2400), ("2400 MB", "压缩炸弹")),
    "million-rows": (lambda p: many_rows(p, 1_000_000), ("1000001 行", "上限 100000 行")),
    "150k-rows-undeclared": (
        lambda p: many_rows(p, 150_000, declared=False),
        ("150001 行", "上限 100000 行"),
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_spreadsheet_is_refused_fast_small_and_harmless(
    case: str, quiet_register: Path, tmp_path: Path
) -> None:
    build, words = HOSTILE[case]
    workbook = build(tmp_path / f"{case}.xlsx")
    before = register_state(quiet_register, tmp_path / "dump")
    done = run_cli("import", str(workbook), "--path", str(quiet_register), scratch=tmp_path)
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert CJK.search(lines[0]) and len(lines[0]) < 300, lines[0]
    for word in (workbook.name, *words):
        assert word in lines[0], lines[0]
    assert done.seconds < SECONDS, done.seconds
    assert done.peak_mb < MEGABYTES, done.peak_mb
    assert register_state(quiet_register, tmp_path / "dump") == before


def test_the_far_cell_file_is_as_small_as_the_report_says(tmp_path: Path) -> None:
    assert one_far_cell(tmp_path / "x.xlsx", "XFD99999").stat().st_size < 2000
    assert zip_bomb(tmp_path / "b.xlsx", 600).stat().st_size < 700_000


def test_the_check_refuses_before_reading_the_bomb(tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "bomb.xlsx", 2400)
    started = time.monotonic()
    with pytest.raises(SpreadsheetTooLargeError, match="压缩炸弹"):
        check_xlsx(bomb)
    assert time.monotonic() - started < SECONDS


def test_many_small_parts_are_refused(tmp_path: Path) -> None:
    parts = workbook_parts(b"<worksheet/>")
    parts.update({f"xl/media/junk{n}.bin": b"x" for n in range(LIMITS.parts)})
    with pytest.raises(SpreadsheetTooLargeError, match="部件"):
        check_xlsx(write_zip(tmp_path / "parts.xlsx", parts))


def test_many_parts_together_past_the_total_are_refused(tmp_path: Path) -> None:
    parts = workbook_parts(b"<worksheet/>")
    for n in range(3):
        parts[f"xl/media/pad{n}.bin"] = Repeated(b"", b" " * (1 << 20), 100, b"")
    with pytest.raises(SpreadsheetTooLargeError, match="共有 300 MB"):
        check_xlsx(write_zip(tmp_path / "total.xlsx", parts))


def test_a_sheet_within_the_limits_is_read(tmp_path: Path) -> None:
    grid = read_sheet(many_rows(tmp_path / "fine.xlsx", 5000))
    assert len(grid.rows) == 5001 and grid.rows[5000] == ["账号", "微信", "计算机学院"]
    grid = read_sheet(one_far_cell(tmp_path / "wide.xlsx", "IV300"))  # column 256, row 300
    assert grid.width == 256 and len(grid.rows) == 300
