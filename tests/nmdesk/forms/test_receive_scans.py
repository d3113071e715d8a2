"""A stack of 40 signed copies received in one action (issue 14, item 3).

The copies are PDFs printed by nmdesk, rasterised at 150 dpi, rotated slightly,
saved as JPG, PNG and a multi-page PDF, and mixed with foreign pages."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from nmdesk.cli import main
from nmdesk.forms import form_sheets, render_form
from nmdesk.forms.receipt import find_copy, receive_copy
from nmdesk.forms.scans import ScansCancelled, commit_scans, plan_scans
from nmdesk.models import AccountStatus, FilingKind, FilingStatus

DAY = dt.date(2026, 12, 7)


def _forms_to_print(register, count: int = 40) -> list[tuple[int, str]]:
    """(account, form) pairs whose signed copies are due: open filings, and change forms
    (their own drafts) for accounts that never changed."""
    picked: list[tuple[int, str]] = []
    for account_id in register.accounts.ids():
        account = register.accounts.get(account_id)
        filings = register.filings.for_account(account_id)
        open_kinds = {f.kind for f in filings if f.status is FilingStatus.OPEN}
        if FilingKind.CLOSURE in open_kinds:
            picked.append((account_id, "closure"))
        elif open_kinds & {FilingKind.OPENING, FilingKind.CHANGE, FilingKind.PERSONNEL}:
            picked.append((account_id, "filing"))
        elif (
            account.status is AccountStatus.RUNNING
            and [f.kind for f in filings] == [FilingKind.OPENING]
            and len(picked) % 3 == 0
        ):
            picked.append((account_id, "change"))
        if len(picked) == count:
            return picked
    raise AssertionError("the demo register has too few copies due")


def _scan(pdf: Path, rng: random.Random) -> Image.Image:
    """The first page (the first copy) as a scanner makes it: 150 dpi, slightly askew."""
    document = pdfium.PdfDocument(str(pdf))
    image = document[0].render(scale=150 / 72).to_pil().convert("L")
    document.close()
    return image.rotate(rng.uniform(-2.5, 2.5), expand=True, fillcolor=255, resample=Image.BICUBIC)


def _foreign_page() -> Image.Image:
    """A page nmdesk never printed: text and someone else's QR code."""
    import zxingcpp

    page = Image.new("L", (1240, 1754), 255)
    ImageDraw.Draw(page).text((100, 100), "Some other office's form", fill=0)
    qr = zxingcpp.create_barcode("https://example.org/form/42", zxingcpp.BarcodeFormat.QRCode)
    page.paste(Image.fromarray(qr.to_image(scale=6)), (900, 80))
    return page


@pytest.fixture
def stack(demo_register, tmp_path):
    """40 copies due, printed, scanned into a folder; one copy received already."""
    register = demo_register
    rng = random.Random(14)
    printed = tmp_path / "printed"
    folder = tmp_path / "scans"
    printed.mkdir()
    folder.mkdir()
    due = _forms_to_print(register)
    codes: list[str] = []
    bundle: list[Image.Image] = []
    for index, (account_id, form) in enumerate(due):
        codes.append(form_sheets(register, form, account_id)[0].trace.check_code)
        pdf = render_form(register, form, account_id, printed / f"{index:02d}.pdf")
        image = _scan(pdf, rng)
        if index == 7:  # a coffee stain over the QR code: the clerk types the code
            ImageDraw.Draw(image).rectangle((image.width * 3 // 4, 0, image.width, 260), fill=255)
        if index < 25:
            image.save(folder / f"扫描{index:02d}.jpg", quality=85)
        elif index < 34:
            image.save(folder / f"扫描{index:02d}.png")
        else:
            bundle.append(image)
    bundle.insert(2, _foreign_page())
    bundle[0].save(
        folder / "扫描-合订.pdf", save_all=True, append_images=bundle[1:], resolution=150
    )
    _foreign_page().save(folder / "其他单位.jpg")
    receive_copy(register, codes[3], dt.date(2026, 12, 1))  # came back last week already
    return register, folder, due, codes


def test_forty_scanned_copies_are_received_in_one_action(stack) -> None:
    register, folder, due, codes = stack
    seen: list[tuple[int, int]] = []
    plan = plan_scans(
        register, folder, progress=lambda done, total: seen.append((done, total)) or True
    )
    assert seen[-1] == (seen[-1][1], seen[-1][1])
    assert len(plan.pages) == 40 + 2
    assert [p.label for p in plan.already] == ["扫描03.jpg"]
    unmatched = {p.label: p for p in plan.unmatched}
    assert set(unmatched) == {"扫描07.jpg", "扫描-合订.pdf 第 3 页", "其他单位.jpg"}
    assert "未能识别二维码" in unmatched["扫描07.jpg"].problem
    assert "不是本系统打印的表" in unmatched["扫描-合订.pdf 第 3 页"].problem
    assert "不是本系统打印的表" in unmatched["其他单位.jpg"].problem
    assert len(plan.matched) == 38
    for page in plan.matched:  # each page matched to the copy printed for it
        index = (
            int(page.source.stem[2:])
            if page.source.suffix != ".pdf"
            else 34 + (page.page - 1 if page.page < 3 else page.page - 2)
        )
        assert page.match.code == codes[index], page.label
        assert page.match.account.id == due[index][0]
    # the clerk types the code printed under the stain
    plan.type_code(register, unmatched["扫描07.jpg"], codes[7].lower())
    assert len(plan.matched) == 39
    audit = register.audit.count()
    received = commit_scans(register, plan, DAY)
    assert len(received) == 39
    for index, (account_id, form) in enumerate(due):
        match = find_copy(register, codes[index])
        assert match.already_received, (index, form)
        filing = match.filing or register.filings.get(match.draft.filing_id)
        assert filing.status is FilingStatus.FILED and filing.account_id == account_id
        attached = register.attachments.for_filing(filing.id)
        if index == 3:
            assert attached == []  # received before, by its code
        else:
            assert len(attached) == 1
            stored = register.attachments.stored_path(attached[0])
            assert stored.exists()
            if index >= 34:  # its own page, cut out of the bundle
                assert attached[0].original_name.startswith("扫描-合订-第")
                assert len(pdfium.PdfDocument(str(stored))) == 1
    assert register.audit.count() > audit and register.audit.verify() == []
    again = plan_scans(register, folder)
    assert len(again.already) == 39 and len(again.unmatched) == 3  # 扫描07 has no QR


def test_a_cancelled_commit_leaves_the_register_as_it_was(stack) -> None:
    register, folder, _, codes = stack
    plan = plan_scans(register, folder)
    audit = register.audit.count()
    with pytest.raises(ScansCancelled):
        commit_scans(register, plan, DAY, progress=lambda done, total: done < 20)
    assert register.audit.count() == audit
    assert not find_copy(register, codes[0]).already_received


def test_cli_receive_scans(stack, capsys) -> None:
    register, folder, _, codes = stack
    path = register.path
    register.close()
    args = ["receive", "--scans", str(folder), "--path", str(path), "--date", str(DAY)]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "共 42 页：可登记 38 页（38 份），已交回 1 页，未匹配 3 页" in out
    assert "未匹配\t扫描07.jpg\t未能识别二维码" in out
    assert main([*args, "--typed", f"扫描07.jpg#1={codes[7]}"]) == 0
    out = capsys.readouterr().out
    assert "已登记交回 39 份" in out and "未匹配 2 页" in out
    from nmdesk.store import Register

    with Register.open(path) as reopened:
        assert find_copy(reopened, codes[7]).already_received
