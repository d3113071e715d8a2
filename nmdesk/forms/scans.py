"""Signed copies coming back in stacks: a folder or a multi-page PDF of scans.

``plan_scans`` reads every page (PDF pages rendered by pypdfium2, JPG and PNG by
Pillow), decodes the QR code printed in each page's trace band (zxing-cpp), and
matches the page to its filing or printed form (``nmdesk.forms.receipt``). The
plan says which pages are matched, unmatched (no readable QR, a foreign page) or
already received; a page whose QR cannot be read takes the check code the clerk
types (``ScanPlan.type_code``). ``commit_scans`` then receives every matched copy
and attaches its pages to the filing, in one transaction: all or nothing.

Consecutive pages of one file with the same code are one copy (a sheet that runs
to a second page), attached together as one PDF.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nmdesk.errors import NmdeskError, NotFoundError, ValidationError
from nmdesk.forms.receipt import CopyMatch, Received, clean_code, find_copy, receive_match

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

SCAN_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg")
_CODE = re.compile(r"[A-Z0-9]{6}")  # what a check code looks like (nmdesk.store.filings)
RENDER_DPI = 200  # PDF pages are rendered at this resolution for the QR reader
MAX_PAGES = 2000

# progress(done, total) -> False to cancel
Progress = Callable[[int, int], bool]


class ScansCancelled(NmdeskError):
    def __init__(self) -> None:
        super().__init__("已取消，备案库未作任何改动")


@dataclass
class ScanPage:
    """One scanned page and what it was matched to."""

    source: Path
    page: int  # 1-based within its file
    pages_in_file: int
    qr_text: str = ""  # what the QR code said ("" when none could be read)
    typed: str = ""  # the check code the clerk typed for it
    match: CopyMatch | None = None
    problem: str = ""

    @property
    def key(self) -> str:
        return f"{self.source.name}#{self.page}"

    @property
    def label(self) -> str:
        if self.pages_in_file == 1:
            return self.source.name
        return f"{self.source.name} 第 {self.page} 页"

    @property
    def state(self) -> str:
        """``matched``, ``already`` (received before) or ``unmatched``."""
        if self.match is None:
            return "unmatched"
        return "already" if self.match.already_received else "matched"

    @property
    def state_label(self) -> str:
        return {"matched": "可登记", "already": "已交回", "unmatched": "未匹配"}[self.state]


@dataclass
class ScanPlan:
    """Every page of a stack, matched; nothing written yet."""

    pages: list[ScanPage] = field(default_factory=list)

    def by_state(self, state: str) -> list[ScanPage]:
        return [p for p in self.pages if p.state == state]

    @property
    def matched(self) -> list[ScanPage]:
        return self.by_state("matched")

    @property
    def unmatched(self) -> list[ScanPage]:
        return self.by_state("unmatched")

    @property
    def already(self) -> list[ScanPage]:
        return self.by_state("already")

    def summary(self) -> str:
        copies = len(copies_of(self))
        return (
            f"共 {len(self.pages)} 页：可登记 {len(self.matched)} 页（{copies} 份），"
            f"已交回 {len(self.already)} 页，未匹配 {len(self.unmatched)} 页"
        )

    def type_code(self, register: Register, page: ScanPage, code: str) -> None:
        """The clerk typed the check code printed on a page whose QR could not be read."""
        page.typed = code.strip()
        _match(register, page)
        _mark_repeats(self)


def scan_files(target: str | Path) -> list[Path]:
    """The scans in a folder (sorted by name), or the one file given."""
    path = Path(target)
    if path.is_dir():
        files = sorted(
            (p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES),
            key=lambda p: p.name,
        )
        if not files:
            raise ValidationError("扫描件", f"文件夹 {path} 中没有 PDF、JPG 或 PNG 文件")
        return files
    if not path.is_file():
        raise ValidationError("扫描件", f"{path} 不存在")
    if path.suffix.lower() not in SCAN_SUFFIXES:
        raise ValidationError("扫描件", f"只能读取 PDF、JPG 或 PNG 文件（{path.name} 不是）")
    return [path]


def _pages(files: list[Path]) -> Iterator[tuple[int, Path, int, int, Any]]:
    """(file index, file, page number, pages in the file, PIL image) for every page."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageOps

    for file_index, path in enumerate(files):
        if path.suffix.lower() == ".pdf":
            try:
                document = pdfium.PdfDocument(str(path))
            except pdfium.PdfiumError:
                raise ValidationError("扫描件", f"{path.name} 不是可读取的 PDF 文件") from None
            try:
                count = len(document)
                for index in range(count):
                    page = document[index]
                    bitmap = page.render(scale=RENDER_DPI / 72, grayscale=True)
                    yield file_index, path, index + 1, count, bitmap.to_pil()
            finally:
                document.close()
        else:
            try:
                with Image.open(path) as image:
                    yield file_index, path, 1, 1, ImageOps.exif_transpose(image).convert("L")
            except OSError:
                raise ValidationError("扫描件", f"{path.name} 不是可读取的图片") from None


def read_codes(image: Any) -> list[str]:
    """The texts of the QR codes on a page image."""
    import zxingcpp

    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    return [r.text for r in zxingcpp.read_barcodes(image, formats=qr)]


def plan_scans(
    register: Register,
    target: str | Path,
    *,
    progress: Progress | None = None,
    typed: dict[str, str] | None = None,
) -> ScanPlan:
    """Read, decode and match every page of a folder or file of scans; writes nothing.

    ``typed``: check codes the clerk typed, by page key (``name#page``), for pages
    whose QR code cannot be read.
    """
    files = scan_files(target)
    plan = ScanPlan()
    total = len(files)
    for done, path, number, count, image in _pages(files):
        if progress is not None and not progress(done, total):
            raise ScansCancelled()
        if len(plan.pages) >= MAX_PAGES:
            raise ValidationError("扫描件", f"一次最多读取 {MAX_PAGES} 页，请分批登记")
        page = ScanPage(path, number, count)
        codes = read_codes(image)
        page.qr_text = next((c for c in codes if "|" in c), codes[0] if codes else "")
        page.typed = (typed or {}).get(page.key, "")
        _match(register, page)
        plan.pages.append(page)
    if progress is not None:
        progress(total, total)
    _mark_repeats(plan)
    return plan


def _mark_repeats(plan: ScanPlan) -> None:
    """A copy scanned twice (another file, or not next to it): the later one is unmatched."""
    first: dict[str, ScanPage] = {}
    previous: ScanPage | None = None
    for page in plan.pages:
        if page.match is None:
            previous = None
            continue
        code = page.match.code
        if code in first and not _continues(previous, page):
            page.match = None
            page.problem = f"与 {first[code].label} 是同一份表（校验码 {code}），不重复登记"
            previous = None
            continue
        first.setdefault(code, page)
        previous = page


def _match(register: Register, page: ScanPage) -> None:
    code = page.typed or page.qr_text
    page.match, page.problem = None, ""
    if not code:
        page.problem = "未能识别二维码，请输入纸质表上的校验码"
        return
    if not page.typed and not _CODE.fullmatch(clean_code(code)):
        page.problem = "二维码不是本系统打印的表（不含校验码），未登记"
        return
    try:
        page.match = find_copy(register, code)
    except NotFoundError:
        page.problem = (
            f"校验码“{clean_code(code)}”没有对应的备案记录或打印表单（可能不是本系统打印的表）"
        )


def _continues(previous: ScanPage | None, page: ScanPage) -> bool:
    """Whether ``page`` is the next page of the same copy as ``previous`` (same file,
    the following page, the same code)."""
    return (
        previous is not None
        and previous.source == page.source
        and previous.page + 1 == page.page
        and previous.match is not None
        and page.match is not None
        and previous.match.code == page.match.code
    )


def copies_of(plan: ScanPlan) -> list[list[ScanPage]]:
    """The matched pages grouped into copies: consecutive pages of a file with one code."""
    copies: list[list[ScanPage]] = []
    for page in plan.matched:
        if _continues(copies[-1][-1] if copies else None, page):
            copies[-1].append(page)
        else:
            copies.append([page])
    return copies


def commit_scans(
    register: Register,
    plan: ScanPlan,
    day: dt.date,
    *,
    progress: Progress | None = None,
) -> list[Received]:
    """Receive every matched copy on ``day`` and attach its pages to its filing, in one
    transaction; a cancel or any error leaves the register as it was."""
    copies = copies_of(plan)
    seen: dict[str, ScanPage] = {}
    for pages in copies:
        match = pages[0].match
        assert match is not None
        if match.code in seen:
            raise ValidationError(
                "扫描件",
                f"{pages[0].label} 与 {seen[match.code].label} 是同一份表（校验码 {match.code}），"
                "请只保留一份",
            )
        seen[match.code] = pages[0]
    received: list[Received] = []
    with tempfile.TemporaryDirectory(prefix="nmdesk-scans-") as folder, register.transaction():
        for done, pages in enumerate(copies):
            if progress is not None and not progress(done, len(copies)):
                raise ScansCancelled()
            match = pages[0].match
            assert match is not None
            scan = _copy_file(pages, Path(folder))
            received.append(receive_match(register, match, day, scan))
        if progress is not None:
            progress(len(copies), len(copies))
    return received


def _copy_file(pages: list[ScanPage], folder: Path) -> Path:
    """One copy's pages as a file of its own: the image, or those pages of the PDF."""
    first = pages[0]
    if first.source.suffix.lower() != ".pdf":
        return first.source
    if first.pages_in_file == len(pages):
        return first.source
    import pypdfium2 as pdfium

    span = f"第{first.page}页" if len(pages) == 1 else f"第{first.page}-{pages[-1].page}页"
    target = folder / f"{first.source.stem}-{span}.pdf"
    source = pdfium.PdfDocument(str(first.source))
    try:
        copy = pdfium.PdfDocument.new()
        copy.import_pages(source, [p.page - 1 for p in pages])
        copy.save(str(target))
        copy.close()
    finally:
        source.close()
    return target
