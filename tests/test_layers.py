"""The domain package never imports Qt (STYLE.md, rule 1); no module grows past 600 lines
(STYLE.md, rule 9; issue 16), and no function past 80 outside declarative tables (issue 16)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NMDESK = ROOT / "nmdesk"
UI = ROOT / "ui"

MAX_MODULE_LINES = 600
# Modules over the limit; shrink this list, never grow it. ui/ has no exceptions.
OVER_THE_LIMIT = frozenset(
    {
        # by design: the store's whole interface is one module of Protocols (issue 16, point 1),
        # so that a second engine reads in one place everything it has to implement
        "nmdesk/store/interfaces.py",
    }
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_nmdesk_never_imports_qt() -> None:
    offenders = [
        f"{path.relative_to(NMDESK.parent)} imports {name}"
        for path in NMDESK.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in {"PySide6", "shiboken6", "PyQt5", "PyQt6", "ui"}
    ]
    assert offenders == []


def test_layer_check_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\nimport ui.register.main_window\n")
    assert {"PySide6.QtWidgets", "ui.register.main_window"} <= imported_modules(sample)


# -- nmdesk/store: module-level imports form a DAG ----------------------------------------

STORE = NMDESK / "store"


def store_imports(path: Path) -> set[str]:
    """The ``nmdesk.store`` modules a store module imports, at module level, inside
    functions or under ``TYPE_CHECKING`` alike (a cycle hidden in a function is a cycle)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        for name in names:
            parts = name.split(".")
            inside = parts[:2] == ["nmdesk", "store"] and len(parts) > 2
            if inside and (STORE / f"{parts[2]}.py").exists() and parts[2] != path.stem:
                found.add(parts[2])
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle found by a depth-first walk, as the path that closes it."""
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles


def test_store_imports_form_a_dag() -> None:
    graph = {path.stem: store_imports(path) for path in STORE.glob("*.py")}
    assert graph["register"]  # the graph is read
    assert import_cycles(graph) == []


def test_cycle_check_sees_function_level_imports(tmp_path: Path) -> None:
    sample = tmp_path / "core.py"
    sample.write_text("def f():\n    from nmdesk.store.register import Register\n")
    assert store_imports(sample) == {"register"}
    assert import_cycles({"core": {"register"}, "register": {"core"}}) == [
        ["core", "register", "core"]
    ]


# -- no private name imported across modules ----------------------------------------------

PROJECT = NMDESK.parent


def private_imports(path: Path) -> list[str]:
    """``from nmdesk… import _name`` / ``from ui… import _name``: a module's private name
    used by another module (make it public where it is shared, or move it)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in {"nmdesk", "ui"}:
                continue
            found += [f"{node.module}.{alias.name}" for alias in node.names if _private(alias.name)]
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            # a repository's private name reached through the register:
            # ``self.r.accounts._next_serial()``, ``register.units._cache``
            owner = node.value
            if isinstance(owner, ast.Attribute) and _is_register(owner.value):
                found.append(ast.unparse(node))
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_register(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in {"register", "reg"}
    return isinstance(node, ast.Attribute) and node.attr in {"r", "register", "_register"}


def test_no_private_name_crosses_modules() -> None:
    offenders = [
        f"{path.relative_to(PROJECT)} imports {name}"
        for folder in (NMDESK, PROJECT / "ui")
        for path in folder.rglob("*.py")
        for name in private_imports(path)
    ]
    assert offenders == []


def test_private_import_check_sees_function_level_imports(tmp_path: Path) -> None:
    sample = tmp_path / "bulk.py"
    sample.write_text(
        "from nmdesk.store.accounts import _account, public\n"
        "def f(self):\n    from ui.x import _fill\n    from PySide6 import _private\n"
        "    self.r.accounts._next_serial()\n    self._own()\n"
    )
    assert sorted(private_imports(sample)) == [
        "nmdesk.store.accounts._account",
        "self.r.accounts._next_serial",
        "ui.x._fill",
    ]


# -- SQL, the connection and the generic writers stay inside nmdesk/store -----------------

SQL_TEXT = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(TABLE|INDEX|TRIGGER|VIEW)|DROP\s+(TABLE|INDEX)|PRAGMA\s+\w+)\b",
    re.DOTALL,
)
ENGINE_ATTRIBUTES = {"db", "conn"}  # the register's connection and the sqlite3 one
GENERIC_CALLS = {
    "insert_row",
    "insert_rows",
    "update_row",
    "update_rows",
    "delete_row",
    "query",
    "scalar",
    "execute",
    "executemany",
}


def engine_uses(path: Path) -> list[str]:
    """SQL text, ``.db`` / ``.conn`` access and generic writer or query calls: what code
    above the store must not know (a second engine sits behind the same Protocols)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL_TEXT.search(node.value):
                found.append(f"{node.lineno}: SQL {node.value[:40]!r}")
        elif isinstance(node, ast.Attribute) and node.attr in ENGINE_ATTRIBUTES:
            found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in GENERIC_CALLS
        ):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}()")
    return found


def above_the_store() -> list[Path]:
    return [
        path
        for folder in (NMDESK, PROJECT / "ui")
        for path in folder.rglob("*.py")
        if STORE not in path.parents
    ] + [PROJECT / "main.py"]


def test_no_sql_connection_or_generic_writes_above_the_store() -> None:
    offenders = [
        f"{path.relative_to(PROJECT)}:{use}"
        for path in above_the_store()
        for use in engine_uses(path)
    ]
    assert offenders == []


def test_engine_check_sees_sql_connections_and_writers(tmp_path: Path) -> None:
    sample = tmp_path / "integrity.py"
    sample.write_text(
        "def f(register, filing_id):\n"
        "    register.db.conn.execute('SELECT id FROM filings WHERE id = ?', [1])\n"
        "    register.update_row('filings', filing_id, {})\n"
        "    register.insert_rows('sanctions', [])\n"
        "    register.reviews.update_rows('accounts', {})\n"
        "    register.filings.cancel(filing_id, '作废')\n"
    )
    uses = engine_uses(sample)
    assert any("SQL" in use for use in uses)
    assert any(use.endswith("register.db") for use in uses)
    assert any(use.endswith("register.db.conn") for use in uses)
    for call in ("update_row", "insert_rows", "update_rows", "execute"):
        assert any(use.endswith(f".{call}()") for use in uses), call
    assert not any("cancel" in use for use in uses)
    assert len(above_the_store()) > 50 and all(STORE not in p.parents for p in above_the_store())


ENGINE_MODULES = {
    "sqlite3",
    "sqlite_utils",
    "nmdesk.store.register",
    "nmdesk.store.core",
    "nmdesk.store.connection",
    "nmdesk.store.schema",
    "nmdesk.store.sqlite_errors",
    "nmdesk.store.wal_guard",
    # the server engine (docs/server.md): code above the store opens a server register
    # with open_register(url) as it opens a file
    "psycopg",
    "nmdesk.store.dialect",
    "nmdesk.store.engine",
    "nmdesk.store.server_connection",
    "nmdesk.store.server_register",
    "nmdesk.store.server_schema",
}


def engine_imports(path: Path) -> list[str]:
    """Imports of the SQLite engine itself (its classes, its errors, sqlite3): code above
    the store opens registers with ``nmdesk.store.open_register`` and is typed against
    ``nmdesk.store.interfaces``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name in ENGINE_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in ENGINE_MODULES:
                found.append(node.module)
            elif node.module == "nmdesk.store":
                found += [
                    f"nmdesk.store.{alias.name}"
                    for alias in node.names
                    if alias.name == "Register" or f"nmdesk.store.{alias.name}" in ENGINE_MODULES
                ]
    return found


def test_nothing_above_the_store_imports_the_engine() -> None:
    offenders = [
        f"{path.relative_to(PROJECT)} imports {name}"
        for path in above_the_store()
        for name in engine_imports(path)
    ]
    assert offenders == []


def test_engine_import_check(tmp_path: Path) -> None:
    sample = tmp_path / "app.py"
    sample.write_text(
        "import sqlite3\nfrom nmdesk.store import Register, open_register\n"
        "def f():\n    from nmdesk.store.register import database_error_message\n"
        "from nmdesk.store.interfaces import Register as R\n"
    )
    assert sorted(engine_imports(sample)) == [
        "nmdesk.store.Register",
        "nmdesk.store.register",
        "sqlite3",
    ]


# -- no repository reaches a sibling through the register ---------------------------------

REPOSITORY_ATTRIBUTES = {
    "units",
    "people",
    "accounts",
    "filings",
    "sanctions",
    "watchlist",
    "calendar_overrides",
    "attachments",
    "drafts",
    "reviews",
    "excel",
}


def sibling_reaches(path: Path) -> list[str]:
    """``self.r.<repository>`` inside a repository class (a ``…Store``): a repository
    asks the core for rows, and policy that spans repositories lives in
    ``nmdesk/services``."""
    found: list[str] = []
    for cls in ast.parse(path.read_text(encoding="utf-8")).body:
        if not (isinstance(cls, ast.ClassDef) and cls.name.endswith("Store")):
            continue
        for node in ast.walk(cls):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in REPOSITORY_ATTRIBUTES
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "r"
            ):
                found.append(f"{cls.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_repository_reaches_a_sibling() -> None:
    repositories = [
        path
        for path in STORE.glob("*.py")
        if "Store(" in path.read_text("utf-8") or "Store:" in path.read_text("utf-8")
    ]
    assert len(repositories) >= 10
    assert [reach for path in repositories for reach in sibling_reaches(path)] == []


def test_sibling_check_sees_a_reach(tmp_path: Path) -> None:
    sample = tmp_path / "filings.py"
    sample.write_text(
        "class FilingStore:\n    def f(self):\n        self.r.accounts.transition(1, 2)\n"
        "        self.r.insert_row('filings', {})\n"
    )
    assert sibling_reaches(sample) == ["FilingStore:3: self.r.accounts"]


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def long_modules(roots: list[Path], base: Path = ROOT) -> dict[str, int]:
    """Every module under these roots longer than MAX_MODULE_LINES, by its path from
    ``base`` (the repository root), with its length."""
    return {
        path.relative_to(base).as_posix(): lines
        for root in roots
        for path in sorted(root.rglob("*.py"))
        if (lines := line_count(path)) > MAX_MODULE_LINES
    }


def test_no_module_over_600_lines() -> None:
    offenders = {
        path: lines
        for path, lines in long_modules([NMDESK, UI]).items()
        if path not in OVER_THE_LIMIT
    }
    assert offenders == {}, "split these modules (at most 600 lines each): " + ", ".join(
        f"{path} ({lines})" for path, lines in offenders.items()
    )


def test_the_allow_list_names_only_modules_still_over_the_limit() -> None:
    long = long_modules([NMDESK, UI])
    stale = sorted(path for path in OVER_THE_LIMIT if path not in long)
    assert stale == [], "no longer over 600 lines (or gone); remove from OVER_THE_LIMIT: " + (
        ", ".join(stale)
    )


def test_the_size_check_sees_a_long_module(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "short.py").write_text("x = 1\n" * MAX_MODULE_LINES)
    (package / "sub" / "long.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    assert long_modules([package], base=tmp_path) == {"pkg/sub/long.py": MAX_MODULE_LINES + 1}


MAX_FUNCTION_LINES = 80


def long_functions(roots: list[Path], base: Path = ROOT) -> list[str]:
    """Every function under these roots longer than MAX_FUNCTION_LINES (decorators
    aside), as ``path:line name (length)``."""
    found = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        where = path.relative_to(base).as_posix()
                        found.append(f"{where}:{node.lineno} {node.name} ({length})")
    return found


def test_no_ui_function_over_80_lines() -> None:
    """ui/ builds its windows in builder methods (_build_…), none past 80 lines."""
    assert long_functions([UI]) == []


# Functions of nmdesk/ allowed past MAX_FUNCTION_LINES, as ``path name``: declarative tables
# only (issue 16), read top to bottom like the paper or the schema they stand for. Shrink
# this list, never grow it with logic.
DECLARATIVE_FUNCTIONS = frozenset(
    {
        # the first migration: one SQL script of the schema (its tables, indexes and
        # triggers), statement after statement
        "nmdesk/store/schema.py _initial",
    }
)
LONG_FUNCTION = re.compile(r"(?P<path>[^:]+):\d+ (?P<name>\S+) \(\d+\)")


def function_key(found: str) -> str:
    """``path name`` of one of ``long_functions``' findings (``path:line name (length)``)."""
    match = LONG_FUNCTION.fullmatch(found)
    assert match, found
    return f"{match['path']} {match['name']}"


def test_no_nmdesk_function_over_80_lines() -> None:
    offenders = [
        found
        for found in long_functions([NMDESK])
        if function_key(found) not in DECLARATIVE_FUNCTIONS
    ]
    assert offenders == [], "split these functions (at most 80 lines each): " + ", ".join(offenders)


def test_the_function_allow_list_names_only_functions_still_over_the_limit() -> None:
    long = {function_key(found) for found in long_functions([NMDESK])}
    stale = sorted(key for key in DECLARATIVE_FUNCTIONS if key not in long)
    assert stale == [], "no longer over 80 lines (or gone); remove from DECLARATIVE_FUNCTIONS: " + (
        ", ".join(stale)
    )


def test_function_key_names_path_and_function() -> None:
    assert function_key("nmdesk/store/schema.py:128 _initial (257)") == (
        "nmdesk/store/schema.py _initial"
    )


def test_the_function_check_sees_a_long_function(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    short = "def short():\n" + "    x = 1\n" * (MAX_FUNCTION_LINES - 1)
    long = "class C:\n    def long(self):\n" + "        x = 1\n" * MAX_FUNCTION_LINES
    (package / "m.py").write_text(short + long)
    assert long_functions([package], base=tmp_path) == [
        f"pkg/m.py:{MAX_FUNCTION_LINES + 2} long ({MAX_FUNCTION_LINES + 1})"
    ]
