"""Clean, bounded text: the one place the rules for what a text field may hold live.

Every text field a clerk or a ledger fills has a length limit (a 账号主要用途 is
a sentence or two, not 20 MB). The numbers come from the profile's
``text_limits`` (``"accounts.purpose": 500``, ``"default": 2000``) over
``DEFAULT_LIMITS``; no limit may exceed 32,767 characters, the most an Excel
cell holds, so an export never has to cut a value.

Control characters (C0 and C1, NUL, ESC, DEL) and the bidi overrides and
isolates (U+202A–U+202E, U+2066–U+2069) are refused: they make a name read
differently from what is stored and let a value rewrite a terminal. A line
break is allowed only in a multi-line field (用途, 备注, 理由 …).

The single-row writers, the bulk import and the forms all call ``text_issue`` /
``check_row``; the output side (CSV, the command line) calls ``printable`` so that
a value from an older register cannot carry a raw control byte either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nmdesk.errors import ValidationError

EXCEL_CELL_LIMIT = 32_767  # characters in one Excel cell
DEFAULT_LIMIT = 2000  # any listed table's text field without its own limit

# table.field → most characters; the user-typed text fields of the register
DEFAULT_LIMITS: dict[str, int] = {
    "accounts.name": 100,
    "accounts.platform": 30,
    "accounts.account_type": 30,
    "accounts.platform_id": 100,
    "accounts.purpose": 500,
    "accounts.verified_subject": 200,
    "accounts.it_approval_ref": 100,
    "accounts.miit_filing_no": 100,
    "accounts.note": 2000,
    "units.name": 200,
    "units.short_name": 50,
    "units.note": 2000,
    "people.name": 50,
    "people.title": 100,
    "people.office_phone": 40,
    "people.mobile": 20,
    "people.email": 254,
    "people.staff_or_student_no": 50,
    "people.note": 2000,
    "applications.approving_body": 200,
    "applications.approval_ref": 100,
    "applications.refusal_reason": 500,
    "applications.justification": 2000,
    "applications.operation_plan": 2000,
    "filings.note": 2000,
    "sanctions.reason": 1000,
    "sanctions.resolution": 1000,
    "incidents.description": 2000,
    "incidents.action_taken": 2000,
    "watch_entries.name": 100,
    "watch_entries.platform": 30,
    "watch_entries.platform_id": 100,
    "watch_entries.holder": 200,
    "watch_entries.action_taken": 2000,
    "watch_entries.note": 2000,
    "review_results.content_reviewer": 50,
    "review_results.incident": 2000,
    "review_results.verdict_note": 1000,
}
CHECKED_TABLES = frozenset(key.split(".")[0] for key in DEFAULT_LIMITS)
MULTILINE_FIELDS = frozenset(
    {
        "purpose",
        "note",
        "justification",
        "operation_plan",
        "refusal_reason",
        "reason",
        "resolution",
        "description",
        "action_taken",
        "incident",
        "verdict_note",
    }
)
FIELD_NAMES: dict[str, str] = {
    "name": "名称",
    "platform": "开设平台",
    "account_type": "账号类型",
    "platform_id": "账号ID号",
    "purpose": "账号主要用途",
    "verified_subject": "认证主体",
    "it_approval_ref": "信息化部门审批文号",
    "miit_filing_no": "工信部备案号",
    "note": "备注",
    "short_name": "简称",
    "title": "职务",
    "office_phone": "办公电话",
    "mobile": "手机",
    "email": "邮箱",
    "staff_or_student_no": "工号/学号",
    "approving_body": "审批单位",
    "approval_ref": "审批文号",
    "refusal_reason": "不予批准理由",
    "justification": "开设理由",
    "operation_plan": "运营方案",
    "reason": "处理事由",
    "resolution": "处理结果",
    "description": "事件描述",
    "action_taken": "处置情况",
    "holder": "开设者",
    "content_reviewer": "内容审核人",
    "incident": "安全事件",
    "verdict_note": "结论说明",
}
# where a table names a field differently (the editors' boxes use these words)
TABLE_FIELD_NAMES = {
    "accounts.name": "账号名称",
    "units.name": "单位名称",
    "people.name": "姓名",
    "watch_entries.name": "账号名称",
}

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_FORBIDDEN = re.compile(f"[{_CONTROL}{_BIDI}\t\n\r]")
_FORBIDDEN_MULTILINE = re.compile(f"[{_CONTROL}{_BIDI}]")
_UNPRINTABLE = re.compile(f"[{_CONTROL}{_BIDI}\r]")  # output: line breaks and tabs pass


def read_limits(value: Any, fail: Any) -> dict[str, int]:
    """A profile's ``text_limits`` object, validated: ``fail(key, expected)`` builds the
    ProfileError. Unknown fields are refused, so a typo is not silently ignored."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail("text_limits", "对象")
    limits: dict[str, int] = {}
    for key, number in value.items():
        if key != "default" and key not in DEFAULT_LIMITS:
            raise fail("text_limits", f"已知的字段（未知：{key}）")
        if not isinstance(number, int) or isinstance(number, bool):
            raise fail(f"text_limits.{key}", f"1 到 {EXCEL_CELL_LIMIT} 之间的整数")
        if not 1 <= number <= EXCEL_CELL_LIMIT:
            raise fail(f"text_limits.{key}", f"1 到 {EXCEL_CELL_LIMIT} 之间的整数")
        limits[key] = number
    return limits


def merged_limits(profile_limits: Mapping[str, int]) -> dict[str, int]:
    """Every field's limit: the profile's own over the defaults (its ``default`` fills
    the fields it does not name only where it is lower than theirs)."""
    fallback = profile_limits.get("default", DEFAULT_LIMIT)
    merged = {key: min(limit, fallback) for key, limit in DEFAULT_LIMITS.items()}
    merged.update({k: v for k, v in profile_limits.items() if k != "default"})
    merged["default"] = fallback
    return merged


def field_name(table: str, field: str) -> str:
    """A field's Chinese name, as the forms label it."""
    return TABLE_FIELD_NAMES.get(f"{table}.{field}") or FIELD_NAMES.get(field, field)


def text_issue(value: str, limit: int, *, multiline: bool = False) -> str | None:
    """What is wrong with ``value`` for a field of ``limit`` characters, or None."""
    bad = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN).search(value)
    if bad is not None:
        char = bad.group()
        if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
            return f"含有改变文字方向的控制字符（U+{ord(char):04X}），请删除后再保存"
        if char in "\n\r\t":
            return "不能换行，请写在一行内"
        return f"含有不可见的控制字符（U+{ord(char):04X}），请删除后再保存"
    if len(value) > limit:
        return f"过长（{len(value)} 字），最多 {limit} 字"
    return None


def field_issue(limits: Mapping[str, int], table: str, field: str, value: Any) -> str | None:
    """``text_issue`` for ``table.field`` with its limit (None for fields not checked)."""
    if not isinstance(value, str) or not value:
        return None
    key = f"{table}.{field}"
    limit = limits.get(key)
    if limit is None:
        return None
    return text_issue(value, limit, multiline=field in MULTILINE_FIELDS)


def check_row(limits: Mapping[str, int], table: str, row: Mapping[str, Any]) -> None:
    """Raise ValidationError for the first text field of ``row`` that breaks a rule."""
    if table not in CHECKED_TABLES:
        return
    for field, value in row.items():
        issue = field_issue(limits, table, field, value)
        if issue is not None:
            raise ValidationError(field_name(table, field), issue)


def printable(text: str) -> str:
    """``text`` with every control and bidi character written as ``\\x1b`` / ``\\u202e``,
    for a terminal or a CSV; line breaks and tabs are kept."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def check_excel_cell(text: str, where: str) -> str:
    """``text`` unchanged, or an error if an Excel cell cannot hold it whole."""
    if len(text) > EXCEL_CELL_LIMIT:
        from nmdesk.errors import NmdeskError

        raise NmdeskError(
            f"{where}有 {len(text)} 字，超过 Excel 单元格上限 {EXCEL_CELL_LIMIT} 字，"
            "无法完整导出；请先在备案库中缩短后再导出"
        )
    return text
