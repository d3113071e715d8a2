"""CLI commands, one module per area. Each module has ``add_to(subparsers)``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.paths import default_register_path

if TYPE_CHECKING:
    from nmdesk.store import Register


def add_path_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--path", type=Path, default=None, help="备案库文件（默认使用用户数据目录中的默认备案库）"
    )


def register_path(args: argparse.Namespace) -> Path:
    return Path(args.path) if args.path else default_register_path()


def open_register(args: argparse.Namespace) -> Register:
    """Open the register named by ``--path``, or the default one.

    A network share or a backup that could not be taken is said on stderr by every
    command that opens the register, so the warning reaches every writing command."""
    import sys

    from nmdesk.store import Register

    register = Register.open(register_path(args))
    for note in (register.network_warning, register.backup_warning):
        if note:
            print(f"注意：{note}", file=sys.stderr)
    return register
