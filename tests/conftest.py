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
from nmdesk.store import Register, create_register, open_register
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


# Test modules (paths under tests/) whose ``register``, ``pku_register`` and
# ``demo_register`` tests run on both engines: a register file and a database on the
# session's throwaway PostgreSQL server (tests/server_cluster.py). Every other module runs
# on SQLite only, so what is not ported to the server yet is this list's complement.
# A test of a ported module that is about the file itself is marked ``sqlite_only``.
SERVER_PORTED = (
    "nmdesk/store/test_server_register.py",
    "nmdesk/store/test_store.py",
    "nmdesk/store/test_tamper.py",
    "nmdesk/store/test_one_rule.py",
    "nmdesk/test_entry.py",
    "nmdesk/test_lifecycle.py",
    "nmdesk/excel/test_excel_import.py",
    "nmdesk/excel/test_excel_export.py",
    "nmdesk/excel/test_import_fast_paths.py",
    "nmdesk/holidays/test_holiday_service.py",
    "nmdesk/review/test_review.py",
    "nmdesk/review/test_priorities.py",
    "nmdesk/review/test_review_outcomes.py",
    "nmdesk/test_text_rules.py",
    "nmdesk/test_workdays.py",
    "nmdesk/forms/test_form_identity.py",
    "nmdesk/forms/test_forms.py",
    "nmdesk/excel/test_excel_round_trip.py",
    "nmdesk/excel/test_import_id_columns.py",
    "nmdesk/excel/test_text_ledger.py",
)
ENGINES = ("sqlite", "server")
_TESTS = Path(__file__).parent


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" not in metafunc.fixturenames:
        return
    module = Path(metafunc.definition.fspath).relative_to(_TESTS).as_posix()
    if module in SERVER_PORTED and metafunc.definition.get_closest_marker("sqlite_only") is None:
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine under the register fixtures: "sqlite", or "server" in a ported module."""
    return str(getattr(request, "param", "sqlite"))


def _new_register(request: pytest.FixtureRequest, engine: str, path: Path, profile: str):
    if engine == "server":  # a database of its own (a test may take two registers)
        cluster = request.getfixturevalue("server_cluster")
        name = cluster.create_database()
        request.addfinalizer(lambda: cluster.drop_database(name))
        return create_register(cluster.url(name), profile)
    return Register.create(path, profile, actor="tester")


@pytest.fixture
def register(tmp_path: Path, engine: str, request: pytest.FixtureRequest):
    """A new, empty BIT register (a file; also a server database in a ported module)."""
    reg = _new_register(request, engine, tmp_path / "bit.nmdesk", "bit")
    yield reg
    reg.close()


@pytest.fixture
def pku_register(tmp_path: Path, engine: str, request: pytest.FixtureRequest):
    """A new, empty PKU-CoE register."""
    reg = _new_register(request, engine, tmp_path / "pku.nmdesk", "pku-coe")
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


@pytest.fixture(scope="session")
def _server_demo_template(server_cluster) -> str:
    """The BIT demo register built once in a server database, copied for each test."""
    name = "nmdesk_demo_template"
    server_cluster.drop_database(name)
    with server_cluster.connect() as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    build_demo_register(server_cluster.url(name), "bit", accounts=300, seed=7)
    return name


@pytest.fixture
def demo_register(engine: str, request: pytest.FixtureRequest):
    """The BIT demo register, opened (a private copy of it, on either engine)."""
    if engine == "server":
        template = request.getfixturevalue("_server_demo_template")
        cluster = request.getfixturevalue("server_cluster")
        name = cluster.create_database(template=template)
        try:
            reg = open_register(cluster.url(name))
            yield reg
            reg.close()
        finally:
            cluster.drop_database(name)
        return
    reg = Register.open(request.getfixturevalue("demo_path"), actor="tester")
    yield reg
    reg.close()
