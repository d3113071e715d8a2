"""The account rules, once: an account's stored row and the checks it must pass.

``checked_account_row`` serves a form's single account (``AccountStore.create`` and
``update_fields``) and a ledger import's thousands (``nmdesk.store.bulk.ImportBatch``);
its parts (``check_listed_platform``, ``check_level``, ``check_it_approval``) also
serve the account form (``nmdesk.entry_checks``), which collects every error at once instead
of stopping at the first, and a ledger's preview (``nmdesk.excel``: ``listed_level`` for a
级别 cell, ``check_listed_platform`` for a 平台 cell, ``check_parent_unit`` for a new unit
whose 上级单位 the ledger gives). ``duplicate_account_error`` is the one sentence for a
platform ID that is taken, whether by a stored account or one queued in an import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from nmdesk.dates import PartialDate
from nmdesk.errors import DuplicateAccountError, ValidationError
from nmdesk.models import Account, Unit
from nmdesk.validation import clean_text, require_text

if TYPE_CHECKING:
    from nmdesk.profiles import Level, Profile

# Fields a clerk edits, with the Chinese names used on sheets and in change filings.
FIELD_LABELS = {
    "platform": "开设平台",
    "account_type": "账号类型",
    "name": "账号名称",
    "platform_id": "账号ID号",
    "purpose": "账号主要用途",
    "opened_on": "开设时间",
    "level": "账号级别",
    "unit_id": "账号开设单位",
    "verified_subject": "认证主体",
    "campus_data_service": "涉及校内数据服务",
    "it_approval_ref": "信息化部门审批文号",
    "miit_filing_no": "工信部备案号",
    "password_rotated_on": "最近更换密码日期",
    "last_post_on": "最近发布日期",
    "note": "备注",
}


def stored_value(field: str, value: Any) -> Any:
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and field not in ("purpose", "note"):
        return clean_text(value)
    return value


_KEPT_AS_TYPED = ("purpose", "note")  # stored_value keeps their line breaks and spacing
_ACCOUNT_FIELDS = tuple((field, field in _KEPT_AS_TYPED) for field in FIELD_LABELS)
_clean_text = lru_cache(maxsize=4096)(clean_text)  # platforms, types repeat down a ledger


def account_row(account: Account) -> dict[str, Any]:
    """The account's stored values: ``{field: stored_value(field, getattr(account, field)) for
    field in FIELD_LABELS}``, with the common cases (text, a number, nothing) decided by
    the value's exact class (the import benchmark's row: 10,000 accounts)."""
    row: dict[str, Any] = {}
    values = vars(account)
    for field, kept in _ACCOUNT_FIELDS:
        value = values[field]
        cls = value.__class__
        if cls is str:
            row[field] = value if kept or not value else _clean_text(value)
        elif cls is int or value is None:
            row[field] = value
        else:
            row[field] = stored_value(field, value)
    return row


def check_listed_platform(platform: str, platforms: Collection[str]) -> None:
    """The platform (cleaned text) is on the register's platform list (``platforms``, in
    the list's order: the sentence names them)."""
    if platform not in platforms:
        raise ValidationError(
            FIELD_LABELS["platform"],
            f"“{platform}”不在平台列表中（{'、'.join(platforms)}），"
            "请先在平台列表中添加或改用列表中的名称",
        )


def listed_level(profile: Profile, level_number: int | None, shown: str | None = None) -> Level:
    """账号级别: the profile's level of that number; None (a cell that names no level) is
    refused as an unknown number is. ``shown`` is the level as the clerk wrote it, for
    the sentence (一级 in a ledger's cell; the number by default)."""
    level = next((lv for lv in profile.levels if lv.level == level_number), None)
    if level is None:
        names = "、".join(item.name for item in profile.levels)
        what = str(level_number) if shown is None else shown
        raise ValidationError(FIELD_LABELS["level"], f"“{what}”不是有效的级别，应为 {names}")
    return level


def check_parent_unit(level: Level, unit_name: str, has_parent: bool) -> None:
    """A level that needs a parent unit (三级账号) is opened by a unit that has one
    (``has_parent``: the register's unit has a 上级单位, or a ledger gives a new unit one)."""
    if level.requires_parent_unit and not has_parent:
        raise ValidationError(
            FIELD_LABELS["level"],
            f"{level.name}须由有上级单位的机构开设，请先在单位树中为“{unit_name}”指定上级单位",
        )


def check_level(profile: Profile, level_number: int, unit: Unit | None) -> None:
    """账号级别: one of the profile's levels; a level that needs a parent unit is opened by
    a unit that has one (not checked while the unit is not known)."""
    level = listed_level(profile, level_number)
    if unit is not None:
        check_parent_unit(level, unit.name, unit.parent_id is not None)


def check_it_approval(profile: Profile, campus_data_service: bool, it_approval_ref: str) -> None:
    """An account serving campus data needs the IT office's approval reference."""
    if campus_data_service and not clean_text(it_approval_ref):
        office = profile.offices.get("it_office", "信息化部门")
        raise ValidationError(
            FIELD_LABELS["it_approval_ref"],
            f"涉及校内数据服务的账号须经{office}审批，请填写审批文号",
        )


def duplicate_account_error(
    platform: str, platform_id: str, name: str, stored: tuple[int, str] | None = None
) -> DuplicateAccountError:
    """The error for a platform ID already taken by the account ``name``: ``stored`` is
    that account's (id, serial number) when it is in the register, None when it is
    queued in the same import."""
    where = f"（编号 {stored[1]}，序号 {stored[0]}）" if stored is not None else ""
    return DuplicateAccountError(
        f"{platform}账号 ID“{platform_id}”已登记为“{name}”{where}，不能重复登记",
        stored[0] if stored is not None else 0,
    )


def checked_account_row(
    profile: Profile,
    account: Account,
    platforms: Collection[str],
    unit_of: Callable[[int], Unit],
) -> dict[str, Any]:
    """The stored row of an account, checked against the account rules: name and
    platform given, the platform in the platform list, a level of the profile, a parent
    unit where the level needs one, an IT approval for campus data services.

    The one implementation of these rules, for a form's single account
    (``AccountStore.create``) and for a ledger import's thousands
    (``nmdesk.store.bulk.ImportBatch``, which passes its cached platform list and units)."""
    row = account_row(account)
    limits = profile.text_limits  # the one length rule: nmdesk.text_rules, by profile
    row["name"] = require_text(account.name, FIELD_LABELS["name"], limits["accounts.name"])
    row["platform"] = require_text(
        account.platform, FIELD_LABELS["platform"], limits["accounts.platform"]
    )
    check_listed_platform(row["platform"], platforms)
    level = listed_level(profile, account.level)  # before the unit: its lookup may fail
    unit = unit_of(account.unit_id)
    check_parent_unit(level, unit.name, unit.parent_id is not None)
    check_it_approval(profile, account.campus_data_service, account.it_approval_ref)
    return row
