"""Printing filing sheets: nmdesk's forms next to plain reportlab drawing the same text.

Issue 7's row: print 1,000 filing sheets, two copies each (2,000 pages), into one PDF
at >= 400 pages/s and in no more than twice the time of the baseline, a plain
reportlab canvas drawing the same strings, measured in the same run.

nmdesk prints each sheet as it does in the app (``filing_sheet`` → ``write_pdf``):
two labelled copies, the trace band with serial, version, check code and QR code,
per-copy page numbers, and values that wrap and grow their rows; a sheet whose values
fit one page prints on the fast path (frame as a form XObject, values on top, see
``nmdesk/forms/fixed.py``). The baseline draws the same strings with a bare canvas at
fixed positions and the frame's lines and captions on every page; a second reference
keeps that frame in a ``beginForm``/``doForm`` form. Same font, same process; the
three alternate for several rounds and the medians are reported.

    python -m benchmarks.bench_print           # quick: 50 sheets (100 pages), 3 rounds
    python -m benchmarks.bench_print --full    # 1,000 sheets (2,000 pages), 3 rounds
    python -m benchmarks print [--full] [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

QUICK_SHEETS = 50
FULL_SHEETS = 1000
PURPOSES = [
    "发布本单位新闻动态、通知公告，展示教学科研成果",
    "面向学生发布学习、活动和就业信息，服务学生成长。" * 3,
    "招生宣传，解答考生和家长咨询",
]


def make_data(count: int) -> list[Any]:
    """``count`` filled filing sheets' values, varied like a real register."""
    from nmdesk.forms.filing_sheet import FilingSheetData

    def person(i: int, n: int) -> dict[str, str]:
        return {
            "name": f"张{'伟芳娜敏静'[n % 5]}{i}",
            "title": "宣传干事",
            "office_phone": f"010-689{i % 100000:05d}",
            "mobile": f"139{i:08d}",
            "email": f"u{i:05d}@bit.edu.cn",
        }

    result = []
    for i in range(count):
        result.append(
            FilingSheetData(
                platform="微信",
                account_type="订阅号",
                name=f"北理工测试账号{i}",
                platform_id=f"bit_{i:06d}",
                purpose=PURPOSES[i % len(PURPOSES)],
                opened_on="2021年9月",
                unit=f"第{i % 40 + 1}学院",
                head=person(i, 0),
                maintainer=person(i, 1),
            )
        )
    return result


def sheet_strings(data: Any) -> list[str]:
    head, keeper = data.head, data.maintainer
    return [
        data.platform,
        data.account_type,
        data.name,
        data.platform_id,
        data.purpose,
        data.opened_on,
        data.unit,
        *head.values(),
        *keeper.values(),
    ]


def run_nmdesk(datas: list[Any], out: Path) -> int:
    from nmdesk.forms.common import Trace, write_pdf
    from nmdesk.forms.filing_sheet import filing_sheet
    from nmdesk.profiles import load_profile

    profile = load_profile("bit")
    sheets = [
        filing_sheet(
            profile.filing_sheet_title,
            data,
            Trace(f"BIT-2026-{i:05d}", "第1版（开设备案）", f"K{i:05d}"),
            profile.filing_sheet_footnote,
        )
        for i, data in enumerate(datas)
    ]
    write_pdf(sheets, profile.copy_labels, out)
    return 2 * len(sheets)


LABELS = [
    "开设平台",
    "账号类型",
    "账号名称",
    "账号 ID 号",
    "账号主要用途",
    "开设时间",
    "账号开设单位",
    "单位负责人",
    "职务",
    "办公电话",
    "手机",
    "邮箱",
    "运维负责人",
    "单位意见",
    "负责人（签字）：",
    "单位盖章：",
    "年　月　日",
]


def _frame(canv: Any, font: str) -> None:
    """The fixed part of a sheet: title, grid lines and captions."""
    canv.setFont(font, 18)
    canv.drawCentredString(297, 760, "北京理工大学校园新媒体公共账号备案表")
    canv.setLineWidth(0.6)
    for row in range(13):
        canv.line(57, 740 - row * 40, 538, 740 - row * 40)
    for x in (57, 83, 160, 251, 316, 389, 446, 538):
        canv.line(x, 740, x, 260)
    canv.setFont(font, 10.5)
    for index, caption in enumerate(LABELS):
        canv.drawString(90, 725 - index * 27, caption)


def run_canvas(datas: list[Any], out: Path, *, use_form: bool) -> int:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from nmdesk.forms.common import FORM_FONT, register_fonts

    register_fonts()
    canv = Canvas(str(out), pagesize=A4, initialFontName=FORM_FONT)
    if use_form:
        canv.beginForm("frame")
        _frame(canv, FORM_FONT)
        canv.endForm()
    pages = 0
    for i, data in enumerate(datas):
        strings = sheet_strings(data)
        for copy_label in ("第一联　账号开设单位存档", "第二联　党委宣传部存档"):
            if use_form:
                canv.doForm("frame")
            else:
                _frame(canv, FORM_FONT)
            canv.setFont(FORM_FONT, 10.5)
            canv.drawString(57, 800, copy_label)
            canv.drawRightString(470, 800, f"备案编号：BIT-2026-{i:05d}  校验码：K{i:05d}")
            for index, text in enumerate(strings):
                canv.drawString(170, 725 - index * 27, text)
            canv.drawString(57, 240, "注：此表一式两份，账号开设单位、党委宣传部各存一份")
            canv.showPage()
            pages += 1
    canv.save()
    return pages


TARGET_PAGES_PER_S = 400.0
TARGET_RATIO = 2.0
TARGET = f"≥ {TARGET_PAGES_PER_S:.0f} pages/s, and ≤ {TARGET_RATIO:g}× the baseline"
ROUNDS = 3


def run(quick: bool = True, rounds: int = ROUNDS, keep: Path | None = None) -> list[dict[str, Any]]:
    """Print the sheets each way ``rounds`` times (alternating) and compare medians.

    With ``keep``, the last round's PDFs stay in that folder as ``nmdesk.pdf``,
    ``canvas.pdf`` and ``form.pdf`` (the tests read them back).

    Rows (dicts): the first is issue 7's target row, nmdesk against the plain canvas:
    ``what, measured, baseline`` (pages/s), ``ratio`` (nmdesk's time over the
    baseline's), ``target`` and ``met`` (bool). The other two are the baselines
    themselves for reference (``met`` None). Every row also has ``pages``,
    ``seconds`` and ``pages_per_s``.
    """
    from nmdesk.forms.common import register_fonts

    register_fonts()  # font loading is not part of any measurement
    sheets = QUICK_SHEETS if quick else FULL_SHEETS
    datas = make_data(sheets)
    ways: dict[str, Callable[[Path], int]] = {
        "nmdesk": lambda out: run_nmdesk(datas, out),
        "canvas": lambda out: run_canvas(datas, out, use_form=False),
        "form": lambda out: run_canvas(datas, out, use_form=True),
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    pages: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        for _ in range(rounds):
            for name, way in ways.items():
                out = folder / f"{name}.pdf"
                start = time.perf_counter()
                pages[name] = way(out)
                times[name].append(time.perf_counter() - start)
    seconds = {name: statistics.median(values) for name, values in times.items()}
    rate = {name: pages[name] / seconds[name] for name in ways}
    ratio = seconds["nmdesk"] / seconds["canvas"]

    def row(name: str, what: str, **extra: Any) -> dict[str, Any]:
        return {
            "what": what,
            "pages": pages[name],
            "seconds": round(seconds[name], 3),
            "pages_per_s": round(rate[name], 1),
            "measured": round(rate[name], 1),
            "unit": "pages/s",
            **extra,
        }

    return [
        row(
            "nmdesk",
            f"nmdesk: print {sheets:,} filing sheets, two copies each "
            f"({pages['nmdesk']:,} pages), one PDF",
            baseline=round(rate["canvas"], 1),
            ratio=round(ratio, 2),
            target=TARGET,
            met=rate["nmdesk"] >= TARGET_PAGES_PER_S and ratio <= TARGET_RATIO,
        ),
        row(
            "canvas",
            "baseline: plain reportlab canvas, same strings",
            baseline=None,
            ratio=None,
            target="—",
            met=None,
        ),
        row(
            "form",
            "reference: plain canvas, frame as beginForm/doForm",
            baseline=round(rate["canvas"], 1),
            ratio=round(seconds["form"] / seconds["canvas"], 2),
            target="—",
            met=None,
        ),
    ]


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_print", description=__doc__)
    parser.add_argument("--full", action="store_true", help="1,000 sheets (2,000 pages)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds (median)")
    args = parser.parse_args(argv)
    results = run(quick=not args.full, rounds=max(1, args.rounds))
    print("| what | pages | seconds | pages/s | baseline pages/s | ratio (time) | target | met |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for row in results:
        cells = [
            row["what"],
            row["pages"],
            row["seconds"],
            row["pages_per_s"],
            row["baseline"],
            row["ratio"],
            row["target"],
            row["met"],
        ]
        print("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
