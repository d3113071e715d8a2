"""Cell values from a ledger turned into register values.

Full-width characters become half-width and spaces are trimmed; dates keep
their precision (``2017年`` stays a year); phones are normalised, and an
office number found in a mobile column is taken as the office phone. Each
function raises ``ValidationError`` naming the field, as the forms do.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from nmdesk.dates import PartialDate, parse_partial_date
from nmdesk.errors import ValidationError
from nmdesk.excel.reader import CellValue, display, is_blank
from nmdesk.models import AccountStatus
from nmdesk.profiles import Profile
from nmdesk.store.account_rules import check_listed_platform, listed_level
from nmdesk.store.units import check_unit_kind
from nmdesk.validation import clean_text, normalize_mobile, normalize_office_phone

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# Platform names as ledgers and the policies write them (folded: half-width, no
# spaces, lower case) → the platform, or "platform/account type" when the name
# also says the type (订阅号 is a 微信 account of type 订阅号). A profile adds its
# own in ``platform_aliases``.
PLATFORM_SYNONYMS: dict[str, str] = {
    "微信公众号": "微信",
    "公众号": "微信",
    "微信公众平台": "微信",
    "wechat": "微信",
    "订阅号": "微信/订阅号",
    "微信订阅号": "微信/订阅号",
    "服务号": "微信/服务号",
    "微信服务号": "微信/服务号",
    "视频号": "微信/视频号",
    "微信视频号": "微信/视频号",
    "企业微信": "微信/企业号",
    "微信小程序": "微信/小程序",
    "小程序": "微信/小程序",
    "新浪微博": "微博",
    "微博账号": "微博",
    "weibo": "微博",
    "抖音号": "抖音",
    "douyin": "抖音",
    "tiktok": "抖音",
    "哔哩哔哩": "B站",
    "bilibili": "B站",
    "b站": "B站",
    "qq公众号": "QQ/QQ公众号",
    "qq群": "QQ/QQ群",
    "qq空间": "QQ",
    "头条": "今日头条",
    "头条号": "今日头条/头条号",
    "今日头条号": "今日头条/头条号",
    "快手号": "快手",
    "小红书号": "小红书",
    "知乎号": "知乎",
    "app客户端": "APP/客户端",
    "客户端": "APP/客户端",
    "app": "APP",
    "移动客户端": "APP/客户端",
}


def text(value: CellValue) -> str:
    """A short text field: half-width, trimmed, inner runs of spaces folded."""
    if value.__class__ is str:
        return _clean_str(value)
    return clean_text(display(value))


@lru_cache(maxsize=65536)  # units, kinds, levels, titles and phones repeat down a ledger
def _clean_str(value: str) -> str:
    return clean_text(display(value))


def start_ledger() -> None:
    """Forget the values cached from an earlier ledger (each plan starts afresh)."""
    _clean_str.cache_clear()


def halfwidth(value: str) -> str:
    """Full-width letters, digits and spaces to half-width; Chinese punctuation is kept."""
    return value.translate(_HALFWIDTH)


_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code).isalnum()}
_HALFWIDTH[0x3000] = 0x20


def long_text(value: CellValue) -> str:
    """A purpose or note: letters and digits half-width, trimmed, line breaks kept."""
    raw = halfwidth(display(value))
    return "\n".join(" ".join(line.split()) for line in raw.strip().splitlines()).strip()


def identifier(value: CellValue) -> str:
    """A platform ID: half-width, no spaces at all (a number read as 123.0 becomes 123)."""
    return "".join(text(value).split())


def partial_date(value: CellValue, field: str) -> PartialDate | None:
    """A real Excel date, a year number, or text such as 2019年3月, 2019.03, 2017年, 2020/10."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise ValidationError(field, f"“{value}”不是日期")
    if isinstance(value, int | float):
        if float(value).is_integer() and 1900 <= value <= 2100:
            return PartialDate(int(value))
        if 2100 < value < 80000:  # a date serial number without a date format
            day = _EXCEL_EPOCH + dt.timedelta(days=int(value))
            return PartialDate(day.year, day.month, day.day)
        raise ValidationError(field, f"“{display(value)}”不是可识别的日期")
    return parse_partial_date(text(value), field)


def phones(
    mobile: CellValue, office: CellValue, generic: CellValue, columns: tuple[str, str, str]
) -> tuple[str, str]:
    """(mobile, office phone) from a person's mobile, office and generic phone columns,
    whose headers ``columns`` name the field in errors.

    A value in the mobile or generic phone column that is not a mobile number
    but is a valid office number (``010-68912345``) goes to the office phone.
    """
    mobile_column, office_column, generic_column = columns
    mobile_out = ""
    office_out = ""
    if not is_blank(office):
        office_out = normalize_office_phone(text(office), office_column)
    for value, column in ((mobile, mobile_column), (generic, generic_column)):
        plain = plain_mobile(value)
        if plain is not None:  # what normalize_mobile gives for it
            mobile_out = mobile_out or plain
            continue
        if is_blank(value):
            continue
        raw = text(value)
        try:
            number = normalize_mobile(raw, column)
        except ValidationError as mobile_error:
            if _looks_like_office(raw):
                office_out = office_out or normalize_office_phone(raw, column)
                continue
            raise mobile_error from None
        mobile_out = mobile_out or number
    return mobile_out, office_out


# The common way to write a mobile number (ASCII digits, +86 or 0086 first, a space or a
# dash between the groups): its 11 digits are the groups, as normalize_mobile finds them.
_PLAIN_MOBILE = re.compile(r"(?:\+86|0086)?[ -]?(1[3-9][0-9])[ -]?([0-9]{4})[ -]?([0-9]{4})\Z")


def plain_mobile(value: CellValue) -> str | None:
    """The 11 digits of a mobile number written the common way (see ``_PLAIN_MOBILE``),
    exactly what ``phones`` takes from it; None for any other value."""
    if value.__class__ is str and (plain := _PLAIN_MOBILE.match(value)):
        return "".join(plain.groups())
    return None


def _looks_like_office(raw: str) -> bool:
    digits = re.sub(r"[\s\-()（）]", "", raw)
    return digits.startswith("0") and not digits.startswith("0086")


def level(value: CellValue, profile: Profile) -> int:
    """一级 / 一级账号 / 1 / 1级 / 校级 names of the profile's levels → the level number,
    one of the profile's levels (``listed_level``, the account rule)."""
    return listed_level(profile, _level_number(value, profile), display(value)).level


def _level_number(value: CellValue, profile: Profile) -> int | None:
    """The level a cell names, as a number (None: the cell names none)."""
    raw = text(value).replace(" ", "")
    for item in profile.levels:
        aliases = {item.name, item.name.removesuffix("账号"), str(item.level), f"{item.level}级"}
        if raw in aliases:
            return item.level
    if raw.endswith(".0") and raw[:-2].isdigit():
        raw = raw[:-2]
    if raw.isdigit():
        return int(raw)
    first = raw[:1]
    if first in _CHINESE_DIGITS and raw[1:] in ("", "级", "级账号"):
        return _CHINESE_DIGITS[first]
    return None


def status(value: CellValue) -> AccountStatus:
    raw = text(value)
    try:
        return AccountStatus(AccountStatus.from_label(raw))
    except KeyError:
        names = "、".join(item.label for item in AccountStatus)
        raise ValidationError("状态", f"“{raw}”不是有效的账号状态，应为 {names}") from None


def unit_kind(value: CellValue, profile: Profile) -> str:
    """A 单位类别 cell (the profile's name for a kind, 学院 / 学生组织, or its id,
    ``college``) → the kind id, checked as every unit's kind is."""
    raw = text(value).replace(" ", "")
    by_name = {  # read as the cell is: 系（所、中心） is 系(所、中心) once cleaned
        text(name).replace(" ", ""): kind for kind, name in profile.unit_kinds.items()
    }
    return check_unit_kind(profile, by_name.get(raw, raw))


def platform(
    value: CellValue, known: list[str], aliases: dict[str, str] | None = None
) -> tuple[str, str]:
    """A platform cell matched to the register's platform list: the platform, and the
    account type when the name also says it (订阅号 → 微信, 订阅号; else ""). The name
    must be on the list (``check_listed_platform``, the account rule)."""
    raw = text(value)
    if not raw:
        raise ValidationError("开设平台", "为必填项")
    name, account_type = _listed_spelling(raw, known, aliases)
    check_listed_platform(name, known)
    return name, account_type


def _listed_spelling(raw: str, known: list[str], aliases: dict[str, str] | None) -> tuple[str, str]:
    """The platform a name stands for, as the list spells it (APP客户端 → APP, 客户端),
    with the account type the name implies; the name itself where it stands for none."""
    folded = _folded(tuple(known))
    key = fold_platform(raw)
    if key in folded:
        return folded[key], ""
    own = {fold_platform(alias): target for alias, target in (aliases or {}).items()}
    target = own.get(key) or PLATFORM_SYNONYMS.get(key)
    if target:
        name, _, account_type = target.partition("/")
        if fold_platform(name) in folded:
            return folded[fold_platform(name)], account_type
    return raw, ""


def fold_platform(name: str) -> str:
    """A platform name as matched: half-width, without spaces, case folded."""
    return "".join(halfwidth(name).split()).casefold()


@lru_cache(maxsize=8)
def _folded(known: tuple[str, ...]) -> dict[str, str]:
    return {fold_platform(name): name for name in known}
