"""The public listing (公示) and the summary's numbers, as data, xlsx and HTML.

``build_listing`` reads a campaign's final results; the writers turn it into
files. The listing names each account with its platform, level, unit and
result, and marks units that did not submit or failed (BIT clause 14).
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nmdesk.dates import deadline_text
from nmdesk.models import Verdict
from nmdesk.review.outcomes import (
    MARK_FAILED,
    MARK_NOT_SUBMITTED,
    MARK_PARTLY,
    Submission,
    UnitOutcome,
    unit_outcomes,
    units_marked,
)
from nmdesk.review.records import Campaign
from nmdesk.review.xlsx import HEADER, MARKED, TITLE, Cell, Sheet, write_workbook
from nmdesk.store.anchors import EMPTY_HEAD, ChainHead

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

__all__ = ["MARK_FAILED", "MARK_NOT_SUBMITTED", "MARK_PARTLY", "Listing", "build_listing"]
VERDICT_ORDER = (
    Verdict.PASS,
    Verdict.RECTIFY,
    Verdict.SUSPEND,
    Verdict.ORDER_CLOSE,
    Verdict.NOT_SUBMITTED,
)
LISTING_HEADERS = ("序号", "账号名称", "开设平台", "账号级别", "开设单位", "年审结果", "单位标注")


@dataclass
class ListingRow:
    index: int
    account_id: int
    name: str
    platform: str
    level: int
    level_name: str
    unit_id: int
    unit_name: str
    verdict: Verdict
    deadline: dt.date | None
    unit_mark: str

    @property
    def result_text(self) -> str:
        if self.verdict is Verdict.RECTIFY and self.deadline is not None:
            return f"{self.verdict.label}，{deadline_text(self.deadline)}"
        return self.verdict.label


@dataclass
class Listing:
    campaign: Campaign
    institution: str
    office: str
    rows: list[ListingRow]
    outcomes: dict[int, UnitOutcome]
    policy_title: str = ""
    unit_names: dict[int, str] = field(default_factory=dict)
    # the audit chain's head when the listing was built: printed on every copy, so
    # ``verify --anchor`` with the file proves the register still holds that history
    chain_head: ChainHead = EMPTY_HEAD

    @property
    def unit_sections(self) -> list[tuple[str, list[str]]]:
        """Each unit mark with the units carrying it (the listing's 单位标注)."""
        return units_marked(self.outcomes.values())

    def units_with(self, mark: str) -> list[str]:
        return next(names for title, names in self.unit_sections if title == mark)

    @property
    def units_not_submitted(self) -> list[str]:
        return self.units_with(MARK_NOT_SUBMITTED)

    @property
    def units_partly(self) -> list[str]:
        return self.units_with(MARK_PARTLY)

    @property
    def units_failed(self) -> list[str]:
        return self.units_with(MARK_FAILED)

    @property
    def title(self) -> str:
        return f"{self.institution}{self.campaign.year}年度新媒体公共账号年审结果公示"


def build_listing(
    register: Register, campaign: Campaign, *, facts: list[dict[str, Any]] | None = None
) -> Listing:
    """The listing of a campaign whose verdicts are final (published, or being published).

    ``facts``: the campaign's facts as ``ReviewStore.facts`` reads them, when the
    caller has them (publishing); read otherwise.
    """
    profile = register.profile
    level_names = {level.level: level.name for level in profile.levels}
    if facts is None:
        facts = register.reviews.facts(campaign.id, assessing=False)
    units = register.reviews.units(campaign.id)
    outcomes = unit_outcomes(units, facts)
    facts = [f for f in facts if f["verdict"]]
    rows = []
    for index, fact in enumerate(facts, start=1):
        rows.append(
            ListingRow(
                index=index,
                account_id=fact["account_id"],
                name=fact["name"],
                platform=fact["platform"],
                level=fact["level"],
                level_name=level_names.get(fact["level"], str(fact["level"])),
                unit_id=fact["unit_id"],
                unit_name=fact["unit_name"],
                verdict=Verdict(fact["verdict"]),
                deadline=dt.date.fromisoformat(fact["verdict_deadline"])
                if fact["verdict_deadline"]
                else None,
                unit_mark=outcomes[fact["unit_id"]].mark_text,
            )
        )
    return Listing(
        campaign=campaign,
        institution=profile.institution,
        office=profile.filing_office,
        rows=rows,
        outcomes=outcomes,
        policy_title=profile.policy_title,
        unit_names={u.unit_id: u.unit_name for u in units},
        chain_head=register.chain_head(),
    )


# -- summary numbers ------------------------------------------------------------------


@dataclass
class Breakdown:
    """Counts of one dimension this year, last year, and the change."""

    title: str
    rows: list[tuple[str, int, int | None]]  # key, this year, last year (None: no last year)

    def delta(self, current: int, previous: int | None) -> str:
        if previous is None:
            return "—"
        change = current - previous
        return f"+{change}" if change > 0 else str(change) if change else "0"


@dataclass
class Summary:
    campaign: Campaign
    previous: Campaign | None
    total: int
    previous_total: int | None
    breakdowns: list[Breakdown]
    unit_sections: list[tuple[str, list[str]]]
    chain_head: ChainHead = EMPTY_HEAD  # the listing's (``Listing.chain_head``)


def _counts(listing: Listing) -> dict[str, Counter[str]]:
    rows = listing.rows
    return {
        "submission": Counter(o.submission.label for o in listing.outcomes.values()),
        "verdict": Counter(r.verdict.label for r in rows),
        "level": Counter(r.level_name for r in rows),
        "platform": Counter(r.platform for r in rows),
        "unit": Counter(r.unit_name for r in rows),
    }


def build_summary(register: Register, listing: Listing) -> Summary:
    """Counts by verdict, level, platform and unit, against the last published campaign."""
    previous = register.reviews.previous_published(listing.campaign.year)
    now = _counts(listing)
    before = _counts(build_listing(register, previous)) if previous else None
    level_order = [level.name for level in register.profile.levels]
    titles = {
        "submission": "按单位交回情况（单位数）",
        "verdict": "按年审结果",
        "level": "按账号级别",
        "platform": "按开设平台",
        "unit": "按开设单位",
    }
    breakdowns = []
    for key, title in titles.items():
        if key == "submission":
            keys = [s.label for s in Submission]
        elif key == "verdict":
            keys = [v.label for v in VERDICT_ORDER]
        elif key == "level":
            keys = level_order
        else:
            seen = set(now[key]) | (set(before[key]) if before else set())
            keys = sorted(seen, key=lambda k: (-now[key].get(k, 0), k))
        breakdowns.append(
            Breakdown(
                title,
                [(k, now[key].get(k, 0), before[key].get(k, 0) if before else None) for k in keys],
            )
        )
    return Summary(
        campaign=listing.campaign,
        previous=previous,
        total=len(listing.rows),
        previous_total=sum(before["verdict"].values()) if before else None,
        breakdowns=breakdowns,
        unit_sections=listing.unit_sections,
        chain_head=listing.chain_head,
    )


# -- xlsx -----------------------------------------------------------------------------


def write_listing_xlsx(listing: Listing, path: Path) -> Path:
    """The listing as xlsx: the 公示 sheet (title, header, one row per account, the
    marked units' 单位标注 cells filled) and the 单位标注 sheet listing the marked units.

    Written by ``nmdesk.review.xlsx`` (every value a string or an integer, so text
    starting with ``=`` stays text)."""
    rows: list[Sequence[Cell]] = [
        [(listing.title, TITLE)],
        [f"{listing.office}　发布日期：{_published(listing)}"],
        [(title, HEADER) for title in LISTING_HEADERS],
    ]
    for row in listing.rows:
        values = (row.name, row.platform, row.level_name, row.unit_name, row.result_text)
        rows.append([row.index, *values, (row.unit_mark, MARKED) if row.unit_mark else None])
    listing_sheet = Sheet(
        "公示",
        widths=(7, 30, 10, 10, 24, 26, 26),
        rows=rows,
        frozen_rows=3,
        auto_filter=f"A3:G{3 + len(listing.rows)}",
    )
    marks = Sheet("单位标注", widths=(30, 24), rows=[["单位", "标注"]])
    for title, names in listing.unit_sections:
        marks.rows.extend([name, title] for name in names)
    marks.rows.extend([[], [listing.chain_head.describe()]])
    return write_workbook(path, [listing_sheet, marks])


def _published(listing: Listing) -> str:
    day = listing.campaign.published_on or dt.date.today()
    return day.isoformat()


# -- HTML -----------------------------------------------------------------------------

_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;
margin:2em auto;max-width:1100px;color:#222;padding:0 1em;line-height:1.6}
h1{font-size:1.5em;text-align:center;margin-bottom:.2em}
p.meta{text-align:center;color:#666;margin-top:0}
table{border-collapse:collapse;width:100%;margin:1em 0;font-size:.95em}
th,td{border:1px solid #ccd;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#dde6f0}
tr:nth-child(even) td{background:#f7f9fc}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.v-pass{color:#1b7a36}.v-rectify{color:#a65f00}.v-suspend{color:#b3261e}
.v-order_close{color:#b3261e;font-weight:bold}.v-not_submitted{color:#6b3fa0;font-weight:bold}
.mark{display:inline-block;background:#fde2e1;color:#b3261e;border-radius:3px;padding:0 .4em;
margin:0 .2em .1em 0;font-size:.9em}
.marked td{background:#fff6f5 !important}
section.units{border:1px solid #f0c2bf;background:#fffafa;padding:.5em 1em;margin:1em 0}
section.units h2{font-size:1.1em;margin:.3em 0}section.units h3{font-size:1em;margin:.6em 0 .3em}
section.units ul{display:flex;flex-wrap:wrap;gap:.3em .5em;list-style:none;padding:0;margin:0}
section.units li{background:#fde2e1;color:#8c1d18;border-radius:3px;padding:0 .5em}
.bar-row{display:flex;align-items:center;margin:.2em 0}
.bar-label{width:12em;flex:none;text-align:right;padding-right:.6em;white-space:nowrap;overflow:hidden;
text-overflow:ellipsis}
.bar-track{flex:1}
.bar{height:.9em;background:#3b6ea5;margin:1px 0}
.bar.prev{background:#b8c7da}
.bar-value{width:8em;flex:none;padding-left:.6em;font-variant-numeric:tabular-nums}
.legend span{display:inline-block;width:1em;height:.8em;margin:0 .3em 0 1em}
footer{color:#888;font-size:.85em;text-align:center;margin-top:2em}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


def listing_html(listing: Listing) -> str:
    parts = [
        f"<h1>{_e(listing.title)}</h1>",
        f'<p class="meta">{_e(listing.office)}　发布日期：{_e(_published(listing))}'
        f"　共 {len(listing.rows)} 个账号</p>",
    ]
    if any(names for _, names in listing.unit_sections):
        parts.append('<section class="units"><h2>单位标注</h2>')
        for title, names in listing.unit_sections:
            if names:
                items = "".join(f'<li data-mark="{_e(title)}">{_e(n)}</li>' for n in names)
                parts.append(f"<h3>{_e(title)}（{len(names)} 个单位）</h3><ul>{items}</ul>")
        parts.append("</section>")
    head = "".join(f"<th>{_e(h)}</th>" for h in LISTING_HEADERS)
    parts.append(f'<table id="listing"><thead><tr>{head}</tr></thead><tbody>')
    for row in listing.rows:
        marks = "".join(
            f'<span class="mark">{_e(m)}</span>' for m in row.unit_mark.split("、") if m
        )
        css = ' class="marked"' if row.unit_mark else ""
        parts.append(
            f'<tr{css}><td class="num">{row.index}</td><td>{_e(row.name)}</td>'
            f"<td>{_e(row.platform)}</td><td>{_e(row.level_name)}</td><td>{_e(row.unit_name)}</td>"
            f'<td class="v-{row.verdict.value}">{_e(row.result_text)}</td><td>{marks}</td></tr>'
        )
    parts.append("</tbody></table>")
    parts.append(
        f"<footer>依据《{_e(listing.policy_title)}》年审规定公示。"
        f"如有异议，请与{_e(listing.office)}联系。"
        f'<br><span class="anchor">{_e(listing.chain_head.describe())}</span></footer>'
    )
    return _page(listing.title, "\n".join(parts))


def write_listing_html(listing: Listing, path: Path) -> Path:
    path.write_text(listing_html(listing), encoding="utf-8")
    return path


def summary_html(summary: Summary) -> str:
    year = summary.campaign.year
    prev_year = summary.previous.year if summary.previous else None
    title = f"{year} 年度新媒体公共账号年审汇总"
    parts = [f"<h1>{_e(title)}</h1>"]
    if prev_year is not None:
        parts.append(
            f'<p class="meta">参加年审账号 {summary.total} 个，上年（{prev_year}）'
            f"{summary.previous_total} 个</p>"
        )
        parts.append(
            '<p class="legend"><span style="background:#3b6ea5"></span>'
            f'{year} 年<span style="background:#b8c7da"></span>{prev_year} 年</p>'
        )
    else:
        parts.append(
            f'<p class="meta">参加年审账号 {summary.total} 个（无上年已发布的年审可比较）</p>'
        )
    for breakdown in summary.breakdowns:
        peak = max([1, *[max(c, p or 0) for _, c, p in breakdown.rows]])
        parts.append(f'<h2>{_e(breakdown.title)}</h2><div class="chart">')
        for key, count, prev in breakdown.rows:
            bars = f'<div class="bar" style="width:{100 * count / peak:.1f}%"></div>'
            if prev is not None:
                bars += f'<div class="bar prev" style="width:{100 * prev / peak:.1f}%"></div>'
            change = "" if prev is None else f"（{breakdown.delta(count, prev)}）"
            parts.append(
                f'<div class="bar-row"><div class="bar-label" title="{_e(key)}">'
                f'{_e(key)}</div><div class="bar-track">{bars}</div>'
                f'<div class="bar-value">{count}{_e(change)}</div></div>'
            )
        parts.append("</div>")
        head = "<th>项目</th><th>本年</th>" + ("<th>上年</th><th>变化</th>" if prev_year else "")
        body = []
        for key, count, prev in breakdown.rows:
            extra = (
                (
                    f'<td class="num">{prev}</td><td class="num">'
                    f"{_e(breakdown.delta(count, prev))}</td>"
                )
                if prev is not None
                else ""
            )
            body.append(f'<tr><td>{_e(key)}</td><td class="num">{count}</td>{extra}</tr>')
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    parts.append(
        f'<footer><span class="anchor">{_e(summary.chain_head.describe())}</span></footer>'
    )
    return _page(title, "\n".join(parts))


def write_summary_html(summary: Summary, path: Path) -> Path:
    path.write_text(summary_html(summary), encoding="utf-8")
    return path
