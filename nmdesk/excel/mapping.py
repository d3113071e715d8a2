"""Which ledger column holds which register field.

Offices head their columns in their own words (单位名称 / 开设单位 / 所属单位,
微信号 / 账号ID / 账号 ID 号 …). A synonym table matches them; a contact column
such as 职务, 办公电话 or 手机 belongs to the person column to its left (the
BIT filing sheet lists 单位负责人 and 运维负责人, each with their contacts).
The clerk can correct the result and save it under a name.

A mapping is a list with one field key per column ("" = not imported). A saved
mapping is keyed by header text, with ``#2``, ``#3`` … for repeated headers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest

from nmdesk.excel.reader import CellValue, display, is_blank

ACCOUNT_FIELDS: dict[str, str] = {
    "unit": "开设单位",
    "unit_parent": "上级单位",
    "unit_kind": "单位类别",
    "platform": "开设平台",
    "account_type": "账号类型",
    "name": "账号名称",
    "platform_id": "账号ID号",
    "purpose": "账号主要用途",
    "opened_on": "开设时间",
    "level": "账号级别",
    "status": "状态",
    "serial_no": "备案编号",
    "last_post_on": "最近发布日期",
    "note": "备注",
}
ROLE_LABELS: dict[str, str] = {
    "first_responsible": "第一责任人",
    "specific_responsible": "具体负责人",
    "operator": "具体运营人",
    "ops_contact": "运维负责人",
    "password_custodian": "密码保管人",
    "content_reviewer": "内容审核人",
}
CONTACT_FIELDS: dict[str, str] = {
    "name": "姓名",
    "title": "职务",
    "office_phone": "办公电话",
    "mobile": "手机",
    "phone": "电话",
    "email": "邮箱",
}

_ACCOUNT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "unit": (
        "单位名称",
        "开设单位",
        "所属单位",
        "账号开设单位",
        "单位",
        "主办单位",
        "运营单位",
        "责任单位",
        "部门",
        "所在单位",
        "开设单位名称",
    ),
    "unit_parent": ("上级单位", "上级单位名称", "所属上级单位", "上级部门", "上级机构"),
    "unit_kind": ("单位类别", "单位类型", "单位性质", "单位种类"),
    "platform": ("平台", "开设平台", "平台名称", "账号平台", "所在平台", "所属平台"),
    "account_type": ("账号类型", "类型", "账号类别", "账号种类"),
    "name": (
        "账号名称",
        "名称",
        "公众号名称",
        "账号名",
        "新媒体名称",
        "新媒体账号名称",
        "微信公众号名称",
        "微博名称",
    ),
    "platform_id": (
        "微信号",
        "账号id",
        "账号id号",
        "id",
        "id号",
        "原始id",
        "账号",
        "平台id",
        "uid",
        "账号id号码",
        "公众号id",
        "抖音号",
        "微博id",
        "微博号",
        "快手号",
        "头条号",
        "视频号",
        "视频号id",
        "小红书号",
        "b站uid",
        "bilibiliuid",
        "微信id",
        "公众号微信号",
        "账号id/微信号",
        "用户id",
        "用户名",
        "平台账号",
        "链接",
        "账号链接",
        "主页链接",
        "主页地址",
        "链接地址",
        "网址",
        "url",
        "二维码链接",
    ),
    "purpose": ("用途", "账号主要用途", "主要用途", "账号用途", "功能定位", "定位", "账号定位"),
    "opened_on": (
        "开通时间",
        "开设时间",
        "开通日期",
        "开设日期",
        "注册时间",
        "创建时间",
        "注册日期",
        "开通年月",
    ),
    "level": ("级别", "账号级别", "层级", "账号层级"),
    "status": ("状态", "账号状态", "运行状态"),
    "serial_no": ("备案编号", "编号", "备案号"),
    "last_post_on": (
        "最近发布",
        "最近发布日期",
        "最近发布时间",
        "最后更新",
        "最后更新日期",
        "最后更新时间",
        "最近更新",
        "最近更新日期",
        "最后发布日期",
    ),
    "note": ("备注", "说明", "其他"),
}
_ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_responsible": ("负责人", "单位负责人", "第一责任人", "主要负责人", "责任人"),
    "specific_responsible": ("具体负责人", "分管负责人"),
    "operator": ("运营人", "具体运营人", "运营人员", "管理员", "管理人员", "运营者"),
    "ops_contact": ("运维负责人", "运维人", "联系人", "运维联系人"),
    "password_custodian": ("密码保管人", "密码管理人", "密码保管员"),
    "content_reviewer": ("内容审核人", "审核人", "内容审核员"),
}
_CONTACT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "title": ("职务", "职称", "职位"),
    "office_phone": ("办公电话", "座机", "办公室电话"),
    "mobile": ("手机", "手机号", "手机号码", "移动电话"),
    "phone": ("电话", "联系电话", "联系方式"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail", "邮件"),
}

_PARENTHESES = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_NOISE = re.compile(r"[\s*:：、/_\-·.]+")
# Between the alternatives of a combined header: 微信号/账号ID, 微信号或账号ID, 账号（微信号）.
_ALTERNATIVES = re.compile(r"[/|、,，;；]|或|及|[(\[【)\]】]")


def normalize_header(text: CellValue) -> str:
    """Header text reduced for matching: half-width, case-folded, no spaces or notes in brackets."""
    value = unicodedata.normalize("NFKC", display(text)).casefold()
    value = _PARENTHESES.sub("", value)
    return _NOISE.sub("", value)


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for key, words in _ACCOUNT_SYNONYMS.items():
        for word in words:
            table[normalize_header(word)] = key
    for role, words in _ROLE_SYNONYMS.items():
        for word in words:
            table[normalize_header(word)] = f"{role}.name"
            for contact, contact_words in _CONTACT_SYNONYMS.items():
                for contact_word in contact_words:
                    table[normalize_header(word + contact_word)] = f"{role}.{contact}"
    return table


SYNONYMS = _table()
_CONTACTS = {
    normalize_header(word): contact
    for contact, words in _CONTACT_SYNONYMS.items()
    for word in words
}


def field_label(key: str) -> str:
    """The Chinese name of a field key, e.g. ``ops_contact.mobile`` → 运维负责人手机."""
    if not key:
        return "（不导入）"
    if key in ACCOUNT_FIELDS:
        return ACCOUNT_FIELDS[key]
    role, _, contact = key.partition(".")
    if contact == "name":
        return ROLE_LABELS.get(role, role)
    return ROLE_LABELS.get(role, role) + CONTACT_FIELDS.get(contact, contact)


def all_field_keys() -> list[str]:
    """Every field a column can be mapped to, in the order a mapping editor lists them."""
    keys = list(ACCOUNT_FIELDS)
    for role in ROLE_LABELS:
        keys += [f"{role}.{contact}" for contact in CONTACT_FIELDS]
    return keys


def match_header(text: CellValue) -> str:
    """The field key a single header names on its own, or "" (contacts need context).

    A combined header (微信号/账号ID, 账号（微信号）, 公众号ID 或 原始ID) names
    a field when its alternatives that are known all name the same one.
    """
    key = SYNONYMS.get(normalize_header(text), "")
    return key or _combined_key(text)


def _combined_key(text: CellValue) -> str:
    value = unicodedata.normalize("NFKC", display(text)).casefold()
    if not _ALTERNATIVES.search(value):
        return ""
    keys = {SYNONYMS.get(normalize_header(part), "") for part in _ALTERNATIVES.split(value)}
    keys.discard("")
    return keys.pop() if len(keys) == 1 else ""


# Words that make a header look like a field even when no synonym matches it
# (an unmapped column with one of these is warned about, never dropped silently).
_HINTS: dict[str, tuple[str, ...]] = {
    "platform_id": ("id", "微信号", "抖音号", "链接", "网址", "url", "uid", "号码"),
    "name": ("名称",),
    "unit": ("单位", "部门"),
    "opened_on": ("时间", "日期"),
}


def header_score(row: Sequence[CellValue]) -> int:
    """How many cells of a row look like ledger headers."""
    return sum(
        1
        for cell in row
        if isinstance(cell, str)
        and (normalize_header(cell) in SYNONYMS or normalize_header(cell) in _CONTACTS)
    )


def detect_header_row(rows: Sequence[Sequence[CellValue]], scan: int = 30) -> int | None:
    """Index of the header row among the first ``scan`` rows, skipping title rows.

    The row with the most recognised headers wins (the first one on a tie); at
    least two are needed, so a title or a 填报单位 line is never taken.
    """
    best, best_score = None, 1
    for index, row in enumerate(rows[:scan]):
        score = header_score(row)
        if score > best_score:
            best, best_score = index, score
    return best


def auto_mapping(headers: Sequence[CellValue]) -> list[str]:
    """One field key per column. A field named twice keeps its first column."""
    mapping: list[str] = []
    used: set[str] = set()
    current_role = ""
    for header in headers:
        norm = normalize_header(header)
        key = match_header(header)
        if not key and norm in _CONTACTS and current_role:
            key = f"{current_role}.{_CONTACTS[norm]}"
        if key.endswith(".name"):
            current_role = key.split(".")[0]
        if key in used:
            key = ""
        if key:
            used.add(key)
        mapping.append(key)
    return mapping


def looks_like(header: CellValue) -> str:
    """The field a header seems to name (a synonym, a combination, or a hint word), or ""."""
    key = match_header(header)
    if key:
        return key
    norm = normalize_header(header)
    if norm in _CONTACTS:
        return ""
    for field_key, words in _HINTS.items():
        if any(word in norm for word in words):
            return field_key
    return ""


def unmapped_warnings(headers: Sequence[CellValue], mapping: Sequence[str]) -> list[str]:
    """One sentence per column left at （不导入） although its header looks like a field.

    The preview and the command line show them, so a 微信号/账号ID column is never
    dropped without a word.
    """
    warnings: list[str] = []
    mapped = set(mapping)
    for index, (header, key) in enumerate(zip(headers, mapping, strict=False)):
        if key or not display(header):
            continue
        seems = looks_like(header)
        if not seems:
            continue
        label = field_label(seems)
        taken = "（该字段已由其他列导入）" if seems in mapped else ""
        warnings.append(
            f"第 {index + 1} 列“{display(header)}”像是“{label}”，但未导入{taken}；"
            "如需导入，请在列对应中选择字段"
        )
    if "platform_id" not in mapped:
        warnings.append(
            "没有列对应到“账号ID号”：导入的账号都没有账号ID号，重新导入时只能按名称匹配"
        )
    return warnings


def header_keys(headers: Sequence[CellValue]) -> list[str]:
    """Keys under which a mapping is saved: the header text, ``#n`` for the n-th repeat."""
    seen: dict[str, int] = {}
    keys: list[str] = []
    for index, header in enumerate(headers):
        text = display(header) or f"第{index + 1}列"
        seen[text] = seen.get(text, 0) + 1
        keys.append(text if seen[text] == 1 else f"{text}#{seen[text]}")
    return keys


def mapping_to_saved(headers: Sequence[CellValue], mapping: Sequence[str]) -> dict[str, str]:
    return dict(zip(header_keys(headers), mapping, strict=True))


def apply_saved(headers: Sequence[CellValue], saved: dict[str, str]) -> list[str]:
    """The automatic mapping, overridden by a saved one wherever it names the column."""
    mapping = auto_mapping(headers)
    known = set(all_field_keys())
    for index, key in enumerate(header_keys(headers)):
        if key in saved and (saved[key] in known or saved[key] == ""):
            mapping[index] = saved[key]
    return mapping


def headers_of(rows: Sequence[Sequence[CellValue]], header_row: int) -> list[str]:
    return [display(cell) for cell in rows[header_row]]


def is_blank_row(row: Sequence[CellValue]) -> bool:
    return all(is_blank(cell) for cell in row)


@dataclass(frozen=True)
class LedgerLayout:
    """Where a sheet's header is and where its data starts (all 0-based grid rows)."""

    header_row: int
    data_start: int
    headers: list[str]


Merged = Sequence[tuple[tuple[int, int], tuple[int, int]]]


def find_layout(rows: Sequence[Sequence[CellValue]], merged: Merged = ()) -> LedgerLayout | None:
    """The header, one row or two.

    Ledgers copied from the filing sheet often have a two-row header: a group cell
    such as 单位负责人 merged across 姓名 / 职务 / 办公电话 / 手机 / 邮箱 below it.
    The two rows are combined into one header per column (单位负责人手机 …).
    """
    found = detect_header_row(rows)
    if found is None:
        return None
    group = sub = None
    if found + 1 < len(rows) and _contact_count(rows[found + 1]) >= 2:
        group, sub = found, found + 1
    elif (
        found >= 1
        and _contact_count(rows[found]) >= 2
        and _person_count(_spread(rows, found - 1, merged)) >= 1
    ):
        group, sub = found - 1, found
    if group is None or sub is None:
        return LedgerLayout(found, found + 1, headers_of(rows, found))
    upper = _spread(rows, group, merged)
    headers = [_combine(up, low) for up, low in zip_longest(upper, rows[sub], fillvalue="")]
    return LedgerLayout(group, sub + 1, headers)


def _contact_count(row: Sequence[CellValue]) -> int:
    return sum(1 for cell in row if normalize_header(cell) in _CONTACTS)


def _person_count(row: Sequence[CellValue]) -> int:
    return sum(1 for cell in row if SYNONYMS.get(normalize_header(cell), "").endswith(".name"))


def _spread(rows: Sequence[Sequence[CellValue]], index: int, merged: Merged) -> list[CellValue]:
    """Row ``index`` with each horizontally merged cell's value copied across its columns."""
    values = list(rows[index])
    for (top, left), (bottom, right) in merged:
        if top <= index <= bottom and right > left and top < len(rows):
            value = rows[top][left] if left < len(rows[top]) else ""
            for column in range(left, right + 1):
                if column < len(values):
                    values[column] = value
    return values


def _combine(upper: CellValue, lower: CellValue) -> str:
    top, bottom = display(upper), display(lower)
    if not bottom:
        return top
    if not top or top == bottom:
        return bottom
    if normalize_header(bottom) in _CONTACTS and match_header(top).endswith(".name"):
        return top + bottom
    if match_header(bottom) or not match_header(top):
        return bottom
    return top
