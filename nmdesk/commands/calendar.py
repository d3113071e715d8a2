"""``calendar``: enter a year's holidays from the State Council's notice, show, exchange."""

from __future__ import annotations

import argparse
from pathlib import Path

from nmdesk.commands import add_path_option, open_register, register_location, register_named
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.holidays.files import export_schedule, import_schedule, read_notice_file
from nmdesk.holidays.notice import parse_notice
from nmdesk.holidays.schedule import HolidaySchedule, YearSource
from nmdesk.holidays.service import YearInForce, save_year, year_in_force
from nmdesk.workdays import bundled_schedule, estimated_schedule


def add_to(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("calendar", help="节假日安排：录入国务院办公厅通知、查看、交换")
    actions = parser.add_subparsers(dest="calendar_command", required=True, metavar="ACTION")

    notice = actions.add_parser("notice", help="读取通知（.txt 或 .docx）并录入该年安排")
    notice.add_argument("file", type=Path, help="通知文件")
    notice.add_argument("--year", type=int, default=None, help="年份（通知无标题时必填）")
    notice.add_argument("--dry-run", action="store_true", help="只显示解析结果，不录入")
    add_path_option(notice)
    notice.set_defaults(func=run_notice)

    show = actions.add_parser("show", help="显示某年正在使用的安排及其来源")
    show.add_argument("year", type=int, help="年份")
    add_path_option(show)
    show.set_defaults(func=run_show)

    export = actions.add_parser("export", help="把某年的安排导出为交换文件（JSON）")
    export.add_argument("file", type=Path, help="交换文件")
    export.add_argument("--year", type=int, default=None, help="年份（默认最近录入的一年）")
    add_path_option(export)
    export.set_defaults(func=run_export)

    imported = actions.add_parser("import", help="从交换文件（JSON）录入一年的安排")
    imported.add_argument("file", type=Path, help="交换文件")
    add_path_option(imported)
    imported.set_defaults(func=run_import)


def _print_schedule(schedule: HolidaySchedule) -> None:
    for line in schedule.day_lines():
        print(line)
    print(schedule.summary())


def run_notice(args: argparse.Namespace) -> int:
    parsed = parse_notice(read_notice_file(args.file), args.year)
    _print_schedule(parsed.schedule)
    if args.dry_run:
        return 0
    with open_register(args) as register:
        saved = save_year(register, parsed.schedule, f"国务院办公厅通知（{args.file.name}）")
    print(
        f"已录入 {saved.year} 年安排：与原安排不同 {len(saved.differences)} 天，"
        f"重新计算截止日期 {saved.moved_due_dates} 项"
    )
    return 0


def _in_force(args: argparse.Namespace, year: int) -> YearInForce:
    if register_named(args) or Path(register_location(args)).exists():
        with open_register(args) as register:
            return year_in_force(register, year)
    bundled = bundled_schedule(year)
    if bundled is not None:
        return YearInForce(bundled, YearSource.BUNDLED)
    return YearInForce(estimated_schedule(year), YearSource.ESTIMATE)


def run_show(args: argparse.Namespace) -> int:
    in_force = _in_force(args, args.year)
    _print_schedule(in_force.schedule)
    print(f"来源：{in_force.describe_source()}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    with open_register(args) as register:
        year = args.year
        if year is None:
            entered = register.calendar_overrides.entered_years()
            if not entered:
                raise ValidationError("年份", "备案库中还没有录入的年份，请用 --year 指定")
            year = max(entered)
        in_force = year_in_force(register, year)
    if in_force.source is YearSource.ESTIMATE:
        raise NmdeskError(f"{year} 年尚无官方安排（只有估算），没有可导出的内容")
    export_schedule(in_force.schedule, in_force.source.value, args.file)
    print(f"已导出 {year} 年安排（{in_force.source.label}）到 {args.file}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    schedule = import_schedule(args.file)
    origin = f"交换文件（{args.file.name}）"
    if schedule.entry is not None and schedule.entry.origin:
        origin += f"，原为{schedule.entry.origin}"
    _print_schedule(schedule)
    with open_register(args) as register:
        saved = save_year(register, schedule, origin)
    print(
        f"已录入 {saved.year} 年安排：与原安排不同 {len(saved.differences)} 天，"
        f"重新计算截止日期 {saved.moved_due_dates} 项"
    )
    return 0
