"""SIGKILL at random points while nmdesk writes: nothing torn, nothing committed lost.

The worker, the harness and the checks are in ``tests/crash_worker.py``; a
longer soak runs with ``python tests/crash_worker.py --soak 2000``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork and SIGKILL")


def _crash_worker() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "crash_worker.py"
    spec = importlib.util.spec_from_file_location("crash_worker", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_worker"] = module
    spec.loader.exec_module(module)
    return module


crash_worker = _crash_worker()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_two_hundred_kills_leave_the_register_whole(tmp_path: Path) -> None:
    stats = crash_worker.run_kills(tmp_path, 200, seed=20261123)
    assert stats.kills == 200
    # the kills landed both before and after commits, and many actions were checked
    assert stats.killed_before_first_commit < 150
    assert stats.committed > 200


@pytest.mark.timeout(300)
def test_the_checks_catch_an_action_split_over_several_transactions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without its transaction an action is torn by a kill; the harness must notice."""
    monkeypatch.setenv("NMDESK_CRASH_TORN", "1")
    with pytest.raises(crash_worker.CrashCheckError, match=r"torn|has|without|markers|accounts"):
        crash_worker.run_kills(tmp_path, 100, per_register=100, seed=1)


def test_a_check_fails_when_a_reported_commit_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "victim.nmdesk"
    crash_worker._prepare(path)
    with pytest.raises(crash_worker.CrashCheckError, match="lost"):
        crash_worker.check(path, {0})
    assert crash_worker.check(path, set()) == 0
    assert os.path.exists(path)


RESTORER = """
import sys
from nmdesk.store.restore import restore
print("start", flush=True)
restore(sys.argv[1], sys.argv[2])
print("done", flush=True)
"""


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_restore_killed_at_any_point_leaves_the_old_or_the_restored_register(
    demo_path: Path, tmp_path: Path
) -> None:
    import random
    import signal
    import sqlite3
    import subprocess
    import time

    from nmdesk.models import Person, PersonKind
    from nmdesk.store import Register

    with Register.open(demo_path, auto_backup=False) as register:
        saved = register.backup(tmp_path / "saved.nmdesk")
        with register.transaction():
            for index in range(30):
                register.people.add(Person(None, f"备份之后{index}", PersonKind.STAFF))
        after = register.scalar("SELECT count(*) FROM people")
    before = after - 30
    rng = random.Random(11)
    outcomes = set()
    for _kill in range(20):
        process = subprocess.Popen(
            [sys.executable, "-c", RESTORER, str(demo_path), str(saved)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None and process.stdout.readline().strip() == "start"
        time.sleep(rng.uniform(0.0, 0.25))
        process.send_signal(signal.SIGKILL)
        finished = process.wait(timeout=60) == 0
        conn = sqlite3.connect(f"{demo_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
        with Register.open(demo_path, auto_backup=False) as register:
            people = register.scalar("SELECT count(*) FROM people")
            assert people in (before, after), people
            assert register.audit.verify() == []
            outcomes.add(people)
            if people == before:  # restored: make the next restore change something again
                with register.transaction():
                    for index in range(30):
                        register.people.add(Person(None, f"再次{_kill}-{index}", PersonKind.STAFF))
                after = register.scalar("SELECT count(*) FROM people")
        if finished:
            assert people == before
    assert outcomes <= {before, before + 30}
