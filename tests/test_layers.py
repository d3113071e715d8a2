"""The domain package never imports Qt (STYLE.md, rule 1)."""

from __future__ import annotations

import ast
from pathlib import Path

NMDESK = Path(__file__).resolve().parent.parent / "nmdesk"


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
    sample.write_text("from PySide6.QtWidgets import QWidget\nimport ui.main_window\n")
    assert {"PySide6.QtWidgets", "ui.main_window"} <= imported_modules(sample)


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
