"""CLI commands, one module per area. Each module has ``add_to(subparsers)``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.errors import NmdeskError
from nmdesk.paths import default_register_path

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

SERVER_SHAPE = "postgresql://用户名@服务器[:端口]/数据库"
BOTH_GIVEN = "--path 和 --server 只能给出一个：备案库要么是本机的文件，要么在服务器上"


def _server_url(text: str) -> str:
    from nmdesk.store import is_server_url

    if not is_server_url(text):
        raise argparse.ArgumentTypeError(f"服务器地址“{text}”应写成 {SERVER_SHAPE}")
    return text


def add_path_option(parser: argparse.ArgumentParser) -> None:
    """``--path FILE`` or ``--server URL``: the register a command works on.

    Both are plain options (not an argparse group, whose refusal is English);
    ``nmdesk.cli.main`` refuses both at once in ``BOTH_GIVEN``."""
    parser.add_argument(
        "--path", type=Path, default=None, help="备案库文件（默认使用用户数据目录中的默认备案库）"
    )
    parser.add_argument(
        "--server",
        type=_server_url,
        default=None,
        metavar="URL",
        help=f"服务器上的备案库：{SERVER_SHAPE}（密码由本机的 .pgpass 提供），代替 --path",
    )


def register_location(args: argparse.Namespace) -> str | Path:
    """The register named by ``--server`` (its URL), ``--path``, or the default file."""
    server = getattr(args, "server", None)
    if server:
        return str(server)
    return Path(args.path) if args.path else default_register_path()


def register_path(args: argparse.Namespace, what: str = "这个命令") -> Path:
    """The register file of a command that works on the file itself (backups, restore,
    unlock); a server register is refused in one sentence."""
    if getattr(args, "server", None):
        raise NmdeskError(f"{what}只用于本机的备案库文件，服务器上的备案库暂不支持")
    return Path(args.path) if args.path else default_register_path()


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
