"""Policy profiles: everything that differs between institutions, as data.

A profile is a JSON file in ``resources/profiles/`` (or anywhere, by path):
levels, offices, role rules, deadlines in working days, protected names,
eligible unit kinds, the review month and the forms in use. A new institution
is a new file, not new code. ``load_profile`` validates the file and raises
ProfileError naming the first problem it finds.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nmdesk.errors import ProfileError
from nmdesk.paths import PROFILES_DIR
from nmdesk.text_rules import merged_limits, read_limits

KNOWN_FORMS = ("filing", "approval", "pledge", "change", "closure", "rectification", "ledger")
KNOWN_PERSON_KINDS = ("staff", "student", "external")
REQUIRED_ROLES = ("first_responsible", "specific_responsible", "operator")
DEADLINE_KEYS = (
    "change_filing_working_days",
    "personnel_change_working_days",
    "closure_working_days",
    "password_rotation_days",
    "low_activity_months",
)

# How many weeks before a student's expected graduation the board reminds the clerk to
# hand their roles over, when the profile does not say.
DEFAULT_GRADUATION_NOTICE_WEEKS = 4


@dataclass(frozen=True)
class Level:
    level: int
    name: str
    description: str
    approving_body: str
    requires_parent_unit: bool


@dataclass(frozen=True)
class RoleRule:
    id: str
    name: str
    required: bool
    person_kinds: tuple[str, ...]
    rule_text: str


@dataclass(frozen=True)
class Platform:
    name: str
    account_types: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    institution: str
    policy_title: str
    serial_prefix: str
    offices: dict[str, str]
    levels: tuple[Level, ...]
    unit_kinds: dict[str, str]
    eligible_unit_kinds: tuple[str, ...]
    ineligible_reason: str
    roles: tuple[RoleRule, ...]
    deadlines: dict[str, int]
    protected_names: tuple[str, ...]
    review_month: int
    review_deadline_day: int
    accounts_per_platform: int
    requires_pledge: bool
    requires_justification_when_existing: bool
    forms: tuple[str, ...]
    copy_labels: tuple[str, ...]
    filing_sheet_title: str
    filing_sheet_footnote: str
    platforms: tuple[Platform, ...]
    raw: dict[str, Any]
    # the institution's own names for its platforms, as its ledgers write them:
    # {"北理工APP": "APP", "公众号（订阅号）": "微信/订阅号"} (platform, or platform/type)
    platform_aliases: dict[str, str] = field(default_factory=dict)

    @property
    def filing_office(self) -> str:
        return self.offices["filing_office"]

    def role(self, role_id: str) -> RoleRule:
        for rule in self.roles:
            if rule.id == role_id:
                return rule
        raise ProfileError(f"策略配置“{self.name}”中没有角色“{role_id}”")

    @property
    def unit_head_kinds(self) -> tuple[str, ...]:
        """Who may be a unit's 单位负责人: as the first responsible person, whom the
        rules name the unit's head (BIT clause 6: 党组织书记或正职领导)."""
        return self.role("first_responsible").person_kinds

    def role_name(self, role_id: str) -> str:
        return self.role(role_id).name

    def level(self, number: int) -> Level:
        for level in self.levels:
            if level.level == number:
                return level
        raise ProfileError(f"策略配置“{self.name}”中没有第 {number} 级账号")

    def unit_kind_name(self, kind: str) -> str:
        return self.unit_kinds.get(kind, kind)

    def uses_form(self, form: str) -> bool:
        return form in self.forms

    def account_types(self, platform: str) -> tuple[str, ...]:
        for item in self.platforms:
            if item.name == platform:
                return item.account_types
        return ()

    def to_json(self) -> str:
        return json.dumps(self.raw, ensure_ascii=False, indent=2)

    @functools.cached_property
    def text_limits(self) -> dict[str, int]:
        """``table.field`` → most characters (``nmdesk.text_rules``); a profile kept in an
        older register has no ``text_limits`` and gets the defaults."""
        return merged_limits(read_limits(self.raw.get("text_limits"), _ProfileReader.no_fail))


def builtin_profile_ids() -> list[str]:
    """The ids of the profiles shipped in ``resources/profiles``, e.g. ``bit`` and ``pku-coe``."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.json"))


def load_profile(id_or_path: str | Path) -> Profile:
    """Load a built-in profile by id, or any profile file by path, and validate it."""
    path = Path(id_or_path)
    if not path.suffix:
        path = PROFILES_DIR / f"{id_or_path}.json"
        if not path.exists():
            known = "、".join(builtin_profile_ids())
            raise ProfileError(f"没有名为“{id_or_path}”的内置策略配置，可选：{known}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"无法读取策略配置文件 {path}：{exc.strerror}") from None
    except UnicodeDecodeError:
        raise ProfileError(f"策略配置文件 {path} 不是 UTF-8 文本") from None
    return profile_from_json(text, source=str(path))


def profile_from_json(text: str, source: str = "策略配置") -> Profile:
    """Parse and validate a profile from its JSON text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{source} 不是有效的 JSON（第 {exc.lineno} 行）") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{source} 的顶层须为对象")
    return _ProfileReader(data, source).read()


class _ProfileReader:
    """Reads one profile dict, raising ProfileError with the path of the bad key."""

    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data = data
        self.source = source

    def fail(self, key: str, expected: str) -> ProfileError:
        return ProfileError(f"{self.source} 中的“{key}”无效：应为{expected}")

    @staticmethod
    def no_fail(key: str, expected: str) -> ProfileError:
        """For a profile already validated on load."""
        return ProfileError(f"策略配置中的“{key}”无效：应为{expected}")

    def _get(self, obj: Any, key: str, default: Any = None) -> Any:
        """``obj[key]``; a list item that is not an object (``null``, a number) is an error."""
        if not isinstance(obj, dict):
            raise ProfileError(f"{self.source} 中应含有“{key}”的一项无效：应为对象")
        return obj.get(key, default)

    def text(self, obj: dict[str, Any], key: str, *, required: bool = True) -> str:
        value = self._get(obj, key, None if required else "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(key, "非空文本")
        return value

    def integer(self, obj: dict[str, Any], key: str, low: int, high: int) -> int:
        value = self._get(obj, key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(key, f"{low} 到 {high} 之间的整数")
        return value

    def flag(self, obj: dict[str, Any], key: str) -> bool:
        value = self._get(obj, key, False)
        if not isinstance(value, bool):
            raise self.fail(key, "true 或 false")
        return value

    def obj(self, obj: dict[str, Any], key: str) -> dict[str, Any]:
        value = self._get(obj, key)
        if not isinstance(value, dict):
            raise self.fail(key, "对象")
        return value

    def items(self, obj: dict[str, Any], key: str) -> list[Any]:
        value = self._get(obj, key)
        if not isinstance(value, list) or not value:
            raise self.fail(key, "非空列表")
        return value

    def texts(self, obj: dict[str, Any], key: str) -> tuple[str, ...]:
        values = self.items(obj, key)
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise self.fail(key, "由非空文本组成的列表")
        return tuple(values)

    def read(self) -> Profile:
        d = self.data
        if d.get("format") != 1:
            raise self.fail("format", "1（本版本支持的配置格式）")
        offices = self.obj(d, "offices")
        if not all(isinstance(v, str) for v in offices.values()):
            raise self.fail("offices", "名称均为文本的对象")
        self.text(offices, "filing_office")
        levels = tuple(self._level(item) for item in self.items(d, "levels"))
        if sorted(level.level for level in levels) != list(range(1, len(levels) + 1)):
            raise self.fail("levels", "从 1 开始连续编号的级别")
        unit_kinds = {self.text(k, "id"): self.text(k, "name") for k in self.items(d, "unit_kinds")}
        eligible = self.texts(d, "eligible_unit_kinds")
        for kind in eligible:
            if kind not in unit_kinds:
                raise self.fail(
                    "eligible_unit_kinds", f"unit_kinds 中已定义的类型（未定义：{kind}）"
                )
        roles = tuple(self._role(item) for item in self.items(d, "roles"))
        role_ids = {role.id for role in roles}
        for needed in REQUIRED_ROLES:
            if needed not in role_ids:
                raise self.fail("roles", f"包含角色 {needed}")
        deadlines_obj = self.obj(d, "deadlines")
        deadlines = {key: self.integer(deadlines_obj, key, 1, 3650) for key in DEADLINE_KEYS}
        # optional, so that a register carrying an older copy of its profile still opens
        deadlines["graduation_notice_weeks"] = (
            self.integer(deadlines_obj, "graduation_notice_weeks", 1, 52)
            if "graduation_notice_weeks" in deadlines_obj
            else DEFAULT_GRADUATION_NOTICE_WEEKS
        )
        review = self.obj(d, "review")
        quota = self.obj(d, "quota")
        application = d.get("application", {})
        if not isinstance(application, dict):
            raise self.fail("application", "对象")
        forms = self.texts(d, "forms")
        for form in forms:
            if form not in KNOWN_FORMS:
                raise self.fail("forms", f"{'、'.join(KNOWN_FORMS)} 之一（未知：{form}）")
        copy_labels = self.texts(d, "copy_labels")
        if len(copy_labels) != 2:
            raise self.fail("copy_labels", "恰好两个联次名称（一式两份）")
        platforms = tuple(
            Platform(self.text(p, "name"), self.texts(p, "account_types"))
            for p in self.items(d, "platforms")
        )
        aliases = self._platform_aliases(d.get("platform_aliases", {}), platforms)
        profile_id = self.text(d, "id")
        read_limits(d.get("text_limits"), self.fail)
        return Profile(
            id=profile_id,
            name=self.text(d, "name"),
            institution=self.text(d, "institution"),
            policy_title=self.text(d, "policy_title"),
            serial_prefix=self.text(d, "serial_prefix"),
            offices=dict(offices),
            levels=levels,
            unit_kinds=unit_kinds,
            eligible_unit_kinds=eligible,
            ineligible_reason=self.text(d, "ineligible_reason", required=False)
            or "该类单位不在可开设公共账号的范围内",
            roles=roles,
            deadlines=deadlines,
            protected_names=self.texts(d, "protected_names"),
            review_month=self.integer(review, "month", 1, 12),
            review_deadline_day=self.integer(review, "deadline_day", 1, 31),
            accounts_per_platform=self.integer(quota, "accounts_per_platform", 1, 100),
            requires_pledge=self.flag(application, "requires_pledge"),
            requires_justification_when_existing=self.flag(
                application, "requires_justification_when_existing"
            ),
            forms=forms,
            copy_labels=copy_labels,
            filing_sheet_title=self.text(d, "filing_sheet_title"),
            filing_sheet_footnote=self.text(d, "filing_sheet_footnote"),
            platforms=platforms,
            raw=d,
            platform_aliases=aliases,
        )

    def _platform_aliases(self, value: Any, platforms: tuple[Platform, ...]) -> dict[str, str]:
        """``platform_aliases``: each alias names a listed platform (and, after a
        slash, one of its account types)."""
        if not isinstance(value, dict):
            raise self.fail("platform_aliases", "对象（别名 → 平台 或 平台/账号类型）")
        types = {p.name: p.account_types for p in platforms}
        aliases = {}
        for alias, target in value.items():
            if not isinstance(target, str) or not alias.strip():
                raise self.fail("platform_aliases", "别名 → 平台 或 平台/账号类型 的文字")
            platform, _, account_type = target.partition("/")
            if platform not in types or (account_type and account_type not in types[platform]):
                raise self.fail(
                    f"platform_aliases.{alias}", f"平台列表中的平台或“平台/账号类型”（{target}）"
                )
            aliases[alias] = target
        return aliases

    def _level(self, item: Any) -> Level:
        if not isinstance(item, dict):
            raise self.fail("levels", "对象列表")
        return Level(
            level=self.integer(item, "level", 1, 9),
            name=self.text(item, "name"),
            description=self.text(item, "description", required=False),
            approving_body=self.text(item, "approving_body"),
            requires_parent_unit=self.flag(item, "requires_parent_unit"),
        )

    def _role(self, item: Any) -> RoleRule:
        if not isinstance(item, dict):
            raise self.fail("roles", "对象列表")
        kinds = self.texts(item, "person_kinds")
        for kind in kinds:
            if kind not in KNOWN_PERSON_KINDS:
                raise self.fail("person_kinds", f"{'、'.join(KNOWN_PERSON_KINDS)} 之一")
        return RoleRule(
            id=self.text(item, "id"),
            name=self.text(item, "name"),
            required=self.flag(item, "required"),
            person_kinds=kinds,
            rule_text=self.text(item, "rule_text", required=False),
        )
