"""``verify``: database integrity and the audit chain."""

from __future__ import annotations

import argparse

from nmdesk.commands import add_path_option, open_register


def add_to(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = subparsers.add_parser("verify", help="检查备案库完整性和审计链，发现库外改动")
    add_path_option(verify)
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    with open_register(args) as register:
        integrity = register.integrity_ok()
        findings = register.audit.verify()
        entries = register.audit.count()
    print(f"数据库完整性：{'正常' if integrity else '损坏'}")
    print(f"审计记录：{entries} 条")
    for finding in findings:
        print(f"发现问题：{finding}")
    if integrity and not findings:
        print("校验通过：未发现 nmdesk 之外的改动")
        return 0
    print(f"校验未通过：{len(findings)} 处问题")
    return 1
