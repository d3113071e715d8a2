"""nmdesk/compat/: each library's internals, and the public API taken on other versions,
give the same result."""

from __future__ import annotations

import json

import pytest

from nmdesk import compat

ROWS = [
    {"b": 1, "a": '学院\n"引号"\u2028', "c": None, "d": 1.5, "e": True, "f": [1, "x"]},
    {"name": "=1+1", "nested": {"z": 0, "y": "é"}, "empty": ""},
    {},
]


def test_versions_in_a_series() -> None:
    assert compat.written_for("5.1.0", ("5.1",)) and compat.written_for("5.1", ("5.1",))
    assert not compat.written_for("5.10.0", ("5.1",)) and not compat.written_for("", ("5.1",))
    assert compat.installed_version("reportlab") == "5.1.0"
    assert compat.installed_version("no-such-distribution-nmdesk") == ""


def test_canonical_json_on_another_python_is_json_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    from nmdesk.compat import cpython

    fast = cpython.canonical_json()
    monkeypatch.setattr(cpython, "python_version", lambda: "3.99.0")
    public = cpython.canonical_json()
    assert public == cpython._CANONICAL.encode and fast is not public
    for row in ROWS:
        want = json.dumps(row, ensure_ascii=False, sort_keys=True)
        assert fast(row) == public(row) == want


@pytest.mark.parametrize("version", ["3.1.5", "4.0.0"])
def test_a_discarded_write_only_sheet_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path, version: str
) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    from nmdesk.compat import openpyxl as compat_openpyxl

    monkeypatch.setattr(compat_openpyxl, "openpyxl_version", lambda: version)
    monkeypatch.chdir(tmp_path)
    sheet = Workbook(write_only=True).create_sheet("导出")
    sheet.append(["备案编号", "=1+1"])
    streamed = sheet._writer.out  # openpyxl's temporary file
    compat_openpyxl.discard_write_only(sheet)
    assert sheet.closed and list(tmp_path.iterdir()) == []
    if version == "3.1.5":  # removed now
        assert streamed not in ALL_TEMP_FILES
    else:  # removed by openpyxl when the process ends
        assert streamed in ALL_TEMP_FILES


NAMES = [
    "北京理工大学重庆创新中心",
    "北理工团委2024",
    "中国银行长安分行",
    "ABC 新闻网",
    "",
    "王伟-学生会",
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
