"""Printed forms: read the generated PDFs back and check what a clerk would check on paper."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from nmdesk.cli import main as cli_main
from nmdesk.dates import PartialDate
from nmdesk.errors import PolicyError
from nmdesk.forms import Cancelled, render_form
from nmdesk.forms.batch import render_batch
from nmdesk.models import (
    Account,
    Application,
    FieldChange,
    FilingKind,
    FilingStatus,
    Person,
    PersonKind,
    Sanction,
    SanctionKind,
    Unit,
)
from nmdesk.services.accounts import approve as approve_application
from nmdesk.services.accounts import assign_role
from nmdesk.services.filings import mark_filed, receive_signed_copy, start_closure
from nmdesk.services.sanctions import issue

A4 = (595.28, 841.89)
CODE_RE = re.compile(r"校验码：([A-Z0-9]{6})")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def copies_by_label(path: Path, labels: tuple[str, ...]) -> dict[str, str]:
    """The text of each copy, whitespace removed: the body of its pages in order, then the
    bands (copy label, serial, version, check code, page number) printed on its pages."""
    reader = PdfReader(path)
    bodies: dict[str, str] = {}
    bands: dict[str, str] = {}
    for page in reader.pages:
        text = squash(page.extract_text())
        owners = [label for label in labels if squash(label) in text]
        assert len(owners) == 1, "every page carries exactly one copy label"
        cut = text.rfind(squash(owners[0]))
        bodies[owners[0]] = bodies.get(owners[0], "") + text[:cut]
        bands[owners[0]] = bands.get(owners[0], "") + text[cut:]
    return {label: bodies[label] + bands[label] for label in bodies}


def fonts_of(path: Path) -> list[tuple[str, bool]]:
    """(BaseFont, embedded) of every font used on any page."""
    found = []
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            found.append((str(font["/BaseFont"]), embedded))
    return found


def add_person(register, unit_id: int, name: str, n: int, kind=PersonKind.STAFF) -> int:
    return register.people.add(
        Person(
            None,
            name,
            kind,
            unit_id,
            title=f"职务{n}",
            office_phone=f"010-6891000{n}",
            mobile=f"1380000000{n}",
            email=f"person{n}@example.edu.cn",
        )
    )


def make_account(
    register,
    *,
    name: str = "测试学院官方微信",
    purpose: str = "发布学院新闻动态",
    approve: bool = True,
) -> int:
    profile = register.profile
    with register.transaction():
        unit_id = register.units.add(
            Unit(None, "测试学院", "college" if "college" in profile.unit_kinds else "department")
        )
        people = {
            role.id: add_person(register, unit_id, f"人员{i}", i)
            for i, role in enumerate(profile.roles, start=1)
        }
        account_id = register.accounts.create(
            Account(
                None,
                "微信",
                "订阅号",
                name,
                unit_id,
                2,
                platform_id="test_wx_01",
                purpose=purpose,
                opened_on=PartialDate(2021, 9, 1),
            ),
            application=Application(
                None,
                0,
                dt.date(2021, 8, 20),
                justification="新增账号专门服务研究生",
                operation_plan="每周推送两次，专人审核",
                priority_rank=2,
                pledge_signed=True,
                pledge_signed_on=dt.date(2021, 8, 20),
            ),
        )
        for role, person_id in people.items():
            assign_role(
                register, account_id, role, person_id, dt.date(2021, 9, 1), file_change=False
            )
        if approve:
            approve_application(
                register,
                account_id,
                dt.date(2021, 9, 1),
                profile.level(2).approving_body,
                "纪要〔2021〕7号",
            )
    return account_id


def expected_filing_values(register, account_id: int) -> list[str]:
    account = register.accounts.get(account_id)
    values = [
        account.platform,
        account.account_type,
        account.name,
        account.platform_id,
        account.purpose,
        "2021年9月1日",
        register.units.get(account.unit_id).name,
    ]
    for assignment in register.accounts.current_roles(account_id):
        if assignment.role in ("first_responsible", "ops_contact"):
            person = register.people.get(assignment.person_id)
            values += [person.name, person.title, person.office_phone, person.mobile, person.email]
    return values


def test_filing_sheet_has_every_field_in_both_copies(register, tmp_path):
    account_id = make_account(register)
    out = render_form(register, "filing", account_id, tmp_path / "filing.pdf")
    profile = register.profile
    texts = copies_by_label(out, profile.copy_labels)
    assert set(texts) == set(profile.copy_labels)
    filing = register.filings.for_account(account_id)[-1]
    for text in texts.values():
        for value in expected_filing_values(register, account_id):
            assert squash(value) in text, value
        for caption in (
            "公共账号基本信息",
            "开设单位基本信息",
            "单位意见",
            "负责人（签字）",
            "单位盖章",
            "账号主要用途",
            "运维负责人",
            "单位负责人",
        ):
            assert caption in text
        assert squash(profile.filing_sheet_title) in text
        assert squash(profile.filing_sheet_footnote) in text
        assert squash(register.accounts.get(account_id).serial_no) in text
        assert f"校验码：{filing.check_code}" in text
        assert "第1版（开设备案）" in text


@pytest.mark.parametrize("form", ["filing", "change", "closure", "rectification", "ledger"])
@pytest.mark.parametrize("blank", [False, True])
def test_bit_forms_are_a4_with_embedded_fonts_only(register, tmp_path, form, blank):
    account_id = make_account(register)
    if form == "rectification":
        issue(
            register,
            Sanction(
                None,
                register.accounts.get(account_id).unit_id,
                SanctionKind.RECTIFY,
                dt.date(2026, 1, 5),
                "内容审核记录缺失",
                account_id=account_id,
                deadline_on=dt.date(2026, 2, 5),
            ),
        )
    out = render_form(register, form, account_id, tmp_path / f"{form}.pdf", blank=blank)
    reader = PdfReader(out)
    for page in reader.pages:
        size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert size[0] == pytest.approx(A4[0], abs=1) and size[1] == pytest.approx(A4[1], abs=1)
    fonts = fonts_of(out)
    assert fonts, "the PDF uses fonts"
    assert all(embedded for _, embedded in fonts), fonts
    assert not any("Helvetica" in name or "Times" in name for name, _ in fonts)
    text = squash("".join(page.extract_text() for page in reader.pages))
    if form != "ledger":
        for label in register.profile.copy_labels:
            assert squash(label) in text
        assert squash(register.profile.filing_sheet_footnote) in text


@pytest.mark.parametrize("form", ["approval", "pledge"])
def test_pku_forms_have_the_applicant_and_signature_lines(pku_register, tmp_path, form):
    register = pku_register
    account_id = make_account(register)
    out = render_form(register, form, account_id, tmp_path / f"{form}.pdf")
    texts = copies_by_label(out, register.profile.copy_labels)
    assert len(texts) == 2
    account = register.accounts.get(account_id)
    for text in texts.values():
        assert squash(account.name) in text
        assert squash(register.units.get(account.unit_id).name) in text
        for assignment in register.accounts.current_roles(account_id):
            if assignment.role in ("first_responsible", "specific_responsible", "operator"):
                assert register.people.get(assignment.person_id).name in text
        assert squash(register.profile.filing_sheet_footnote) in text
        if form == "approval":
            for value in (
                account.purpose,
                "新增账号专门服务研究生",
                "每周推送两次，专人审核",
                "党委负责人（签字）",
                "行政负责人（签字）",
                "学院党政联席会意见",
                "院长办公室备案",
                "排第2位",
                "person1@example.edu.cn",
            ):
                assert squash(value) in text, value
        else:
            for value in (
                "保密",
                "不侵权",
                "涉密信息",
                "著作权人",
                "5个工作日内",
                "申请单位（盖章）",
                "第一责任人",
                "具体负责人",
            ):
                assert value in text, value
    assert all(embedded for _, embedded in fonts_of(out))


@pytest.mark.parametrize("form", ["approval", "pledge", "change", "closure", "rectification"])
def test_pku_blank_forms_for_handwriting(pku_register, tmp_path, form):
    out = render_form(pku_register, form, None, tmp_path / f"{form}.pdf", blank=True)
    texts = copies_by_label(out, pku_register.profile.copy_labels)
    assert len(texts) == 2
    for text in texts.values():
        assert squash(pku_register.profile.filing_sheet_footnote) in text
        assert "院长办公室" in text or "年月日" in text
        assert not CODE_RE.search(text)
    assert all(embedded for _, embedded in fonts_of(out))


def allow_long_purpose(register, limit=3000):
    """A profile may allow a longer 账号主要用途 than the shipped 500 characters; the
    layout must still hold it (a page and more per copy)."""
    import json

    data = json.loads(register.meta("profile"))
    data["text_limits"]["accounts.purpose"] = limit
    with register.transaction():
        register.set_meta("profile", json.dumps(data, ensure_ascii=False))
    register._profile = None


def test_long_purpose_wraps_without_loss_in_both_copies(register, tmp_path):
    allow_long_purpose(register)
    purpose = "".join(f"第{i}项：面向全院师生发布教学科研动态与通知公告。" for i in range(80))[
        :1990
    ]
    purpose += "END-of-text"
    assert len(purpose) == 2001
    account_id = make_account(register, purpose=purpose)
    out = render_form(register, "filing", account_id, tmp_path / "long.pdf")
    labels = register.profile.copy_labels
    texts = copies_by_label(out, labels)
    assert len(PdfReader(out).pages) >= 4  # each copy needs more than one page
    for text in texts.values():
        assert purpose in text
        assert squash(register.profile.filing_sheet_footnote) in text
        assert "单位盖章" in text  # the copy is complete after the long cell


def test_user_text_prints_as_typed(register, tmp_path):
    account_id = make_account(register, name="a<b&c 号", purpose="<b>不是粗体</b> & &amp;")
    out = render_form(register, "filing", account_id, tmp_path / "markup.pdf")
    text = squash("".join(page.extract_text() for page in PdfReader(out).pages))
    assert text.count("a<b&c号") == 2
    assert text.count("<b>不是粗体</b>&&amp;") == 2


def test_rare_characters_print_in_the_fallback_font(register, tmp_path):
    account_id = make_account(register, name="卙匓学会", purpose="用途含生僻字卨厡")
    out = render_form(register, "filing", account_id, tmp_path / "rare.pdf")
    text = squash("".join(page.extract_text() for page in PdfReader(out).pages))
    assert text.count("卙匓学会") == 2 and text.count("用途含生僻字卨厡") == 2
    fonts = fonts_of(out)
    assert all(embedded for _, embedded in fonts)
    assert any("WenQuanYi" in name or "Micro" in name for name, _ in fonts), fonts


def test_a_form_the_profile_does_not_use_is_refused(register, pku_register, tmp_path):
    with pytest.raises(PolicyError, match="审批表"):
        render_form(register, "approval", None, tmp_path / "x.pdf", blank=True)
    with pytest.raises(PolicyError, match="备案表"):
        render_form(pku_register, "filing", None, tmp_path / "y.pdf", blank=True)
    assert not (tmp_path / "x.pdf").exists()


def test_blank_form_has_labels_and_empty_trace(register, tmp_path):
    out = render_form(register, "filing", None, tmp_path / "blank.pdf", blank=True)
    texts = copies_by_label(out, register.profile.copy_labels)
    for text in texts.values():
        assert "开设平台" in text and "负责人（签字）" in text
        assert not CODE_RE.search(text)


def test_round_trip_signed_copy(register, tmp_path):
    account_id = make_account(register)
    out = render_form(register, "filing", account_id, tmp_path / "sign.pdf")
    text = squash(PdfReader(out).pages[0].extract_text())
    code = CODE_RE.search(text).group(1)
    filing = receive_signed_copy(register, code, dt.date(2026, 3, 2))
    assert filing.status is FilingStatus.FILED
    assert filing.filed_on == dt.date(2026, 3, 2)
    assert filing.kind is FilingKind.OPENING


def test_change_sheet_prints_before_and_after(register, tmp_path):
    account_id = make_account(register)
    filing_id = register.filings.create(
        account_id,
        FilingKind.CHANGE,
        dt.date(2026, 3, 2),
        [FieldChange("账号名称", "旧的名称", "新的名称")],
    )
    out = render_form(register, "change", account_id, tmp_path / "change.pdf")
    filing = register.filings.get(filing_id)
    for text in copies_by_label(out, register.profile.copy_labels).values():
        assert "旧的名称" in text and "新的名称" in text
        assert f"校验码：{filing.check_code}" in text
        assert f"第{filing.version}版（变更备案）" in text


def test_closure_and_rectification(register, tmp_path):
    account_id = make_account(register)
    mark_filed(register, register.filings.for_account(account_id)[0].id, dt.date(2026, 1, 2))
    unit_id = register.accounts.get(account_id).unit_id
    issue(
        register,
        Sanction(
            None,
            unit_id,
            SanctionKind.RECTIFY,
            dt.date(2026, 1, 5),
            "长期未更新",
            account_id=account_id,
            deadline_on=dt.date(2026, 2, 5),
        ),
    )
    out = render_form(register, "rectification", account_id, tmp_path / "rect.pdf")
    for text in copies_by_label(out, register.profile.copy_labels).values():
        assert "长期未更新" in text and "2026年2月5日" in text and "回执" in text
    start_closure(register, account_id, dt.date(2026, 3, 1), "停止运营")
    out = render_form(register, "closure", account_id, tmp_path / "closure.pdf")
    for text in copies_by_label(out, register.profile.copy_labels).values():
        assert "停止运营" in text and "2026年3月1日" in text and "注销报备" in text


def test_rectification_without_sanction_is_explained(register, tmp_path):
    account_id = make_account(register)
    with pytest.raises(PolicyError, match="没有处理记录"):
        render_form(register, "rectification", account_id, tmp_path / "r.pdf")


def test_ledger_repeats_header_and_numbers_pages(demo_register, tmp_path):
    out = render_form(demo_register, "ledger", None, tmp_path / "ledger.pdf")
    reader = PdfReader(out)
    assert len(reader.pages) > 3
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
        text = squash(page.extract_text())
        assert "备案编号" in text and "第一责任人" in text
        assert f"第{number}页共{total}页" in text
    text = squash("".join(page.extract_text() for page in reader.pages))
    for account_id in demo_register.accounts.ids()[::37]:
        assert squash(demo_register.accounts.get(account_id).serial_no) in text
    assert all(embedded for _, embedded in fonts_of(out))


def test_ledger_reports_progress_and_can_be_cancelled(demo_register, tmp_path):
    seen: list[tuple[int, int]] = []
    render_form(
        demo_register,
        "ledger",
        None,
        tmp_path / "l.pdf",
        progress=lambda done, total: seen.append((done, total)) or True,
    )
    total = demo_register.accounts.count()
    assert seen[0] == (0, total) and len(seen) == -(-total // 50)
    with pytest.raises(Cancelled):
        render_form(
            demo_register,
            "ledger",
            None,
            tmp_path / "c.pdf",
            progress=lambda done, total: done < 100,
        )
    assert not list(tmp_path.glob("c.pdf*"))


def test_batch_prints_each_account_twice_and_can_cancel(demo_register, tmp_path):
    ids = demo_register.accounts.ids()[:4]
    seen: list[tuple[int, int]] = []
    out = render_batch(
        demo_register,
        "filing",
        ids,
        tmp_path / "batch.pdf",
        progress=lambda done, steps: seen.append((done, steps)) or True,
    )
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    for account_id in ids:
        assert squash(text).count(squash(demo_register.accounts.get(account_id).serial_no)) >= 2
    assert seen[-1] == (8, 8)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    for stop_at in (2, 6):  # while reading the register, and while laying out
        with pytest.raises(Cancelled):
            render_batch(
                demo_register,
                "filing",
                ids,
                tmp_path / "cancel.pdf",
                progress=lambda done, steps, stop_at=stop_at: done < stop_at,
            )
        assert not list(tmp_path.glob("cancel.pdf*"))


def test_batch_skips_accounts_without_the_needed_record(register, tmp_path):
    with_sanction = make_account(register)
    unit_id = register.accounts.get(with_sanction).unit_id
    issue(
        register,
        Sanction(
            None,
            unit_id,
            SanctionKind.CRITICISM,
            dt.date(2026, 1, 5),
            "未按时年审",
            account_id=with_sanction,
        ),
    )
    without = register.accounts.create(
        Account(None, "微博", "普通账号", "另一个账号", unit_id, 2, platform_id="wb_2")
    )
    with pytest.raises(PolicyError, match="没有处理记录"):
        render_batch(register, "rectification", [with_sanction, without], tmp_path / "a.pdf")
    skipped: list[tuple[int, str]] = []
    out = render_batch(
        register, "rectification", [with_sanction, without], tmp_path / "b.pdf", skipped=skipped
    )
    assert [account_id for account_id, _ in skipped] == [without]
    assert "未按时年审" in squash("".join(p.extract_text() for p in PdfReader(out).pages))


@pytest.mark.sqlite_only(reason="--attach: attachments on the server are not built yet")
def test_cli_print_and_receive(register, tmp_path, capsys):
    account_id = make_account(register)
    serial = register.accounts.get(account_id).serial_no
    path = register.path
    register.close()
    out = tmp_path / "cli.pdf"
    assert (
        cli_main(["print", "filing", "--account", serial, "--out", str(out), "--path", str(path)])
        == 0
    )
    assert capsys.readouterr().out.strip() == str(out)
    code = CODE_RE.search(squash(PdfReader(out).pages[0].extract_text())).group(1)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(out.read_bytes())
    assert (
        cli_main(
            [
                "receive",
                f"{serial}|{code}",
                "--date",
                "2026-03-04",
                "--attach",
                str(scan),
                "--path",
                str(path),
            ]
        )
        == 0
    )
    assert "已归档" in capsys.readouterr().out
    assert (
        cli_main(
            ["print", "approval", "--blank", "--path", str(path), "--out", str(tmp_path / "a.pdf")]
        )
        == 2
    )
    assert "不使用审批表" in capsys.readouterr().err
    from nmdesk.store import Register

    with Register.open(path) as reopened:
        filing = reopened.filings.by_check_code(code)
        assert filing.status is FilingStatus.FILED
        assert [a.original_name for a in reopened.attachments.for_filing(filing.id)] == ["scan.pdf"]


def test_scanned_qr_code_finds_the_filing(register, tmp_path):
    """Render the printed page, read its QR code like a scanner would, receive the copy."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    account_id = make_account(register)
    out = render_form(register, "filing", account_id, tmp_path / "qr.pdf")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-f",
            "2",
            "-l",
            "2",
            "-singlefile",
            str(out),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    codes = [r.text for r in zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))]
    filing = register.filings.for_account(account_id)[-1]
    serial = register.accounts.get(account_id).serial_no
    assert codes == [f"{serial}|{filing.check_code}"]
    received = receive_signed_copy(register, codes[0], dt.date(2026, 3, 5))
    assert received.id == filing.id and received.status is FilingStatus.FILED


def test_print_benchmark_prints_each_sheet_on_its_own_two_pages(tmp_path):
    """The benchmark measures the right output: every sheet's two copies, in order, each
    page naming its own account and serial and its own copy label, in nmdesk's PDF and in
    both baselines."""
    from benchmarks import bench_print
    from nmdesk.profiles import load_profile

    results = bench_print.run(quick=True, rounds=1, keep=tmp_path)
    sheets = bench_print.QUICK_SHEETS
    assert [row["pages"] for row in results] == [2 * sheets] * 3
    assert all(row["pages_per_s"] > 0 for row in results)
    assert "nmdesk" in results[0]["what"] and "canvas" in results[1]["what"]
    labels = [squash(label) for label in load_profile("bit").copy_labels]
    for name in ("nmdesk", "canvas", "form"):
        pages = PdfReader(tmp_path / f"{name}.pdf").pages
        assert len(pages) == 2 * sheets, name
        for number, page in enumerate(pages):
            sheet, copy = divmod(number, 2)
            text = squash(page.extract_text())
            where = f"{name}.pdf page {number + 1}"
            assert re.findall(r"bit_\d{6}", text) == [f"bit_{sheet:06d}"], where
            assert re.findall(r"BIT-2026-\d{5}", text) == [f"BIT-2026-{sheet:05d}"], where
            assert f"北理工测试账号{sheet}" in text, where
            assert [label for label in labels if label in text] == [labels[copy]], where


def test_names_offices_and_labels_come_from_the_profile(tmp_path):
    import json

    from nmdesk.paths import PROFILES_DIR
    from nmdesk.store import Register

    data = json.loads((PROFILES_DIR / "bit.json").read_text(encoding="utf-8"))
    data.update(
        id="test-u",
        name="测试大学",
        institution="测试大学",
        policy_title="测试大学新媒体办法",
        forms=["filing", "approval", "pledge", "change", "closure", "rectification", "ledger"],
        copy_labels=["甲联　单位留存", "乙联　网信办留存"],
        filing_sheet_title="测试大学公众号登记表",
        filing_sheet_footnote="注：甲乙两联",
    )
    data["offices"] = {"filing_office": "网信办", "supervising_office": "网信办"}
    profile_path = tmp_path / "test-u.json"
    profile_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with Register.create(tmp_path / "u.nmdesk", str(profile_path)) as register:
        account_id = make_account(register)
        issue(
            register,
            Sanction(
                None,
                register.accounts.get(account_id).unit_id,
                SanctionKind.RECTIFY,
                dt.date(2026, 1, 5),
                "未更新",
                account_id=account_id,
                deadline_on=dt.date(2026, 2, 1),
            ),
        )
        for form in data["forms"]:
            out = render_form(register, form, account_id, tmp_path / f"{form}.pdf")
            text = squash("".join(page.extract_text() for page in PdfReader(out).pages))
            assert "北京理工" not in text and "党委宣传部" not in text, form
            assert "测试大学" in text, form
            if form != "ledger":
                assert "甲联单位留存" in text and "乙联网信办留存" in text, form
                assert "注：甲乙两联" in text, form
        text = squash(PdfReader(tmp_path / "filing.pdf").pages[0].extract_text())
        assert "测试大学公众号登记表" in text
        change = squash(PdfReader(tmp_path / "change.pdf").pages[0].extract_text())
        assert "网信办意见" in change


def words_with_boxes(path: Path) -> list[tuple[int, str, tuple[float, ...]]]:
    """Every word poppler finds on every page, with its box, in a stable order."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    words = []
    for number, page in enumerate(html.split("<page ")[1:]):
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            page,
        ):
            box = tuple(float(v) for v in (x0, y0, x1, y1))
            words.append((number, word, box))
    return sorted(words, key=lambda w: (w[0], round(w[2][1], 1), round(w[2][0], 1), w[1]))


@pytest.mark.parametrize(
    "name",
    [
        "测试学院官方微信",
        "a<b&c 号",  # markup characters, printed as typed
        "卙匓学会",  # a character only the fallback font has: drawn as a paragraph
        "北京理工大学计算机学院研究生会官方微信公众号",  # wraps: its row grows
    ],
)
def test_fast_path_prints_what_the_full_layout_prints(register, tmp_path, name):
    """A filing sheet on the fast path (frame form + values) and the same sheet laid out
    in full by platypus have the same words at the same places on every page."""
    import dataclasses

    from nmdesk.forms.document import fast_copy, write_pdf
    from nmdesk.forms.filing_sheet import filing_sheets

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    account_id = make_account(register, name=name, purpose="面向学生发布学习、活动信息。" * 4)
    [sheet] = filing_sheets(register, account_id)
    assert fast_copy(sheet) is not None, "these values fit the page: the fast path prints"
    labels = register.profile.copy_labels
    fast = write_pdf([sheet], labels, tmp_path / "fast.pdf")
    full = write_pdf([dataclasses.replace(sheet, fixed=None)], labels, tmp_path / "full.pdf")
    frame_form = b"FormXob.nmfixed"  # the sheet's frame as a form XObject (the fast path)
    assert frame_form in fast.read_bytes() and frame_form not in full.read_bytes()
    fast_words, full_words = words_with_boxes(fast), words_with_boxes(full)
    assert [(page, word) for page, word, _ in fast_words] == [
        (page, word) for page, word, _ in full_words
    ]
    for (_, word, box), (_, _, other) in zip(fast_words, full_words, strict=True):
        assert box == pytest.approx(other, abs=0.05), word
    for text in copies_by_label(fast, labels).values():
        for value in expected_filing_values(register, account_id):
            assert squash(value) in text, value


def test_a_sheet_too_long_for_the_fast_path_is_laid_out_in_full(register):
    from nmdesk.forms.document import fast_copy
    from nmdesk.forms.filing_sheet import filing_sheets

    allow_long_purpose(register)
    account_id = make_account(register, purpose="面向全院师生发布教学科研动态。" * 140)
    [sheet] = filing_sheets(register, account_id)
    assert sheet.fixed is not None and fast_copy(sheet) is None
    [blank] = filing_sheets(register, None)
    assert blank.fixed is None  # a blank sheet keeps its room for handwriting


def test_font_subsets_from_the_glyph_table_read_in_place_are_reportlabs_own() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFontFace

    from nmdesk.compat.reportlab import GlyphTable
    from nmdesk.forms.text import FORM_FONT, register_fonts
    from nmdesk.paths import FORM_FONT_FILE

    register_fonts()
    face = pdfmetrics.getFont(FORM_FONT).face
    assert isinstance(face.get_table("glyf"), GlyphTable)
    plain = TTFontFace(str(FORM_FONT_FILE))
    subset = [0, *range(32, 127), *map(ord, "备案表新媒体公共账号整改通知（）：，。")]
    assert face.makeSubset(subset) == plain.makeSubset(subset)
    assert face.get_table("head") == plain.get_table("head")
    table = face.get_table("glyf")
    assert table[10:20] == plain.get_table("glyf")[10:20] and len(table) > 1_000_000


def _font_programs(path: Path) -> list[tuple[bytes, dict]]:
    """Each embedded font subset's program (decompressed) and descriptor, in page order."""
    found = []
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/FontDescriptor" in font:
                descriptor = font["/FontDescriptor"]
                stream = descriptor["/FontFile2"].get_object()
                assert stream["/Length1"] == len(stream.get_data())
                found.append(
                    (
                        stream.get_data(),
                        {
                            k: v
                            for k, v in descriptor.items()
                            if k not in ("/FontName", "/FontFile2")
                        },
                    )
                )
    return found


def test_subset_font_programs_made_once_are_the_ones_reportlab_makes(tmp_path) -> None:
    """The form font embeds each subset as reportlab's own code would, cached or not."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from nmdesk.forms.text import FORM_FONT, glyph_sets, register_fonts
    from nmdesk.paths import FORM_FONT_FILE

    register_fonts()
    if "PlainSong" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("PlainSong", str(FORM_FONT_FILE)))  # reportlab as is
    song = glyph_sets()[0]
    text = "整改通知书" + "".join(chr(c) for c in range(0x4E00, 0x9000, 11) if c in song)[:300]
    for name in ("a", "b"):  # the second document reuses the first's programs
        for font, suffix in ((FORM_FONT, ""), ("PlainSong", "-plain")):
            canvas = Canvas(str(tmp_path / f"{name}{suffix}.pdf"))
            canvas.setFont(font, 12)
            canvas.drawString(50, 700, text[:150])
            canvas.drawString(50, 680, text[150:])
            canvas.save()
    mine = _font_programs(tmp_path / "a.pdf")
    assert len(mine) == 2
    assert mine == _font_programs(tmp_path / "a-plain.pdf")
    assert _font_programs(tmp_path / "b.pdf") == mine
    for path in ("a.pdf", "b.pdf"):
        assert squash(PdfReader(tmp_path / path).pages[0].extract_text()) == squash(text)


def test_a_reserved_first_subset_holds_the_given_text_and_nothing_after(tmp_path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    from nmdesk.forms.text import FORM_FONT, register_fonts, reserve_first_subset

    register_fonts()
    font = pdfmetrics.getFont(FORM_FONT)
    canvas = Canvas(str(tmp_path / "r.pdf"))
    reserve_first_subset(canvas, "整改通知 2026")
    canvas.setFont(FORM_FONT, 12)
    canvas.drawString(50, 700, "通知甲学院")
    subsets = font.state[canvas._doc].subsets
    assert [chr(c) for c in subsets[0] if c >= 0x4E00] == list("整改通知")
    assert [chr(c) for c in subsets[1] if c >= 0x4E00] == list("甲学院")
    canvas.save()
    assert "通知甲学院" in PdfReader(tmp_path / "r.pdf").pages[0].extract_text()
    late = Canvas(str(tmp_path / "late.pdf"))
    late.setFont(FORM_FONT, 12)
    late.drawString(50, 700, "甲")
    with pytest.raises(ValueError, match="already"):
        reserve_first_subset(late, "整改")


def test_an_emoji_neither_font_has_prints_as_its_name_never_a_box(register, tmp_path):
    """Issue 15: emoji in account names showed as boxes (a notdef glyph) on paper."""
    from nmdesk.forms.text import glyph_sets

    song, sans = glyph_sets()
    assert 0x1F4DA not in song and 0x1F4DA not in sans  # 📚: neither bundled font
    account_id = make_account(register, name="北理工📚读书会✍️", purpose="分享好书🎉")
    out = render_form(register, "filing", account_id, tmp_path / "emoji.pdf")
    text = squash("".join(page.extract_text() for page in PdfReader(out).pages))
    assert text.count("北理工〔BOOKS〕读书会") == 2
    assert text.count("分享好书〔PARTYPOPPER〕") == 2
    assert "📚" not in text and "\ufe0f" not in text  # nothing left for a notdef box
