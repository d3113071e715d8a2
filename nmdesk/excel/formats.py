"""Which spreadsheet format a file is, from its content (never its name), and one
Chinese sentence naming what a file is when it is none of them.

nmdesk reads ``.xlsx``/``.xlsm``, ``.xlsb``, ``.ods``, ``.xls`` (and WPS ``.et``, the
same container) through python-calamine, and ``.csv``/``.txt`` as text ledgers.
"""

from __future__ import annotations

import zipfile

from nmdesk.excel.limits import ExcelFileError

# what the import file dialog offers (ui/excel/import_wizard.py), by kind
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb")
EXCEL_97_SUFFIXES = (".xls",)
WPS_SUFFIXES = (".et",)
ODS_SUFFIXES = (".ods",)
SPREADSHEET_SUFFIXES = (*EXCEL_SUFFIXES, *EXCEL_97_SUFFIXES, *WPS_SUFFIXES, *ODS_SUFFIXES)
_ASK = "请选择 Excel、WPS、LibreOffice 表格或 CSV 台账文件"

# the first bytes of formats a clerk may pick by mistake
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF 文件"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"BM", "BMP 图片"),
    (b"{\\rtf", "RTF 文档"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"SQLite f", "SQLite 数据库"),
)


def _is(what: str) -> str:
    """是 PDF 文件, 是压缩包: a space before a Latin word, as the rest of the text writes it."""
    return f"是 {what}" if what[0].isascii() else f"是{what}"


def not_a_spreadsheet(name: str, head: bytes) -> str:
    """The sentence for a file that is neither a workbook nor a text ledger."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"{name} {_is(what)}，不是表格台账，{_ASK}"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctyp", b"<html", b"<table")):
        return (
            f"{name} 是网页（HTML）格式的表格，不是真正的 Excel 文件；"
            "请在 Excel 或 WPS 中打开它，用「文件 → 另存为」保存为 Excel 工作簿（.xlsx）后再导入"
        )
    if lowered.startswith(b"<?xml"):
        return (
            f"{name} 是 XML 文件（可能是“XML 电子表格 2003”），"
            "请在 Excel 或 WPS 中打开它，用「文件 → 另存为」保存为 Excel 工作簿（.xlsx）后再导入"
        )
    if not head:
        return f"{name} 是空文件，不是 Excel 工作簿或 CSV 台账，{_ASK}"
    return f"{name} 不是 Excel 工作簿、WPS 或 LibreOffice 表格，也不是 CSV 文本台账，{_ASK}"


def zip_kind(archive: zipfile.ZipFile, name: str) -> str:
    """ "xlsx" (also .xlsm), "xlsb" or "ods" for a zip that holds a workbook; raises
    ExcelFileError naming what any other zip is (a Word document, a plain zip …)."""
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
        mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
        if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
            return "ods"
        what = {
            "text": "OpenDocument 文本文档（.odt）",
            "presentation": "OpenDocument 演示文稿（.odp）",
        }.get(mimetype.rsplit(".", 1)[-1].split("-")[0], "OpenDocument 文件，但不是表格")
        raise ExcelFileError(f"{name} {_is(what)}，不是表格台账，{_ASK}")
    if "word/document.xml" in names:
        raise ExcelFileError(f"{name} 是 Word 文档（.docx），不是表格台账，{_ASK}")
    if "ppt/presentation.xml" in names:
        raise ExcelFileError(f"{name} 是 PowerPoint 演示文稿（.pptx），不是表格台账，{_ASK}")
    raise ExcelFileError(
        f"{name} 是压缩包而不是表格文件，请先解压，再选择其中的 Excel 或 CSV 台账文件"
    )


def damaged(name: str, what: str = "已损坏或不完整") -> str:
    """The sentence for a workbook that cannot be read; a WPS .et says how to save it
    in WPS as a format every reader knows."""
    if name.lower().endswith(".et"):
        return (
            f"{name} 是 WPS 表格（.et）文件，但无法读取（{what}）。请在 WPS 中打开它，"
            "用「文件 → 另存为」保存为 Excel 工作簿（.xlsx）或 Excel 97–2003 工作簿（.xls）后再导入"
        )
    return f"{name} {what}，请重新保存或重新下载后再导入"
