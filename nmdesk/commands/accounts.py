"""``list`` and ``show``: read accounts."""

from __future__ import annotations

import argparse

from nmdesk.commands import add_path_option, open_register
from nmdesk.store import AccountQuery


def add_to(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = subparsers.add_parser("list", help="列出账号（每行一个）")
    listing.add_argument("--search", default="", help="按名称、ID、单位、人员或拼音首字母查找")
    add_path_option(listing)
    listing.set_defaults(func=run_list)

    show = subparsers.add_parser("show", help="显示一个账号的全部信息")
    show.add_argument("id", help="list 输出的序号，或备案编号")
    add_path_option(show)
    show.set_defaults(func=run_show)


def run_list(args: argparse.Namespace) -> int:
    with open_register(args) as register:
        profile = register.profile
        query = AccountQuery(
            text=args.search, rotation_days=profile.deadlines["password_rotation_days"]
        )
        ids = register.accounts.ids(query)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = register.accounts.rows(chunk)
            for account_id in chunk:
                row = rows[account_id]
                from nmdesk.models import AccountStatus

                fields = [
                    row["platform"],
                    row["name"],
                    row["unit"],
                    row["account_type"],
                    row["platform_id"],
                    profile.level(row["level"]).name,
                    AccountStatus(row["status"]).label,
                    row["serial_no"],
                ]
                print(str(account_id) + "\t" + "\t".join(_one_line(f) for f in fields))
    return 0


def _one_line(value: object) -> str:
    return " ".join(str(value or "").split())


def run_show(args: argparse.Namespace) -> int:
    from nmdesk.account_report import describe_account

    with open_register(args) as register:
        account = register.accounts.find(args.id)
        print(describe_account(register, account))
    return 0
