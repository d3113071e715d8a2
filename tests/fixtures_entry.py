"""An account form entry as a clerk types it, for the entry and rule tests."""

from __future__ import annotations

from nmdesk.entry import AccountEntry, PersonEntry
from nmdesk.models import AccountStatus, PersonKind


def sample_entry(unit_id: int, **over: object) -> AccountEntry:
    """A running BIT account of the unit with its three role holders; ``over`` replaces
    any field."""
    values: dict[str, object] = dict(
        platform="微信",
        account_type="订阅号",
        name="北理工计算机",
        platform_id="bitcs",
        purpose="发布学院新闻",
        opened_on="2019年3月",
        unit_id=unit_id,
        level=2,
        status=AccountStatus.RUNNING,
        roles={
            "first_responsible": PersonEntry(
                None,
                "王伟",
                PersonKind.STAFF,
                "院长",
                "010-68912345",
                "13911112222",
                "wangwei@bit.edu.cn",
            ),
            "ops_contact": PersonEntry(
                None, "李娜", PersonKind.STUDENT, "学生助理", "", "13811112222", "lina@bit.edu.cn"
            ),
            "specific_responsible": PersonEntry(None, "张敏", PersonKind.STAFF, "宣传干事"),
        },
    )
    values.update(over)
    return AccountEntry(**values)  # type: ignore[arg-type]
