"""Render the review wizard's pages and the published files into PNGs, on a demo register.

``python -m tools.review_screenshots docs/screenshots`` builds a demo register, publishes
a 2025 review (so that 2026 has a year to compare with), walks the 2026 wizard
as a clerk would (some units answered, one packet imported, verdicts in bulk),
grabs each page, publishes, and renders the listing, a notice and the summary
PDFs with ``pdftoppm``. The HTML pages are written next to the PNGs' work folder
for a browser screenshot (``--html-dir``).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from nmdesk.demo import build_demo_register
from nmdesk.models import Verdict
from nmdesk.review import assess, campaign, packets, publish
from nmdesk.review.records import SelfCheck
from nmdesk.store import open_register
from nmdesk.store.interfaces import Register
from ui.desk.desk_common import install_ui_font
from ui.review.review_wizard import ReviewWizard

OPENED = dt.date(2026, 11, 20)
TODAY = dt.date(2027, 1, 5)  # the deadline has passed: overdue units show first


def _pump(ms: int = 60) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _grab(widget: QWidget, path: Path) -> None:
    _pump()
    widget.grab().save(str(path))
    print(path)


def _last_year(register: Register) -> None:
    """A published 2025 review: most units answered, suggestions taken."""
    opened = dt.date(2025, 11, 20)
    camp = campaign.open_campaign(register, 2025, today=opened)
    answer = SelfCheck(True, dt.date(2025, 11, 2), 30, 500, "王伟", "")
    with register.transaction():
        for unit in register.reviews.units(camp.id):
            if unit.unit_id % 9 == 0:
                continue
            campaign.record_unit_return(
                register,
                camp,
                unit.unit_id,
                dt.date(2025, 12, 20),
                zero_report=unit.account_count == 0,
            )
        for fact in register.reviews.facts(camp.id):
            if fact["unit_id"] % 9:
                campaign.record_self_check(register, camp, fact["account_id"], answer)
    assess.apply_suggestions(
        register, camp, dt.date(2025, 12, 22), rectify_deadline=dt.date(2026, 3, 31)
    )
    publish.publish(
        register, 2025, register.path.parent / "2025", today=dt.date(2025, 12, 28), force=True
    )


def render(out: Path, html_dir: Path | None = None) -> Path:
    """Write review-*.png into ``out``; returns the folder holding the published files."""
    app = QApplication.instance() or QApplication([])
    install_ui_font(app)  # type: ignore[arg-type]
    work = Path(tempfile.mkdtemp(prefix="nmdesk-review-shots-"))
    path = work / "demo.nmdesk"
    build_demo_register(path, "bit", accounts=300, seed=7)
    register = open_register(path, actor="演示")
    _last_year(register)
    opening = ReviewWizard(register, today=OPENED, year=2026)
    opening.show()
    _grab(opening, out / "review-1-open.png")
    opening.next()
    opening.close()
    wizard = ReviewWizard(register, today=TODAY, year=2026)  # resumes at collecting
    shown: list[QDialog] = []

    def exec_dialog(dialog: QDialog) -> int:
        shown.append(dialog)
        if isinstance(dialog, QMessageBox):
            return QMessageBox.StandardButton.Yes.value
        dialog.show()
        _grab(dialog, out / "review-import-preview.png")
        dialog.hide()
        return QDialog.DialogCode.Accepted.value

    wizard.exec_dialog = exec_dialog  # type: ignore[method-assign]
    wizard.open_folder = lambda path: None  # type: ignore[method-assign]
    wizard.show()
    camp = register.reviews.campaign(2026)
    assert camp is not None
    by_unit: dict[int, list[dict[str, Any]]] = {}
    for fact in register.reviews.facts(camp.id):
        by_unit.setdefault(fact["unit_id"], []).append(fact)
    units = sorted(by_unit)
    answer = SelfCheck(True, dt.date(2026, 11, 20), 42, 900, "李娜", "")
    with register.transaction():
        for unit_id in units[: len(units) * 2 // 3]:
            for fact in by_unit[unit_id]:
                campaign.record_self_check(
                    register, camp, fact["account_id"], answer, materials_received=True
                )
            campaign.record_unit_return(register, camp, unit_id, dt.date(2026, 12, 1))
    imported_unit = units[len(units) * 2 // 3]
    packet = packets.write_unit_packet(register, camp, imported_unit, work / "packet.xlsx")
    wb = load_workbook(packet)
    sheet = wb[packets.SHEET_CHECK]
    for row in range(5, sheet.max_row + 1):
        if str(sheet.cell(row=row, column=1).value).isdigit():
            sheet.cell(row=row, column=7, value="是" if row % 4 else "否")
            sheet.cell(row=row, column=8, value=dt.date(2026, 11, 28 - row % 20))
            sheet.cell(row=row, column=9, value=12 + row)
            sheet.cell(row=row, column=11, value="张敏")
    wb.save(packet)
    wizard.choose_open_file = lambda title, pattern: str(packet)  # type: ignore[method-assign]
    wizard.collect_page.reload()
    wizard.collect_page.import_button.click()
    page = wizard.collect_page
    page.units.selectRow(0)  # the first overdue unit
    page.units.setCurrentCell(0, 0)
    page.accounts.selectRow(0)
    page.accounts.setCurrentCell(0, 0)
    page.operated.setCurrentIndex(1)
    page.last_post.setText("2026-12-18")
    page.posts.setText("64")
    page.reviewer.setText("赵晓东")
    _grab(wizard, out / "review-2-collect.png")
    wizard.next()
    assess_page = wizard.assess_page
    assess_page.suggest_button.click()
    rows = assess_page.model.rows
    running = [r.account_id for r in rows if r.self_checked and r.status.value == "running"]
    assess_page.select_ids(set(running[:2]))
    assess_page.set_verdict_choice(Verdict.SUSPEND)
    assess_page.apply_button.click()
    assess_page.select_ids(set(running[2:3]))
    assess_page.set_verdict_choice(Verdict.ORDER_CLOSE)
    assess_page.apply_button.click()
    flagged = next(i for i, r in enumerate(rows) if len(r.flags) >= 3 and r.self_checked)
    assess_page.select_ids({assess_page.model.rows[flagged].account_id})
    assess_page.table.scrollTo(assess_page.model.index(flagged, 0))
    assess_page.set_verdict_choice(Verdict.RECTIFY)
    _grab(wizard, out / "review-3-assess.png")
    wizard.next()
    publish_page = wizard.publish_page
    files = work / "2026公示"
    publish_page.out_dir.setText(str(files))
    _grab(wizard, out / "review-4-publish.png")
    done: list[object] = []
    publish_page.published.connect(done.append)
    publish_page.publish_button.click()
    for _ in range(600):
        if done:
            break
        _pump(100)
    _grab(wizard, out / "review-5-published.png")
    wizard.close()
    register.close()
    names = publish.output_names(2026)
    _pdf(files / names["listing_pdf"], out / "review-listing-pdf", 1)
    notice = sorted((files / names["notices"]).glob("*.pdf"))[0]
    _pdf(notice, out / "review-notice-pdf", 1)
    _pdf(files / names["summary_pdf"], out / "review-summary-pdf", 2)
    if html_dir is not None:
        html_dir.mkdir(parents=True, exist_ok=True)
        for key in ("listing_html", "summary_html"):
            shutil.copy(files / names[key], html_dir / names[key])
    _browser(files / names["listing_html"], out / "review-listing-html.png", 1300)
    _browser(files / names["summary_html"], out / "review-summary-html.png", 1700)
    return files


def _browser(page: Path, png: Path, height: int) -> None:
    """A headless Chromium screenshot of an HTML page, when Chromium is installed."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print(f"chromium not found, skipped {png.name}")
        return
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--window-size=1200,{height}",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    print(png)


def _pdf(pdf: Path, stem: Path, pages: int) -> None:
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", str(pages), str(pdf), str(stem)],
        check=True,
    )
    for produced in sorted(stem.parent.glob(stem.name + "-*.png")):
        print(produced)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    target.mkdir(parents=True, exist_ok=True)
    html = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    print(render(target, html))
