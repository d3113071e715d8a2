"""CLI commands, one module per area. Each module has ``add_to(subparsers)``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.errors import RegisterError
from nmdesk.paths import default_register_path

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


def add_path_option(parser: argparse.ArgumentParser) -> None:
    """``--path FILE`` or ``--server URL``: the register a command works on."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--path", type=Path, default=None, help="备案库文件（默认使用用户数据目录中的默认备案库）"
    )
    where.add_argument(
        "--server",
        metavar="URL",
        default=None,
        help="服务器上的备案库：postgresql://用户名@服务器[:端口]/数据库"
        "（密码保存在本机的 .pgpass 文件中）",
    )


def register_path(args: argparse.Namespace) -> Path:
    """The register file of a command that works on the file itself (backups, locks)."""
    if getattr(args, "server", None):
        raise RegisterError("这个命令只用于备案库文件，不能用于服务器上的备案库（--server）")
    return Path(args.path) if args.path else default_register_path()


def register_location(args: argparse.Namespace) -> str | Path:
    """The register a command opens: the server URL of ``--server``, else the file."""
    server = getattr(args, "server", None)
    return str(server) if server else register_path(args)


def names_a_register(args: argparse.Namespace) -> bool:
    """Whether the command has a register to read: one named, or the default file."""
    return bool(args.path or getattr(args, "server", None)) or default_register_path().exists()


def open_register(args: argparse.Namespace) -> Register:
    """Open the register named by ``--path`` or ``--server``, or the default one.

    A network share or a backup that could not be taken is kept in ``args.notes``;
    ``nmdesk.cli.main`` prints them on stderr when the command succeeds, so the
    warning reaches every writing command and a failure stays one sentence."""
    from nmdesk.store import open_register

    register = open_register(register_location(args))
    notes = getattr(args, "notes", None)
    if notes is not None:
        notes += [n for n in (register.network_warning, register.backup_warning) if n]
    return register
