"""Review outcomes from one source of truth: every output agrees with the register.

Each test publishes a real campaign on the demo register and reads back the
listing (HTML, PDF, xlsx), the summary (PDF, HTML) and the notices, comparing
them with what the test itself recorded, line by line.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from nmdesk.cli import main
from nmdesk.models import AccountStatus, Unit, Verdict
from nmdesk.review import assess, campaign, publish
from nmdesk.review.assess import FLAG_LABELS, SUGGESTIONS, Flag, suggest_verdict
from nmdesk.review.outcomes import MARK_FAILED, MARK_NOT_SUBMITTED, MARK_PARTLY
from nmdesk.review.records import SelfCheck
from tests.nmdesk.review.test_review import TableParser

OPENED = dt.date(2026, 12, 1)
TODAY = dt.date(2026, 12, 7)  # 24 days before the default deadline, 2026-12-31
RECTIFY_BY = dt.date(2027, 3, 31)
ANSWER = SelfCheck(True, dt.date(2026, 11, 20), 40, 900, "李娜", "")


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _units(register, camp) -> dict[int, list[dict]]:
    by_unit: dict[int, list[dict]] = {u.unit_id: [] for u in register.reviews.units(camp.id)}
    for fact in register.reviews.facts(camp.id):
        by_unit[fact["unit_id"]].append(fact)
    return by_unit


def _read_outputs(result: publish.PublishResult) -> dict[str, object]:
    """Rows and unit sections of every published file, as plain tuples."""
    parser = TableParser()
    parser.feed(result.listing_html.read_text(encoding="utf-8"))
    html_rows = [
        (r[1], r[2], r[4], r[5], "、".join(re.findall("|".join(_MARK_RE), r[6])))
        for r in parser.rows
    ]
    book = load_workbook(result.listing_xlsx)
    xlsx_rows = [
        (r[1], r[2], r[4], r[5], r[6] or "")
        for r in book["公示"].iter_rows(min_row=4, values_only=True)
    ]
    xlsx_marked: dict[str, list[str]] = {}
    for unit, mark in book["单位标注"].iter_rows(min_row=2, values_only=True):
        xlsx_marked.setdefault(mark, []).append(unit)
    return {
        "html_rows": html_rows,
        "html_marked": parser.marked,
        "xlsx_rows": xlsx_rows,
        "xlsx_marked": xlsx_marked,
        "pdf": _text(result.listing_pdf),
        "summary_pdf": _text(result.summary_pdf),
        "summary_html": result.summary_html.read_text(encoding="utf-8"),
    }


# longest first, so 部分账号未提交年审材料 is not read as 未提交年审材料
_MARK_RE = [
    re.escape(m) for m in sorted((MARK_PARTLY, MARK_NOT_SUBMITTED, MARK_FAILED), key=len)[::-1]
]


def _check_outputs_agree(register, camp, result, expected_rows, expected_marked) -> None:
    """Every file lists exactly ``expected_rows`` and marks exactly ``expected_marked``."""
    got = _read_outputs(result)
    want = sorted(expected_rows)
    assert sorted(got["html_rows"]) == want
    assert sorted(got["xlsx_rows"]) == want
    for mark in (MARK_NOT_SUBMITTED, MARK_PARTLY, MARK_FAILED):
        names = sorted(expected_marked.get(mark, []))
        assert sorted(got["html_marked"].get(mark, [])) == names, mark
        assert sorted(got["xlsx_marked"].get(mark, [])) == names, mark
        assert sorted(_pdf_section(got["pdf"], mark)) == names, mark
        match = re.search(
            f"(?:^|\\n){mark}的单位（(\\d+) 个）：(.*?)(?=\\n[^\\n]*的单位（|\\n按)",
            got["summary_pdf"],
            re.S,
        )
        assert match is not None, mark
        assert int(match.group(1)) == len(names)
        listed_names = match.group(2).replace("\n", "")
        assert sorted(listed_names.split("、") if names else [listed_names]) == (names or ["无"])
    # the listing PDF: one line per account, with the same cells in the same order
    listed = [line for line in got["pdf"].splitlines() if re.match(r"^\d+ ", line)]
    assert len(listed) == len(expected_rows)
    html_in_order = got["html_rows"]
    for line, row in zip(listed, html_in_order, strict=True):
        name, platform, unit, result_text, mark = row
        for cell in (platform, unit, result_text, mark):
            assert cell in line, (cell, line)
    # the summary counts the same verdicts as the listing
    verdicts: dict[str, int] = {}
    for _, _, _, result_text, _ in expected_rows:
        label = result_text.split("，")[0]  # "限期整改，截止 …（含当日）" → 限期整改
        verdicts[label] = verdicts.get(label, 0) + 1
    assert f"参加年审账号 {len(expected_rows)} 个" in got["summary_pdf"]
    for label, count in verdicts.items():
        assert f'<tr><td>{label}</td><td class="num">{count}</td>' in got["summary_html"]
    # one notice per unit with an account not passed, naming exactly those accounts
    concerned: dict[str, list[str]] = {}
    for name, _, unit, result_text, _ in expected_rows:
        if not result_text.startswith("合格"):
            concerned.setdefault(unit, []).append(name)
    assert len(result.notices) == len(concerned)
    for path in result.notices:
        text = _text(path)
        unit = next(u for u in concerned if f"{u}：" in text)
        for name in concerned[unit]:
            assert name[:8] in text
    # and the register holds what was listed
    final = {f["account_id"]: f for f in register.reviews.facts(camp.id)}
    assert sum(1 for f in final.values() if f["verdict"]) == len(expected_rows)


def _pdf_section(text: str, mark: str) -> list[str]:
    """The units the listing PDF names after 【mark】 (the paragraph may wrap)."""
    match = re.search(f"【{mark}】(.*?)(?=【|\n序号)", text, re.S)
    return match.group(1).replace("\n", "").split("、") if match else []


def _row(fact: dict, verdict: Verdict, mark: str) -> tuple[str, str, str, str, str]:
    text = (
        f"{verdict.label}，截止 {RECTIFY_BY}（含当日）"
        if verdict is Verdict.RECTIFY
        else verdict.label
    )
    return (fact["name"], fact["platform"], fact["unit_name"], text, mark)


def test_a_unit_that_returned_its_packet_is_not_listed_as_not_submitted(
    demo_register, tmp_path
) -> None:
    """Found 1: 党委宣传部 returned its packet, one account self-checked by hand, the
    suggestions taken. It must not be named among the units that did not submit, and
    its 合格 account must not carry 未提交年审材料."""
    register = demo_register
    camp = campaign.open_campaign(register, 2026, today=OPENED)
    by_unit = _units(register, camp)
    office = next(u for u in register.reviews.units(camp.id) if u.unit_name == "党委宣传部")
    accounts = by_unit[office.unit_id]
    assert len(accounts) >= 2
    campaign.record_unit_return(register, camp, office.unit_id, TODAY)  # 登记交回
    campaign.record_self_check(
        register, camp, accounts[0]["account_id"], ANSWER, materials_received=True
    )
    progress = campaign.progress(register, camp, TODAY)
    assert progress.outcomes[office.unit_id].submission.label == "部分交回"
    assess.apply_suggestions(register, camp, TODAY, rectify_deadline=RECTIFY_BY)
    result = publish.publish(register, 2026, tmp_path / "out", today=TODAY, force=True)
    got = _read_outputs(result)
    assert office.unit_name not in got["html_marked"][MARK_NOT_SUBMITTED]
    assert office.unit_name in got["html_marked"][MARK_PARTLY]
    assert office.unit_name not in got["xlsx_marked"][MARK_NOT_SUBMITTED]
    assert office.unit_name not in _pdf_section(got["pdf"], MARK_NOT_SUBMITTED)
    assert office.unit_name in _pdf_section(got["pdf"], MARK_PARTLY)
    rows = {r[0]: r for r in got["html_rows"] if r[2] == office.unit_name}
    for fact in accounts:
        mark = rows[fact["name"]][4]
        assert MARK_NOT_SUBMITTED not in mark.split("、")
        assert MARK_PARTLY in mark.split("、")
    verdict = register.reviews.result(camp.id, accounts[0]["account_id"]).verdict
    expected_marked: dict[str, list[str]] = {MARK_PARTLY: [office.unit_name]}
    expected_rows = []
    outcome_marks = {}
    for unit_id, facts in by_unit.items():
        unit = next(u for u in register.reviews.units(camp.id) if u.unit_id == unit_id)
        if unit_id == office.unit_id:
            marks = [MARK_PARTLY] + ([MARK_FAILED] if verdict in assess.FAILING else [])
            if verdict in assess.FAILING:
                expected_marked.setdefault(MARK_FAILED, []).append(unit.unit_name)
        else:
            marks = [MARK_NOT_SUBMITTED]
            expected_marked.setdefault(MARK_NOT_SUBMITTED, []).append(unit.unit_name)
        outcome_marks[unit_id] = "、".join(marks)
        for fact in facts:
            if fact["status"] in ("closed", "refused"):
                continue
            listed = verdict if fact is accounts[0] else Verdict.NOT_SUBMITTED
            expected_rows.append(_row(fact, listed, outcome_marks[unit_id]))
    _check_outputs_agree(register, camp, result, expected_rows, expected_marked)


def test_every_mix_of_returns_and_verdicts_lists_the_same_everywhere(
    demo_register, tmp_path
) -> None:
    """Units returned (every verdict), partly returned, zero report, not returned."""
    register = demo_register
    with register.transaction():
        register.units.add(Unit(None, "档案馆", "support_unit"))
        register.units.add(Unit(None, "校史馆", "support_unit"))
    camp = campaign.open_campaign(register, 2026, today=OPENED)
    by_unit = _units(register, camp)
    units = {u.unit_id: u for u in register.reviews.units(camp.id)}
    with_accounts = [
        u for u, facts in by_unit.items() if sum(f["status"] == "running" for f in facts) >= 5
    ]
    empty = [u for u, facts in by_unit.items() if not facts]
    assert len(with_accounts) >= 4 and len(empty) >= 2
    returned, partly, silent, all_pass = with_accounts[:4]
    zero_report, zero_silent = empty[:2]
    verdict_of: dict[int, Verdict] = {}
    with register.transaction():
        for unit_id in (returned, all_pass):
            for fact in by_unit[unit_id]:
                campaign.record_self_check(
                    register, camp, fact["account_id"], ANSWER, materials_received=True
                )
                verdict_of[fact["account_id"]] = Verdict.PASS
            campaign.record_unit_return(register, camp, unit_id, TODAY)
        for fact in by_unit[partly][:2]:
            campaign.record_self_check(
                register, camp, fact["account_id"], ANSWER, materials_received=True
            )
            verdict_of[fact["account_id"]] = Verdict.PASS
        campaign.record_unit_return(register, camp, partly, TODAY)
        campaign.record_unit_return(register, camp, zero_report, TODAY, zero_report=True)
        # every verdict in the returned unit
        running = [f for f in by_unit[returned] if f["status"] == "running"]
        for fact, verdict in zip(
            running,
            (Verdict.RECTIFY, Verdict.SUSPEND, Verdict.ORDER_CLOSE, Verdict.PASS),
            strict=False,
        ):
            verdict_of[fact["account_id"]] = verdict
    checked = [a for a, v in verdict_of.items() if v is Verdict.PASS]
    assess.set_verdicts(register, camp, checked, Verdict.PASS)
    for verdict in (Verdict.RECTIFY, Verdict.SUSPEND, Verdict.ORDER_CLOSE):
        ids = [a for a, v in verdict_of.items() if v is verdict]
        assess.set_verdicts(
            register,
            camp,
            ids,
            verdict,
            deadline=RECTIFY_BY if verdict is Verdict.RECTIFY else None,
        )
    # before the deadline, with units outstanding: refused unless confirmed
    with pytest.raises(publish.PublishNeedsConfirmation) as refused:
        publish.publish(register, 2026, tmp_path / "out", today=TODAY)
    message = str(refused.value)
    assert "还有 24 天" in message and units[silent].unit_name in message
    owing = {u.unit_id: u for u in refused.value.outstanding.units}
    assert len(owing) == len(units) - 3 and f"{len(owing)} 个单位尚未交齐" in message
    assert owing[partly].submission.label == "部分交回" and owing[partly].submitted == 2
    assert owing[zero_silent].submission.label == "未交回" and zero_silent in owing
    assert {returned, all_pass, zero_report}.isdisjoint(owing)
    assert owing == {u.unit_id: u for u in publish.publish_outstanding(register, 2026, TODAY).units}
    assert not (tmp_path / "out" / "2026年度年审公示.html").exists()
    result = publish.publish(register, 2026, tmp_path / "out", today=TODAY, force=True)

    def marks(unit_id: int) -> list[str]:
        found = []
        if unit_id == partly:
            found.append(MARK_PARTLY)
        elif unit_id not in (returned, all_pass, zero_report):
            found.append(MARK_NOT_SUBMITTED)
        if unit_id == returned:
            found.append(MARK_FAILED)
        return found

    expected_marked: dict[str, list[str]] = {}
    expected_rows = []
    for unit_id, facts in by_unit.items():
        for mark in marks(unit_id):
            expected_marked.setdefault(mark, []).append(units[unit_id].unit_name)
        for fact in facts:
            if fact["status"] in ("closed", "refused") and fact["account_id"] not in verdict_of:
                continue
            verdict = verdict_of.get(fact["account_id"], Verdict.NOT_SUBMITTED)
            expected_rows.append(_row(fact, verdict, "、".join(marks(unit_id))))
    _check_outputs_agree(register, camp, result, expected_rows, expected_marked)
    summary = result.summary_html.read_text(encoding="utf-8")
    assert '<tr><td>零报告</td><td class="num">1</td>' in summary
    assert '<tr><td>部分交回</td><td class="num">1</td>' in summary
    assert '<tr><td>已交回</td><td class="num">2</td>' in summary
    statuses = {a: register.accounts.get(a).status for a in verdict_of}
    for account_id, verdict in verdict_of.items():
        if verdict is Verdict.SUSPEND:
            assert statuses[account_id] is AccountStatus.SUSPENDED


def test_the_suggestion_table() -> None:
    """Every flag of the table alone suggests its row's verdict; 材料未收到 never 合格."""
    for code, verdict in SUGGESTIONS:
        assert suggest_verdict([Flag(code, "")]) is verdict, code
    assert suggest_verdict([Flag("password", "")]) is Verdict.PASS
    assert suggest_verdict([]) is Verdict.PASS
    assert suggest_verdict([Flag("over_quota", "")], priority_rank=1) is Verdict.PASS
    for code in FLAG_LABELS:
        assert suggest_verdict([Flag("materials_missing", ""), Flag(code, "")]) is not Verdict.PASS
    # a verdict the status does not allow is not suggested
    flags = [Flag("not_operated", "")]
    assert suggest_verdict(flags, status=AccountStatus.APPLYING) is Verdict.RECTIFY
    assert suggest_verdict(flags, status=AccountStatus.RECTIFYING) is Verdict.ORDER_CLOSE


def test_taking_the_suggestions_adopts_exactly_what_is_suggested(demo_register) -> None:
    register = demo_register
    camp = campaign.open_campaign(register, 2026, today=OPENED)
    facts = register.reviews.facts(camp.id)
    with register.transaction():
        for index, fact in enumerate(facts):
            if index % 5 == 0:
                continue  # not submitted
            answer = SelfCheck(index % 7 != 0, dt.date(2026, 11, 20), 10, 10, "李娜", "")
            campaign.record_self_check(
                register, camp, fact["account_id"], answer, materials_received=index % 3 != 0
            )
    rows = assess.assessment(register, camp, TODAY)
    shown = {r.account_id: r.suggested for r in rows}
    assert any(r.suggested is Verdict.ORDER_CLOSE for r in rows)  # 已停止运营 in the mix
    missing = [r for r in rows if any(f.code == "materials_missing" for f in r.flags)]
    assert missing and all(r.suggested is not Verdict.PASS for r in missing)
    assess.apply_suggestions(register, camp, TODAY, rectify_deadline=RECTIFY_BY)
    adopted = {r.account_id: r.verdict for r in register.reviews.results(camp.id)}
    assert adopted == shown


def test_cli_publish_before_the_deadline_needs_force(demo_path, tmp_path, capsys) -> None:
    args = ["--path", str(demo_path), "--year", "2026"]
    assert main(["review", "open", *args, "--today", str(OPENED)]) == 0
    out = ["--out", str(tmp_path / "out"), "--today", str(TODAY)]
    capsys.readouterr()
    assert main(["review", "publish", *args, *out]) == 2
    err = capsys.readouterr().err
    assert "还有 24 天" in err and "--force" in err and len(err.strip().splitlines()) == 1
    assert main(["review", "publish", *args, *out, "--force"]) == 0
    assert (tmp_path / "out" / "2026年度年审公示.pdf").exists()
