"""``backup``, ``backups``, ``restore`` and ``audit-export``: copies of a register and its trail."""

from __future__ import annotations

import argparse
from pathlib import Path

from nmdesk.commands import add_path_option, open_register, register_path


def add_to(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = subparsers.add_parser("backup", help="立即备份备案库")
    backup.add_argument(
        "--out", type=Path, default=None, help="备份文件（默认存入备案库旁的 -backups 文件夹）"
    )
    add_path_option(backup)
    backup.set_defaults(func=run_backup)

    listing = subparsers.add_parser("backups", help="列出备案库的备份")
    add_path_option(listing)
    listing.set_defaults(func=run_list)

    restore = subparsers.add_parser("restore", help="从备份恢复备案库（先保存当前库的安全副本）")
    restore.add_argument("backup", type=Path, help="备份文件")
    add_path_option(restore)
    restore.set_defaults(func=run_restore)

    unlock = subparsers.add_parser(
        "unlock", help="解除另一台电脑（或已崩溃的 nmdesk）留下的占用，接管备案库"
    )
    unlock.add_argument("--force", action="store_true", help="确认解除占用")
    add_path_option(unlock)
    unlock.set_defaults(func=run_unlock)

    export = subparsers.add_parser("audit-export", help="导出审计记录（.csv 或 .xlsx），供检查")
    export.add_argument("out", type=Path, help="导出文件，.csv 或 .xlsx")
    add_path_option(export)
    export.set_defaults(func=run_audit_export)


def run_backup(args: argparse.Namespace) -> int:

    with open_register(args) as register:
        target = register.backup(args.out)
        head = register.chain_head()
    print(f"已备份到：{target}")
    print(head.describe())
    return 0


def run_list(args: argparse.Namespace) -> int:
    from nmdesk.store.backup import backups_dir, list_backups

    path = register_path(args, "backups（列出备份）")
    found = list_backups(path)
    if not found:
        print(f"{backups_dir(path)} 中没有备份")
        return 0
    for info in found:
        print(info.describe())
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from nmdesk.store.restore import restore

    path = register_path(args, "restore（从备份恢复）")
    result = restore(path, args.backup)
    print(
        f"已从 {args.backup} 恢复备案库 {path}"
        f"（{result.restored.accounts} 个账号，{result.restored.audit_entries} 条审计记录）"
    )
    if result.safety_copy is not None:
        print(f"恢复前的备案库已保存为：{result.safety_copy}")
    return 0


def run_audit_export(args: argparse.Namespace) -> int:
    from nmdesk.audit_export import export_audit

    with open_register(args) as register:
        count = export_audit(register, args.out)
    print(f"已导出 {count} 条审计记录到：{args.out}")
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    from nmdesk.store.locking import force_unlock, read_lock

    path = register_path(args, "unlock（解除占用）")
    holder = read_lock(path)
    if not args.force:
        who = holder.describe() if holder else "无人占用"
        print(
            f"备案库 {path.name} 的占用：{who}。确认那台电脑上的 nmdesk 已经关闭后，"
            "加上 --force 解除占用（仍在使用时解除，两边的修改可能互相覆盖）"
        )
        return 0 if holder is None else 1
    previous = force_unlock(path)
    if previous is None:
        print(f"备案库 {path.name} 没有被占用")
    else:
        print(f"已解除 {previous.describe()} 对备案库 {path.name} 的占用，现在可以正常打开")
    return 0
