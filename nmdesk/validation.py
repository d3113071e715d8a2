"""Field validators and normalisers shared by the forms, the import and the store.

Each validator returns the normalised value or raises ValidationError naming
the field in Chinese and saying what is expected.
"""

from __future__ import annotations

import re
import unicodedata

from nmdesk.errors import ValidationError
from nmdesk.models import PersonKind
from nmdesk.profiles import Profile

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits only: ٩ is a digit to \d
_OFFICE = re.compile(
    r"^(0[0-9]{2,3})-?([0-9]{7,8})(?:(?:-|转|ext\.?|x)([0-9]{1,6}))?$", re.IGNORECASE
)
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_SPACING = re.compile(r"[\s\u3000()（）]+")


def clean_text(value: str | None) -> str:
    """Full-width letters and digits to half-width, outer spaces trimmed, inner runs folded."""
    text = unicodedata.normalize("NFKC", value or "")
    return " ".join(text.split())


def normalize_mobile(value: str, field: str = "手机") -> str:
    """``139 1111 3333``, ``+86 13911114444`` and ``138-2222-3333`` all become 11 digits."""
    text = clean_text(value)
    if not text:
        return ""
    digits = re.sub(r"[\s\-]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _MOBILE.match(digits):
        raise ValidationError(field, f"“{value}”不是有效的手机号码，应为以 1 开头的 11 位数字")
    return digits


def normalize_office_phone(value: str, field: str = "办公电话") -> str:
    """Area code and number with an optional extension: ``010-68912345`` or ``010-68912345-8001``."""
    text = clean_text(value)
    if not text:
        return ""
    compact = _SPACING.sub("", text)
    match = _OFFICE.match(compact)
    if not match:
        raise ValidationError(
            field,
            f"“{value}”不是有效的办公电话，应写作区号-号码，如 010-68912345 或 010-68912345-8001",
        )
    area, number, ext = match.groups()
    return f"{area}-{number}" + (f"-{ext}" if ext else "")


def normalize_email(value: str, field: str = "邮箱") -> str:
    text = clean_text(value).replace(" ", "")
    if not text:
        return ""
    if not _EMAIL.match(text):
        raise ValidationError(field, f"“{value}”不是有效的邮箱地址，应形如 name@bit.edu.cn")
    return text.lower()


def require_text(value: str | None, field: str, max_length: int = 200) -> str:
    text = clean_text(value)
    if not text:
        raise ValidationError(field, "为必填项")
    if len(text) > max_length:
        raise ValidationError(field, f"过长（{len(text)} 字），最多 {max_length} 字")
    return text


def check_role_holder(profile: Profile, role_id: str, person_kind: PersonKind) -> None:
    """Raise if the profile does not allow this kind of person in this role.

    E.g. at PKU-CoE the 具体负责人 must be in-service staff (clause 8) and the 运营人
    staff or an enrolled student (clause 9).
    """
    rule = profile.role(role_id)
    if person_kind.value not in rule.person_kinds:
        allowed = "或".join(PersonKind(kind).label for kind in rule.person_kinds)
        raise ValidationError(rule.name, rule.rule_text or f"{rule.name}须为{allowed}")
