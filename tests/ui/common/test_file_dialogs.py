"""The register file belongs to SQLite, even while a file dialog shows its folder.

Issue 12, item 1: Qt's file dialog sniffed every file in the folder it showed
(``open()`` then ``close()``), which drops every POSIX lock SQLite holds in the
process. A second nmdesk process then believed it was the register's last
connection, checkpointed and deleted the ``-wal`` the window was still writing
into, and saves reported as saved were lost when the window died.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QTreeView

from nmdesk.store import Register
from ui.common import file_dialogs

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "tests" / "ui" / "file_dialog_worker.py"
SHOW = ROOT / "tests" / "ui" / "file_dialog_show.py"


def _read_line(process: subprocess.Popen[str], deadline: float) -> str:
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line:
            return line.strip()
        if process.poll() is not None:
            break
    raise AssertionError(f"worker stopped early: {process.stderr.read() if process.stderr else ''}")


def _people(path: Path) -> list[str]:
    with Register.open(path, read_only=True) as register:
        return [p.name for p in register.people.all()]


@pytest.mark.slow
def test_saves_survive_a_file_dialog_a_second_process_and_a_kill(tmp_path: Path) -> None:
    """The reproduction of issue 12 item 1, end to end with real processes."""
    path = tmp_path / "office.nmdesk"
    Register.create(path, "bit", actor="tester").close()
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 90
        assert _read_line(worker, deadline) == "dialog-closed"
        second = subprocess.run(
            [sys.executable, "-m", "nmdesk", "list", "--path", str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert second.returncode == 0, second.stderr
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
        lines = [_read_line(worker, deadline) for _ in range(6)]
        assert lines[-1] == "done", lines
        saved = [line for line in lines if line.startswith("saved")]
    finally:
        worker.kill()  # SIGKILL: the window dies without closing the register
        worker.wait(30)
    # every save the window reported as saved is in the register, seen by a new process
    names = _people(path)
    assert [f"已保存{n}" for n in range(len(saved))] == [n for n in names if n.startswith("已保存")]
    assert len(saved) >= 1


def _writer_lock_survives(path: Path) -> bool:
    """True when another process cannot take the write lock this process holds."""
    probe = (
        "import sqlite3, sys\n"
        f"c = sqlite3.connect({str(path)!r}, timeout=0, isolation_level=None)\n"
        "try:\n"
        "    c.execute('BEGIN IMMEDIATE')\n"
        "except sqlite3.OperationalError:\n"
        "    sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], timeout=30)
    return result.returncode == 0


def _show_until_listed(qtbot, dialog: QFileDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()

    def listed() -> bool:
        views = dialog.findChildren(QTreeView)
        return any(v.model().rowCount(v.rootIndex()) >= 2 for v in views)

    qtbot.waitUntil(listed, timeout=10000)
    qtbot.wait(1500)  # icons and type names are fetched after the folder is listed


def test_real_file_dialog_on_the_register_folder_keeps_sqlites_locks(qtbot, tmp_path) -> None:
    """SQLite's write lock is still held after the real QFileDialog listed the folder."""
    path = tmp_path / "office.nmdesk"
    Register.create(path, "bit", actor="tester").close()
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n")
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO meta (key, value) VALUES ('probe', 'x')")
        assert _writer_lock_survives(path)
        dialog = file_dialogs.quiet_dialog(None, "打开", str(tmp_path), "所有文件 (*)")
        _show_until_listed(qtbot, dialog)
        shown = _listed_names(dialog)
        assert "office.nmdesk" in shown and "scan.pdf" in shown
        assert not any(name.endswith(("-wal", "-shm", ".lock")) for name in shown)
        dialog.reject()
        assert _writer_lock_survives(path)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def _listed_names(dialog: QFileDialog) -> set[str]:
    view = dialog.findChild(QTreeView, "treeView")
    assert view is not None
    model = view.model()
    root = view.rootIndex()
    return {str(model.index(row, 0, root).data()) for row in range(model.rowCount(root))}


def test_no_module_calls_qfiledialog_directly() -> None:
    """Every file dialog goes through ui/common/file_dialogs.py."""
    offenders = []
    for module in sorted((ROOT / "ui").glob("*.py")):
        if module.name == "file_dialogs.py":
            continue
        text = module.read_text(encoding="utf-8")
        if "QFileDialog" in text:
            offenders.append(module.name)
    assert offenders == []


def _register_files_opened(kind: str, folder: Path) -> list[str]:
    trace = folder.parent / f"{kind}.trace"
    strace = ["strace", "-f", "-e", "trace=openat,open", "-o", str(trace)]
    subprocess.run(
        [*strace, sys.executable, str(SHOW), kind, str(folder)],
        capture_output=True,
        timeout=120,
        check=True,
    )
    text = trace.read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if f"{folder}/office.nmdesk" in line]


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_under_strace_the_quiet_dialog_never_opens_the_register_files(tmp_path: Path) -> None:
    """The real dialog, watched by strace: Qt's own opens the register, nmdesk's does not."""
    folder = tmp_path / "folder"
    folder.mkdir()
    Register.create(folder / "office.nmdesk", "bit", actor="tester").close()
    for suffix in ("-wal", "-shm"):
        (folder / f"office.nmdesk{suffix}").write_bytes(b"")
    try:
        plain = _register_files_opened("plain", folder)
    except (subprocess.CalledProcessError, OSError):
        pytest.skip("strace cannot trace here (ptrace not permitted)")
    if not plain:
        pytest.skip("this Qt's own dialog does not sniff files: nothing to tell apart")
    assert _register_files_opened("quiet", folder) == []
