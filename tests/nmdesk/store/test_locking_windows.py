"""The register lock's Windows branch (exclusive create, stale by dead pid), run
here with the platform check injected: the bundle built on Windows takes it."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from nmdesk.store import locking


@pytest.fixture
def no_flock(monkeypatch):
    monkeypatch.setattr(locking, "has_flock", lambda: False)
    monkeypatch.setattr(
        locking, "_acquire_flock", lambda *_: pytest.fail("the POSIX branch was taken")
    )


def _note(register: Path, pid: int, host: str) -> None:
    info = {"pid": pid, "host": host, "since": "2026-12-07T09:00:00", "user": "clerk"}
    locking.lock_path(register).write_text(json.dumps(info), encoding="utf-8")


def test_without_flock_the_lock_file_is_created_exclusively_and_removed(no_flock, tmp_path):
    register = tmp_path / "office.nmdesk"
    lock, holder = locking.acquire(register)
    assert lock is not None and holder is None
    note = json.loads(locking.lock_path(register).read_text(encoding="utf-8"))
    assert note["pid"] == os.getpid()
    lock.release()
    assert not locking.lock_path(register).exists()


def test_without_flock_a_live_holder_on_this_host_keeps_the_lock(no_flock, tmp_path):
    register = tmp_path / "office.nmdesk"
    _note(register, os.getppid(), socket.gethostname())  # a process that is alive
    lock, holder = locking.acquire(register)
    assert lock is None and holder is not None and holder.pid == os.getppid()


def test_without_flock_a_dead_holders_lock_is_taken_over(no_flock, tmp_path):
    register = tmp_path / "office.nmdesk"
    _note(register, 2**22 + 12345, socket.gethostname())  # no such process
    lock, holder = locking.acquire(register)
    assert lock is not None and holder is None
    assert lock.recovered_stale is not None and lock.recovered_stale.pid == 2**22 + 12345
    lock.release()


def test_without_flock_another_hosts_lock_is_respected(no_flock, tmp_path):
    register = tmp_path / "office.nmdesk"
    _note(register, 1, "other-pc")
    lock, holder = locking.acquire(register)
    assert lock is None and holder is not None and holder.host == "other-pc"
