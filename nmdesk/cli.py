"""The command line: ``python -m nmdesk …`` and the ``nmdesk`` entry point.

Each command lives in a module of ``nmdesk.commands`` with an ``add_to(subparsers)``
function. A user's mistake prints one line of Chinese and exits with 2; a
traceback means a bug.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from nmdesk.errors import NmdeskError
from nmdesk.text_rules import printable

COMMAND_MODULES = (
    "nmdesk.commands.register",
    "nmdesk.commands.accounts",
    "nmdesk.commands.deadlines",
    "nmdesk.commands.calendar",
    "nmdesk.commands.integrity",
    "nmdesk.commands.excel",
    "nmdesk.commands.review",
    "nmdesk.commands.safety",
    "nmdesk.commands.printing",
)

EXIT_USER_ERROR = 2


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line of Chinese with exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"参数错误：{message}（用 --help 查看用法）", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR)


def build_parser() -> argparse.ArgumentParser:
    from nmdesk.about import version_line

    parser = ChineseArgumentParser(prog="nmdesk", description="新媒体账号备案管理台")
    parser.add_argument(
        "--version", action="version", version=version_line(), help="显示版本并退出"
    )
    subparsers = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=ChineseArgumentParser
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_to(subparsers)
    return parser


class _PrintableStream:
    """A text stream that writes control and bidi characters as ``\\x1b`` / ``\\u202e``:
    no value in a register (an older one may hold them) can rewrite the terminal."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream.write(printable(text)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "path", None) and getattr(args, "server", None):
        from nmdesk.commands import BOTH_GIVEN

        parser.error(BOTH_GIVEN)
    args.notes = []  # warnings from opening the register (nmdesk.commands.open_register)
    plain_out, plain_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _PrintableStream(plain_out), _PrintableStream(plain_err)
    try:
        return _run(args)
    finally:
        sys.stdout, sys.stderr = plain_out, plain_err


def _run(args: argparse.Namespace) -> int:
    try:
        code = int(args.func(args) or 0)
        for note in dict.fromkeys(args.notes):
            print(f"注意：{note}", file=sys.stderr)
        return code
    except NmdeskError as error:
        print(f"错误：{error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # output piped into head and closed early
        sys.stderr.close()
        return 0
    except Exception as error:  # a damaged file or a full disk, not a bug: say so in one line
        from nmdesk.store import error_message

        message = error_message(error)
        if message is None:
            raise
        print(f"错误：{message}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130
