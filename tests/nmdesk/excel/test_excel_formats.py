"""Every format an office keeps a ledger in (issue 17, part 1), read by one reader.

The .xls, .et and LibreOffice-saved .ods files are made by LibreOffice itself in
``test_libreoffice.py``. Here the files are written at test time by hand, as the
format's specification lays them out: an .ods with merged cells and formulas (what
python-calamine does not report), hostile ones, and files that are not spreadsheets
at all, each of which gets one Chinese sentence naming what it is.
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from nmdesk.excel.ledger_import import Verdict, plan_import
from nmdesk.excel.limits import SpreadsheetTooLargeError
from nmdesk.excel.reader import ExcelFileError, read_sheet, sheet_names
from nmdesk.store import Register

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def text_cell(value: str, attributes: str = "") -> str:
    return (
        f'<table:table-cell office:value-type="string" {attributes}>'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def write_ods(path: Path, sheets: dict[str, list[str]]) -> Path:
    """An .ods whose sheets are the given rows (each the XML of one table-row's cells)."""
    tables = "".join(
        f'<table:table table:name="{name}">'
        + "".join(
            row
            if row.startswith("<table:table-row")
            else f"<table:table-row>{row}</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS}>'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("content.xml", content)
    return path


HEADER = "".join(
    text_cell(h) for h in ("开设单位", "平台", "账号类型", "账号名称", "微信号/账号ID")
)


def _ledger_rows() -> list[str]:
    """The unit merged down over three accounts; the last account's ID is a formula
    the file holds no result for."""
    return [
        HEADER,
        text_cell(
            "信息与电子学院", 'table:number-rows-spanned="3" table:number-columns-spanned="1"'
        )
        + "".join(text_cell(v) for v in ("微信", "订阅号", "北理工信电", "bit_ie")),
        "<table:covered-table-cell/>"
        + "".join(text_cell(v) for v in ("微博", "机构认证", "北理工信电微博", "bit_ie_wb")),
        "<table:covered-table-cell/>"
        + "".join(text_cell(v) for v in ("抖音", "企业号", "北理工信电抖音", "bit_ie_dy")),
        text_cell("机械与车辆学院")
        + "".join(text_cell(v) for v in ("微信", "订阅号", "北理工机车"))
        + '<table:table-cell table:formula="of:=[.E2]&amp;&quot;_mv&quot;"/>',
    ]


def test_an_ods_fills_merged_units_down_and_refuses_a_formula_without_a_result(
    tmp_path: Path,
) -> None:
    ods = write_ods(tmp_path / "台账.ods", {"台账": _ledger_rows()})
    grid = read_sheet(ods)
    assert [row[0] for row in grid.rows[1:]] == ["信息与电子学院"] * 3 + ["机械与车辆学院"]
    assert grid.merged == [((1, 0), (3, 0))]
    assert grid.formulas == {(4, 4): False}
    assert grid.rows[4][4] == '=[.E2]&"_mv"'
    with Register.create(tmp_path / "r.nmdesk", "bit", actor="t") as register:
        plan = plan_import(register, ods)
    verdicts = [(row.verdict, row.unit_name) for row in plan.rows]
    assert verdicts[:3] == [(Verdict.NEW, "信息与电子学院")] * 3
    assert verdicts[3][0] is Verdict.ERROR and "公式没有计算结果" in plan.rows[3].reason


def test_an_ods_formula_with_a_stored_result_is_read_as_that_result(tmp_path: Path) -> None:
    rows = [
        HEADER,
        "".join(text_cell(v) for v in ("机械与车辆学院", "微信", "订阅号", "北理工机车"))
        + '<table:table-cell table:formula="of:=&quot;bit_&quot;&amp;&quot;mv&quot;" '
        'office:value-type="string" office:string-value="bit_mv"><text:p>bit_mv</text:p>'
        "</table:table-cell>",
    ]
    grid = read_sheet(write_ods(tmp_path / "a.ods", {"台账": rows}))
    assert grid.rows[1][4] == "bit_mv" and grid.formulas == {(1, 4): True}


def test_an_ods_lists_its_sheets_and_reads_the_one_chosen(tmp_path: Path) -> None:
    ods = write_ods(tmp_path / "a.ods", {"说明": [text_cell("填表说明")], "台账": _ledger_rows()})
    assert sheet_names(ods) == ["说明", "台账"]
    assert read_sheet(ods, "台账").rows[1][3] == "北理工信电"
    with pytest.raises(ExcelFileError, match="没有名为“汇总”的工作表"):
        read_sheet(ods, "汇总")


def test_an_ods_row_repeated_past_the_limit_is_refused_before_calamine_reads_it(
    tmp_path: Path,
) -> None:
    repeated = (
        '<table:table-row table:number-rows-repeated="200000">'
        + text_cell("计算机学院")
        + "</table:table-row>"
    )
    ods = write_ods(tmp_path / "huge.ods", {"台账": [HEADER, repeated]})
    assert ods.stat().st_size < 5000
    started = time.monotonic()
    with pytest.raises(SpreadsheetTooLargeError, match=r"200001 行.*上限 100000 行"):
        read_sheet(ods)
    assert time.monotonic() - started < 5  # calamine would build 200,000 rows first


def test_an_ods_with_a_million_empty_formatted_rows_after_the_ledger_is_read(
    tmp_path: Path,
) -> None:
    """LibreOffice writes a sheet's formatted tail as one repeated empty row."""
    tail = (
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    grid = read_sheet(write_ods(tmp_path / "tail.ods", {"台账": [*_ledger_rows()[:2], tail]}))
    assert len(grid.rows) == 2 and grid.rows[1][3] == "北理工信电"


def test_a_truncated_ods_is_called_damaged(tmp_path: Path) -> None:
    ods = write_ods(tmp_path / "a.ods", {"台账": _ledger_rows()})
    cut = tmp_path / "cut.ods"
    cut.write_bytes(ods.read_bytes()[: ods.stat().st_size // 2])
    with pytest.raises(ExcelFileError, match=r"cut\.ods 已损坏或不完整"):
        read_sheet(cut)


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path


@pytest.mark.parametrize(
    ("name", "build", "what"),
    [
        ("台账.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n" + bytes(200)), "是 PDF 文件"),
        ("扫描件.xlsx", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200)), "是 PNG 图片"),
        (
            "台账.docx",
            lambda p: _zip(p, {"[Content_Types].xml": "<x/>", "word/document.xml": "<x/>"}),
            "是 Word 文档（.docx）",
        ),
        (
            "台账.odt",
            lambda p: _zip(p, {"mimetype": "application/vnd.oasis.opendocument.text"}),
            "是 OpenDocument 文本文档（.odt）",
        ),
        ("台账.zip", lambda p: _zip(p, {"台账.xlsx": "x"}), "是压缩包而不是表格文件，请先解压"),
        (
            "导出.xls",
            lambda p: p.write_bytes("<html><table><tr><td>开设单位</td></tr></table>".encode()),
            "是网页（HTML）格式的表格",
        ),
        ("台账.rar", lambda p: p.write_bytes(b"Rar!\x1a\x07\x00" + bytes(100)), "是 RAR 压缩包"),
        ("空.xlsx", lambda p: p.write_bytes(b""), "是空文件"),
    ],
)
def test_a_file_that_is_no_spreadsheet_gets_one_sentence_naming_what_it_is(
    tmp_path: Path, name, build, what
) -> None:
    path = tmp_path / name
    build(path)
    with pytest.raises(ExcelFileError) as raised:
        read_sheet(path)
    message = str(raised.value)
    assert message.startswith(f"{name} {what}"), message
    assert "\n" not in message and len(message) < 200


# -- .xlsb and .xlsm ------------------------------------------------------------------

_HEADERS = ["开设单位", "平台", "账号类型", "账号名称", "微信号/账号ID", "开设时间"]
_ROWS: list[list[str | None]] = [
    ["信息与电子学院", "微信", "订阅号", "北理工信电", "bit_ie", "2020-09-01"],
    [None, "微博", "机构认证", "北理工信电微博", "bit_ie_wb", "2021"],
    [None, "APP客户端", None, "北理工信电 APP", "bit_ie_app", "2022-03"],
    ["人文与社会科学学院", "抖音号", "企业号", "北理工人文", "bit_rw_dy", "2022-09-01"],
    ["机械与车辆学院", "火星号", None, "北理工机车", "bit_mv", None],
]


def _openpyxl_ledger(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "台账"
    book.active.append(_HEADERS)
    for row in _ROWS:
        book.active.append(row)
    book.active.merge_cells("A2:A4")
    book.save(path)
    return path


def _verdicts(tmp_path: Path, ledger: Path) -> list[tuple[str, str, str, str]]:
    with Register.create(tmp_path / f"{ledger.name}.nmdesk", "bit", actor="t") as register:
        plan = plan_import(register, ledger)
    return [
        (row.verdict.value, row.unit_name, str(sorted(row.fields.items())), row.reason)
        for row in plan.rows
    ]


def test_an_xlsb_and_an_xlsm_import_with_the_verdicts_of_the_same_xlsx(tmp_path: Path) -> None:
    from xlsb_files import write_xlsb

    expected = _verdicts(tmp_path, _openpyxl_ledger(tmp_path / "ledger.xlsx"))
    assert [v[0] for v in expected] == ["new"] * 4 + ["error"]
    assert [v[1] for v in expected[:3]] == ["信息与电子学院"] * 3
    xlsb = write_xlsb(tmp_path / "ledger.xlsb", [_HEADERS, *_ROWS], merged=((1, 3, 0, 0),))
    grid = read_sheet(xlsb)
    assert grid.merged == [((1, 0), (3, 0))]  # calamine reports none; the reader reads them
    assert _verdicts(tmp_path, xlsb) == expected
    xlsm = _openpyxl_ledger(tmp_path / "ledger.xlsm")
    assert _verdicts(tmp_path, xlsm) == expected


def test_an_xlsb_with_a_far_cell_or_a_huge_declared_size_is_refused(tmp_path: Path) -> None:
    from xlsb_files import write_xlsb

    far = write_xlsb(tmp_path / "far.xlsb", [_HEADERS], far_cell=(99_998, 16_383))
    assert far.stat().st_size < 2000
    started = time.monotonic()
    with pytest.raises(SpreadsheetTooLargeError, match="用到了第 16384 列"):
        read_sheet(far)
    assert time.monotonic() - started < 5
    declared = write_xlsb(tmp_path / "declared.xlsb", [_HEADERS], declared=(1_048_576, 6))
    with pytest.raises(SpreadsheetTooLargeError, match="有 1048576 行"):
        read_sheet(declared)


def test_a_wps_et_without_an_excel_workbook_inside_says_how_to_save_it_in_wps(
    tmp_path: Path,
) -> None:
    """An .et whose OLE container holds no Workbook stream (a WPS-only variant): the
    clerk is told to save it from WPS as .xlsx or .xls. A Word 97–2003 file, the same
    container with a WordDocument stream, is named as one."""
    et = _compound_file(tmp_path / "台账.et", "WpsContent")
    with pytest.raises(ExcelFileError) as raised:
        read_sheet(et)
    message = str(raised.value)
    assert message.startswith("台账.et 是 WPS 表格（.et）文件，但无法读取"), message
    assert "文件 → 另存为" in message and "（.xlsx）" in message and "（.xls）" in message
    doc = _compound_file(tmp_path / "通知.doc", "WordDocument")
    with pytest.raises(ExcelFileError, match=r"是 Word 97–2003 文档（\.doc）"):
        read_sheet(doc)


def _compound_file(path: Path, stream: str) -> Path:
    """An OLE compound file (version 3, 512-byte sectors) holding one 4,096-byte stream
    named ``stream``: header, one FAT sector, one directory sector, eight data sectors."""
    import struct

    free, end, fat_mark = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 4096, end, 0, end, 0)
    header[76:512] = struct.pack("<I", 0) + b"\xff" * (512 - 80)  # DIFAT: sector 0 is the FAT
    fat = [fat_mark, end, *range(3, 10), end] + [free] * (128 - 10)

    def entry(name: str, kind: int, start: int, size: int, child: int = free) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, free, free, child)
        struct.pack_into("<II", raw, 116, start, size)
        return bytes(raw)

    directory = entry("Root Entry", 5, end, 0, child=1) + entry(stream, 2, 2, 4096)
    directory += bytes(512 - len(directory))
    path.write_bytes(bytes(header) + struct.pack("<128I", *fat) + directory + bytes(4096))
    return path
