"""Real clients read our files, and we read theirs (issue 17, parts 1 and 6).

LibreOffice (``soffice --headless --convert-to``, Debian's libreoffice-calc-nogui)
converts nmdesk's export, import template and review listing; the results are read
back and compared cell by cell, and the template's dropdown lists must survive.
LibreOffice also writes the .xls and .ods files the import is tested with: the demo
export, and a ledger with merged unit cells, each imported with the verdicts of the
same .xlsx. A WPS .et is the .xls container; an .xls renamed .et stands for one.

The tests are skipped, with the reason, only where soffice is missing; with
``NMDESK_REQUIRE_SOFFICE=1`` (set by .ci/run) a missing soffice fails them instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from nmdesk.excel.export import export_xlsx
from nmdesk.excel.ledger_import import ImportPlan, Verdict, commit_import, plan_import
from nmdesk.excel.limits import SpreadsheetTooLargeError
from nmdesk.excel.reader import ExcelFileError, display, read_sheet, sheet_names
from nmdesk.excel.template import DATA_SHEET, LISTS_SHEET, TEMPLATE_COLUMNS, write_template
from nmdesk.store import Register

SOFFICE = shutil.which("soffice")
REQUIRED = os.environ.get("NMDESK_REQUIRE_SOFFICE") == "1"
MISSING = (
    "LibreOffice (soffice) is not installed; install Debian's libreoffice-calc-nogui "
    "to run the tests that convert nmdesk's files with a real client"
)
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


@dataclass
class LibreOffice:
    """soffice with a private profile for this test session (never the user's own)."""

    program: str
    profile: Path

    def convert(self, sources: list[Path], to: str, outdir: Path) -> list[Path]:
        """``sources`` saved by LibreOffice as ``to`` (an extension, e.g. "xls") in
        ``outdir``; one soffice run converts them all."""
        outdir.mkdir(parents=True, exist_ok=True)
        command = [
            self.program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={self.profile.as_uri()}",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            *map(str, sources),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        outputs = [outdir / f"{source.stem}.{to}" for source in sources]
        missing = [path.name for path in outputs if not path.is_file()]
        assert done.returncode == 0 and not missing, (missing, done.stdout, done.stderr)
        return outputs


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> LibreOffice:
    if SOFFICE is None:
        if REQUIRED:
            pytest.fail(f"NMDESK_REQUIRE_SOFFICE=1, but {MISSING}")
        pytest.skip(MISSING)
    return LibreOffice(SOFFICE, tmp_path_factory.mktemp("libreoffice-profile"))


# -- nmdesk's files, converted once per session ------------------------------------


def _listing(path: Path) -> Path:
    """A review listing with a text that looks like a formula and a marked unit."""
    import datetime as dt

    from nmdesk.models import Verdict as ReviewVerdict
    from nmdesk.review import listing as listing_module
    from nmdesk.review.listing import MARK_FAILED
    from nmdesk.review.outcomes import Submission, UnitOutcome
    from nmdesk.review.records import Campaign, Step

    deadline = dt.date(2027, 3, 31)
    camp = Campaign(1, 2026, dt.date(2026, 11, 23), deadline, Step.PUBLISHED, None, "")
    rows = [
        listing_module.ListingRow(
            1, 1, "=1+1", "微信", 1, "一级账号", 1, "甲学院", ReviewVerdict.PASS, None, ""
        ),
        listing_module.ListingRow(
            2, 2, "北理工信电", "微博", 2, "二级账号", 2, "乙学院",
            ReviewVerdict.RECTIFY, deadline, MARK_FAILED,
        ),
    ]  # fmt: skip
    outcomes = {
        1: UnitOutcome(1, "甲学院", Submission.RETURNED, 1, 1, 0),
        2: UnitOutcome(2, "乙学院", Submission.RETURNED, 1, 1, 1),
    }
    listing = listing_module.Listing(
        camp, "某大学", "党委宣传部", rows, outcomes, "办法", {1: "甲学院", 2: "乙学院"}
    )
    return listing_module.write_listing_xlsx(listing, path)


@dataclass
class Converted:
    """nmdesk's files (xlsx) and LibreOffice's copies of each: by target extension."""

    demo: Path  # the BIT demo register the export was made from
    files: dict[str, Path]  # "export", "template", "listing" → nmdesk's xlsx
    copies: dict[str, dict[str, Path]]  # "xls"/"ods"/"xlsx" → name → LibreOffice's file


@pytest.fixture(scope="session")
def converted(
    libreoffice: LibreOffice, _demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Converted:
    folder = tmp_path_factory.mktemp("nmdesk-files")
    files = {"export": folder / "export.xlsx", "template": folder / "template.xlsx"}
    with Register.open(_demo_template, actor="tester", auto_backup=False) as register:
        export_xlsx(register, files["export"])
        write_template(register, files["template"])
    files["listing"] = _listing(folder / "listing.xlsx")
    copies = {}
    for to in ("xls", "ods", "xlsx"):
        out = libreoffice.convert(list(files.values()), to, folder / f"by-libreoffice-{to}")
        copies[to] = dict(zip(files, out, strict=True))
    return Converted(_demo_template, files, copies)


def _cells(path: Path, sheet: str | None = None) -> list[list[str]]:
    """A sheet as a clerk reads it: each cell's text, trailing blanks dropped."""
    rows = [[display(value) for value in row] for row in read_sheet(path, sheet).rows]
    for row in rows:
        while row and not row[-1]:
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


@pytest.mark.parametrize("to", ["xls", "ods", "xlsx"])
@pytest.mark.parametrize("name", ["export", "listing"])
def test_libreoffice_keeps_every_cell_of_the_export_and_the_listing(
    converted: Converted, name: str, to: str
) -> None:
    ours, theirs = converted.files[name], converted.copies[to][name]
    assert sheet_names(theirs) == sheet_names(ours)
    for sheet in sheet_names(ours):
        assert _cells(theirs, sheet) == _cells(ours, sheet), (name, to, sheet)
    if name == "listing":  # a name that looks like a formula stays text
        assert _cells(theirs, "公示")[3][1] == "=1+1"
        assert read_sheet(theirs, "公示").formulas == {}


def _list_columns() -> dict[str, str]:
    """Template column letter → the dropdown list it draws from."""
    from openpyxl.utils import get_column_letter

    return {
        get_column_letter(index): list_name
        for index, (_header, _width, list_name) in enumerate(TEMPLATE_COLUMNS, start=1)
        if list_name
    }


def test_the_template_keeps_its_cells_and_hidden_lists_in_every_format(
    converted: Converted,
) -> None:
    ours = converted.files["template"]
    for to in ("xls", "ods", "xlsx"):
        theirs = converted.copies[to]["template"]
        assert sheet_names(theirs) == [DATA_SHEET], to  # the lists' sheet stays hidden
        assert _cells(theirs, DATA_SHEET) == _cells(ours, DATA_SHEET), to
        assert _cells(theirs, LISTS_SHEET) == _cells(ours, LISTS_SHEET), to


def test_the_template_keeps_its_dropdowns_when_libreoffice_saves_it_as_xlsx(
    converted: Converted,
) -> None:
    sheet = openpyxl.load_workbook(converted.copies["xlsx"]["template"])[DATA_SHEET]
    found = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        for cells in validation.sqref.ranges:
            found[cells.coord.split(":")[0].rstrip("0123456789")] = (
                str(cells.coord),
                validation.formula1,
            )
    columns = _list_columns()
    assert sorted(found) == sorted(columns)
    lists = list(openpyxl.load_workbook(converted.files["template"])[LISTS_SHEET].iter_cols())
    names = [str(column[0].value) for column in lists]
    for letter, list_name in columns.items():
        coord, formula = found[letter]
        assert coord == f"{letter}2:{letter}501"
        list_letter = "ABCDEFGH"[names.index(list_name)]
        assert LISTS_SHEET in formula and f"${list_letter}$2" in formula, formula


def test_the_template_keeps_its_dropdowns_when_libreoffice_saves_it_as_ods(
    converted: Converted,
) -> None:
    with zipfile.ZipFile(converted.copies["ods"]["template"]) as archive:
        content = ElementTree.fromstring(archive.read("content.xml"))
    conditions = {
        element.get(f"{_TABLE}name"): element.get(f"{_TABLE}condition", "")
        for element in content.iter(f"{_TABLE}content-validation")
    }
    assert len(conditions) == len(_list_columns())
    assert all("cell-content-is-in-list" in c and LISTS_SHEET in c for c in conditions.values())
    table = next(t for t in content.iter(f"{_TABLE}table") if t.get(f"{_TABLE}name") == DATA_SHEET)
    rows = list(table.iter(f"{_TABLE}table-row"))
    used = set()
    for cell in rows[1].iter(f"{_TABLE}table-cell"):  # the first row to fill in
        if cell.get(f"{_TABLE}content-validation-name"):
            used.add(cell.get(f"{_TABLE}content-validation-name"))
    assert used == set(conditions)


# -- LibreOffice's .xls and .ods imported ------------------------------------------


def _verdicts(plan: ImportPlan) -> list[tuple[int, str, str, str, str]]:
    return [
        (
            row.row_number,
            row.verdict.value,
            row.unit_name,
            str(sorted((k, str(v)) for k, v in row.fields.items())),
            row.reason,
        )
        for row in plan.rows
    ]


def test_libreoffice_xls_and_ods_of_the_demo_export_import_as_the_xlsx_does(
    converted: Converted, tmp_path: Path
) -> None:
    """Each imports with the xlsx's verdicts, field by field; the register it builds
    exports, cell for cell, the export it was made from (every field the export shows,
    the round trip of test_excel_round_trip.py); a second import changes nothing."""
    with Register.create(tmp_path / "xlsx.nmdesk", "bit", actor="t") as fresh:
        expected = plan_import(fresh, converted.files["export"])
    assert expected.error_rows() == [] and expected.counts()["new"] == len(expected.rows)
    original = _cells(converted.files["export"])
    for to in ("xls", "ods"):
        ledger = converted.copies[to]["export"]
        with Register.create(tmp_path / f"{to}.nmdesk", "bit", actor="t") as fresh:
            plan = plan_import(fresh, ledger)
            assert _verdicts(plan) == _verdicts(expected), to
            commit_import(fresh, plan)
            again = plan_import(fresh, ledger)  # idempotent: nothing left to do
            assert {row.verdict for row in again.rows} == {Verdict.UNCHANGED}, to
            export_xlsx(fresh, tmp_path / f"again-{to}.xlsx")
        assert _cells(tmp_path / f"again-{to}.xlsx") == original, to


_HEADERS = ["开设单位", "平台", "账号类型", "账号名称", "微信号/账号ID", "开设时间"]
_ROWS = [
    ["信息与电子学院", "微信", "订阅号", "北理工信电", "bit_ie", "2020-09-01"],
    [None, "微博", "机构认证", "北理工信电微博", "bit_ie_wb", "2021"],
    [None, "APP客户端", "", "北理工信电 APP", "bit_ie_app", "2022-03"],
    ["人文与社会科学学院", "抖音号", "企业号", "北理工人文", "bit_rw_dy", "2022-09-01"],
    ["机械与车辆学院", "火星号", "", "北理工机车", "bit_mv", ""],
]


def _merged_ledger(path: Path) -> Path:
    """A ledger as offices keep it: a unit merged down over its accounts, a platform
    written as people write it, one row in error."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(_HEADERS)
    for row in _ROWS:
        sheet.append(row)
    sheet.merge_cells("A2:A4")
    book.save(path)
    return path


def _csv_ledger(path: Path, encoding: str, delimiter: str = ",") -> Path:
    """The ledger as Excel saves it as text: the merged unit left in its first row."""
    import csv

    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(_HEADERS)
        writer.writerows([["" if v is None else v for v in row] for row in _ROWS])
    return path


def test_the_same_ledger_in_every_format_gets_the_same_verdicts(
    libreoffice: LibreOffice, tmp_path: Path
) -> None:
    """Each file made by a real writer: openpyxl (.xlsx, .xlsm), LibreOffice (.xls, .ods;
    the .xls renamed .et, the container WPS writes), the csv module in each encoding
    offices send, and the .xlsb record by record (nothing else here writes one)."""
    from xlsb_files import write_xlsb

    xlsx = _merged_ledger(tmp_path / "ledger.xlsx")
    xls, ods = (libreoffice.convert([xlsx], to, tmp_path / to)[0] for to in ("xls", "ods"))
    et = tmp_path / "ledger.et"  # WPS's own format is this container
    shutil.copy(xls, et)
    ledgers = {
        "xlsx": xlsx,
        "xlsm": _merged_ledger(tmp_path / "ledger.xlsm"),
        "xls": xls,
        "ods": ods,
        "et": et,
        "xlsb": write_xlsb(tmp_path / "ledger.xlsb", [_HEADERS, *_ROWS], merged=((1, 3, 0, 0),)),
        "csv utf-8": _csv_ledger(tmp_path / "utf8.csv", "utf-8"),
        "csv utf-8 bom": _csv_ledger(tmp_path / "utf8bom.csv", "utf-8-sig"),
        "csv gbk": _csv_ledger(tmp_path / "gbk.csv", "gbk"),
        "txt utf-16 tab": _csv_ledger(tmp_path / "unicode.txt", "utf-16", "\t"),
    }
    from nmdesk.excel.error_report import write_error_report

    plans, reports, again = {}, {}, {}
    for label, ledger in ledgers.items():
        with Register.create(tmp_path / f"{ledger.name}.nmdesk", "bit", actor="t") as r:
            plans[label] = plan = plan_import(r, ledger)
            report = tmp_path / f"{ledger.name}-错误报告.xlsx"
            write_error_report(plan, report)
            reports[label] = _cells(report)
            commit_import(r, plan)
            again[label] = [row.verdict.value for row in plan_import(r, ledger).rows]
    expected = _verdicts(plans["xlsx"])
    assert [v[1] for v in expected] == ["new", "new", "new", "new", "error"]
    assert [v[2] for v in expected[:3]] == ["信息与电子学院"] * 3  # filled down
    assert reports["xlsx"][1][:5] == ["6", "机械与车辆学院", "火星号", "", "北理工机车"]
    for label, plan in plans.items():
        assert plan.headers == plans["xlsx"].headers, label  # the same mapping
        assert _verdicts(plan) == expected, label
        assert reports[label] == reports["xlsx"], label
        assert again[label] == ["unchanged"] * 4 + ["error"], label
    for ledger in (xls, ods, et):  # LibreOffice keeps the merge; the reader reports it
        assert read_sheet(ledger).merged == [((1, 0), (3, 0))], ledger.name


# -- hostile .xls, made from LibreOffice's ---------------------------------------


@pytest.fixture
def xls(libreoffice: LibreOffice, tmp_path: Path) -> Path:
    return libreoffice.convert([_merged_ledger(tmp_path / "ledger.xlsx")], "xls", tmp_path)[0]


def _records(data: bytes) -> list[tuple[int, int, int]]:
    """(offset, type, length) of every BIFF record of a Workbook stream."""
    import struct

    found, pos = [], 0
    while pos + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, pos)
        found.append((pos, kind, length))
        pos += 4 + length
    return found


def _rewrite_workbook(path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """The .xls with its Workbook stream changed in place (same size) by ``change``."""
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        data = bytearray(ole.openstream("Workbook").read())
    change(data)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        ole.write_stream("Workbook", bytes(data))
    return path


def test_an_xls_with_a_far_cell_is_refused_before_calamine_allocates_for_it(xls: Path) -> None:
    import struct

    def far(data: bytearray) -> None:
        offset = next(pos for pos, kind, _ in _records(bytes(data)) if kind == 0x00FD)
        struct.pack_into("<HH", data, offset + 4, 65535, 255)  # a label at IV65536

    _rewrite_workbook(xls, far)
    started = time.monotonic()
    with pytest.raises(SpreadsheetTooLargeError, match=r"65536 行 × 256 列.*上限"):
        read_sheet(xls)
    assert time.monotonic() - started < 5


def test_an_xls_declaring_too_many_columns_is_refused_by_its_dimensions(xls: Path) -> None:
    import struct

    def wide(data: bytearray) -> None:
        offset = next(pos for pos, kind, _ in _records(bytes(data)) if kind == 0x0200)
        struct.pack_into("<IIHH", data, offset + 4, 0, 10, 0, 300)

    _rewrite_workbook(xls, wide)
    with pytest.raises(SpreadsheetTooLargeError, match="用到了第 300 列"):
        read_sheet(xls)


def test_a_password_protected_xls_gets_one_sentence(xls: Path) -> None:
    import struct

    def locked(data: bytearray) -> None:  # the globals' WINDOW1 record becomes a FILEPASS
        offset = next(pos for pos, kind, _ in _records(bytes(data)) if kind == 0x003D)
        struct.pack_into("<H", data, offset, 0x002F)

    _rewrite_workbook(xls, locked)
    with pytest.raises(ExcelFileError, match=r"ledger\.xls 设置了打开密码，无法读取"):
        read_sheet(xls)


def test_a_truncated_xls_and_et_are_called_damaged_and_the_et_says_how_to_save_it(
    xls: Path,
) -> None:
    for suffix in (".xls", ".et"):
        cut = xls.with_name(f"cut{suffix}")
        cut.write_bytes(xls.read_bytes()[: xls.stat().st_size // 2])
        with pytest.raises(ExcelFileError) as raised:
            read_sheet(cut)
        message = str(raised.value)
        assert "损坏" in message and "\n" not in message, message
        if suffix == ".et":
            assert "WPS 表格（.et）" in message and "文件 → 另存为" in message, message
