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
    sample.write_text("from PySide6.QtWidgets import QWidget\nimport ui.register.main_window\n")
    assert {"PySide6.QtWidgets", "ui.register.main_window"} <= imported_modules(sample)
