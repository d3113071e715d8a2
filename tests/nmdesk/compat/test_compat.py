"""nmdesk/compat/: each library's internals, and the public API taken on other versions,
give the same result."""

from __future__ import annotations

import pytest

from nmdesk import compat


def test_versions_in_a_series() -> None:
    assert compat.written_for("5.1.0", ("5.1",)) and compat.written_for("5.1", ("5.1",))
    assert not compat.written_for("5.10.0", ("5.1",)) and not compat.written_for("", ("5.1",))
    assert compat.installed_version("reportlab") == "5.1.0"
    assert compat.installed_version("no-such-distribution-nmdesk") == ""


NAMES = [
    "北京理工大学重庆创新中心",
    "北理工团委2024",
    "中国银行长安分行",
    "ABC 新闻网",
    "",
    "王伟-学生会",
    "账号10001号新",  # runs of other characters between Chinese ones (issue 17 part 5)
    "Ｂ站 bili 2号",
    "第1学院（东区）·团委",
    "2024",
]


def test_pinyin_initials_on_another_pypinyin_are_lazy_pinyins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nmdesk.compat import pypinyin as compat_pypinyin

    fast = [compat_pypinyin.initials(name) for name in NAMES]
    assert fast[0] == "bjlgdxcqcxzx"  # 重庆 is a phrase: chong, not zhong
    monkeypatch.setattr(compat_pypinyin, "pypinyin_version", lambda: "0.99.0")
    monkeypatch.setattr(compat_pypinyin, "_words", None)  # not reached
    assert [compat_pypinyin.initials(name) for name in NAMES] == fast


def _listing_page_contents(path) -> list[bytes]:
    from pypdf import PdfReader

    return [page.get_contents().get_data() for page in PdfReader(path).pages]


def test_review_tables_on_another_reportlab_are_the_same_pages(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from reportlab.platypus import SimpleDocTemplate

    from nmdesk.compat import reportlab as compat_reportlab
    from nmdesk.review import pdfs

    pdfs._register_form_fonts()
    many = "".join(chr(0x4E00 + i * 7) for i in range(300))  # over one font subset
    rows = [
        pdfs.Cells(
            pdfs.LISTING_LOOK.fit([str(i), f"账号(新闻)\\{many[i:i + 9]}", "微信", "一级", "学院",
                                   "整改" if i % 3 else "通过", "未按期" if i % 5 == 0 else ""]),
            ((5, pdfs.RESULT_COLOR), (6, pdfs.MARK_COLOR)) if i % 3 else (),
        )
        for i in range(90)
    ]  # fmt: skip

    def write(name: str) -> list[bytes]:
        path = tmp_path / f"{name}.pdf"
        doc = SimpleDocTemplate(str(path), invariant=1)
        doc.build([pdfs.RuledTable(pdfs.LISTING_LOOK, pdfs.LISTING_HEADERS, rows)])
        return _listing_page_contents(path)

    fast = write("fast")
    monkeypatch.setattr(compat_reportlab, "reportlab_version", lambda: "6.0.0")
    assert not compat_reportlab.internals_known()
    assert write("public") == fast and len(fast) > 1


def test_fonts_and_frames_on_another_reportlab_take_the_public_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from pypdf import PdfReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Frame, Paragraph

    from nmdesk.compat import reportlab as compat_reportlab
    from nmdesk.forms.text import FORM_FONT, STYLE_VALUE, register_fonts
    from nmdesk.paths import FORM_FONT_FILE

    register_fonts()
    frame = Frame(0, 0, 400, 400)
    frame.addFromList([Paragraph("整改通知", STYLE_VALUE)], Canvas(str(tmp_path / "f.pdf")))
    used = compat_reportlab.frame_used_height(frame)
    assert used is not None and used > 0
    monkeypatch.setattr(compat_reportlab, "reportlab_version", lambda: "6.0.0")
    assert compat_reportlab.frame_used_height(frame) is None  # the sheet laid out in full
    font = TTFont("NmdeskCompatSong", str(FORM_FONT_FILE))
    compat_reportlab.tune_font_face(font)
    assert not hasattr(font.face, "subset_programs")  # reportlab's face as it is
    canvas = Canvas(str(tmp_path / "r.pdf"))
    compat_reportlab.reserve_first_subset(canvas, FORM_FONT, "整改通知 2026")  # nothing
    assert pdfmetrics.getFont(FORM_FONT).state.get(canvas._doc) is None
    canvas.setFont(FORM_FONT, 12)
    canvas.drawString(50, 700, "通知甲学院")
    canvas.save()
    assert "通知甲学院" in PdfReader(tmp_path / "r.pdf").pages[0].extract_text()
