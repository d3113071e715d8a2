"""CLI commands, one module per area. Each module has ``add_to(subparsers)``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.paths import default_register_path

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


def add_path_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--path", type=Path, default=None, help="备案库文件（默认使用用户数据目录中的默认备案库）"
    )


def register_path(args: argparse.Namespace) -> Path:
    return Path(args.path) if args.path else default_register_path()


def open_register(args: argparse.Namespace) -> Register:
    """Open the register named by ``--path``, or the default one.

    A network share or a backup that could not be taken is kept in ``args.notes``;
    ``nmdesk.cli.main`` prints them on stderr when the command succeeds, so the
    warning reaches every writing command and a failure stays one sentence."""
    from nmdesk.store import open_register

    register = open_register(register_path(args))
    notes = getattr(args, "notes", None)
    if notes is not None:
        notes += [n for n in (register.network_warning, register.backup_warning) if n]
    return register
