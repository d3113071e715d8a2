"""Publishing a campaign: verdicts applied, the listing, notices and summary written.

Everything happens in one transaction. The files are generated inside it, into
a staging folder next to the output folder, from the very data about to be
committed; they are moved into place only after the commit. If anything fails
or the clerk cancels, the transaction rolls back and the staging folder is
removed: the register is as it was and no file appears. If moving the files
fails after the commit (a full disk, say), ``export_outputs`` writes them again
from the published campaign.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NmdeskError, PolicyError
from nmdesk.lifecycle import check_transition
from nmdesk.models import AccountStatus, Sanction, SanctionKind, Verdict
from nmdesk.review.assess import check_verdict, compute_flags, flags_json
from nmdesk.review.campaign import get_campaign
from nmdesk.review.listing import (
    build_listing,
    build_summary,
    write_summary_html,
)
from nmdesk.review.outcomes import Outstanding, outstanding, unit_outcomes
from nmdesk.review.outputs import STEPS, Work, notice_jobs, write_work
from nmdesk.review.records import Campaign, Step
from nmdesk.runtime import collections_paused
from nmdesk.services.filings import start_closure
from nmdesk.store.reviews import OUT_OF_SCOPE_STATUSES

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

# progress(done, total, message) -> False to cancel
ProgressCallback = Callable[[int, int, str], bool]


class PublishNeedsConfirmation(PolicyError):
    """Publishing before the deadline or with units outstanding needs the clerk's say-so."""

    def __init__(self, outstanding: Outstanding) -> None:
        self.outstanding = outstanding
        super().__init__(
            "尚未满足发布条件："
            + outstanding.sentence()
            + "确需现在发布，请确认（命令行加 --force）"
        )


class PublishCancelled(NmdeskError):
    """The clerk cancelled publishing; nothing was changed."""

    def __init__(self) -> None:
        super().__init__("已取消发布，备案库未作任何改动，也没有生成文件")


@dataclass
class PublishResult:
    campaign: Campaign
    out_dir: Path
    listing_xlsx: Path
    listing_pdf: Path
    listing_html: Path
    summary_pdf: Path
    summary_html: Path
    notices: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        return [
            self.listing_xlsx,
            self.listing_pdf,
            self.listing_html,
            self.summary_pdf,
            self.summary_html,
            *self.notices,
        ]


def output_names(year: int) -> dict[str, str]:
    return {
        "listing_xlsx": f"{year}年度年审公示.xlsx",
        "listing_pdf": f"{year}年度年审公示.pdf",
        "listing_html": f"{year}年度年审公示.html",
        "summary_pdf": f"{year}年度年审汇总.pdf",
        "summary_html": f"{year}年度年审汇总.html",
        "notices": f"{year}年度整改通知",
    }


def _check_ready(facts: list[dict[str, Any]]) -> None:
    """Everything that would stop publishing, found before the first write."""
    problems: list[str] = []
    undecided = 0
    for fact in facts:
        verdict = Verdict(fact["verdict"]) if fact["verdict"] else None
        if not fact["self_checked"]:
            continue  # counts as 未提交 (or, if added after opening, stays out of the listing)
        if verdict is None:
            undecided += 1
            continue
        try:
            check_verdict(AccountStatus(fact["status"]), True, verdict, fact["name"])
        except PolicyError as error:
            problems.append(str(error))
    if undecided:
        problems.insert(0, f"还有 {undecided} 个已提交自查的账号没有作出年审结论")
    if problems:
        more = f"等 {len(problems)} 项" if len(problems) > 3 else ""
        raise PolicyError("不能发布：" + "；".join(problems[:3]) + more)


def publish_outstanding(register: Register, year: int, today: dt.date) -> Outstanding:
    """What is still outstanding if ``year``'s campaign were published ``today``:
    days before the deadline, units not (fully) returned (``nmdesk.review.outcomes``)."""
    campaign = get_campaign(register, year)
    facts = register.reviews.facts(campaign.id, assessing=False)
    outcomes = unit_outcomes(register.reviews.units(campaign.id), facts)
    return outstanding(outcomes.values(), campaign.deadline_on, today)


def apply_verdicts(
    register: Register,
    campaign: Campaign,
    today: dt.date,
    progress: ProgressCallback | None = None,
    *,
    facts: list[dict[str, Any]] | None = None,
) -> dict[str, int]:
    """Final verdicts, statuses and sanctions. Runs inside the caller's transaction.

    ``facts`` are the campaign's facts read just before, reused unless accounts
    registered since opening had to be added.

    The writes are batched (one audited statement per kind of change), with the
    same rows and audit entries as the single-row store methods would make:
    results first, then the sanctions, then the status changes and closures.
    """
    return _apply_verdicts(register, campaign, today, progress, facts=facts)[0]


def _apply_verdicts(
    register: Register,
    campaign: Campaign,
    today: dt.date,
    progress: ProgressCallback | None = None,
    *,
    facts: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """``apply_verdicts``, and the facts with the verdicts as now written."""
    plan = _plan_verdicts(register, campaign, today, progress, facts=facts)
    _write_verdicts(register, campaign, plan, today)
    return plan.counts, plan.final


@dataclass
class _Plan:
    """What applying the verdicts writes, decided before anything is written."""

    counts: dict[str, int]
    results: dict[int, dict[str, object]]
    sanctions: list[Sanction]
    moves: dict[tuple[AccountStatus, AccountStatus], list[int]]
    closures: list[tuple[int, str]]
    # The facts with the verdicts as they will be written: what
    # ``ReviewStore.facts(assessing=False)`` reads back for the listing afterwards
    # (the verdicts and their deadlines change, and nothing else the listing shows;
    # statuses do, but the listing does not show them).
    final: list[dict[str, Any]]


def _plan_verdicts(
    register: Register,
    campaign: Campaign,
    today: dt.date,
    progress: ProgressCallback | None = None,
    *,
    facts: list[dict[str, Any]] | None = None,
) -> _Plan:
    """The results, sanctions, status changes and closures applying the verdicts makes.

    Nothing is written but the accounts registered since opening, added first.
    """
    if register.reviews.add_late_accounts(campaign.id) or facts is None:
        facts = register.reviews.facts(campaign.id)
    flags = compute_flags(register, facts, today)
    counts: dict[str, int] = {}
    results: dict[int, dict[str, object]] = {}
    sanctions: list[Sanction] = []
    moves: dict[tuple[AccountStatus, AccountStatus], list[int]] = {}
    closures: list[tuple[int, str]] = []
    total = len(facts)
    for done, fact in enumerate(facts, start=1):
        if progress is not None and done % 50 == 0 and not progress(done, total, "应用年审结论"):
            raise PublishCancelled()
        account_id = fact["account_id"]
        verdict = Verdict(fact["verdict"]) if fact["verdict"] else None
        changes: dict[str, object] = {}
        if not fact["self_checked"]:
            # Added after opening and never checked: it waits for next year's review.
            # Closed (or refused) since opening: it has left the register's live accounts.
            gone = fact["status"] in OUT_OF_SCOPE_STATUSES
            verdict = Verdict.NOT_SUBMITTED if fact["in_opening_scope"] and not gone else None
            if fact["verdict"] != (verdict.value if verdict else None):
                changes.update(verdict=verdict, verdict_deadline=None)
        snapshot = flags_json(flags[account_id])
        if snapshot != fact["flags"]:
            changes["flags"] = snapshot
        if changes:
            results[account_id] = changes
        if verdict is None:
            continue
        counts[verdict.value] = counts.get(verdict.value, 0) + 1
        reason = f"{campaign.year} 年度年审结论：{verdict.label}"
        if fact["verdict_note"]:
            reason += f"（{fact['verdict_note']}）"
        status = AccountStatus(fact["status"])
        if verdict is Verdict.RECTIFY:
            deadline = dt.date.fromisoformat(fact["verdict_deadline"])
            sanctions.append(
                _sanction(campaign, fact, SanctionKind.RECTIFY, today, reason, deadline)
            )
            if status is AccountStatus.RUNNING:
                moves.setdefault((status, AccountStatus.RECTIFYING), []).append(account_id)
        elif verdict is Verdict.ORDER_CLOSE:
            sanctions.append(
                _sanction(campaign, fact, SanctionKind.ORDER_CLOSE, today, reason, None)
            )
            if status is not AccountStatus.CLOSING:
                closures.append((account_id, reason))
        elif verdict is Verdict.SUSPEND:
            # a 暂停运行 sanction, as SanctionStore.add records one, lifted by resolving it
            sanctions.append(
                _sanction(campaign, fact, SanctionKind.SUSPEND_RUN, today, reason, None)
            )
            if status is not AccountStatus.SUSPENDED:
                moves.setdefault((status, AccountStatus.SUSPENDED), []).append(account_id)
    for old, new in moves:
        check_transition(old, new)
    final = []
    for fact in facts:
        change = results.get(fact["account_id"])
        if change is not None and "verdict" in change:
            written = change["verdict"]
            fact = {
                **fact,
                "verdict": written.value if isinstance(written, Verdict) else None,
                "verdict_deadline": None,
            }
        final.append(fact)
    return _Plan(counts, results, sanctions, moves, closures, final)


def _write_verdicts(register: Register, campaign: Campaign, plan: _Plan, today: dt.date) -> None:
    """Write the plan: results first, then the sanctions, the status changes and closures."""
    register.reviews.update_results(campaign.id, plan.results)
    register.sanctions.add_many(plan.sanctions)
    for (old, new), account_ids in plan.moves.items():
        register.accounts.transition_many(account_ids, old, new)
    for account_id, reason in plan.closures:  # as SanctionStore.add does for 责令注销
        start_closure(register, account_id, today, note=f"责令注销：{reason}")


def _sanction(
    campaign: Campaign,
    fact: dict[str, Any],
    kind: SanctionKind,
    issued_on: dt.date,
    reason: str,
    deadline_on: dt.date | None,
) -> Sanction:
    """The sanction a verdict gives (``SanctionStore.add_many`` checks it)."""
    return Sanction(
        id=None,
        unit_id=fact["unit_id"],
        account_id=fact["account_id"],
        kind=kind,
        issued_on=issued_on,
        reason=reason,
        deadline_on=deadline_on,
        campaign_id=campaign.id,
    )


def write_outputs(
    register: Register,
    campaign: Campaign,
    out_dir: Path,
    progress: ProgressCallback | None = None,
    *,
    facts: list[dict[str, Any]] | None = None,
) -> PublishResult:
    """Write the listing (xlsx, PDF, HTML), the notices and the summary into ``out_dir``.

    ``facts``: the campaign's facts as written (``build_listing``), if at hand.
    """
    return _Outputs(register, campaign, out_dir, facts).finish(progress)


class _Outputs:
    """A publish's files: the listing built, their names chosen; ``finish`` writes them."""

    def __init__(
        self,
        register: Register,
        campaign: Campaign,
        out_dir: Path,
        facts: list[dict[str, Any]] | None,
    ) -> None:
        self.register, self.campaign, self.out_dir = register, campaign, out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self.names = names = output_names(campaign.year)
        self.listing = listing = build_listing(register, campaign, facts=facts)
        self.work = Work(
            listing,
            out_dir / names["listing_xlsx"],
            out_dir / names["listing_pdf"],
            out_dir / names["listing_html"],
            notice_jobs(listing, out_dir / names["notices"]),
        )

    def finish(self, progress: ProgressCallback | None) -> PublishResult:
        """The summary, then the listing files and notices."""
        from nmdesk.review.pdfs import write_summary_pdf

        steps = ["汇总报告", *STEPS]

        def step(index: int) -> None:
            if progress is not None and not progress(index, len(steps), f"生成{steps[index]}"):
                raise PublishCancelled()

        listing, names, out_dir = self.listing, self.names, self.out_dir
        step(0)
        summary = build_summary(self.register, listing)
        summary_pdf = write_summary_pdf(summary, listing.office, out_dir / names["summary_pdf"])
        summary_html = write_summary_html(summary, out_dir / names["summary_html"])
        write_work(self.work, lambda index: step(index + 1))
        work = self.work
        counts: dict[str, int] = {}
        for row in listing.rows:
            counts[row.verdict.value] = counts.get(row.verdict.value, 0) + 1
        return PublishResult(
            self.campaign,
            out_dir,
            work.xlsx,
            work.pdf,
            work.html,
            summary_pdf,
            summary_html,
            [path for _, _, path in work.notices],
            counts,
        )


def publish(
    register: Register,
    year: int,
    out_dir: str | Path,
    *,
    today: dt.date,
    progress: ProgressCallback | None = None,
    force: bool = False,
) -> PublishResult:
    """Publish ``year``'s campaign in one transaction and write its files into ``out_dir``.

    Accounts with no self-check count as 未提交. Nothing is written to the register
    or to ``out_dir`` unless everything succeeds. Before the deadline, or with units
    that have not returned everything, it raises ``PublishNeedsConfirmation``
    (saying what is outstanding) unless ``force``: the clerk has confirmed.

    The verdicts are decided first; the listing follows from them. The verdicts,
    sanctions and statuses are written to the register, then the files, and the
    transaction is committed once every file is written.
    """
    campaign = get_campaign(register, year)
    register.reviews.writable(campaign.id)
    facts = register.reviews.facts(campaign.id)
    _check_ready(facts)
    if not force:
        missing = outstanding(
            unit_outcomes(register.reviews.units(campaign.id), facts).values(),
            campaign.deadline_on,
            today,
        )
        if missing.any:
            raise PublishNeedsConfirmation(missing)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".nmdesk-publish-", dir=out))
    try:
        with collections_paused():
            staged = _publish_staged(register, campaign, today, progress, facts, staging)
            # the facts, plan and listing are freed before the collector resumes: its
            # first pass then walks none of them (bench row "发布 10,000 个账号的年度审核")
            del facts
        return _move_into_place(staged, staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _publish_staged(
    register: Register,
    campaign: Campaign,
    today: dt.date,
    progress: ProgressCallback | None,
    facts: list[dict[str, Any]],
    staging: Path,
) -> PublishResult:
    """``publish``'s transaction: the verdicts decided, the listing built, the verdicts
    written, the files written into ``staging``, then the commit."""
    with register.transaction():
        plan = _plan_verdicts(register, campaign, today, progress, facts=facts)
        published = dataclasses.replace(
            campaign, step=Step.PUBLISHED, published_on=today
        )  # as mark_published below makes it
        outputs = _Outputs(register, published, staging, plan.final)
        _write_verdicts(register, campaign, plan, today)
        register.reviews.mark_published(campaign.id, today)
        if register.reviews.get(campaign.id) != published:
            raise RuntimeError("the published campaign differs from the one listed")
        return outputs.finish(progress)


def _move_into_place(staged: PublishResult, staging: Path, out: Path) -> PublishResult:
    def moved(path: Path) -> Path:
        return out / path.relative_to(staging)

    for item in sorted(staging.iterdir()):
        target = out / item.name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        shutil.move(str(item), str(target))
    return PublishResult(
        staged.campaign,
        out,
        moved(staged.listing_xlsx),
        moved(staged.listing_pdf),
        moved(staged.listing_html),
        moved(staged.summary_pdf),
        moved(staged.summary_html),
        [moved(p) for p in staged.notices],
        staged.counts,
    )


def export_outputs(register: Register, year: int, out_dir: str | Path) -> PublishResult:
    """Write a published campaign's files again (e.g. to another folder)."""
    campaign = get_campaign(register, year)
    if not campaign.is_published:
        raise PolicyError(f"{year} 年度年审尚未发布，请先发布")
    return write_outputs(register, campaign, Path(out_dir))
