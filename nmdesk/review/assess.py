"""Assessment: suggested flags with their reasons, and the clerk's verdicts.

Flags are suggestions computed from the register and the self-check, each with
a sentence in Chinese saying why. The verdict is the clerk's decision; it can
be changed, singly or for many accounts at once, until the campaign is published.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nmdesk.dates import months_before
from nmdesk.errors import PolicyError, ValidationError
from nmdesk.lifecycle import can_transition
from nmdesk.models import AccountStatus, Verdict
from nmdesk.review.outcomes import FAILING
from nmdesk.review.records import Campaign

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

NAME_SIMILARITY = 0.6
PURPOSE_SIMILARITY = 0.9
# How many look-alikes the 疑似重复 flag names.
SHOWN_TWINS = 3
FLAG_LABELS = {
    "low_activity": "活跃度低",
    "duplicate": "疑似重复",
    "missing_roles": "缺少责任人",
    "password": "密码未定期更换",
    "over_quota": "超出数量限额",
    "not_submitted": "未提交自查",
    "not_operated": "已停止运营",
    "materials_missing": "材料未收到",
}
__all__ = ["FAILING", "AssessRow", "Flag", "apply_suggestions", "suggest_verdict"]


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.code]


@dataclass
class AssessRow:
    """One account as the assessment table shows it."""

    account_id: int
    serial_no: str
    name: str
    platform: str
    level: int
    unit_id: int
    unit_name: str
    status: AccountStatus
    new_since_opening: bool
    self_checked: bool
    materials_received: bool
    flags: list[Flag] = field(default_factory=list)
    verdict: Verdict | None = None
    verdict_deadline: dt.date | None = None
    verdict_note: str = ""
    priority_rank: int | None = None

    @property
    def flag_text(self) -> str:
        return "、".join(f.label for f in self.flags)

    @property
    def reasons(self) -> str:
        return "\n".join(f"【{f.label}】{f.reason}" for f in self.flags)

    @property
    def suggested(self) -> Verdict:
        return suggest_verdict(self.flags, self.priority_rank, self.status)


@functools.lru_cache(maxsize=65536)
def _similar(a: str, b: str, threshold: float) -> float:
    """The difflib ratio of two texts, or 0.0 as soon as it cannot reach ``threshold``.

    The ratio is ``difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()``,
    computed by ``_matched`` without building a matcher for every pair; the bound
    from the lengths alone (``real_quick_ratio``) comes first. (``quick_ratio``,
    counting common characters, costs about as much as ``_matched`` for names.)
    """
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    length = len(a) + len(b)
    if 2.0 * min(len(a), len(b)) / length < threshold:  # real_quick_ratio
        return 0.0
    return 2.0 * _matched(a, b) / length


@functools.lru_cache(maxsize=16384)
def _positions(text: str) -> dict[str, list[int]]:
    """Where each character occurs in ``text``, in order (difflib's ``b2j``)."""
    positions: dict[str, list[int]] = {}
    for index, char in enumerate(text):
        positions.setdefault(char, []).append(index)
    return positions


def _matched(a: str, b: str) -> int:
    """How many characters difflib's matching blocks of ``a`` and ``b`` cover.

    The Ratcliff/Obershelp matching of ``SequenceMatcher.get_matching_blocks``
    with no junk (``isjunk=None, autojunk=False``): the longest common block
    (the earliest in ``a``, then in ``b``, on a tie, as ``find_longest_match``
    picks it), then the same on each side of it. Without junk, difflib's steps
    that extend a block over junk change nothing, so they are left out.
    """
    b2j = _positions(b)
    total = 0
    todo = [(0, len(a), 0, len(b))]
    while todo:
        alo, ahi, blo, bhi = todo.pop()
        best_i, best_j, best = alo, blo, 0
        run: dict[int, int] = {}  # {j: length of the common run ending at a[i - 1], b[j]}
        for i in range(alo, ahi):
            next_run: dict[int, int] = {}
            for j in b2j.get(a[i], ()):
                if j < blo:
                    continue
                if j >= bhi:
                    break
                k = next_run[j] = run.get(j - 1, 0) + 1
                if k > best:
                    best_i, best_j, best = i - k + 1, j - k + 1, k
            run = next_run
        if best:
            total += best
            if alo < best_i and blo < best_j:
                todo.append((alo, best_i, blo, best_j))
            if best_i + best < ahi and best_j + best < bhi:
                todo.append((best_i + best, ahi, best_j + best, bhi))
    return total


def clear_similarity_caches() -> None:
    """Forget the texts compared so far (a benchmark's cold run)."""
    _similar.cache_clear()
    _positions.cache_clear()


def _look_alike(first: dict[str, Any], second: dict[str, Any]) -> str | None:
    """Why two accounts of one unit and platform look like duplicates, or None."""
    ratio = _similar(first["name"], second["name"], NAME_SIMILARITY)
    if ratio >= NAME_SIMILARITY:
        return f"名称相似度 {ratio:.0%}"
    ratio = _similar(first["purpose"], second["purpose"], PURPOSE_SIMILARITY)
    if ratio >= PURPOSE_SIMILARITY:
        return f"用途相似度 {ratio:.0%}"
    return None


def _likely_duplicates(
    groups: Iterable[list[dict[str, Any]]], shown: int = SHOWN_TWINS
) -> dict[int, list[str]]:
    """For each account, its first ``shown`` look-alikes in the same unit and platform.

    Look-alikes come in the group's order, which is all the flag shows; an
    account stops looking once it has found ``shown``, so a big unit whose
    accounts all look alike costs a few comparisons per account, not every pair.
    Each pair is compared at most once, always in the group's order.
    """
    found: dict[int, list[str]] = {}
    for group in groups:
        # {(i, j) with i < j: why group[i] and group[j] look alike, or None}
        compared: dict[tuple[int, int], str | None] = {}
        known = compared.get
        for i, fact in enumerate(group):
            twins: list[str] = []
            for j, other in enumerate(group):
                if j == i:
                    continue
                pair = (i, j) if i < j else (j, i)
                why = known(pair, _UNSEEN)
                if why is _UNSEEN:
                    why = compared[pair] = _look_alike(group[pair[0]], group[pair[1]])
                if why is not None:
                    twins.append(f"“{other['name']}”（{why}）")
                    if len(twins) == shown:
                        break
            if twins:
                found[fact["account_id"]] = twins
    return found


_UNSEEN = "\0"  # not compared yet (a reason is never this)


def compute_flags(
    register: Register, facts: list[dict[str, Any]], today: dt.date
) -> dict[int, list[Flag]]:
    """Suggested flags per account id, each with its reason."""
    profile = register.profile
    low_months = profile.deadlines["low_activity_months"]
    low_cutoff = months_before(today, low_months)
    rotation_days = profile.deadlines["password_rotation_days"]
    rotation_cutoff = today - dt.timedelta(days=rotation_days)
    quota = profile.accounts_per_platform
    required = [role for role in profile.roles if role.required]
    counts = register.reviews.live_counts_by_unit_platform()
    groups: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for fact in facts:
        groups[(fact["unit_id"], fact["platform"])].append(fact)
    duplicates = _likely_duplicates(groups.values())
    flags: dict[int, list[Flag]] = {}
    for fact in facts:
        found: list[Flag] = []
        if not fact["self_checked"]:
            found.append(Flag("not_submitted", "开设单位尚未交回该账号的自查情况"))
        elif fact["still_operated"] == 0:
            found.append(Flag("not_operated", "开设单位自查填报：该账号已不再运营"))
        if fact["self_checked"] and not fact["materials_received"]:
            found.append(Flag("materials_missing", "已登记自查情况，但年审材料尚未收到"))
        last = fact["r_last_post_on"] or fact["a_last_post_on"]
        if last is None:
            found.append(
                Flag(
                    "low_activity", f"没有最近发布日期的记录，无法确认近 {low_months} 个月内有更新"
                )
            )
        elif dt.date.fromisoformat(last) < low_cutoff:
            found.append(Flag("low_activity", f"最近发布于 {last}，已超过 {low_months} 个月未更新"))
        twins = duplicates.get(fact["account_id"], [])
        if twins:
            found.append(
                Flag(
                    "duplicate",
                    f"同一单位在{fact['platform']}上还有 "
                    + "、".join(twins[:SHOWN_TWINS])
                    + "，功能可能重复",
                )
            )
        held = set((fact["roles"] or "").split(","))
        missing = [role.name for role in required if role.id not in held]
        if missing:
            found.append(Flag("missing_roles", "没有在任的" + "、".join(missing)))
        rotated = fact["password_rotated_on"]
        if rotated is None:
            found.append(Flag("password", "没有密码更换记录"))
        elif dt.date.fromisoformat(rotated) < rotation_cutoff:
            found.append(Flag("password", f"密码最近更换于 {rotated}，超过 {rotation_days} 天"))
        count = counts.get((fact["unit_id"], fact["platform"]), 0)
        if count > quota:
            rank = fact["priority_rank"]
            rank_text = (
                f"在该平台按本单位优先顺序排第 {rank} 位" if rank else "本单位未给出账号优先顺序"
            )
            found.append(
                Flag(
                    "over_quota",
                    f"{fact['unit_name']}在{fact['platform']}上有 {count} "
                    f"个账号，超过每个平台 {quota} 个的限额；{rank_text}",
                )
            )
        flags[fact["account_id"]] = found
    return flags


# The suggestion table (docs/review.md): the first row whose flag is present decides.
SUGGESTIONS: tuple[tuple[str, Verdict], ...] = (
    ("not_submitted", Verdict.NOT_SUBMITTED),
    ("not_operated", Verdict.ORDER_CLOSE),
    ("materials_missing", Verdict.RECTIFY),
    ("low_activity", Verdict.RECTIFY),
    ("duplicate", Verdict.RECTIFY),
    ("missing_roles", Verdict.RECTIFY),
    ("over_quota", Verdict.RECTIFY),  # unless the unit ranks the account first
)


def suggest_verdict(
    flags: list[Flag], priority_rank: int | None = None, status: AccountStatus | None = None
) -> Verdict:
    """The verdict the flags point to, by ``SUGGESTIONS``; the clerk decides.

    No flag from the table (a password not rotated alone is a reminder) → 合格.
    Over the quota counts only when the unit does not rank the account first (it
    is the one to keep). A verdict the account's ``status`` does not allow (责令注销
    of an account still 申请中) becomes 限期整改, so what is suggested can always be
    adopted as it stands.
    """
    codes = {f.code for f in flags}
    verdict = Verdict.PASS
    for code, suggested in SUGGESTIONS:
        if code in codes and not (code == "over_quota" and priority_rank == 1):
            verdict = suggested
            break
    if status is not None and verdict is not Verdict.NOT_SUBMITTED:
        try:
            check_verdict(status, True, verdict, "")
        except PolicyError:
            return Verdict.RECTIFY
    return verdict


def assessment(
    register: Register,
    campaign: Campaign,
    today: dt.date,
    *,
    flags: dict[int, list[Flag]] | None = None,
) -> list[AssessRow]:
    """Every account of the campaign with its flags and current verdict.

    ``flags`` reuses flags computed earlier (verdicts do not change them); a
    published campaign shows the flags frozen when it was published.
    """
    facts = register.reviews.facts(campaign.id)
    if flags is None or any(f["account_id"] not in flags for f in facts):
        if campaign.is_published:
            flags = {
                f["account_id"]: [Flag(c, reason) for c, reason in json.loads(f["flags"] or "[]")]
                for f in facts
            }
        else:
            flags = compute_flags(register, facts, today)
    return [
        AssessRow(
            account_id=f["account_id"],
            serial_no=f["serial_no"],
            name=f["name"],
            platform=f["platform"],
            level=f["level"],
            unit_id=f["unit_id"],
            unit_name=f["unit_name"],
            status=AccountStatus(f["status"]),
            new_since_opening=not f["in_opening_scope"],
            self_checked=bool(f["self_checked"]),
            materials_received=bool(f["materials_received"]),
            flags=flags[f["account_id"]],
            verdict=Verdict(f["verdict"]) if f["verdict"] else None,
            verdict_deadline=dt.date.fromisoformat(f["verdict_deadline"])
            if f["verdict_deadline"]
            else None,
            verdict_note=f["verdict_note"],
            priority_rank=f["priority_rank"],
        )
        for f in facts
    ]


# What json.dumps(..., ensure_ascii=False) builds on every call, built once.
_FLAGS_JSON = json.JSONEncoder(ensure_ascii=False)


def flags_json(flags: list[Flag]) -> str:
    return _FLAGS_JSON.encode([[f.code, f.reason] for f in flags])


def check_verdict(status: AccountStatus, self_checked: bool, verdict: Verdict, name: str) -> None:
    """Raise PolicyError when the verdict cannot be carried out for this account."""
    if not self_checked and verdict is not Verdict.NOT_SUBMITTED:
        raise PolicyError(f"“{name}”尚未提交自查，结论只能为“未提交”；请先登记自查情况")
    if self_checked and verdict is Verdict.NOT_SUBMITTED:
        raise PolicyError(f"“{name}”已提交自查，结论不能为“未提交”")
    if (
        verdict is Verdict.SUSPEND
        and status is not AccountStatus.SUSPENDED
        and not can_transition(status, AccountStatus.SUSPENDED)
    ):
        raise PolicyError(f"“{name}”当前状态为“{status.label}”，不能暂停运行")
    if (
        verdict is Verdict.ORDER_CLOSE
        and status is not AccountStatus.CLOSING
        and not can_transition(status, AccountStatus.CLOSING)
    ):
        raise PolicyError(f"“{name}”当前状态为“{status.label}”，不能责令注销")


def set_verdicts(
    register: Register,
    campaign: Campaign,
    account_ids: list[int],
    verdict: Verdict,
    *,
    deadline: dt.date | None = None,
    note: str = "",
) -> int:
    """Record one verdict for several accounts in one transaction; returns how many.

    限期整改 needs a deadline after the campaign opened. Every account is
    checked before anything is written, so a bulk verdict applies to all or none.
    """
    register.reviews.writable(campaign.id)
    if verdict is Verdict.RECTIFY:
        if deadline is None:
            raise ValidationError("整改期限", "限期整改须填写整改期限")
        if deadline <= campaign.opened_on:
            raise ValidationError("整改期限", f"{deadline} 应晚于年审开启日期 {campaign.opened_on}")
    else:
        deadline = None
    if not account_ids:
        raise ValidationError("账号", "请先选择要作出结论的账号")
    wanted = set(account_ids)
    facts = {
        f["account_id"]: f for f in register.reviews.facts(campaign.id) if f["account_id"] in wanted
    }
    missing = wanted - set(facts)
    if missing:
        raise PolicyError(f"账号 #{min(missing)} 不在本次年审中")
    for fact in facts.values():
        check_verdict(
            AccountStatus(fact["status"]), bool(fact["self_checked"]), verdict, fact["name"]
        )
    with register.transaction():
        for account_id in account_ids:
            register.reviews.update_result(
                campaign.id,
                account_id,
                {"verdict": verdict, "verdict_deadline": deadline, "verdict_note": note.strip()},
            )
    return len(account_ids)


def clear_verdicts(register: Register, campaign: Campaign, account_ids: list[int]) -> None:
    with register.transaction():
        for account_id in account_ids:
            register.reviews.update_result(
                campaign.id,
                account_id,
                {"verdict": None, "verdict_deadline": None, "verdict_note": ""},
            )


def apply_suggestions(
    register: Register,
    campaign: Campaign,
    today: dt.date,
    *,
    rectify_deadline: dt.date,
    only_undecided: bool = True,
    flags: dict[int, list[Flag]] | None = None,
) -> int:
    """Take the suggested verdict for every (undecided) account; returns how many were set.

    Exactly the suggestion the assessment shows (``AssessRow.suggested``) is
    adopted; ``flags``, the flags the clerk is looking at, are reused so the
    suggestions are the ones on screen.
    """
    rows = assessment(register, campaign, today, flags=flags)
    by_verdict: dict[Verdict, list[int]] = defaultdict(list)
    for row in rows:
        if only_undecided and row.verdict is not None:
            continue
        by_verdict[row.suggested].append(row.account_id)
    with register.transaction():
        for verdict, ids in by_verdict.items():
            set_verdicts(
                register,
                campaign,
                ids,
                verdict,
                deadline=rectify_deadline if verdict is Verdict.RECTIFY else None,
                note="按系统建议",
            )
    return sum(len(ids) for ids in by_verdict.values())
