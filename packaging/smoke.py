"""Smoke-test a BUILT nmdesk (the bundle or the installed .deb), not the source.

    python packaging/smoke.py dist/nmdesk/nmdesk      # Linux bundle
    python packaging/smoke.py dist\\nmdesk\\nmdesk.exe  # Windows bundle
    python packaging/smoke.py nmdesk --quick          # installed package: --version, demo

Runs --version, init, demo, print filing and import through the program itself, then
opens the window to its first paint under QT_QPA_PLATFORM=offscreen and prints the
start-up time. Uses only the standard library, so any Python can run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(program: str, *args: str, cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [program, *args], cwd=cwd, env=env, capture_output=True, text=True,
        encoding="utf-8", timeout=300,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"FAIL {args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    print(f"ok   {' '.join(args)}")
    return result.stdout


def main() -> int:
    given = sys.argv[1]  # a path to the program, or a bare name looked up on PATH
    bare = os.sep not in given and "/" not in given
    program = shutil.which(given) if bare else str(Path(given).resolve())
    if program is None:
        sys.exit(f"FAIL: {given} is not on PATH")
    quick = "--quick" in sys.argv[2:]
    work = Path(tempfile.mkdtemp(prefix="nmdesk-smoke-"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUTF8="1")
    env.update(XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"))
    env.pop("PYTHONPATH", None)  # the bundle must not borrow the checkout
    version = run(program, "--version", cwd=work, env=env)
    assert version.startswith("nmdesk "), version
    run(program, "demo", "--accounts", "20", "--path", "demo.nmdesk", cwd=work, env=env)
    if not quick:
        run(program, "init", "--profile", "bit", "--path", "empty.nmdesk", cwd=work, env=env)
        run(program, "print", "filing", "--account", "1", "--out", "filing.pdf",
            "--path", "demo.nmdesk", cwd=work, env=env)  # fmt: skip
        pdf = (work / "filing.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf, "no embedded font in the PDF"
        run(program, "export", "ledger.xlsx", "--path", "demo.nmdesk", cwd=work, env=env)
        out = run(program, "import", "ledger.xlsx", "--path", "empty.nmdesk", cwd=work, env=env)
        assert "新增" in out, out
        probe_env = dict(env, NMDESK_STARTUP_PROBE="1")
        start = time.time()
        result = subprocess.run(
            [program, "--path", str(work / "demo.nmdesk")], cwd=work, env=probe_env,
            capture_output=True, text=True, encoding="utf-8", timeout=120,
        )  # fmt: skip
        if result.returncode != 0:
            sys.exit(f"FAIL window: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
        painted = [
            float(line.split()[2])
            for line in result.stdout.splitlines()
            if line.startswith("NMDESK_PROBE paint ")
        ]
        if not painted:
            sys.exit(f"FAIL window: never painted\n{result.stdout}\n{result.stderr}")
        print(f"ok   window to first paint: {painted[0] - start:.2f} s (start-up time)")
    shutil.rmtree(work, ignore_errors=True)
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
