"""The import wizard and the export dialog, driven through their pages (issue #8)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from desk_helpers import wait_for_job
from fixtures_excel import build_messy_ledger
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWizard

from nmdesk.excel.ledger_import import Verdict
from nmdesk.store import AccountQuery, Register
from ui.excel.export_dialog import ExportDialog
from ui.excel.import_preview import VERDICT_COLOURS
from ui.excel.import_wizard import ImportWizard


class Boxes:
    """Answers every message box a dialog opens, and remembers its text."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, dialog: QDialog) -> int:
        if isinstance(dialog, QMessageBox):
            self.texts.append(dialog.text())
        return int(QDialog.DialogCode.Accepted)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return build_messy_ledger(tmp_path / "ledger.xlsx")


@pytest.fixture
def wizard(qtbot, register: Register):
    wiz = ImportWizard(register)
    qtbot.addWidget(wiz)
    wiz.boxes = Boxes()
    wiz.exec_dialog = wiz.boxes
    wiz.show()
    return wiz


def to_preview(qtbot, wiz: ImportWizard, ledger: Path) -> None:
    wiz.file_page.path_edit.setText(str(ledger))
    assert wiz.file_page.sheet_combo.currentText() == "账号台账"
    wiz.next()
    assert wiz.currentPage() is wiz.mapping_page
    wiz.next()  # the plan is made on the register worker; the wizard goes on when it is in
    wait_for_job(qtbot, wiz.job)
    assert wiz.currentPage() is wiz.preview_page, wiz.boxes.texts


def finish(qtbot, wiz: ImportWizard) -> None:
    wiz.button(QWizard.WizardButton.FinishButton).click()
    wait_for_job(qtbot, wiz.job)


def test_wizard_maps_previews_reviews_units_and_commits(qtbot, wizard, register, ledger):
    to_preview(qtbot, wizard, ledger)
    page = wizard.preview_page
    assert page.summary.text().startswith("新增 6，更新 0，重复 1，错误 3")
    model = page.model
    assert model.rowCount() == 10
    verdicts = [model.data(model.index(r, 1)) for r in range(10)]
    assert verdicts.count("错误") == 3 and verdicts.count("重复") == 1
    error_row = verdicts.index("错误")
    colour = model.data(model.index(error_row, 0), Qt.ItemDataRole.BackgroundRole).color()
    assert colour.name() == VERDICT_COLOURS[Verdict.ERROR]
    assert "手机" in model.data(model.index(error_row, 6))

    wizard.next()
    units = wizard.units_page
    assert units.table.rowCount() == 3
    assert units.table.item(2, 0).text() == "研究生会"
    units.set_kind(2, "student_club")  # the clerk corrects a guessed kind
    assert not wizard.changes  # nothing written before the commit
    finish(qtbot, wizard)
    assert wizard.import_result is not None, wizard.boxes.texts
    # the main window re-reads the table, the filters and the board, not the calendar
    assert wizard.changes.accounts and wizard.changes.units and wizard.changes.people
    assert not wizard.changes.calendar and not wizard.changes.records
    assert wizard.result() == QDialog.DialogCode.Accepted and not wizard.isVisible()
    assert len(wizard.import_result.created) == 6
    assert wizard.boxes.texts[-1] == "导入完成：新增 6，更新 0，重复 1，错误 3"
    assert register.accounts.count() == 6
    unit = register.units.find_by_name("研究生会")
    assert unit is not None and unit.kind == "student_club"


def test_wizard_mapping_can_be_corrected_and_saved(qtbot, wizard, register, ledger):
    wizard.file_page.path_edit.setText(str(ledger))
    wizard.next()
    page = wizard.mapping_page
    headers = page.headers
    note = headers.index("备注")
    assert page.mapping()[note] == "note"
    page.set_field(note, "")  # do not import the 备注 column
    page.name_edit.setText("宣传部台账")
    page.save_mapping()
    assert register.excel.mapping_names() == ["宣传部台账"]
    page.set_field(note, "note")
    page.saved_combo.setCurrentText("")
    page.saved_combo.setCurrentText("宣传部台账")
    assert page.mapping()[note] == ""
    wizard.next()
    wait_for_job(qtbot, wizard.job)
    assert wizard.plan is not None and wizard.plan.mapping[note] == ""


def test_wizard_cancelled_commit_leaves_register_unchanged(
    qtbot, wizard, register, ledger, held_register_worker
):
    to_preview(qtbot, wizard, ledger)
    wizard.next()
    before = list(register.db.conn.iterdump())
    with held_register_worker():  # the import waits in line, and the clerk cancels it
        wizard.button(QWizard.WizardButton.FinishButton).click()
        wizard.job.dialog.canceled.emit()  # 取消
    wait_for_job(qtbot, wizard.job)
    assert wizard.job.was_cancelled
    assert wizard.import_result is None
    assert wizard.isVisible() and wizard.currentPage() is wizard.units_page
    assert "导入已取消" in wizard.boxes.texts[-1]
    assert list(register.db.conn.iterdump()) == before


def test_wizard_strict_refuses_file_with_errors(qtbot, wizard, register, ledger):
    to_preview(qtbot, wizard, ledger)
    wizard.preview_page.strict.setChecked(True)
    wizard.next()
    finish(qtbot, wizard)
    assert "拒绝整个文件" in wizard.boxes.texts[-1]
    assert register.accounts.count() == 0


def test_wizard_error_report_and_bad_file(qtbot, wizard, ledger, tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    wizard.file_page.path_edit.setText(str(bad))
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert "不是 Excel 工作簿" in wizard.boxes.texts[-1]
    to_preview(qtbot, wizard, ledger)
    report = tmp_path / "report.xlsx"
    wizard.choose_save_file = lambda title, name: str(report)
    wizard.preview_page.export_report()
    assert len(list(openpyxl.load_workbook(report).active.iter_rows())) == 4


def test_export_dialog_exports_current_view(qtbot, demo_register, tmp_path):
    query = AccountQuery(platform="微信")
    dialog = ExportDialog(demo_register, query=query)
    qtbot.addWidget(dialog)
    boxes = Boxes()
    dialog.exec_dialog = boxes
    target = tmp_path / "view.xlsx"
    dialog.path_edit.setText(str(target))
    dialog.export_button.click()
    wait_for_job(qtbot, dialog.job)
    expected = len(demo_register.accounts.ids(query))
    assert dialog.count == expected and boxes.texts[-1].startswith(f"已导出 {expected} 个账号")
    rows = list(openpyxl.load_workbook(target).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == expected and {row[1] for row in rows} == {"微信"}

    dialog.everything.setChecked(True)
    csv_target = tmp_path / "all.csv"
    dialog.path_edit.setText(str(csv_target))
    dialog.export_button.click()
    wait_for_job(qtbot, dialog.job)
    assert dialog.count == demo_register.accounts.count()
    assert csv_target.exists()


def test_export_dialog_cancel_leaves_no_file(qtbot, demo_register, tmp_path, held_register_worker):
    dialog = ExportDialog(demo_register)
    qtbot.addWidget(dialog)
    boxes = Boxes()
    dialog.exec_dialog = boxes
    target = tmp_path / "cancel.xlsx"
    dialog.path_edit.setText(str(target))
    with held_register_worker():
        dialog.export_button.click()
        dialog.job.dialog.canceled.emit()  # 取消
    wait_for_job(qtbot, dialog.job)
    assert "导出已取消" in boxes.texts[-1]
    assert not target.exists()
    template = tmp_path / "template.xlsx"
    dialog.choose_save_file = lambda title, name: str(template)
    dialog.write_template()
    assert "选项" in openpyxl.load_workbook(template).sheetnames


def test_main_window_menu_opens_wizard_and_export_with_view(qtbot, demo_register, tmp_path):
    from PySide6.QtCore import QSettings

    from ui.register.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(demo_register, settings=settings)
    qtbot.addWidget(window)
    opened: list[QDialog] = []

    def record(dialog: QDialog) -> int:
        opened.append(dialog)
        return int(QDialog.DialogCode.Rejected)

    window.exec_dialog = record
    window.act_import.trigger()
    window.search.setText("学院")
    window.apply_query()
    window.act_export.trigger()
    assert isinstance(opened[0], ImportWizard) and isinstance(opened[1], ExportDialog)
    assert opened[1].view_ids == window.model.ids()
    assert opened[1].current_view.isChecked()


def test_preview_warns_about_an_id_column_left_unmapped(qtbot, wizard, register, tmp_path):
    """微信号/账号ID is matched; set to （不导入）, the preview says so and flags every row."""
    path = tmp_path / "台账.xlsx"
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "账号台账"
    sheet.append(["单位名称", "平台", "账号名称", "微信号/账号ID"])
    sheet.append(["信息与电子学院", "微信", "信电青年", "xdqn_bit"])
    sheet.append(["校团委", "微博", "北理团团", "7351234567"])
    wb.save(path)
    wizard.file_page.path_edit.setText(str(path))
    wizard.next()
    page = wizard.mapping_page
    assert page.mapping()[3] == "platform_id"
    page.set_field(3, "")  # the clerk drops it
    wizard.next()
    wait_for_job(qtbot, wizard.job)
    preview = wizard.preview_page
    assert wizard.currentPage() is preview, wizard.boxes.texts
    assert preview.warnings.isVisible()
    text = preview.warnings.text()
    assert "第 4 列“微信号/账号ID”像是“账号ID号”，但未导入" in text
    assert "2 个账号没有账号ID号" in text
    model = preview.model
    assert all("没有账号ID号" in model.data(model.index(r, 6)) for r in range(2))


def test_a_csv_read_in_the_wrong_encoding_is_read_again_as_the_clerk_chooses(
    qtbot, wizard, register, tmp_path
):
    """The clerk tries another encoding and delimiter in the mapping page: a choice that
    cannot read the file says why and holds the wizard; the right one reads the columns
    and samples again, and the preview fills the blank unit cell the CSV lost with its
    merge."""
    path = tmp_path / "台账.csv"
    rows = [
        "开设单位;平台;账号名称;微信号/账号ID",
        "信息与电子学院;微信;北理工信电;bit_ie",
        ";微博;北理工信电微博;bit_ie_wb",
    ]
    path.write_bytes("\r\n".join(rows).encode("gbk"))
    wizard.file_page.path_edit.setText(str(path))
    wizard.next()
    page = wizard.mapping_page
    assert wizard.currentPage() is page, wizard.boxes.texts
    assert page.text_box.isVisible()
    assert page.encoding_combo.currentText() == "GBK/GB18030"
    assert page.delimiter_combo.currentText() == "分号"
    page.encoding_combo.setCurrentIndex(page.encoding_combo.findData("utf-8"))
    assert "不能按 UTF-8 编码读取" in page.read_error.text()
    wizard.next()  # nothing to map: the wizard stays
    assert wizard.currentPage() is page
    page.delimiter_combo.setCurrentIndex(page.delimiter_combo.findData(","))
    page.encoding_combo.setCurrentIndex(page.encoding_combo.findData("gb18030"))
    assert "找不到表头" in page.read_error.text()  # read with commas: one column
    page.delimiter_combo.setCurrentIndex(page.delimiter_combo.findData(";"))
    assert page.read_error.text() == ""
    assert page.table.rowCount() == 4
    assert page.table.item(1, 1).text() == "微信"
    assert "GBK/GB18030 编码，分号分隔" in page.subTitle()
    wizard.next()
    wait_for_job(qtbot, wizard.job)
    preview = wizard.preview_page
    assert wizard.currentPage() is preview, wizard.boxes.texts
    assert preview.summary.text().startswith("新增 2，更新 0，重复 0，错误 0")
    assert "单位列有 1 个空格（第 3 行）已按上一行的单位填入" in preview.warnings.text()


def test_a_workbook_shows_no_encoding_choice(qtbot, wizard, ledger):
    wizard.file_page.path_edit.setText(str(ledger))
    wizard.next()
    assert not wizard.mapping_page.text_box.isVisible()


def test_units_page_shows_every_new_unit_with_its_parent_and_kind(
    qtbot, wizard, register, tmp_path
):
    """Issue 17: each new unit, parents first, with its 上级单位, its kind (from the
    ledger's 单位类别 column or guessed from the name) and a combo box to change it."""
    path = tmp_path / "ledger.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "账号台账"
    workbook.active.append(
        ["开设单位", "上级单位", "单位类别", "开设平台", "账号名称", "账号ID号", "账号级别"]
    )
    workbook.active.append(["话剧社", "校团委", "学生组织", "微信", "北理话剧", "hj1", "三级"])
    workbook.active.append(["摄影协会", "", "", "微信", "光影", "gy1", "二级"])
    workbook.save(path)
    to_preview(qtbot, wizard, path)
    wizard.next()
    page = wizard.units_page
    assert wizard.currentPage() is page
    shown = [
        [page.table.item(row, column).text() for column in (page.NAME, page.PARENT, page.SOURCE)]
        + [page.kind_combo(row).currentText(), page.table.item(row, page.ROWS).text()]
        for row in range(page.table.rowCount())
    ]
    assert shown == [
        ["校团委", "（无，顶层单位）", "按名称推断，请核对", "群团组织", "0（仅作为上级单位）"],
        ["话剧社", "校团委", "台账“单位类别”列", "学生组织", "1"],
        ["摄影协会", "（无，顶层单位）", "按名称推断，请核对", "学生社团", "1"],
    ]
    page.set_kind(2, "student_org")  # the clerk corrects the guessed kind
    finish(qtbot, wizard)
    assert wizard.import_result is not None, wizard.boxes.texts
    league, drama = register.units.find_by_name("校团委"), register.units.find_by_name("话剧社")
    assert drama.parent_id == league.id and drama.kind == "student_org"
    assert register.units.find_by_name("摄影协会").kind == "student_org"


def test_the_open_dialog_lists_every_format_the_reader_knows(wizard, monkeypatch):
    """Issue 17: .xls, .et, .xlsb, .ods and text ledgers, each also alone."""
    from nmdesk.excel.formats import SPREADSHEET_SUFFIXES
    from nmdesk.excel.text_ledger import TEXT_SUFFIXES
    from ui.common import file_dialogs

    seen: list[str] = []
    monkeypatch.setattr(
        file_dialogs, "open_file_name", lambda parent, title, start, pattern: seen.append(pattern)
    )
    wizard.choose_open_file()
    groups = seen[0].split(";;")
    first = groups[0]
    for suffix in (*SPREADSHEET_SUFFIXES, *TEXT_SUFFIXES):
        assert f"*{suffix}" in first.split("(")[1], (suffix, first)
    assert [g.split(" (")[0] for g in groups] == [
        "台账文件",
        "Excel 工作簿",
        "Excel 97–2003 工作簿",
        "WPS 表格",
        "OpenDocument 表格（LibreOffice）",
        "CSV 或文本",
        "所有文件",
    ]
    assert "*.xls)" in groups[2] and "*.et)" in groups[3] and "*.ods)" in groups[4]


def test_a_pdf_chosen_by_mistake_is_named_on_the_file_page(wizard, tmp_path):
    pdf = tmp_path / "通知.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(100))
    wizard.file_page.path_edit.setText(str(pdf))
    assert "是 PDF 文件" in wizard.file_page.message.text()
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert "是 PDF 文件" in wizard.boxes.texts[-1]


def test_the_wizard_previews_and_imports_an_xlsb_ledger(qtbot, wizard, register, tmp_path):
    """Issue 17: a format other than .xlsx goes through the same pages (an .xlsb, which
    needs no LibreOffice to write; the .xls and .ods are in test_libreoffice.py)."""
    from xlsb_files import write_xlsb

    rows = [
        ["开设单位", "平台", "账号类型", "账号名称", "微信号/账号ID"],
        ["信息与电子学院", "微信", "订阅号", "北理工信电", "bit_ie"],
        [None, "微博", "机构认证", "北理工信电微博", "bit_ie_wb"],
        ["机械与车辆学院", "火星号", None, "北理工机车", "bit_mv"],
    ]
    ledger = write_xlsb(tmp_path / "台账.xlsb", rows, merged=((1, 2, 0, 0),))
    wizard.file_page.path_edit.setText(str(ledger))
    assert wizard.file_page.sheet_combo.currentText() == "台账"
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page, wizard.boxes.texts
    wizard.next()  # the plan is made on the register worker
    wait_for_job(qtbot, wizard.job)
    assert wizard.currentPage() is wizard.preview_page, wizard.boxes.texts
    assert wizard.preview_page.summary.text().startswith("新增 2，更新 0，重复 0，错误 1")
    assert wizard.preview_page.model.rowCount() == 3
