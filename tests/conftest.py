"""Shared fixtures: real register files in a temporary directory."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

import ui  # noqa: F401  (guards the whole test process against the binding's None leak)
from nmdesk.demo import build_demo_register
from nmdesk.store import Register
from ui.common.window_fit import use_office_screen

# the throwaway PostgreSQL cluster of the server tests (``server_cluster``, ``server_database``)
pytest_plugins = ["server_cluster"]

# The desk's own settings (remembered window sizes) go to a folder of this run,
# never to the user's ~/.config.
_SETTINGS_DIR = tempfile.mkdtemp(prefix="nmdesk-test-settings-")
for _format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
    QSettings.setPath(_format, QSettings.Scope.UserScope, _SETTINGS_DIR)
# the offscreen screen is the office laptop's 1366 × 768, not the plugin's 800 × 600
use_office_screen()


@pytest.fixture
def register(tmp_path: Path):
    """A new, empty BIT register."""
    reg = Register.create(tmp_path / "bit.nmdesk", "bit", actor="tester")
    yield reg
    reg.close()


@pytest.fixture
def pku_register(tmp_path: Path):
    """A new, empty PKU-CoE register."""
    reg = Register.create(tmp_path / "pku.nmdesk", "pku-coe", actor="tester")
    yield reg
    reg.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.nmdesk"
    build_demo_register(path, "bit", accounts=300, seed=7)
    return path


@pytest.fixture
def demo_path(_demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the BIT demo register (300 accounts), as a file path."""
    target = tmp_path / "demo.nmdesk"
    shutil.copy(_demo_template, target)
    return target


@pytest.fixture
def demo_register(demo_path: Path):
    """The BIT demo register, opened."""
    reg = Register.open(demo_path, actor="tester")
    yield reg
    reg.close()
