"""Kill nmdesk with SIGKILL while it writes, and check the register after every kill.

A *worker* process opens a register and runs numbered actions forever, each in
one transaction and each writing a marker person ``标记-<n>``:

- ``edit``: a batch of edits — five people get the note ``act-<n>``;
- ``batch``: a large batch of inserts — 40 people with the note ``batch-<n>``;
- ``demo``: a demo-like batch across tables — a unit, its people, its head and
  three accounts (with their search text);
- ``import``: an Excel ledger of 8 accounts of a new unit, planned and
  committed by ``nmdesk.excel.ledger_import`` (the real import code).

After each commit the worker prints ``ok <n>`` (unbuffered). The harness kills
it after a random delay (possibly while it is still opening the register or
taking its daily backup), reads everything it printed, and checks:

1. ``PRAGMA integrity_check`` is ``ok``;
2. every action is fully in or fully out (each marker has all its rows, no
   rows exist without their marker, markers have no gaps);
3. every action the worker reported as committed is there;
4. the audit chain verifies and matches every row.

To start workers fast, a *zygote* process imports nmdesk once and forks one
worker per round; each worker is a separate process that opens the register
itself, so the kill is as real as killing the app.

Run a longer soak with ``python tests/crash_worker.py --soak 2000``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

EDIT_PEOPLE = 5
BATCH_SIZE = 40
DEMO_ACCOUNTS = 3
IMPORT_ROWS = 8
KINDS = ("edit", "batch", "demo", "import")


def kind_of(action: int) -> str:
    return KINDS[action % len(KINDS)]


# -- the worker (runs in the forked child) ------------------------------------------------


def _prepare(path: Path) -> None:
    """A fresh register with the people the edit actions change."""
    from nmdesk.models import Person, PersonKind, Unit
    from nmdesk.store import Register

    with Register.create(path, "bit", actor="crash-test") as register, register.transaction():
        root = register.units.add(Unit(None, "压测大学", "school", short_name="压测"))
        for index in range(EDIT_PEOPLE):
            register.people.add(Person(None, f"编辑对象{index}", PersonKind.STAFF, root))


def _ledger(folder: Path, action: int) -> Path:
    """A small office ledger for one import action, written as raw xlsx XML (fast)."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    header = ("开设单位", "开设平台", "账号名称", "账号ID号", "账号级别", "状态")
    rows = [header] + [
        (
            f"导入单位{action}",
            "微博",
            f"导入{action}号{k}",
            f"imp_{action}_{k}",
            "二级账号",
            "运行中",
        )
        for k in range(IMPORT_ROWS)
    ]
    cells = "".join(
        f'<row r="{r + 1}">'
        + "".join(
            f'<c r="{chr(65 + c)}{r + 1}" t="inlineStr"><is><t>{v}</t></is></c>'
            for c, v in enumerate(values)
        )
        + "</row>"
        for r, values in enumerate(rows)
    )
    path = folder / f"ledger-{action}.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
            'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-office'
            'document.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{rel}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="台账" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{rel}/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{main}"><sheetData>{cells}</sheetData></worksheet>',
        )
    return path


def _import(register: object, action: int) -> None:
    from nmdesk.excel.ledger_import import Verdict, commit_import, plan_import

    r = register
    folder = Path(r.path).with_name("crash-ledgers")  # type: ignore[attr-defined]
    folder.mkdir(exist_ok=True)
    plan = plan_import(r, _ledger(folder, action))  # type: ignore[arg-type]
    if [row.verdict for row in plan.rows] != [Verdict.NEW] * IMPORT_ROWS:
        raise RuntimeError(f"unexpected import plan: {[row.reason for row in plan.rows]}")
    commit_import(r, plan)  # type: ignore[arg-type]


def _action(register: object, action: int) -> None:
    from nmdesk.models import Account, AccountStatus, Person, PersonKind, Unit

    r = register  # a nmdesk.store.Register; typed loosely to keep imports in the child
    kind = kind_of(action)
    # NMDESK_CRASH_TORN=1 drops the action's transaction: the harness must then catch torn actions
    whole = contextlib.nullcontext() if os.environ.get("NMDESK_CRASH_TORN") else r.transaction()  # type: ignore[attr-defined]
    with whole:
        r.people.add(Person(None, f"标记-{action}", PersonKind.STAFF, note="marker"))  # type: ignore[attr-defined]
        if kind == "edit":
            for index in range(EDIT_PEOPLE):
                person = r.people.find(f"编辑对象{index}")[0]  # type: ignore[attr-defined]
                person.note = f"act-{action}"
                r.people.update(person)  # type: ignore[attr-defined]
        elif kind == "batch":
            for index in range(BATCH_SIZE):
                r.people.add(  # type: ignore[attr-defined]
                    Person(
                        None,
                        f"压测{action}-{index}",
                        PersonKind.STUDENT,
                        mobile=f"139{action % 10000:04d}{index:04d}",
                        email=f"s{action}x{index}@bit.edu.cn",
                        note=f"batch-{action}",
                    )
                )
        elif kind == "import":
            _import(r, action)
        else:
            root = r.units.find_by_name("压测大学").id  # type: ignore[attr-defined]
            unit = r.units.add(Unit(None, f"压测学院{action}", "college", root))  # type: ignore[attr-defined]
            head = r.people.add(Person(None, f"院长{action}", PersonKind.STAFF, unit))  # type: ignore[attr-defined]
            r.units.update(unit, head_person_id=head)  # type: ignore[attr-defined]
            platform = r.accounts.platforms()[0]  # type: ignore[attr-defined]
            account_type = (r.accounts.account_types(platform) or ["普通账号"])[0]  # type: ignore[attr-defined]
            for index in range(DEMO_ACCOUNTS):
                r.accounts.create(  # type: ignore[attr-defined]
                    Account(
                        None,
                        platform,
                        account_type,
                        f"压测学院{action}号{index}",
                        unit,
                        2,
                        platform_id=f"crash_{action}_{index}",
                        purpose="压测",
                        status=AccountStatus.RUNNING,
                    )
                )


def _next_action(path: Path) -> int:
    conn = sqlite3.connect(str(path), timeout=30)
    try:
        row = conn.execute(
            "SELECT max(CAST(substr(name, 4) AS INTEGER)) FROM people WHERE name LIKE '标记-%'"
        ).fetchone()
    finally:
        conn.close()
    return 0 if row[0] is None else int(row[0]) + 1


def work(path: Path, limit: int = 100_000) -> None:
    """Open the register and run actions until killed (or ``limit`` actions)."""
    from nmdesk.store import Register

    register = Register.open(path, actor="crash-worker")
    start = _next_action(path)
    for action in range(start, start + limit):
        _action(register, action)
        os.write(1, f"ok {action}\n".encode())
    register.close()


def zygote() -> None:
    """Fork one worker per ``run PATH`` line on stdin; ``reap`` waits for it to die."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nmdesk-zygote-") as warm:
        # import everything a worker needs once, before forking: a demo action on a scratch copy
        from nmdesk.store import Register

        scratch = Path(warm) / "warm.nmdesk"
        _prepare(scratch)
        with Register.open(scratch, auto_backup=False) as register:
            for action in range(len(KINDS)):
                _action(register, action)
    child = 0
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "run":
            child = os.fork()
            if child == 0:
                try:
                    work(Path(argument))
                finally:
                    os._exit(0)
            os.write(1, f"pid {child}\n".encode())
        elif command == "reap":
            _, status = os.waitpid(child, 0)
            os.write(1, f"reaped {child} {status}\n".encode())
        elif command == "quit":
            break


# -- the harness (runs in the test) -----------------------------------------------------


class CrashCheckError(AssertionError):
    pass


@dataclass
class Stats:
    kills: int = 0
    committed: int = 0
    rounds: int = 0
    killed_before_first_commit: int = 0
    exits: list[int] = field(default_factory=list)


def check(path: Path, committed: set[int]) -> int:
    """Assert the register is whole and holds every reported action; returns the action count."""
    from nmdesk.store import Register

    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    if integrity != [("ok",)]:
        raise CrashCheckError(f"integrity_check: {integrity}")
    with Register.open(path, actor="crash-check", auto_backup=False) as register:
        if register.read_only:
            raise CrashCheckError("the killed worker's lock was not taken over")
        rows = register.query("SELECT name, note FROM people")
        units = register.query("SELECT name, head_person_id FROM units")
        accounts = [a["platform_id"] for a in register.query("SELECT platform_id FROM accounts")]
        search = register.scalar("SELECT count(*) FROM account_search")
        import_log = register.scalar("SELECT count(*) FROM imports")
        findings = register.audit.verify()
    markers = {int(r["name"][3:]) for r in rows if r["note"] == "marker"}
    if markers != set(range(len(markers))):
        raise CrashCheckError(f"markers have gaps: {sorted(set(range(max(markers))) - markers)}")
    lost = committed - markers
    if lost:
        raise CrashCheckError(f"committed actions lost: {sorted(lost)[:10]}")
    batches: dict[int, int] = {}
    for r in rows:
        if r["note"].startswith("batch-"):
            batches[int(r["note"][6:])] = batches.get(int(r["note"][6:]), 0) + 1
    for action in markers:
        if kind_of(action) == "batch" and batches.get(action) != BATCH_SIZE:
            raise CrashCheckError(f"batch {action} has {batches.get(action)} of {BATCH_SIZE}")
    if set(batches) - markers:
        raise CrashCheckError(f"batch rows without marker: {sorted(set(batches) - markers)}")
    edits = [a for a in markers if kind_of(a) == "edit"]
    expected = f"act-{max(edits)}" if edits else ""
    notes = {r["note"] for r in rows if r["name"].startswith("编辑对象")}
    if notes != {expected}:
        raise CrashCheckError(f"edit batch torn: notes {notes}, expected {expected!r}")
    demos = {a for a in markers if kind_of(a) == "demo"}
    colleges = {
        int(u["name"][4:]): u["head_person_id"] for u in units if u["name"].startswith("压测学院")
    }
    if set(colleges) != demos or None in colleges.values():
        raise CrashCheckError(f"demo units {sorted(colleges)} != markers {sorted(demos)}")
    demo_accounts = [a for a in accounts if a.startswith("crash_")]
    if len(demo_accounts) != DEMO_ACCOUNTS * len(demos):
        raise CrashCheckError(f"{len(demo_accounts)} demo accounts for {len(demos)} demos")
    imports = {a for a in markers if kind_of(a) == "import"}
    imported: dict[int, int] = {}
    for platform_id in accounts:
        if platform_id.startswith("imp_"):
            number = int(platform_id.split("_")[1])
            imported[number] = imported.get(number, 0) + 1
    if imported != dict.fromkeys(imports, IMPORT_ROWS):
        raise CrashCheckError(f"imports torn: {imported} for markers {sorted(imports)}")
    import_units = {int(u["name"][4:]) for u in units if u["name"].startswith("导入单位")}
    if import_units != imports or import_log != len(imports):
        raise CrashCheckError(f"import units {sorted(import_units)}, log {import_log}")
    if search != len(accounts):
        raise CrashCheckError(f"{len(accounts)} accounts but {search} in the search index")
    if findings:
        raise CrashCheckError(f"audit verify: {[str(f) for f in findings[:5]]}")
    return len(markers)


class Harness:
    """A zygote process and the loop that forks, kills and checks workers."""

    def __init__(self) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=str(Path(__file__).resolve().parent.parent),
        )
        self._buffer = b""

    def _send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode() + b"\n")
        self.process.stdin.flush()

    def _lines(self, until: float | None) -> list[str]:
        """Lines available now, waiting at most until ``until`` (monotonic) for the first one."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            timeout = None if until is None else max(0.0, until - time.monotonic())
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                return []
            chunk = os.read(fd, 65536)
            if not chunk:
                raise CrashCheckError("the zygote died")
            self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        return [line.decode() for line in lines]

    def kill_round(self, path: Path, delay: float, committed: set[int]) -> tuple[int, int]:
        """Start a worker, kill it after ``delay`` seconds, collect what it reported."""
        self._send(f"run {path}")
        pid = 0
        started = time.monotonic()
        while not pid:
            for line in self._lines(None):
                if line.startswith("pid "):
                    pid = int(line.split()[1])
                elif line.startswith("ok "):
                    committed.add(int(line.split()[1]))
        deadline = started + delay
        while time.monotonic() < deadline:
            for line in self._lines(deadline):
                if line.startswith("ok "):
                    committed.add(int(line.split()[1]))
        os.kill(pid, signal.SIGKILL)
        self._send("reap")
        while True:
            for line in self._lines(None):
                if line.startswith("ok "):
                    committed.add(int(line.split()[1]))
                elif line.startswith(f"reaped {pid} "):
                    return pid, int(line.split()[2])

    def close(self) -> None:
        try:
            self._send("quit")
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


def run_kills(
    folder: Path, kills: int, *, per_register: int = 25, max_delay: float = 0.15, seed: int = 0
) -> Stats:
    """``kills`` kill-and-check rounds, on a fresh register every ``per_register`` kills."""
    rng = random.Random(seed)
    stats = Stats()
    template = folder / "template.nmdesk"
    _prepare(template)
    harness = Harness()
    try:
        path = folder / "victim.nmdesk"
        committed: set[int] = set()
        for index in range(kills):
            if index % per_register == 0:
                for leftover in folder.glob("victim*"):
                    if leftover.is_dir():
                        shutil.rmtree(leftover)
                    else:
                        leftover.unlink()
                shutil.copy(template, path)
                committed = set()
                stats.rounds += 1
            before = len(committed)
            _pid, status = harness.kill_round(path, rng.uniform(0.0, max_delay), committed)
            stats.exits.append(status)
            if not os.WIFSIGNALED(status) or os.WTERMSIG(status) != signal.SIGKILL:
                raise CrashCheckError(f"worker ended by itself (status {status}), not killed")
            stats.kills += 1
            if len(committed) == before:
                stats.killed_before_first_commit += 1
            check(path, committed)
            stats.committed += len(committed) - before
    finally:
        harness.close()
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description="SIGKILL soak test of the nmdesk register")
    parser.add_argument("--zygote", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--soak", type=int, default=200, help="number of kills (default 200)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    if args.zygote:
        zygote()
        return 0
    import tempfile

    seed = args.seed if args.seed is not None else int(time.time())
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nmdesk-soak-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        stats = run_kills(folder, args.soak, seed=seed)
    print(
        f"{stats.kills} kills on {stats.rounds} registers, {stats.committed} committed actions "
        f"checked, {stats.killed_before_first_commit} kills before a first commit, "
        f"seed {seed}, {time.monotonic() - started:.1f} s — all checks passed "
        f"({dt.datetime.now():%Y-%m-%d %H:%M})"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
