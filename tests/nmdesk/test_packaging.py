"""Installing nmdesk like desktop software: the wheel, installed into a fresh
virtualenv outside the checkout, carries its profiles, fonts, icons and licences
and works from there; the version is written once.

The wheel test builds and installs for real (about 30 s); the fresh venv borrows
the test venv's third-party packages through a ``.pth`` line instead of
downloading PySide6 again, and that line does not load the checkout's editable
nmdesk (editable finders are started by ``.pth`` files, which a plain path line
does not run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

import nmdesk

ROOT = Path(nmdesk.__file__).resolve().parent.parent
SOURCE_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "tests",
    "benchmarks", "docs", "*.nmdesk", "out",
)  # fmt: skip


def test_version_is_written_in_one_place():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "nmdesk.__version__"}


def test_resources_are_found_through_the_package_not_the_source_tree():
    from nmdesk import paths

    text = Path(paths.__file__).read_text(encoding="utf-8")
    assert "importlib.resources" in text and "parent.parent" not in text
    assert paths.resource("profiles", "bit.json").is_file()
    assert paths.FORM_FONT_FILE.is_file() and paths.UI_FONT_FILE.is_file()


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    """(venv bin folder, wheel, env): the wheel built from a copy of the source
    tree and installed into a fresh virtualenv in a temp folder."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=SOURCE_IGNORE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"))
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", work, source], work, env)
    (wheel,) = work.glob("nmdesk-*.whl")
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", venv], work, env)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    purelib = _run(
        [bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        work,
        env,
    ).strip()
    (Path(purelib) / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([bin_dir / "python", "-m", "pip", "install", "-q", "--no-index", wheel], work, env)
    return bin_dir, wheel, env


@pytest.mark.slow
def test_wheel_carries_the_whole_resources_tree(installed):
    _bin, wheel, _env = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (ROOT / "resources").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert "nmdesk/resources/" + path.relative_to(ROOT / "resources").as_posix() in names
    assert {
        "nmdesk/resources/icons/nmdesk-256.png",
        "nmdesk/resources/fonts/LICENSE-ARPHICPL.txt",
        "nmdesk/resources/guide/guide.html",
        "nmdesk/resources/guide/images/account-form.png",
    } <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[console_scripts]\nnmdesk = nmdesk.cli:main" in text
    assert "[gui_scripts]\nnmdesk-gui = ui.app:run" in text


@pytest.mark.slow
def test_installed_wheel_registers_prints_and_imports_outside_the_checkout(installed, tmp_path):
    bin_dir, _wheel, env = installed
    cli = bin_dir / "nmdesk"
    where = _run(
        [bin_dir / "python", "-c", "import nmdesk.paths as p; print(p.__file__, p.RESOURCES_DIR)"],
        tmp_path,
        env,
    )
    assert str(ROOT) not in where and str(bin_dir.parent) in where
    guide = _run(
        [
            bin_dir / "python",
            "-c",
            "from ui.common import guide; print(guide.guide_url().toLocalFile())",
        ],
        tmp_path,
        env,
    ).strip()
    assert str(bin_dir.parent) in guide and Path(guide).is_file()
    assert (
        _run([cli, "--version"], tmp_path, env).strip().startswith(f"nmdesk {nmdesk.__version__}")
    )
    assert (bin_dir / "nmdesk-gui").exists()
    _run([cli, "init", "--profile", "bit", "--path", "empty.nmdesk"], tmp_path, env)
    _run([cli, "demo", "--accounts", "20", "--path", "demo.nmdesk"], tmp_path, env)
    _run(
        [cli, "print", "filing", "--account", "1", "--out", "filing.pdf", "--path", "demo.nmdesk"],
        tmp_path,
        env,
    )
    embedded = {
        str(font["/BaseFont"])
        for page in PdfReader(tmp_path / "filing.pdf").pages
        for font in (ref.get_object() for ref in page["/Resources"].get("/Font", {}).values())
        if "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"].get_object()
    }
    assert any("Ming" in name for name in embedded), embedded
    _run([cli, "export", "ledger.xlsx", "--path", "demo.nmdesk"], tmp_path, env)
    out = _run([cli, "import", "ledger.xlsx", "--path", "empty.nmdesk"], tmp_path, env)
    assert "新增 19" in out or "新增 20" in out, out
