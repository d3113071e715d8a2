"""The account status machine.

申请中 → 已批准 → 运行中 (once filed); then 整改中, 暂停, 失联, 注销中 and 已注销.
An application may also be refused. Nothing is ever deleted: a closed account
stays in the register as a record, and 已注销 is final.
"""

from __future__ import annotations

from nmdesk.errors import TransitionError
from nmdesk.models import AccountStatus as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.APPLYING: frozenset({S.APPROVED, S.REFUSED}),
    S.APPROVED: frozenset({S.RUNNING, S.CLOSING}),
    S.RUNNING: frozenset({S.RECTIFYING, S.SUSPENDED, S.LOST, S.CLOSING}),
    S.RECTIFYING: frozenset({S.RUNNING, S.SUSPENDED, S.CLOSING}),
    S.SUSPENDED: frozenset({S.RUNNING, S.RECTIFYING, S.CLOSING}),
    S.LOST: frozenset({S.RUNNING, S.CLOSING}),
    S.CLOSING: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.REFUSED: frozenset({S.APPLYING}),
}

# Statuses in which an account is "live": counted in quotas and annual reviews.
ACTIVE_STATUSES = frozenset({S.APPROVED, S.RUNNING, S.RECTIFYING, S.SUSPENDED, S.LOST})


def can_transition(current: S, target: S) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: S, target: S) -> None:
    """Raise TransitionError with the allowed next statuses if the move is illegal."""
    if can_transition(current, target):
        return
    allowed = "、".join(s.label for s in S if s in TRANSITIONS[current]) or "无（已是最终状态）"
    raise TransitionError(
        f"账号状态不能从“{current.label}”变为“{target.label}”。当前状态下可变为：{allowed}"
    )
