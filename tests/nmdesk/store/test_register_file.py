"""The register file belongs to SQLite (issue 12, item 1), outside the file dialogs.

- A process that does not hold the register opens it read-only (``mode=ro``), so
  even when the holder has lost its POSIX locks it cannot checkpoint and delete
  the ``-wal`` the holder writes into.
- The holder checks before each commit that its ``-wal`` is still the file on
  disk; when another program deleted it, what was saved is checkpointed into the
  main file, the change is refused in one sentence, and nothing saved is lost.
- Names the clerk chooses (an import, an export, a backup to check) are refused
  when they are the register's own files, without opening them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nmdesk.errors import NmdeskError
from nmdesk.files import is_register_file, refuse_register_file
from nmdesk.models import Person, PersonKind
from nmdesk.store import Register
from nmdesk.store.backup import check_backup

ROOT = Path(__file__).resolve().parents[3]


def _names(path: Path) -> list[str]:
    with Register.open(path, read_only=True) as register:
        return [person.name for person in register.people.all()]


def test_a_non_holder_opens_read_only_and_never_deletes_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "office.nmdesk"
    holder = Register.create(path, "bit", actor="tester")
    try:
        with holder.transaction():
            holder.people.add(Person(None, "甲", PersonKind.STAFF))
        wal = Path(f"{path}-wal")
        before = os.stat(wal).st_ino
        # what a file dialog's type sniffing did: this process's SQLite locks are gone
        os.close(os.open(path, os.O_RDONLY))
        second = subprocess.run(
            [sys.executable, "-m", "nmdesk", "list", "--path", str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert second.returncode == 0, second.stderr
        assert wal.exists() and os.stat(wal).st_ino == before
        with holder.transaction():
            holder.people.add(Person(None, "乙", PersonKind.STAFF))
    finally:
        holder.close()
    assert sorted(_names(path)) == sorted(["甲", "乙"])


def test_a_non_holder_connection_is_read_only_at_the_sqlite_level(tmp_path: Path) -> None:
    path = tmp_path / "office.nmdesk"
    with Register.create(path, "bit", actor="tester"):
        reader = Register.open(path, read_only=True)  # as a second process opens it
        try:
            assert reader.read_only
            reader.db.execute("PRAGMA query_only = OFF")  # query_only is not what stops it
            with pytest.raises(Exception) as raised:
                reader.db.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
            assert getattr(raised.value, "sqlite_errorname", "") == "SQLITE_READONLY"
        finally:
            reader.close()


_WORKER = textwrap.dedent(
    """
    import sys, time
    from nmdesk.errors import NmdeskError
    from nmdesk.models import Person, PersonKind
    from nmdesk.store import Register

    register = Register.open(sys.argv[1], actor="worker")
    with register.transaction():
        register.people.add(Person(None, "已保存", PersonKind.STAFF))
    print("ready", flush=True)
    sys.stdin.readline()
    for name in ("之后一", "之后二"):
        try:
            with register.transaction():
                register.people.add(Person(None, name, PersonKind.STAFF))
            print("saved", name, flush=True)
        except NmdeskError as error:
            print("refused", error, flush=True)
    print("done", flush=True)
    time.sleep(600)
    """
)


@pytest.mark.slow
def test_the_writer_notices_its_wal_was_deleted_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "office.nmdesk"
    Register.create(path, "bit", actor="tester").close()
    worker = subprocess.Popen(
        [sys.executable, "-c", _WORKER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert worker.stdin is not None and worker.stdout is not None
    try:
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()  # type: ignore[union-attr]
        # another program believes it is the last connection and deletes the WAL files
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink()
        worker.stdin.write("go\n")
        worker.stdin.flush()
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not lines or lines[-1] != "done"):
            lines.append(worker.stdout.readline().strip())
    finally:
        worker.kill()  # SIGKILL: the writer dies without closing the register
        worker.wait(30)
    refused = [line for line in lines if line.startswith("refused")]
    assert len(refused) == 2, lines
    assert "日志文件" in refused[0] and "此前保存的修改已全部写入备案库文件" in refused[0]
    assert "Error" not in refused[0] and "\n" not in refused[0]
    assert _names(path) == ["已保存"]
    with Register.open(path, read_only=True) as register:
        assert register.integrity_ok()


def test_the_register_s_own_files_are_refused_by_name(tmp_path: Path) -> None:
    for name in ("office.nmdesk", "office.nmdesk-wal", "office.nmdesk-shm", "office.nmdesk.lock"):
        assert is_register_file(tmp_path / name)
        with pytest.raises(NmdeskError, match="备案库"):
            refuse_register_file(tmp_path / name, "导入")
    assert not is_register_file(tmp_path / "ledger.xlsx")


def test_a_register_held_here_is_refused_under_another_name(tmp_path: Path) -> None:
    path = tmp_path / "office.nmdesk"
    with Register.create(path, "bit", actor="tester"):
        alias = tmp_path / "ledger.xlsx"
        os.link(path, alias)
        with pytest.raises(NmdeskError, match="备案库"):
            refuse_register_file(alias, "导入")


def test_check_backup_reads_the_header_with_sqlite_not_open(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "office.nmdesk"
    Register.create(path, "bit", actor="tester").close()
    (tmp_path / "note.nmdesk").write_text("not a register", encoding="utf-8")
    opened: list[str] = []
    real_open = Path.open

    def spy(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(self.name)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    assert check_backup(path).schema_version > 0
    with pytest.raises(NmdeskError, match="不是"):
        check_backup(tmp_path / "note.nmdesk")
    assert opened == []
