"""``print`` and ``receive``: forms for signature, and the signed copy's return."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from nmdesk.commands import add_path_option, open_register
from nmdesk.errors import ValidationError
from nmdesk.profiles import KNOWN_FORMS


def add_to(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    printing = subparsers.add_parser(
        "print",
        help="打印表单（PDF，一式两份）：备案表、审批表、承诺书、变更、注销、整改通知、台账",
    )
    printing.add_argument(
        "form", choices=KNOWN_FORMS, metavar="FORM", help="表单：" + "、".join(KNOWN_FORMS)
    )
    which = printing.add_mutually_exclusive_group()
    which.add_argument("--account", help="list 输出的序号，或备案编号")
    which.add_argument("--blank", action="store_true", help="打印空白表，供手写填写")
    printing.add_argument(
        "--out", type=Path, default=None, help="输出的 PDF 文件（默认按表单名生成）"
    )
    add_path_option(printing)
    printing.set_defaults(func=run_print)

    receive = subparsers.add_parser(
        "receive", help="登记交回的签字纸质表（按校验码或扫描的二维码）"
    )
    receive.add_argument(
        "code", nargs="?", default=None, help="纸质表上的校验码，或扫描二维码得到的“编号|校验码”"
    )
    receive.add_argument(
        "--scans",
        type=Path,
        default=None,
        help="一叠交回的签字表扫描件：文件夹（PDF、JPG、PNG）或多页 PDF；按每页的二维码登记",
    )
    receive.add_argument(
        "--typed",
        action="append",
        default=[],
        metavar="文件#页=校验码",
        help="二维码无法识别的页，手工输入的校验码，如 扫描01.pdf#3=K7MQ2D（可重复）",
    )
    receive.add_argument(
        "--dry-run", action="store_true", help="只列出各页的匹配情况，不登记（--scans）"
    )
    receive.add_argument("--date", default=None, help="交回日期（默认今天），如 2026-11-23")
    receive.add_argument("--attach", type=Path, default=None, help="签字表的扫描件（PDF 或图片）")
    add_path_option(receive)
    receive.set_defaults(func=run_receive)


def run_print(args: argparse.Namespace) -> int:
    from nmdesk.forms import default_file_name, render_form, require_form

    with open_register(args) as register:
        require_form(register.profile, args.form)
        account_id = None
        if args.account:
            account_id = register.accounts.find(args.account).id
        elif not args.blank and args.form != "ledger":
            raise ValidationError(
                "--account", "请指定账号（序号或备案编号），或用 --blank 打印空白表"
            )
        out = args.out or Path(default_file_name(register, args.form, account_id, blank=args.blank))
        path = render_form(register, args.form, account_id, out, blank=args.blank)
    print(path)
    return 0


def parse_day(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError("交回日期", f"“{text}”不是有效日期，应为 2026-11-23 的格式") from None


def run_receive(args: argparse.Namespace) -> int:
    day = parse_day(args.date)
    if args.scans is not None:
        return _receive_scans(args, day)
    if not args.code:
        raise ValidationError("校验码", "请给出纸质表上的校验码，或用 --scans 指定扫描件")
    from nmdesk.forms.receipt import receive_copy

    with open_register(args) as register:
        received = receive_copy(register, args.code, day, args.attach)
    account, filing = received.match.account, received.filing
    what = (
        f"{filing.kind.label} 第{filing.version}版，{day.isoformat()} 交回，状态：{filing.status.label}"
        if filing is not None
        else f"整改通知书回执，{day.isoformat()} 交回"
    )
    print(f"已登记交回：{account.name}（{account.serial_no}）{what}")
    return 0


def _receive_scans(args: argparse.Namespace, day: dt.date) -> int:
    """``receive --scans``: every page matched by its QR code, then all received at once."""
    from nmdesk.forms.scans import commit_scans, plan_scans

    typed: dict[str, str] = {}
    for item in args.typed:
        key, sep, code = item.rpartition("=")
        if not sep or "#" not in key:
            raise ValidationError("--typed", f"“{item}”应写作 文件名#页码=校验码")
        typed[key] = code
    with open_register(args) as register:
        plan = plan_scans(register, args.scans, typed=typed)
        for page in plan.pages:
            what = page.match.describe().replace("\n", "，") if page.match else page.problem
            print(f"{page.state_label}\t{page.label}\t{what}")
        print(plan.summary())
        if args.dry_run:
            print("（试运行，未写入备案库）")
            return 0
        received = commit_scans(register, plan, day) if plan.matched else []
    print(f"已登记交回 {len(received)} 份，{day.isoformat()}")
    if plan.unmatched:
        print(f"未匹配 {len(plan.unmatched)} 页，未登记：请用 --typed 输入其校验码后再登记")
    return 0
