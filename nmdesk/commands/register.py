"""``init`` and ``demo``: create a register."""

from __future__ import annotations

import argparse

from nmdesk.commands import add_path_option, register_location
from nmdesk.profiles import builtin_profile_ids


def add_to(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = subparsers.add_parser("init", help="新建备案库")
    init.add_argument(
        "--profile",
        required=True,
        help=f"策略配置：{' | '.join(builtin_profile_ids())}，或配置文件路径",
    )
    add_path_option(init)
    init.set_defaults(func=run_init)

    demo = subparsers.add_parser("demo", help="生成演示备案库（约 40 个单位、300 个账号）")
    demo.add_argument("--profile", default="bit", help="策略配置，默认 bit")
    demo.add_argument("--accounts", type=int, default=300, help="账号数量，默认 300")
    demo.add_argument("--seed", type=int, default=2026, help="随机种子")
    add_path_option(demo)
    demo.set_defaults(func=run_demo)


def run_init(args: argparse.Namespace) -> int:
    from nmdesk.store import create_register

    path = register_location(args)
    with create_register(path, args.profile) as register:
        print(f"已新建备案库：{path}（{register.profile.name}）")
    return 0


# Above this many accounts the demo is built in bulk (nmdesk.demo_large): the full
# domain flow is far slower at 100,000 accounts than the bulk writer.
LARGE_DEMO_ACCOUNTS = 2000


def run_demo(args: argparse.Namespace) -> int:
    path = register_location(args)
    if args.accounts > LARGE_DEMO_ACCOUNTS:
        from nmdesk.demo_large import build_large_register

        summary = build_large_register(path, args.accounts, args.profile, seed=args.seed)
    else:
        from nmdesk.demo import build_demo_register

        summary = build_demo_register(path, args.profile, accounts=args.accounts, seed=args.seed)
    print(f"已生成演示备案库：{path}")
    print(summary)
    return 0
