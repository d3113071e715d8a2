"""Every form printed for an account carries an identity that ``receive`` matches
(issue 14, item 3): its own filing's, or a draft of its own."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from nmdesk.cli import main
from nmdesk.dates import PartialDate
from nmdesk.errors import PolicyError
from nmdesk.forms import form_sheets, render_form
from nmdesk.forms.identity import BLANK_NOTE
from nmdesk.forms.receipt import find_copy, receive_copy
from nmdesk.models import Account, AccountStatus, FilingKind, FilingStatus
from nmdesk.services.accounts import approve
from tests.nmdesk.forms.test_forms import make_account

DAY = dt.date(2026, 12, 7)


@pytest.fixture
def pku_demo_register(tmp_path: Path):
    from nmdesk.demo import build_demo_register
    from nmdesk.store import Register

    path = tmp_path / "pku.nmdesk"
    build_demo_register(path, "pku-coe", accounts=80, seed=3)
    with Register.open(path, actor="tester") as register:
        yield register


def _trace_lines(path: Path) -> list[tuple[str, str]]:
    """(表单版本, 校验码) printed on each page."""
    found = []
    for page in PdfReader(path).pages:
        text = page.extract_text() or ""
        version = re.search(r"表单版本：(\S+)", text)
        code = re.search(r"校 验 码：(\S+)", text)
        found.append((version.group(1) if version else "", code.group(1) if code else ""))
    return found


def _only_opening(register) -> int:
    return next(
        a
        for a in register.accounts.ids()
        if register.accounts.get(a).status is AccountStatus.RUNNING
        and [f.kind for f in register.filings.for_account(a)] == [FilingKind.OPENING]
    )


def test_a_change_form_for_an_account_that_never_changed_has_its_own_draft(
    demo_register, tmp_path
) -> None:
    register = demo_register
    account_id = _only_opening(register)
    opening = register.filings.for_account(account_id)[0]
    path = render_form(register, "change", account_id, tmp_path / "change.pdf")
    traces = set(_trace_lines(path))
    assert len(traces) == 1
    ((version, code),) = traces
    assert version == "第2版（变更备案，待登记）"
    assert code and code != opening.check_code
    again = render_form(register, "change", account_id, tmp_path / "again.pdf")
    assert set(_trace_lines(again)) == traces  # the same draft every time it is printed
    match = find_copy(register, f"{register.accounts.get(account_id).serial_no}|{code}")
    assert match.draft is not None and match.account.id == account_id
    received = receive_copy(register, code, DAY)
    assert received.filing is not None and received.filing.kind is FilingKind.CHANGE
    assert received.filing.status is FilingStatus.FILED and received.filing.filed_on == DAY
    assert register.drafts.by_check_code(code).filing_id == received.filing.id
    assert register.filings.get(opening.id).status is opening.status  # untouched
    with pytest.raises(PolicyError, match="已登记交回"):
        receive_copy(register, code, DAY)
    assert register.audit.verify() == []


def test_a_backfilled_accounts_filing_sheet_is_traceable_and_received(register, tmp_path) -> None:
    """补登: an account already running, entered without any filing."""
    account_id = make_account(register, approve=False)
    with register.transaction():
        unit_id = register.accounts.get(account_id).unit_id
        backfilled = register.accounts.create(
            Account(
                None,
                "微博",
                "官方微博",
                "测试学院微博",
                unit_id,
                2,
                platform_id="test_wb",
                purpose="发布学院新闻",
                opened_on=PartialDate(2019, 3, 1),
                status=AccountStatus.RUNNING,
            )
        )
    assert register.filings.for_account(backfilled) == []
    sheets = form_sheets(register, "filing", backfilled)
    trace = sheets[0].trace
    assert trace.check_code and trace.version == "第1版（开设备案，待登记）"
    assert "补登" in trace.note and "审批文号和审批日期" in trace.note
    path = render_form(register, "filing", backfilled, tmp_path / "filing.pdf")
    assert set(_trace_lines(path)) == {(trace.version, trace.check_code)}
    received = receive_copy(register, trace.check_code, DAY)
    assert received.filing.kind is FilingKind.OPENING and received.filing.filed_on == DAY


def test_an_applications_draft_waits_for_its_approval(register) -> None:
    account_id = make_account(register, approve=False)
    trace = form_sheets(register, "filing", account_id)[0].trace
    assert trace.check_code and "审批文号和审批日期" in trace.note
    with pytest.raises(PolicyError, match="请先在账号资料中填写审批文号和审批日期"):
        receive_copy(register, trace.check_code, DAY)
    filing_id = approve(
        register,
        account_id,
        dt.date(2026, 12, 1),
        register.profile.level(2).approving_body,
        "纪要〔2026〕9号",
    )
    received = receive_copy(register, trace.check_code, DAY)
    assert received.filing.id == filing_id and received.filing.status is FilingStatus.FILED
    assert register.accounts.get(account_id).status is AccountStatus.RUNNING


def test_blank_forms_for_an_account_carry_its_identity_and_without_one_say_why(
    demo_register,
) -> None:
    register = demo_register
    account_id = _only_opening(register)
    opening = register.filings.for_account(account_id)[0]
    filing_blank = form_sheets(register, "filing", account_id, blank=True)[0]
    assert filing_blank.trace.check_code == opening.check_code
    assert filing_blank.account_id == account_id
    change_blank = form_sheets(register, "change", account_id, blank=True)[0]
    assert change_blank.trace.check_code and change_blank.trace.check_code != opening.check_code
    nobody = form_sheets(register, "filing", None, blank=True)[0]
    assert nobody.trace.check_code == "" and nobody.trace.note == BLANK_NOTE


@pytest.mark.parametrize("fixture", ["demo_register", "pku_demo_register"])
def test_every_form_for_any_account_carries_an_identity_receive_matches(request, fixture) -> None:
    register = request.getfixturevalue(fixture)
    sanctioned = {s.account_id for s in register.sanctions.all() if s.account_id}
    for form in register.profile.forms:
        if form == "ledger":
            continue
        for account_id in [*register.accounts.ids()[:30], *sorted(sanctioned)[:5]]:
            if form == "rectification" and account_id not in sanctioned:
                continue
            for blank in (False, True):
                trace = form_sheets(register, form, account_id, blank=blank)[0].trace
                assert trace.check_code, (form, account_id, blank)
                assert trace.serial_no == register.accounts.get(account_id).serial_no
                assert trace.version
                match = find_copy(register, trace.qr_payload)
                assert match.account.id == account_id, (form, account_id)
                if match.filing is not None:
                    kinds = {
                        "change": {FilingKind.CHANGE, FilingKind.PERSONNEL},
                        "closure": {FilingKind.CLOSURE},
                    }.get(form)
                    assert kinds is None or match.filing.kind in kinds, (form, match.filing)
    assert register.audit.verify() == []


def test_cli_receive_matches_a_draft(demo_path, tmp_path, capsys) -> None:
    from nmdesk.store import Register

    with Register.open(demo_path) as register:
        account_id = _only_opening(register)
    out = tmp_path / "change.pdf"
    args = ["--path", str(demo_path)]
    assert main(["print", "change", "--account", str(account_id), "--out", str(out), *args]) == 0
    ((_, code),) = set(_trace_lines(out))
    capsys.readouterr()
    assert main(["receive", code, "--date", str(DAY), *args]) == 0
    assert "变更备案 第2版" in capsys.readouterr().out
