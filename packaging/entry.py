"""The bundle's one program: ``nmdesk`` with no arguments (the menu entry), with
``--path FILE``, or with one register or ledger file (a double click in the file
manager) opens the window; with a command it is the CLI (``nmdesk --version``,
``nmdesk demo …``)."""

from __future__ import annotations

import sys

OPENED_BY_DOUBLE_CLICK = (".nmdesk",)


def window_args(args: list[str]) -> list[str] | None:
    """The window's arguments for these command-line arguments, or None for the CLI."""
    if not args:
        return []
    if args[0] == "--path":
        return args
    if len(args) == 1 and args[0].lower().endswith(OPENED_BY_DOUBLE_CLICK):
        return ["--path", args[0]]
    if len(args) == 1 and args[0].lower().endswith((".xlsx", ".xls")):
        return []  # a ledger: the window opens; the clerk imports it from 文件 → 导入
    return None


def main() -> int:
    gui = window_args(sys.argv[1:])
    if gui is not None:
        from ui.app import run

        return run([sys.argv[0], *gui])
    from nmdesk.cli import main as cli_main

    return int(cli_main() or 0)


if __name__ == "__main__":
    sys.exit(main())
