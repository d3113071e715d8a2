"""``verify``: database integrity, the audit chain, its anchors and the attachments."""

from __future__ import annotations

import argparse

from nmdesk.commands import add_path_option, open_register


def add_to(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = subparsers.add_parser("verify", help="检查备案库完整性、审计链和附件，发现库外改动")
    verify.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="HASH|FILE",
        help="之前记下的审计链头（64 位哈希），或含有链头的文件（保存的 verify 输出、公示或汇总的 PDF/HTML）；可重复",
    )
    add_path_option(verify)
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from nmdesk.store.anchors import anchors_from_argument
    from nmdesk.store.backup import backups_dir, list_backups

    anchors = [anchor for value in args.anchor for anchor in anchors_from_argument(value)]
    with open_register(args) as register:
        report = register.verify(anchors)
        notes = [
            note
            for note in (
                register.read_only_message if register.read_only else None,
                register.network_warning,
                register.backup_warning,
            )
            if note
        ]
        on_server = bool(getattr(args, "server", None))
        found = [] if on_server else list_backups(register.path)
        folder = None if on_server else backups_dir(register.path)
    lines = report.lines()
    print("\n".join(lines[:4]))
    if on_server:
        print("最近备份：服务器备案库的备份由服务器管理员用 pg_dump 完成，不在本机")
    elif found:
        print(f"最近备份：{found[0].describe()}（共 {len(found)} 份，位于 {folder}）")
    else:
        print("最近备份：无")
    for note in notes:
        print(f"注意：{note}")
    print("\n".join(lines[4:]))
    return 0 if report.passed else 1
