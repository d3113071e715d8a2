"""``due`` and ``check``: working-day deadlines and what is overdue."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from nmdesk.commands import add_path_option, open_register, register_location, register_named
from nmdesk.dates import deadline_text, parse_day
from nmdesk.errors import ValidationError
from nmdesk.workdays import WorkdayCalendar


def add_to(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    due = subparsers.add_parser("due", help="计算 N 个工作日后的截止日期（事发当天不计）")
    due.add_argument("start", help="事发日期 YYYY-MM-DD")
    due.add_argument("days", help="工作日数")
    add_path_option(due)
    due.set_defaults(func=run_due)

    check = subparsers.add_parser("check", help="列出逾期的备案、密码更换和整改")
    check.add_argument("--today", default=None, help="按指定日期检查（默认今天）")
    check.add_argument("--all", action="store_true", help="同时列出未逾期的期限")
    add_path_option(check)
    check.set_defaults(func=run_check)


def run_due(args: argparse.Namespace) -> int:
    start = parse_day(args.start, "起始日期")
    try:
        days = int(args.days)
    except ValueError:
        raise ValidationError("工作日数", f"“{args.days}”不是整数") from None
    if not 0 <= days <= 3650:
        raise ValidationError("工作日数", "应在 0 到 3650 之间")
    if register_named(args) or Path(register_location(args)).exists():
        with open_register(args) as register:
            calendar = register.calendar
    else:
        calendar = WorkdayCalendar()
    due = calendar.add_working_days(start, days)
    print(due.date.isoformat())
    sources = "，".join(f"{year}年{calendar.source_of(year).label}" for year in due.years)
    if due.is_estimate:
        years = "、".join(str(y) for y in due.estimated_years)
        print(
            f"估算：{years} 年的法定节假日安排尚未录入（{sources}），"
            "请在“节假日安排”中录入官方通知后以实际为准"
        )
    else:
        print(f"依据官方节假日安排计算（{sources}）")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from nmdesk.deadlines import ClockKind, running_clocks

    today = parse_day(args.today, "检查日期") if args.today else dt.date.today()
    from nmdesk.holidays.service import missing_next_year

    with open_register(args) as register:
        clocks = running_clocks(register, today)
        reminder = missing_next_year(register, today)
    shown = [c for c in clocks if args.all or c.is_overdue(today) or c.due_on is None]
    overdue = sum(1 for c in clocks if c.is_overdue(today))
    for clock in shown:
        if clock.due_on is None:
            when = "无期限"
        else:
            left = clock.days_left(today) or 0
            when = f"{deadline_text(clock.due_on)} " + (
                f"逾期 {-left} 天" if left < 0 else f"剩 {left} 天"
            )
            if clock.is_estimate:
                when += "（估算）"
        account = f"#{clock.account_id}" if clock.account_id else "-"
        detail = f"：{clock.detail}" if clock.detail else ""
        print(f"{clock.label}\t{account}\t{when}\t{clock.title}{detail}")
    missing = sum(1 for c in clocks if c.kind is ClockKind.MISSING_ROLE)
    print(f"共 {overdue} 项逾期，{missing} 项缺少责任人")
    if reminder:
        print(f"提醒：{reminder}（用 calendar notice 录入）")
    return 1 if overdue else 0
