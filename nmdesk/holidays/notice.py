"""Read the State Council's holiday notice (《国务院办公厅关于20XX年部分节假日安排的通知》).

The clerk pastes the notice as it comes: from the government website, a news
page or a Word file, with full-width or half-width punctuation and line breaks
wherever the source put them. ``parse_notice`` turns it into the year's
``HolidaySchedule``.

Only the numbered schedule items are read (``一、元旦：…``, ``六、国庆节、中秋节：…``).
The preamble ("根据2024年11月修订的…", "国庆节自10月1日起放假调休7天"), the closing
paragraph and the signature date are not schedule lines and are ignored. Inside
an item, every sentence that says 放假 or 上班 must be one of the forms the
notices use, and what it states is checked: a bracketed weekday must be the
date's weekday and "共N天" must be the length of the range. A sentence that
fails is refused with the sentence quoted; nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from nmdesk.errors import NmdeskError
from nmdesk.holidays.schedule import HolidaySchedule, ScheduledDay, weekday_name

# Full-width ASCII (！ to ～) to half-width, and the ideographic space to a space: one
# character for one character, so that a position in the normalized text is the same
# position in the clerk's text (quotes show the clerk's own characters).
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
NUMERALS = "一二三四五六七八九十"
FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
MAX_NOTICE_CHARS = 200_000

_HEADING = re.compile(rf"^([{NUMERALS}]{{1,3}})、([^\d:,;。()]{{1,24}}?):")
_BARE_HEADING = re.compile(rf"^((?:{'|'.join(FESTIVALS)})(?:、(?:{'|'.join(FESTIVALS)}))*):")
_TITLE = re.compile(r"关于(\d{4})年部分节假日安排的通知")
_DATE = r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日"
_END_DATE = r"(?:(?:(\d{4})年)?(\d{1,2})月)?(\d{1,2})日"
_BRACKET = r"(?:\(([^()]*)\))?"
_RANGE = re.compile(
    rf"^{_DATE}{_BRACKET}(?:至|-|~){_END_DATE}{_BRACKET}放假(?:调休)?(?:,共(\d+)天)?$"
)
_SINGLE = re.compile(rf"^{_DATE}{_BRACKET}放假(?:(\d+)天)?((?:,(?:共\d+天|不调休|与周末连休))*)$")
_WORK_LIST = re.compile(rf"^{_DATE}{_BRACKET}(?:[、,和及]{_END_DATE}{_BRACKET})*上班$")
_LISTED_DATE = re.compile(rf"{_END_DATE}{_BRACKET}")
_STARTS_WITH_DATE = re.compile(rf"^{_DATE}")
_ANY_DATE = re.compile(r"\d{1,2}月\d{1,2}日")
_WEEKDAY = re.compile(r"^(?:周|星期|礼拜)([一二三四五六日天])$")


class NoticeError(NmdeskError):
    """The notice cannot be read as it is; ``line`` is the sentence quoted, if there is one."""

    def __init__(self, message: str, line: str = "") -> None:
        super().__init__(f"“{line}”：{message}" if line else message)
        self.line = line
        self.reason = message


@dataclass(frozen=True)
class ParsedNotice:
    """The schedule a notice states, and the sentences with dates it did not use."""

    schedule: HolidaySchedule
    ignored: tuple[str, ...]
    title_year: int | None


@dataclass
class _Item:
    festival: str
    heading: str
    text: str = ""  # normalized, no whitespace
    shown: str = ""  # the clerk's characters, no whitespace; same positions as text


def _clean(line: str) -> str:
    return "".join(ch for ch in line if not ch.isspace() and ch not in _INVISIBLE)


def _half(text: str) -> str:
    return text.translate(_HALF_WIDTH)


def notice_year(text: str) -> int | None:
    """The year in the notice's title, which may be split over two lines; None without one.

    Raises ``NoticeError`` when the text holds titles of different years.
    """
    flat = _half(_clean(text))
    years = sorted({int(y) for y in _TITLE.findall(flat)})
    if len(years) > 1:
        listed = "、".join(f"{y}年" for y in years)
        raise NoticeError(f"文中有不同年份的通知标题（{listed}），请只粘贴一份通知")
    return years[0] if years else None


def parse_notice(text: str, year: int | None = None) -> ParsedNotice:
    """The schedule the notice states. The year comes from the title, else from ``year``."""
    if len(text) > MAX_NOTICE_CHARS:
        raise NoticeError(f"文本过长（{len(text)} 字），请只粘贴通知正文")
    title_year = notice_year(text)
    if title_year is not None and year is not None and title_year != year:
        raise NoticeError(f"通知标题是{title_year}年，与所选的{year}年不符")
    chosen = title_year if title_year is not None else year
    if chosen is None:
        raise NoticeError("文中没有通知标题（关于××××年部分节假日安排的通知），请指定年份")
    if not 1990 <= chosen <= 2200:
        raise NoticeError(f"年份 {chosen} 不在可接受的范围内")
    items = _items(text)
    if not items:
        raise NoticeError("没有找到放假安排：应有“一、元旦：1月1日……放假”这样的条目")
    days: dict[dt.date, tuple[ScheduledDay, str]] = {}
    ignored: list[str] = []
    for item in items:
        found = _read_item(item, chosen, ignored)
        if not found:
            raise NoticeError("这一项没有放假日期（通知是否不完整？）", item.heading + item.shown)
        for scheduled, quote in found:
            if scheduled.day in days:
                earlier = days[scheduled.day][1]
                raise NoticeError(
                    f"{scheduled.day.month}月{scheduled.day.day}日已在“{earlier}”中出现", quote
                )
            days[scheduled.day] = (scheduled, quote)
    title = f"国务院办公厅关于{chosen}年部分节假日安排的通知" if title_year else ""
    schedule = HolidaySchedule.of(chosen, (d for d, _ in days.values()), title)
    return ParsedNotice(schedule, tuple(ignored), title_year)


def _items(text: str) -> list[_Item]:
    """The numbered items, each with the lines a web page or Word file broke it into."""
    items: list[_Item] = []
    current: _Item | None = None
    for raw in _split_items(text).splitlines():
        shown = _clean(raw)
        line = _half(shown)
        if not line:
            continue
        match = _HEADING.match(line) or _BARE_HEADING.match(line)
        if match is not None:
            name = match.group(match.lastindex or 1)
            current = _Item(name, shown[: match.end()], line[match.end() :], shown[match.end() :])
            items.append(current)
        elif current is not None and (
            not current.text.endswith("。") or _STARTS_WITH_DATE.match(line)
        ):
            current.text += line  # the rest of a broken line, or the item's next sentence
            current.shown += shown
        else:
            current = None  # the closing paragraph, the signature
    return items


def _split_items(text: str) -> str:
    """Text pasted as one long line: start each numbered item on its own line."""
    return re.sub(
        rf"([。．.])\s*(?=[{NUMERALS}]{{1,3}}、[^\d。，,(（]{{1,24}}?[:：])", "\\1\n", text
    )


def _sentences(item: _Item) -> list[tuple[str, str]]:
    """(normalized, as shown) for each sentence of an item, split at 。 and ;."""
    parts: list[tuple[str, str]] = []
    start = 0
    for index, char in enumerate(item.text + "。"):
        if char in "。;":
            sentence, shown = item.text[start:index], item.shown[start : index + 1]
            start = index + 1
            if sentence.strip(","):
                parts.append((sentence.strip(","), shown))
    return parts


def _read_item(item: _Item, year: int, ignored: list[str]) -> list[tuple[ScheduledDay, str]]:
    found: list[tuple[ScheduledDay, str]] = []
    for sentence, shown in _sentences(item):
        if "放假" not in sentence and "上班" not in sentence:
            if _ANY_DATE.search(sentence):
                ignored.append(shown)  # e.g. 鼓励……安排职工在除夕（2月9日）休息
            continue
        quote = shown
        if (match := _RANGE.match(sentence)) is not None:
            found += [(d, quote) for d in _range(match, item.festival, year, quote)]
        elif (match := _SINGLE.match(sentence)) is not None:
            found.append((_single(match, item.festival, year, quote), quote))
        elif _WORK_LIST.match(sentence) is not None:
            found += [(d, quote) for d in _work_list(sentence, item.festival, year, quote)]
        else:
            raise NoticeError("无法识别这一句的放假或上班日期", quote)
    return found


def _day(year: str | None, month: str | int, day: str, default_year: int, quote: str) -> dt.date:
    notice_year = int(year) if year else default_year
    if not default_year - 1 <= notice_year <= default_year + 1:
        raise NoticeError(f"{notice_year}年不属于{default_year}年的安排", quote)
    try:
        return dt.date(notice_year, int(month), int(day))
    except ValueError:
        raise NoticeError(f"没有{month}月{day}日这一天", quote) from None


def _check_weekday(day: dt.date, bracket: str | None, quote: str) -> None:
    """A bracket such as （农历除夕、周二） must name the date's own weekday."""
    for part in re.split(r"[、,]", bracket or ""):
        match = _WEEKDAY.match(part)
        if match is None:
            continue
        stated = "日" if match.group(1) == "天" else match.group(1)
        if "一二三四五六日".index(stated) != day.weekday():
            raise NoticeError(f"{day.month}月{day.day}日是{weekday_name(day)}，不是{part}", quote)


def _range(match: re.Match[str], festival: str, year: int, quote: str) -> list[ScheduledDay]:
    y1, m1, d1, b1, y2, m2, d2, b2, total = match.groups()
    first = _day(y1, m1, d1, year, quote)
    if y2 and not m2:
        raise NoticeError("结束日期写了年份却没有月份", quote)
    last_year = y2 or (str(first.year) if not m2 or int(m2) >= first.month else None)
    if last_year is None:
        raise NoticeError("跨年的放假日期须写明年份", quote)
    last = _day(last_year, m2 or first.month, d2, year, quote)
    _check_weekday(first, b1, quote)
    _check_weekday(last, b2, quote)
    length = (last - first).days + 1
    if length < 1:
        raise NoticeError("放假的结束日期早于开始日期", quote)
    if total is not None and int(total) != length:
        raise NoticeError(
            f"{first.month}月{first.day}日至{last.month}月{last.day}日是{length}天，不是共{total}天",
            quote,
        )
    if length > 31:
        raise NoticeError(f"放假 {length} 天，超出通知常见的范围，请核对", quote)
    return [
        ScheduledDay(first + dt.timedelta(days=offset), False, festival) for offset in range(length)
    ]


def _single(match: re.Match[str], festival: str, year: int, quote: str) -> ScheduledDay:
    y, m, d, bracket, stated, tail = match.groups()
    day = _day(y, m, d, year, quote)
    _check_weekday(day, bracket, quote)
    for count in [stated, *re.findall(r"共(\d+)天", tail or "")]:
        if count is not None and int(count) != 1:
            raise NoticeError(f"只写了一天（{m}月{d}日），却说共{count}天", quote)
    return ScheduledDay(day, False, festival)


def _work_list(sentence: str, festival: str, year: int, quote: str) -> list[ScheduledDay]:
    days = []
    month: str | None = None
    for match in _LISTED_DATE.finditer(sentence.removesuffix("上班")):
        y, m, d, bracket = match.groups()
        month = m or month
        if month is None:
            raise NoticeError("上班日期缺少月份", quote)
        day = _day(y, month, d, year, quote)
        _check_weekday(day, bracket, quote)
        days.append(ScheduledDay(day, True, festival))
    return days
