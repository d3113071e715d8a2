"""``import``, ``export`` and ``template``: Excel in and out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nmdesk.commands import add_path_option, open_register
from nmdesk.excel.text_ledger import DELIMITER_NAMES, ENCODING_NAMES


def add_to(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = subparsers.add_parser("import", help="导入台账（Excel、WPS、LibreOffice 表格或 CSV）")
    imp.add_argument(
        "file",
        type=Path,
        help="台账文件（.xlsx .xlsm .xlsb .xls .et .ods，或 UTF-8/GBK/UTF-16 编码的 .csv、.txt）",
    )
    imp.add_argument("--sheet", default=None, help="工作表名称（默认第一个工作表）")
    imp.add_argument(
        "--encoding",
        choices=list(ENCODING_NAMES),
        default=None,
        help="CSV/TXT 的编码（默认自动识别）",
    )
    imp.add_argument(
        "--delimiter",
        choices=list(DELIMITER_NAMES),
        default=None,
        help="CSV/TXT 的分隔符：, tab ; |（默认自动识别）",
    )
    imp.add_argument("--mapping", default=None, help="使用已保存的列对应方案")
    imp.add_argument(
        "--save-mapping", default=None, metavar="NAME", help="把本次的列对应保存为方案"
    )
    imp.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入备案库")
    imp.add_argument("--strict", action="store_true", help="有任何错误行时拒绝整个文件")
    imp.add_argument(
        "--report", type=Path, default=None, metavar="FILE", help="把错误行及原因写入此 xlsx 文件"
    )
    add_path_option(imp)
    imp.set_defaults(func=run_import)

    exp = subparsers.add_parser("export", help="导出账号到 xlsx（或 .csv）")
    exp.add_argument("file", type=Path, help="目标文件；扩展名为 .csv 时导出 CSV")
    exp.add_argument("--search", default="", help="只导出查找到的账号")
    add_path_option(exp)
    exp.set_defaults(func=run_export)

    tpl = subparsers.add_parser("template", help="生成带下拉选项的导入模板（xlsx）")
    tpl.add_argument("file", type=Path, help="模板文件（.xlsx）")
    add_path_option(tpl)
    tpl.set_defaults(func=run_template)


def run_import(args: argparse.Namespace) -> int:
    from nmdesk.excel.error_report import write_error_report
    from nmdesk.excel.ledger_import import ImportRefused, Verdict, commit_import, plan_import
    from nmdesk.excel.reader import check_ledger

    encoding = ENCODING_NAMES.get(args.encoding or "")
    delimiter = DELIMITER_NAMES.get(args.delimiter or "")
    # a bad file is refused before the register is touched
    check_ledger(args.file, encoding=encoding, delimiter=delimiter)
    with open_register(args) as register:
        mapping = register.excel.load_mapping(args.mapping) if args.mapping else None
        plan = plan_import(
            register,
            args.file,
            sheet=args.sheet,
            mapping=mapping,
            encoding=encoding,
            delimiter=delimiter,
        )
        if plan.read_as:
            print(f"读取\t{args.file.name}：{plan.read_as}")
        for warning in plan.warnings():
            print(f"警告\t{warning}")
        for row in plan.rows:
            if row.verdict is Verdict.ERROR:
                print(f"错误\t{row.reason}")  # the reason names the row and the column
            elif row.verdict is Verdict.DUPLICATE:
                print(f"重复\t第 {row.row_number} 行\t{row.reason}")
            elif row.verdict is Verdict.UPDATE:
                print(f"更新\t第 {row.row_number} 行\t{row.fields['name']}：{row.reason}")
        if plan.new_units:
            names = "、".join(
                f"{u.name}（{register.profile.unit_kind_name(u.kind)}"
                + (f"，上级单位 {u.parent}）" if u.parent else "）")
                for u in plan.new_units
            )
            print(f"将新建单位：{names}")
        if args.report is not None:
            count = write_error_report(plan, args.report)
            print(f"错误报告（{count} 行）：{args.report}")
        refused = None
        if not args.dry_run:
            if args.save_mapping:
                from nmdesk.excel.mapping import mapping_to_saved

                register.excel.save_mapping(
                    args.save_mapping, mapping_to_saved(plan.headers, plan.mapping)
                )
            try:
                commit_import(register, plan, skip_errors=not args.strict)
            except ImportRefused as error:
                refused = error
        else:
            print("（试运行，未写入备案库）")
        unchanged = plan.counts()["unchanged"]
        if unchanged:
            print(f"无变化 {unchanged}")
        print(plan.summary())
        if refused is not None:
            print(f"错误：{refused}", file=sys.stderr)
            return 2
    return 0


def run_export(args: argparse.Namespace) -> int:
    from nmdesk.excel.export import writer_for
    from nmdesk.store import AccountQuery

    writer = writer_for(args.file)  # refused before the register is opened
    with open_register(args) as register:
        query = AccountQuery(
            text=args.search, rotation_days=register.profile.deadlines["password_rotation_days"]
        )
        count = writer(register, args.file, query=query)
    print(f"已导出 {count} 个账号：{args.file}")
    return 0


def run_template(args: argparse.Namespace) -> int:
    from nmdesk.excel.template import write_template

    with open_register(args) as register:
        write_template(register, args.file)
    print(f"已生成导入模板：{args.file}")
    return 0
