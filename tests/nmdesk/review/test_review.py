"""The annual review without Qt: open, collect, assess, publish, and the files read back."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from nmdesk.cli import main
from nmdesk.errors import PolicyError, ValidationError
from nmdesk.models import Account, AccountStatus, FilingKind, SanctionKind, Unit, Verdict
from nmdesk.review import assess, campaign, packets, publish
from nmdesk.review.listing import MARK_FAILED, MARK_NOT_SUBMITTED
from nmdesk.review.outcomes import Submission, UnitOutcome
from nmdesk.review.records import SelfCheck, Step
from nmdesk.services.accounts import edit_account
from nmdesk.services.filings import confirm_closure, start_closure

OPENED = dt.date(2026, 11, 23)
PUBLISHED = dt.date(2027, 1, 8)
DEADLINE = dt.date(2027, 3, 31)


def check(**changes: object) -> SelfCheck:
    values = {
        "still_operated": True,
        "last_post_on": dt.date(2026, 11, 10),
        "posts_in_year": 52,
        "followers": 1200,
        "content_reviewer": "王伟",
        "incident": "",
    }
    values.update(changes)
    return SelfCheck(**values)  # type: ignore[arg-type]


def facts_by_unit(register, camp) -> dict[int, list[dict]]:
    result: dict[int, list[dict]] = {}
    for fact in register.reviews.facts(camp.id):
        result.setdefault(fact["unit_id"], []).append(fact)
    return result


def text_of_pdf(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def embedded_fonts(path: Path) -> set[str]:
    """Base names of the TrueType fonts embedded (with their font file) in a PDF."""
    names = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


class TableParser(HTMLParser):
    """Rows of the listing table and the marked units, from the HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.marked: dict[str, list[str]] = {}
        self._in_listing = False
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._mark: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "listing":
            self._in_listing = True
        elif self._in_listing and tag == "tr":
            self._row = []
        elif self._in_listing and tag == "td":
            self._cell = []
        elif tag == "li" and "data-mark" in attrs:
            self._mark = attrs["data-mark"]
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_listing = False
        elif tag == "td" and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row:
            self.rows.append(self._row)
            self._row = None
        elif tag == "li" and self._mark is not None and self._cell is not None:
            self.marked.setdefault(self._mark, []).append("".join(self._cell))
            self._mark = None
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def opened(demo_register):
    camp = campaign.open_campaign(demo_register, 2026, today=OPENED)
    return demo_register, camp


# -- opening ---------------------------------------------------------------------------


def test_open_freezes_scope_and_defaults_deadline(opened) -> None:
    register, camp = opened
    assert camp.deadline_on == dt.date(2026, 12, 31)  # BIT: December, day 31
    assert camp.step is Step.COLLECT
    live = [a for u in register.units.all() for a in register.accounts.of_unit(u.id)]
    results = register.reviews.results(camp.id)
    assert {r.account_id for r in results} == {a.id for a in live}
    assert all(r.in_opening_scope and not r.self_checked for r in results)
    assert len(register.reviews.units(camp.id)) == len(register.units.all())
    assert campaign.resume_step(register, 2026) == "collect"
    assert campaign.resume_step(register, 2027) == "open"
    with pytest.raises(PolicyError, match="已开启"):
        campaign.open_campaign(register, 2026, today=OPENED)
    assert register.audit.verify() == []


def test_scope_count_matches_the_scope(demo_register) -> None:
    ids = demo_register.reviews.scope_account_ids()
    assert 0 < len(ids) < demo_register.accounts.count()  # the demo has closed accounts
    assert demo_register.reviews.scope_account_count() == len(ids)


def test_account_added_later_is_new_since_opening(opened) -> None:
    register, camp = opened
    unit = register.units.find_by_name("计算机学院")
    assert unit is not None and unit.id is not None
    new_id = register.accounts.create(
        Account(None, "微博", "", "计算机学院新生季", unit.id, 2, status=AccountStatus.RUNNING)
    )
    assert new_id not in {r.account_id for r in register.reviews.results(camp.id)}
    assert register.reviews.add_late_accounts(camp.id) == [new_id]
    rows = {r.account_id: r for r in assess.assessment(register, camp, OPENED)}
    assert rows[new_id].new_since_opening
    assert sum(r.new_since_opening for r in rows.values()) == 1


def test_deadline_before_opening_is_refused(demo_register) -> None:
    with pytest.raises(ValidationError, match="提交截止日期"):
        campaign.open_campaign(demo_register, 2026, today=OPENED, deadline=dt.date(2026, 1, 5))


# -- packets ---------------------------------------------------------------------------


def test_cancelled_packets_remove_the_ones_already_written(demo_register, tmp_path) -> None:
    camp = campaign.open_campaign(demo_register, 2026, today=OPENED)
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 2  # the clerk cancels after two packets

    folder = tmp_path / "packets"
    folder.mkdir()
    with pytest.raises(packets.PacketsCancelled):
        packets.write_all_packets(demo_register, camp, folder, progress=progress)
    assert [done for done, _total in seen] == [0, 1, 2]
    assert list(folder.iterdir()) == []


def test_packets_list_each_units_accounts_and_zero_report(demo_register, tmp_path) -> None:
    register = demo_register
    empty_id = register.units.add(Unit(None, "档案馆", "support_unit"))
    camp = campaign.open_campaign(register, 2026, today=OPENED)
    paths = packets.write_all_packets(register, camp, tmp_path / "packets")
    assert len(paths) == len(register.units.all())
    by_unit = facts_by_unit(register, camp)
    unit_id = max(by_unit, key=lambda u: len(by_unit[u]))
    path = next(p for p in paths if f"-{unit_id:03d}-" in p.name)
    sheet = load_workbook(path)[packets.SHEET_CHECK]
    header = [c.value for c in sheet[4]]
    assert header[:6] == ["序号", *packets.FIXED_COLUMNS]
    assert header[6:12] == list(packets.ANSWER_COLUMNS)
    serials = [
        sheet.cell(row=r, column=2).value
        for r in range(5, sheet.max_row + 1)
        if sheet.cell(row=r, column=2).value and str(sheet.cell(row=r, column=1).value).isdigit()
    ]
    assert serials == [f["serial_no"] for f in by_unit[unit_id]]
    zero = next(p for p in paths if f"-{empty_id:03d}-" in p.name)
    zero_sheet = load_workbook(zero)[packets.SHEET_CHECK]
    assert zero_sheet["A4"].value == packets.ZERO_REPORT_TEXT
    # the unit confirms its zero report and returns it
    wb = load_workbook(zero)
    wb[packets.SHEET_CHECK]["B5"] = "是"
    wb.save(zero)
    diff = packets.import_packet(register, camp, zero)
    assert diff.zero_report and diff.changes == []
    packets.apply_packet(register, camp, diff, dt.date(2026, 12, 1))
    returned = register.reviews.unit(camp.id, empty_id)
    assert returned.zero_report and returned.packet_returned_on == dt.date(2026, 12, 1)


def _fill(path: Path, answers: dict[str, dict[str, object]]) -> None:
    """Play the unit: fill in answers by serial number, as a clerk would in Excel."""
    wb = load_workbook(path)
    sheet = wb[packets.SHEET_CHECK]
    header = [c.value for c in sheet[4]]
    for row in range(5, sheet.max_row + 1):
        serial = sheet.cell(row=row, column=2).value
        for column, value in answers.get(serial, {}).items():
            sheet.cell(row=row, column=header.index(column) + 1, value=value)
    wb.save(path)


def test_reimport_shows_diff_before_writing_and_applies_values(opened, tmp_path) -> None:
    register, camp = opened
    by_unit = facts_by_unit(register, camp)
    unit_id = next(u for u, facts in by_unit.items() if len(facts) >= 3)
    facts = by_unit[unit_id]
    path = packets.write_unit_packet(register, camp, unit_id, tmp_path / "p.xlsx")
    first, second, third = facts[0], facts[1], facts[2]
    _fill(
        path,
        {
            first["serial_no"]: {
                "是否仍在运营": "是",
                "最近发布日期": dt.date(2026, 11, 2),
                "本年度发文数": 48,
                "内容审核人（先审后发）": "李娜-宣传干事",
            },
            second["serial_no"]: {"是否仍在运营": "否", "本年度发文数": 0, "舆情及处置情况": "无"},
        },
    )
    diff = packets.import_packet(register, camp, path)
    # preview only: nothing written yet
    assert not register.reviews.result(camp.id, first["account_id"]).self_checked
    assert diff.unit_id == unit_id and set(diff.checks) == {
        first["account_id"],
        second["account_id"],
    }
    assert third["name"] in diff.unanswered
    shown = {(d.account_name, d.field): (d.before, d.after) for d in diff.changes}
    assert shown[(first["name"], "是否仍在运营")] == ("", "是")
    assert shown[(first["name"], "最近发布日期")] == ("", "2026-11-02")
    assert shown[(first["name"], "内容审核人（先审后发）")] == ("", "李娜-宣传干事")
    assert shown[(second["name"], "是否仍在运营")] == ("", "否")
    assert (first["name"], "粉丝数（选填）") not in shown
    packets.apply_packet(register, camp, diff, dt.date(2026, 12, 5))
    stored = register.reviews.result(camp.id, first["account_id"])
    assert stored.self_checked and stored.check.still_operated is True
    assert stored.check.last_post_on == dt.date(2026, 11, 2) and stored.check.posts_in_year == 48
    assert stored.check.content_reviewer == "李娜-宣传干事"
    assert register.reviews.result(camp.id, second["account_id"]).check.still_operated is False
    assert register.reviews.unit(camp.id, unit_id).packet_returned_on == dt.date(2026, 12, 5)
    # the unit corrects one figure and sends the packet again: only that change shows
    again = packets.write_unit_packet(register, camp, unit_id, tmp_path / "p2.xlsx")
    _fill(again, {first["serial_no"]: {"本年度发文数": 50}})
    diff2 = packets.import_packet(register, camp, again)
    assert [(d.account_name, d.field, d.before, d.after) for d in diff2.changes] == [
        (first["name"], "本年度发文数", "48", "50")
    ]
    assert diff2.already_returned_on == dt.date(2026, 12, 5)
    packets.apply_packet(register, camp, diff2, dt.date(2026, 12, 6))
    assert register.reviews.result(camp.id, first["account_id"]).check.posts_in_year == 50


def test_bad_packet_cell_names_row_and_column(opened, tmp_path) -> None:
    register, camp = opened
    by_unit = facts_by_unit(register, camp)
    unit_id = next(iter(by_unit))
    path = packets.write_unit_packet(register, camp, unit_id, tmp_path / "p.xlsx")
    _fill(path, {by_unit[unit_id][0]["serial_no"]: {"是否仍在运营": "还行"}})
    with pytest.raises(ValidationError, match="第 5 行“是否仍在运营”"):
        packets.import_packet(register, camp, path)
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"not a workbook")
    with pytest.raises(ValidationError, match="自查表文件"):
        packets.import_packet(register, camp, other)


# -- assessment ------------------------------------------------------------------------


def test_flags_are_explained(opened) -> None:
    register, camp = opened
    rows = assess.assessment(register, camp, OPENED)
    codes = {f.code for r in rows for f in r.flags}
    assert {
        "not_submitted",
        "over_quota",
        "duplicate",
        "low_activity",
        "password",
        "missing_roles",
    } <= codes
    over = next(f for r in rows for f in r.flags if f.code == "over_quota")
    assert "超过每个平台 1 个的限额" in over.reason and "优先顺序" in over.reason
    low = next(
        f for r in rows for f in r.flags if f.code == "low_activity" and "最近发布于" in f.reason
    )
    assert "已超过 6 个月未更新" in low.reason
    # a fresh self-check answer clears the low-activity flag
    row = next(r for r in rows if any(f.code == "low_activity" for f in r.flags))
    campaign.record_self_check(register, camp, row.account_id, check())
    after = {r.account_id: r for r in assess.assessment(register, camp, OPENED)}[row.account_id]
    assert "low_activity" not in {f.code for f in after.flags}
    assert "not_submitted" not in {f.code for f in after.flags}
    assert "materials_missing" in {f.code for f in after.flags}
    campaign.set_materials_received(register, camp, row.account_id, True)
    received = {r.account_id: r for r in assess.assessment(register, camp, OPENED)}[row.account_id]
    assert "materials_missing" not in {f.code for f in received.flags}


def test_bulk_verdicts_all_or_none_and_changeable(opened) -> None:
    register, camp = opened
    rows = [
        r for r in assess.assessment(register, camp, OPENED) if r.status is AccountStatus.RUNNING
    ][:6]
    ids = [r.account_id for r in rows]
    for account_id in ids[:5]:
        campaign.record_self_check(register, camp, account_id, check())
    with pytest.raises(ValidationError, match="整改期限"):
        assess.set_verdicts(register, camp, ids[:3], Verdict.RECTIFY)
    with pytest.raises(PolicyError, match="尚未提交自查"):
        assess.set_verdicts(register, camp, ids, Verdict.PASS)  # the sixth has no self-check
    assert all(register.reviews.result(camp.id, i).verdict is None for i in ids)
    assert assess.set_verdicts(register, camp, ids[:3], Verdict.RECTIFY, deadline=DEADLINE) == 3
    assess.set_verdicts(register, camp, ids[:2], Verdict.PASS)
    verdicts = [register.reviews.result(camp.id, i).verdict for i in ids[:3]]
    assert verdicts == [Verdict.PASS, Verdict.PASS, Verdict.RECTIFY]
    assert register.reviews.result(camp.id, ids[2]).verdict_deadline == DEADLINE
    assert register.reviews.result(camp.id, ids[0]).verdict_deadline is None


# -- publishing ------------------------------------------------------------------------


def _run_campaign(register, camp):
    """Collect with some units missing, decide verdicts, and return what we expect."""
    by_unit = facts_by_unit(register, camp)
    running_units = [
        u for u, facts in by_unit.items() if sum(f["status"] == "running" for f in facts) >= 4
    ]
    assert len(running_units) >= 3
    ranked = sorted(by_unit, key=lambda u: u in running_units[:3], reverse=True)
    missing = set(ranked[-3:])  # three units never respond
    for unit_id, facts in by_unit.items():
        if unit_id in missing:
            continue
        for fact in facts:
            campaign.record_self_check(
                register, camp, fact["account_id"], check(), materials_received=True
            )
        campaign.record_unit_return(register, camp, unit_id, dt.date(2026, 12, 10))
    checked = [f for u, facts in by_unit.items() if u not in missing for f in facts]
    assess.set_verdicts(register, camp, [f["account_id"] for f in checked], Verdict.PASS)
    decided: dict[int, Verdict] = {}
    for unit_id, verdict in zip(
        running_units[:3], (Verdict.RECTIFY, Verdict.SUSPEND, Verdict.ORDER_CLOSE), strict=True
    ):
        ids = [f["account_id"] for f in by_unit[unit_id] if f["status"] == "running"][:2]
        assess.set_verdicts(
            register, camp, ids, verdict, deadline=DEADLINE if verdict is Verdict.RECTIFY else None
        )
        decided.update(dict.fromkeys(ids, verdict))
    expected = {f["account_id"]: decided.get(f["account_id"], Verdict.PASS) for f in checked}
    for unit_id in missing:
        expected.update({f["account_id"]: Verdict.NOT_SUBMITTED for f in by_unit[unit_id]})
    return expected, missing, set(running_units[:3])


def test_publish_applies_statuses_and_writes_exact_listing(opened, tmp_path) -> None:
    register, camp = opened
    expected, missing, failing_units = _run_campaign(register, camp)
    statuses = {f["account_id"]: f["status"] for f in register.reviews.facts(camp.id)}
    sanctions_before = len(register.sanctions.all())
    out = tmp_path / "out"
    result = publish.publish(register, 2026, out, today=PUBLISHED, force=True)
    # statuses and sanctions as decided
    for account_id, verdict in expected.items():
        account = register.accounts.get(account_id)
        if verdict is Verdict.RECTIFY:
            assert account.status is AccountStatus.RECTIFYING
        elif verdict is Verdict.SUSPEND:
            assert account.status is AccountStatus.SUSPENDED
        elif verdict is Verdict.ORDER_CLOSE:
            assert account.status is AccountStatus.CLOSING
            assert any(
                f.kind is FilingKind.CLOSURE for f in register.filings.for_account(account_id)
            )
        else:
            assert account.status.value == statuses[account_id]
        assert register.reviews.result(camp.id, account_id).verdict is verdict
    new = [s for s in register.sanctions.all()[sanctions_before:]]
    kinds = {
        Verdict.RECTIFY: SanctionKind.RECTIFY,
        Verdict.SUSPEND: SanctionKind.SUSPEND_RUN,
        Verdict.ORDER_CLOSE: SanctionKind.ORDER_CLOSE,
    }
    assert sorted((s.account_id, s.kind) for s in new) == sorted(
        (a, kinds[v]) for a, v in expected.items() if v in kinds
    )
    assert all(s.campaign_id == camp.id for s in new)
    assert all(s.deadline_on == DEADLINE for s in new if s.kind is SanctionKind.RECTIFY)
    assert register.reviews.get(camp.id).published_on == PUBLISHED
    assert register.audit.verify() == []

    names = {f["account_id"]: f for f in register.reviews.facts(camp.id)}
    unit_names = {u.unit_id: u.unit_name for u in register.reviews.units(camp.id)}

    def mark(unit_id: int) -> str:
        marks = []
        if unit_id in missing:
            marks.append(MARK_NOT_SUBMITTED)
        if unit_id in failing_units:
            marks.append(MARK_FAILED)
        return "、".join(marks)

    def result_text(account_id: int) -> str:
        verdict = expected[account_id]
        return (
            f"限期整改，截止 {DEADLINE}（含当日）" if verdict is Verdict.RECTIFY else verdict.label
        )

    want = sorted(
        (
            names[a]["name"],
            names[a]["platform"],
            unit_names[names[a]["unit_id"]],
            result_text(a),
            mark(names[a]["unit_id"]),
        )
        for a in expected
    )
    # xlsx
    sheet = load_workbook(result.listing_xlsx)["公示"]
    got = sorted(
        (r[1], r[2], r[4], r[5], r[6] or "") for r in sheet.iter_rows(min_row=4, values_only=True)
    )
    assert got == want
    levels = {r[3] for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert levels <= {"一级账号", "二级账号", "三级账号"}
    # HTML
    parser = TableParser()
    parser.feed(result.listing_html.read_text(encoding="utf-8"))
    assert (
        sorted(
            (r[1], r[2], r[4], r[5], r[6].replace(MARK_FAILED, "、" + MARK_FAILED).strip("、"))
            for r in parser.rows
        )
        == want
    )
    assert sorted(parser.marked[MARK_NOT_SUBMITTED]) == sorted(unit_names[u] for u in missing)
    assert sorted(parser.marked[MARK_FAILED]) == sorted(unit_names[u] for u in failing_units)
    # PDF
    text = text_of_pdf(result.listing_pdf)
    assert "UMingCN" in embedded_fonts(result.listing_pdf)
    assert "UMingCN" in embedded_fonts(result.summary_pdf)
    assert f"共 {len(expected)} 个账号" in text
    for unit_id in missing:
        assert unit_names[unit_id] in text
    assert text.count("未提交年审材料") >= sum(
        1 for a in expected if names[a]["unit_id"] in missing
    )
    # one notice per unit concerned
    concerned = {names[a]["unit_id"] for a, v in expected.items() if v is not Verdict.PASS}
    assert len(result.notices) == len(concerned)
    notice = next(p for p in result.notices if f"-{min(failing_units):03d}-" in p.name)
    assert "整改通知" in text_of_pdf(notice)
    summary = text_of_pdf(result.summary_pdf)
    assert "按年审结果" in summary and "按开设平台" in summary
    assert not list(out.glob(".nmdesk-publish-*"))


def test_published_campaign_is_read_only(opened, tmp_path) -> None:
    register, camp = opened
    account_id = register.reviews.results(camp.id)[0].account_id
    publish.publish(register, 2026, tmp_path / "out", today=PUBLISHED, force=True)
    camp = register.reviews.get(camp.id)
    assert camp.step is Step.PUBLISHED
    assert register.reviews.result(camp.id, account_id).verdict is Verdict.NOT_SUBMITTED
    with pytest.raises(PolicyError, match="只读"):
        campaign.record_self_check(register, camp, account_id, check())
    with pytest.raises(PolicyError, match="只读"):
        assess.set_verdicts(register, camp, [account_id], Verdict.NOT_SUBMITTED)
    with pytest.raises(PolicyError, match="只读"):
        campaign.record_unit_return(
            register, camp, register.reviews.units(camp.id)[0].unit_id, PUBLISHED
        )
    with pytest.raises(PolicyError, match="只读"):
        publish.publish(register, 2026, tmp_path / "again", today=PUBLISHED, force=True)
    assert not (tmp_path / "again").exists() or not any((tmp_path / "again").iterdir())


def test_failed_publish_leaves_no_files_and_no_changes(opened, tmp_path, monkeypatch) -> None:
    register, camp = opened
    _expected, _, _ = _run_campaign(register, camp)
    audit_before = register.audit.count()
    statuses = register.accounts.count_by_status()
    import nmdesk.review.pdfs as pdfs

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pdfs, "write_notice_pdf", broken)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="disk full"):
        publish.publish(register, 2026, out, today=PUBLISHED, force=True)
    assert list(out.iterdir()) == []
    assert register.audit.count() == audit_before
    assert register.accounts.count_by_status() == statuses
    assert register.reviews.get(camp.id).published_on is None
    monkeypatch.undo()
    # cancelling half-way also leaves everything as it was
    with pytest.raises(publish.PublishCancelled):
        publish.publish(
            register, 2026, out, today=PUBLISHED, force=True,
            progress=lambda done, total, message: done < 100,
        )  # fmt: skip
    assert list(out.iterdir()) == []
    assert register.audit.count() == audit_before
    result = publish.publish(register, 2026, out, today=PUBLISHED, force=True)
    assert result.listing_pdf.exists()


def test_publish_refuses_undecided_self_checked_accounts(opened, tmp_path) -> None:
    register, camp = opened
    account_id = register.reviews.results(camp.id)[0].account_id
    campaign.record_self_check(register, camp, account_id, check())
    with pytest.raises(PolicyError, match="没有作出年审结论"):
        publish.publish(register, 2026, tmp_path / "out", today=PUBLISHED, force=True)
    assert register.reviews.get(camp.id).published_on is None


def test_next_year_compares_with_published_campaign(opened, tmp_path) -> None:
    register, _camp = opened
    publish.publish(register, 2026, tmp_path / "2026", today=PUBLISHED, force=True)
    camp27 = campaign.open_campaign(register, 2027, today=dt.date(2027, 11, 20))
    facts = register.reviews.facts(camp27.id)
    first = facts[0]["account_id"]
    campaign.record_self_check(register, camp27, first, check())
    assess.set_verdicts(register, camp27, [first], Verdict.PASS)
    result = publish.publish(
        register, 2027, tmp_path / "2027", today=dt.date(2028, 1, 5), force=True
    )
    html_text = result.summary_html.read_text(encoding="utf-8")
    assert "上年（2026）" in html_text
    summary = text_of_pdf(result.summary_pdf)
    assert "2026 年" in summary and "变化" in summary
    previous = json.dumps(sorted(result.counts.items()))
    assert "pass" in previous


def test_cli_open_status_publish(demo_path, tmp_path, capsys) -> None:
    args = ["--year", "2026", "--path", str(demo_path)]
    assert (
        main(["review", "open", *args, "--today", "2026-11-20", "--out", str(tmp_path / "packets")])
        == 0
    )
    assert len(list((tmp_path / "packets").glob("*.xlsx"))) > 30
    reminders = tmp_path / "催交.xlsx"
    assert main(["review", "status", *args, "--today", "2027-01-02", "--out", str(reminders)]) == 0
    out = capsys.readouterr().out
    assert "单位已交回 0/" in out and "逾期" in out
    sheet = load_workbook(reminders).active
    assert sheet["A2"].value == "单位" and sheet.max_row - 2 == len(demo_register_units(demo_path))
    assert str(sheet["D3"].value).startswith("已逾期 2 天")
    publishing = ["review", "publish", *args, "--out", str(tmp_path / "out")]
    # units outstanding: refused with what is missing, until --force
    assert main([*publishing, "--today", "2027-01-03"]) == 2
    assert "尚未交齐年审材料" in capsys.readouterr().err
    assert not (tmp_path / "out" / "2026年度年审公示.html").exists()
    assert main([*publishing, "--today", "2027-01-03", "--force"]) == 0
    assert "已发布：未提交" in capsys.readouterr().out
    assert (tmp_path / "out" / "2026年度年审公示.html").exists()
    assert main(["review", "publish", *args, "--out", str(tmp_path / "out")]) == 2
    assert "只读" in capsys.readouterr().err
    assert main(["review", "export", *args, "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "2026年度年审公示.pdf").exists()


def test_suggested_verdicts_and_taking_them(opened) -> None:
    flag = assess.Flag
    suggest = assess.suggest_verdict
    assert suggest([flag("not_submitted", ""), flag("duplicate", "")]) is Verdict.NOT_SUBMITTED
    assert suggest([flag("not_operated", "")]) is Verdict.ORDER_CLOSE
    assert suggest([flag("low_activity", "")]) is Verdict.RECTIFY
    assert suggest([flag("over_quota", "")], priority_rank=1) is Verdict.PASS
    assert suggest([flag("over_quota", "")], priority_rank=2) is Verdict.RECTIFY
    assert suggest([flag("password", "")]) is Verdict.PASS
    register, camp = opened
    ids = [r.account_id for r in register.reviews.results(camp.id)][:4]
    for account_id in ids:
        campaign.record_self_check(register, camp, account_id, check())
    assess.set_verdicts(register, camp, ids[:1], Verdict.RECTIFY, deadline=DEADLINE, note="人工")
    count = assess.apply_suggestions(register, camp, OPENED, rectify_deadline=DEADLINE)
    assert count == len(register.reviews.results(camp.id)) - 1
    kept = register.reviews.result(camp.id, ids[0])
    assert kept.verdict is Verdict.RECTIFY and kept.verdict_note == "人工"
    rows = {r.account_id: r for r in assess.assessment(register, camp, OPENED)}
    assert all(rows[a].verdict is rows[a].suggested for a in ids[1:])
    assert all(r.verdict is Verdict.NOT_SUBMITTED for r in rows.values() if not r.self_checked)


def test_account_closed_during_campaign_leaves_the_listing(opened, tmp_path) -> None:
    register, camp = opened
    running = [f for f in register.reviews.facts(camp.id) if f["status"] == "running"]
    closed_id = running[0]["account_id"]
    filing_id = start_closure(register, closed_id, dt.date(2026, 12, 1), "停止运营")
    confirm_closure(register, filing_id, dt.date(2026, 12, 5))
    result = publish.publish(register, 2026, tmp_path / "out", today=PUBLISHED, force=True)
    assert register.reviews.result(camp.id, closed_id).verdict is None
    listed = [
        r[1]
        for r in load_workbook(result.listing_xlsx)["公示"].iter_rows(min_row=4, values_only=True)
    ]
    assert len(listed) == len(register.reviews.results(camp.id)) - 1


def test_user_text_is_escaped_in_html_and_text_in_xlsx(opened, tmp_path) -> None:
    register, camp = opened
    account_id = register.reviews.results(camp.id)[0].account_id
    tricky = '=HYPERLINK("x")<b>&amp;'
    edit_account(register, account_id, {"name": tricky}, event_on=dt.date(2026, 11, 25))
    result = publish.publish(register, 2026, tmp_path / "out", today=PUBLISHED, force=True)
    page = result.listing_html.read_text(encoding="utf-8")
    assert "=HYPERLINK(&quot;x&quot;)&lt;b&gt;&amp;amp;" in page and "<b>" not in page
    parser = TableParser()
    parser.feed(page)
    assert tricky in [row[1] for row in parser.rows]
    sheet = load_workbook(result.listing_xlsx)["公示"]
    cell = next(c for c in sheet["B"] if c.value == tricky)
    assert cell.data_type == "s"
    assert tricky in text_of_pdf(result.listing_pdf)


def demo_register_units(path: Path) -> list[int]:
    from nmdesk.store import Register

    with Register.open(path, read_only=True) as register:
        return [u.id for u in register.units.all()]


# -- the fast paths of publishing (same output as the straightforward ones) -----------


def _all_pairs_duplicates(group: list[dict]) -> dict[int, list[str]]:
    """Every pair compared, as the flag was first computed: the reference."""
    found: dict[int, list[str]] = {}
    for i, first in enumerate(group):
        for second in group[i + 1 :]:
            why = assess._look_alike(first, second)
            if why is not None:
                found.setdefault(first["account_id"], []).append(f"“{second['name']}”（{why}）")
                found.setdefault(second["account_id"], []).append(f"“{first['name']}”（{why}）")
    return found


def test_duplicates_name_the_first_look_alikes_as_comparing_every_pair_would() -> None:
    names = ["学院新闻", "学院新闻网", "学院招生", "图书馆", "学院新闻中心", "学院新闻社", "校友会"]
    purposes = ["发布新闻", "发布新闻", "招生宣传", "馆藏", "发布新闻动态", "新闻", "发布新闻"]
    group = [
        {"account_id": 10 + i, "name": n, "purpose": p}
        for i, (n, p) in enumerate(zip(names, purposes, strict=True))
    ]
    reference = _all_pairs_duplicates(group)
    got = assess._likely_duplicates([group])
    assert reference and any(len(twins) > assess.SHOWN_TWINS for twins in reference.values())
    assert got == {account: twins[: assess.SHOWN_TWINS] for account, twins in reference.items()}


def test_bulk_update_audits_each_changed_row_once(opened) -> None:
    register, camp = opened
    results = register.reviews.results(camp.id)[:3]
    first, second, third = (r.account_id for r in results)
    before = register.audit.count()
    with register.transaction():
        register.reviews.update_results(
            camp.id,
            {
                first: {"verdict_note": "甲"},
                second: {"verdict_note": "乙", "materials_received": True},
                third: {"verdict_note": results[2].verdict_note},  # unchanged: no entry
            },
        )
    assert register.audit.count() == before + 1  # one row set of the two changed rows
    entries = {
        account: [e for e in register.audit.history_of_account(account)
                  if e["table_name"] == "review_results" and e["action"] == "update"]
        for account in (first, second, third)
    }  # fmt: skip
    assert len(entries[first]) == len(entries[second]) == 1 and entries[third] == []
    assert json.loads(entries[first][0]["after"])["verdict_note"] == "甲"
    assert json.loads(entries[first][0]["before"])["verdict_note"] == results[0].verdict_note
    assert register.reviews.result(camp.id, first).verdict_note == "甲"
    assert register.reviews.result(camp.id, second).materials_received is True
    assert register.audit.verify() == []
    with pytest.raises(ValueError, match="not a review result column"):
        register.reviews.update_results(camp.id, {first: {"name": "x"}})


def test_listing_xlsx_keeps_text_styles_frozen_header_and_filter(tmp_path) -> None:
    from nmdesk.review import listing as listing_module
    from nmdesk.review.records import Campaign

    camp = Campaign(1, 2026, OPENED, DEADLINE, Step.PUBLISHED, PUBLISHED, "")
    rows = [
        listing_module.ListingRow(
            1, 1, "=1+1", "微信", 1, "一级账号", 1, "甲学院", Verdict.PASS, None, ""
        ),
        listing_module.ListingRow(
            2, 2, " 前后空格 \x07", "微博", 2, "二级账号", 2, "乙学院",
            Verdict.RECTIFY, DEADLINE, MARK_FAILED,
        ),
    ]  # fmt: skip
    outcomes = {
        1: UnitOutcome(1, "甲学院", Submission.RETURNED, 1, 1, 0),
        2: UnitOutcome(2, "乙学院", Submission.RETURNED, 1, 1, 1),
    }
    listing = listing_module.Listing(
        camp, "某大学", "党委宣传部", rows, outcomes, "办法", {1: "甲学院", 2: "乙学院"}
    )
    path = listing_module.write_listing_xlsx(listing, tmp_path / "l.xlsx")
    book = load_workbook(path)
    sheet = book["公示"]
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert [c.value for c in sheet[3]] == list(listing_module.LISTING_HEADERS)
    assert sheet["C3"].font.b and sheet["C3"].fill.fgColor.rgb.endswith("DDE6F0")
    assert sheet["B4"].value == "=1+1" and sheet["B4"].data_type == "s"
    assert sheet["A4"].value == 1 and sheet["A5"].value == 2
    assert sheet["B5"].value == " 前后空格 "  # the control character an xlsx cannot hold is dropped
    assert sheet["F5"].value == f"限期整改，截止 {DEADLINE}（含当日）"
    assert sheet["G4"].value is None and sheet["G5"].value == MARK_FAILED
    assert sheet["G5"].fill.fgColor.rgb.endswith("FDE2E1")
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == "A3:G5"
    assert sheet.column_dimensions["B"].width == 30
    marks = list(book["单位标注"].values)
    assert marks[:2] == [("单位", "标注"), ("乙学院", MARK_FAILED)]
    assert marks[-1][0] == listing.chain_head.describe()  # the head the listing was made from


def test_listing_pdf_repeats_the_header_on_every_page_and_lists_every_row(tmp_path) -> None:
    from nmdesk.review import listing as listing_module
    from nmdesk.review import pdfs
    from nmdesk.review.records import Campaign

    camp = Campaign(1, 2026, OPENED, DEADLINE, Step.PUBLISHED, PUBLISHED, "")
    rows = [
        listing_module.ListingRow(
            i, i, f"账号{i:03d}", "微信", 1, "一级账号", 1, "甲学院", Verdict.PASS, None, ""
        )
        for i in range(1, 121)
    ]
    listing = listing_module.Listing(camp, "某大学", "党委宣传部", rows, {}, "办法", {})
    path = pdfs.write_listing_pdf(listing, tmp_path / "l.pdf")
    pages = [page.extract_text() for page in PdfReader(path).pages]
    assert len(pages) >= 4
    assert all("账号名称" in text and "单位标注" in text for text in pages)
    text = "\n".join(pages)
    assert all(f"账号{i:03d}" in text for i in range(1, 121))
    assert "UMingCN" in embedded_fonts(path)


def test_similarity_is_difflibs_ratio() -> None:
    import difflib
    import random

    rng = random.Random(14)
    alphabets = ["ab", "abc", "学院新闻", "北理工宣传部心理就业国际团委", "abcdefghij"]
    pairs = [("学院新闻", "学院新闻网"), ("abcab", "bacba"), ("图书馆", "校友会"), ("a", "a")]
    for _ in range(3000):
        alphabet = rng.choice(alphabets)
        a, b = ("".join(rng.choices(alphabet, k=rng.randint(1, 14))) for _ in range(2))
        pairs.append((a, b))
    assess.clear_similarity_caches()
    for a, b in pairs:
        want = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
        assert 2.0 * assess._matched(a, b) / (len(a) + len(b)) == want, (a, b)
        got = assess._similar(a, b, 0.6)
        assert got == want or (got == 0.0 and want < 0.6), (a, b)
    assert assess._similar("", "学院", 0.6) == 0.0


def test_table_cells_are_the_operators_reportlab_writes(tmp_path) -> None:
    """CellText encodes cells as textOut does: same subsets, fonts and escapes."""
    from reportlab.pdfgen.canvas import Canvas

    from nmdesk.compat.reportlab import CellText
    from nmdesk.review import pdfs

    pdfs._register_form_fonts()
    # parentheses and a backslash (escaped), a no-break space (a space), a character the
    # font lacks (glyph 0), and over 256 distinct characters (a second subset)
    many = "".join(chr(0x4E00 + i * 7) for i in range(300))
    cells = ["序号", "学院(新闻)\\网", "a\u00a0b", "🙂学院", many, "学院", many[::-1], "序号"]
    plain, fast = Canvas(str(tmp_path / "a.pdf")), Canvas(str(tmp_path / "b.pdf"))
    reference = plain.beginText()
    reference.setFont(pdfs.FORM_FONT, 9.5)
    encoder = CellText(fast, pdfs.FORM_FONT, 9.5)
    for cell in cells:
        before = len(reference._code)
        reference.textOut(cell)
        assert " ".join(reference._code[before:]) == encoder.encode(cell), cell
    assert encoder.subset == reference._curSubset
    assert any("+1 9.5 Tf" in op for op in reference._code)  # the second subset was used


def test_notices_in_a_row_each_embed_the_font_and_their_own_accounts(tmp_path) -> None:
    from nmdesk.review import listing as listing_module
    from nmdesk.review import pdfs
    from nmdesk.review.records import Campaign

    camp = Campaign(1, 2026, OPENED, DEADLINE, Step.PUBLISHED, PUBLISHED, "")
    units = {1: "甲学院", 2: "乙研究所"}
    rows = [
        listing_module.ListingRow(
            i, i, f"{units[u]}{word}号", "微信", 1, "一级账号", u, units[u],
            Verdict.RECTIFY, DEADLINE, MARK_FAILED,
        )
        for i, (u, word) in enumerate(
            [(1, "新闻"), (1, "招生"), (2, "科研"), (2, "图书馆藏")], start=1
        )
    ]  # fmt: skip
    listing = listing_module.Listing(camp, "某大学", "党委宣传部", rows, {}, "办法", units)
    notices = {
        unit_id: pdfs.write_notice_pdf(listing, unit_id, unit_rows, tmp_path / f"{unit_id}.pdf")
        for unit_id, unit_rows in pdfs.notice_units(listing).items()
    }
    first_programs = set()
    for unit_id, path in notices.items():
        text = text_of_pdf(path)
        assert "整改通知" in text and f"{units[unit_id]}：" in text
        for row in rows:
            assert (row.name in text) == (row.unit_id == unit_id)
        assert "UMingCN" in embedded_fonts(path)
        programs = [
            font["/FontDescriptor"]["/FontFile2"].get_data()
            for page in PdfReader(path).pages
            for font in (f.get_object() for f in page["/Resources"]["/Font"].values())
            if "/FontDescriptor" in font
        ]
        assert programs and all(p[:4] == b"\x00\x01\x00\x00" for p in programs)
        assert sum(map(len, programs)) > 10_000  # the glyphs, not an empty shell
        first_programs.add(programs[0])
    assert len(first_programs) == 1  # the wording every notice prints: one font subset


def test_bulk_update_audits_the_row_as_stored_when_sqlite_converts_a_value(opened) -> None:
    register, camp = opened
    first, second = (r.account_id for r in register.reviews.results(camp.id)[:2])
    with register.transaction():
        register.reviews.update_results(
            camp.id, {first: {"followers": "1200"}, second: {"followers": 7, "flags": "[]"}}
        )
    row = register.reviews.result(camp.id, first)
    assert row.check.followers == 1200  # stored as an integer by the column's affinity
    for account_id, followers in ((first, 1200), (second, 7)):
        entry = [
            e for e in register.audit.history_of_account(account_id)
            if e["table_name"] == "review_results"
        ][-1]  # fmt: skip
        assert json.loads(entry["after"])["followers"] == followers  # the row as stored
    assert register.audit.verify() == []


def test_publishing_lists_from_the_facts_as_written_what_reading_them_back_gives(opened) -> None:
    from nmdesk.review.listing import build_listing

    register, camp = opened
    _run_campaign(register, camp)
    facts = register.reviews.facts(camp.id)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), register.transaction():
        _, final = publish._apply_verdicts(register, camp, PUBLISHED, facts=facts)
        from_facts = build_listing(register, camp, facts=final)
        read_back = build_listing(register, camp)
        assert from_facts == read_back
        assert any(r.verdict is Verdict.NOT_SUBMITTED for r in read_back.rows)
        raise Rollback
    assert register.reviews.facts(camp.id) == facts  # rolled back


def test_table_cells_are_cut_to_their_column_with_an_ellipsis() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from nmdesk.review import pdfs

    look = pdfs.LISTING_LOOK
    short = ("12", "学院新闻", "微信", "一级账号", "甲学院", "通过", "")
    assert look.fit(short) == short
    long_name = "北京理工大学" * 12
    fitted = look.fit(("9600", long_name, *short[2:]))
    assert fitted[0] == "9600" and fitted[2:] == short[2:]
    assert fitted[1].endswith("…") and long_name.startswith(fitted[1][:-1])
    room = look.widths[1] - 2 * look.pad
    assert stringWidth(fitted[1], pdfs.FORM_FONT, look.size) <= room
    assert stringWidth(long_name[: len(fitted[1])] + "…", pdfs.FORM_FONT, look.size) > room
    with pytest.raises(ValueError, match="cells for 7 columns"):
        look.fit(short[:3])


# -- a publish stopped while writing its files ----------------------------------------


def test_a_publish_cancelled_while_writing_notices_leaves_nothing(opened, tmp_path) -> None:
    register, camp = opened
    _run_campaign(register, camp)
    audit_before = register.audit.count()
    out = tmp_path / "out"
    with pytest.raises(publish.PublishCancelled):
        publish.publish(
            register, 2026, out, today=PUBLISHED, force=True,
            progress=lambda done, total, message: message != "生成整改通知",
        )  # fmt: skip
    assert list(out.iterdir()) == [] and register.audit.count() == audit_before
    assert register.reviews.get(camp.id).published_on is None
    result = publish.publish(register, 2026, out, today=PUBLISHED, force=True)
    assert result.notices and all(path.exists() for path in result.files)
    assert "整改通知" in text_of_pdf(result.notices[0]) and register.audit.verify() == []


def test_a_rectification_result_is_never_cut_short_in_the_listing_or_a_notice() -> None:
    """The published result names its deadline in full, "截止 …（含当日）"."""
    from nmdesk.review.listing import ListingRow
    from nmdesk.review.pdfs import LISTING_LOOK, NOTICE_LOOK

    row = ListingRow(
        1, 1, "甲", "微信", 2, "二级账号", 1, "甲学院", Verdict.RECTIFY, dt.date(2027, 12, 31), ""
    )
    result = row.result_text
    assert LISTING_LOOK.fit(("1", "甲", "微信", "二级账号", "甲学院", result, ""))[5] == result
    assert NOTICE_LOOK.fit(("1", "甲", "微信", result))[3] == result
