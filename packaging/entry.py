"""The bundle's one program: ``nmdesk`` with no arguments (a double click, the menu
entry, a file opened from the file manager) opens the window; with a command it is
the CLI (``nmdesk --version``, ``nmdesk demo …``)."""

import sys


def main() -> int:
    args = sys.argv[1:]
    gui = not args or args[0] in ("--path", "--gui") or (
        len(args) == 1 and args[0].endswith(".nmdesk")
    )
    if gui:
        from ui.app import run

        if args and args[0] == "--gui":
            args = args[1:]
        if len(args) == 1 and args[0].endswith(".nmdesk"):
            args = ["--path", args[0]]
        return run([sys.argv[0], *args])
    from nmdesk.cli import main as cli_main

    return int(cli_main() or 0)


if __name__ == "__main__":
    sys.exit(main())
