"""``verify``: database integrity and the audit chain."""

from __future__ import annotations

import argparse

from nmdesk.commands import add_path_option, open_register


def add_to(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = subparsers.add_parser("verify", help="检查备案库完整性和审计链，发现库外改动")
    add_path_option(verify)
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from nmdesk.store.backup import anchor_findings, backups_dir, list_backups

    with open_register(args) as register:
        integrity = register.integrity_ok()
        findings = register.audit.verify()
        findings += anchor_findings(register.path, register.db.conn)
        entries = register.audit.count()
        notes = [
            note
            for note in (
                register.read_only_message if register.read_only else None,
                register.network_warning,
                register.backup_warning,
            )
            if note
        ]
        found = list_backups(register.path)
        folder = backups_dir(register.path)
    print(f"数据库完整性：{'正常' if integrity else '损坏'}")
    print(f"审计记录：{entries} 条")
    if found:
        print(f"最近备份：{found[0].describe()}（共 {len(found)} 份，位于 {folder}）")
    else:
        print("最近备份：无")
    for note in notes:
        print(f"注意：{note}")
    for finding in findings:
        print(f"发现问题：{finding}")
    if integrity and not findings:
        print("校验通过：未发现 nmdesk 之外的改动")
        return 0
    print(f"校验未通过：{len(findings)} 处问题")
    return 1
