"""``review``: the annual review without the UI (open, status, publish)."""

from __future__ import annotations

import argparse
from pathlib import Path

from nmdesk.commands import add_path_option, open_register
from nmdesk.dates import deadline_text, parse_day, today
from nmdesk.errors import ValidationError


def add_to(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    review = subparsers.add_parser("review", help="年度年审：开启、查看进度、发布公示")
    review.add_argument(
        "action",
        choices=("open", "status", "publish", "export"),
        help="open 开启并生成各单位自查表；status 查看进度；publish 发布公示；"
        "export 重新导出已发布的公示",
    )
    review.add_argument("--year", required=True, help="年审年度，例如 2026")
    review.add_argument(
        "--out",
        type=Path,
        default=None,
        help="输出目录（open：各单位通知与自查表；status：催交名单；publish/export：公示、整改通知和汇总）",
    )
    review.add_argument("--deadline", default=None, help="提交截止日期（open，默认按策略配置）")
    review.add_argument("--today", default=None, help="按指定日期办理（默认今天）")
    review.add_argument(
        "--force",
        action="store_true",
        help="publish：截止日期前或仍有单位未交齐材料时也发布（否则列出未交齐的单位并拒绝）",
    )
    add_path_option(review)
    review.set_defaults(func=run_review)


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValidationError("年审年度", f"“{text}”不是年份，应写作 2026") from None


def run_review(args: argparse.Namespace) -> int:
    from nmdesk.review import campaign as campaigns
    from nmdesk.review.packets import write_all_packets
    from nmdesk.review.publish import export_outputs, publish

    year = _year(args.year)
    day = parse_day(args.today, "办理日期") if args.today else today()
    with open_register(args) as register:
        if args.action == "open":
            deadline = parse_day(args.deadline, "提交截止日期") if args.deadline else None
            campaign = campaigns.open_campaign(register, year, today=day, deadline=deadline)
            progress = campaigns.progress(register, campaign, day)
            print(
                f"已开启 {year} 年度年审：{progress.units_total} 个单位，"
                f"{progress.accounts_total} 个账号，{deadline_text(campaign.deadline_on)}"
            )
            if args.out:
                paths = write_all_packets(register, campaign, args.out)
                print(f"已生成 {len(paths)} 份通知与自查表：{args.out}")
        elif args.action == "status":
            campaign = campaigns.get_campaign(register, year)
            progress = campaigns.progress(register, campaign, day)
            state = {"collect": "收集材料", "assess": "评定结论", "published": "已发布"}
            print(
                f"{year} 年度年审（{state[campaign.step.value]}），{deadline_text(campaign.deadline_on)}"
                + (f"，已于 {campaign.published_on} 发布" if campaign.published_on else "")
            )
            print(
                f"单位已交回 {progress.units_responded}/{progress.units_total}，"
                f"账号已自查 {progress.accounts_checked}/{progress.accounts_total}"
            )
            for unit in progress.pending:
                outcome = progress.outcomes[unit.unit_id]
                mark = "逾期" if progress.overdue else outcome.submission.label
                print(f"  {mark}\t{unit.unit_name}\t{outcome.missing} 个账号未自查")
            if args.out:
                from nmdesk.review.packets import write_reminders

                target = args.out if args.out.suffix == ".xlsx" else args.out / "催交名单.xlsx"
                rows = write_reminders(register, campaign, day, target)
                print(f"催交名单（{len(rows)} 个单位）已写入 {target}")
        else:
            if args.out is None:
                raise ValidationError("--out", "请指定输出目录")
            if args.action == "publish":
                result = publish(register, year, args.out, today=day, force=args.force)
            else:
                result = export_outputs(register, year, args.out)
            labels = {v: k for k, v in _verdict_labels().items()}
            counts = "，".join(f"{labels[k]} {n}" for k, n in sorted(result.counts.items()))
            print(
                f"{year} 年度年审已发布：{counts}"
                if args.action == "publish"
                else f"已导出 {year} 年度年审公示"
            )
            print(f"公示、{len(result.notices)} 份整改通知和汇总报告已写入 {result.out_dir}")
    return 0


def _verdict_labels() -> dict[str, str]:
    from nmdesk.models import Verdict

    return {v.label: v.value for v in Verdict}
