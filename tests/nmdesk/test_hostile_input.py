"""Hostile and broken input: parsers and validators under hypothesis, and a corpus of bad files.

Every parser either returns a value or raises an ``NmdeskError`` with a Chinese
message; nothing else escapes. Every broken file given to the command line
gets one line of Chinese on stderr, exit code 2, no traceback, and nothing is
written. The corpus is generated here (no committed binaries except the
register fixtures).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmdesk.dates import PartialDate, parse_partial_date
from nmdesk.errors import NmdeskError, ProfileError, ValidationError
from nmdesk.excel import normalize as cells
from nmdesk.names import matched_keywords, normalize
from nmdesk.paths import PROFILES_DIR
from nmdesk.profiles import Profile, load_profile, profile_from_json
from nmdesk.validation import normalize_email, normalize_mobile, normalize_office_phone

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "registers"
CJK = re.compile(r"[\u4e00-\u9fff]")

# text as clerks and spreadsheets produce it: digits, separators, CJK date words, noise
clerk_text = st.text(
    alphabet=st.sampled_from(list("0123456789 -./年月日:+()（）０１２９\u3000\t\nabcxyz@_号")),
    max_size=30,
)
any_text = st.one_of(st.text(max_size=60), clerk_text)


# -- dates ------------------------------------------------------------------------------


@given(any_text)
def test_parse_partial_date_returns_a_date_or_a_validation_error(text: str) -> None:
    try:
        parsed = parse_partial_date(text, "开设时间")
    except ValidationError as error:
        assert error.field == "开设时间" and CJK.search(str(error))
        return
    assert 1900 <= parsed.year <= 2100
    assert parsed.first_day() >= dt.date(1900, 1, 1)
    assert parse_partial_date(parsed.iso()) == parsed
    assert parse_partial_date(parsed.chinese()) == parsed


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_written_form_of_a_day_parses_back(day: dt.date) -> None:
    full = PartialDate(day.year, day.month, day.day)
    for form in (
        f"{day.year}-{day.month}-{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        f"{day:%Y%m%d}",
        f" {day.isoformat()} ",
    ):
        assert parse_partial_date(form) == full, form
    month = PartialDate(day.year, day.month)
    assert parse_partial_date(f"{day.year}年{day.month}月") == month
    assert parse_partial_date(f"{day.year}/{day.month}") == month
    assert parse_partial_date(f"{day.year}年") == PartialDate(day.year)


# -- phones and e-mail -------------------------------------------------------------------


def _validated(func: Any, value: str) -> str | None:
    try:
        result = func(value)
    except ValidationError as error:
        assert CJK.search(str(error))
        return None
    assert isinstance(result, str)
    return result


@given(any_text)
def test_normalize_mobile_is_total_and_idempotent(text: str) -> None:
    result = _validated(normalize_mobile, text)
    if result:
        assert re.fullmatch(r"1\d{10}", result)
        assert normalize_mobile(result) == result


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.sampled_from(["", "+86", "+86 ", "0086"]),
    st.lists(st.sampled_from([" ", "-"]), min_size=0, max_size=3),
)
def test_a_mobile_written_any_way_normalises_to_its_digits(
    digits: str, prefix: str, separators: list[str]
) -> None:
    written = digits
    for position, separator in zip((3, 8, 5), separators, strict=False):
        written = written[:position] + separator + written[position:]
    assert normalize_mobile(prefix + written) == digits


@given(any_text)
def test_normalize_office_phone_is_total_and_idempotent(text: str) -> None:
    result = _validated(normalize_office_phone, text)
    if result:
        assert re.fullmatch(r"0\d{2,3}-\d{7,8}(-\d+)?", result), result
        assert normalize_office_phone(result) == result


@given(st.one_of(any_text, st.emails()))
def test_normalize_email_is_total_and_idempotent(text: str) -> None:
    result = _validated(normalize_email, text)
    if result:
        assert result == result.lower() and " " not in result and "@" in result
        assert normalize_email(result) == result


# -- protected names ---------------------------------------------------------------------

BIT = load_profile("bit")


@given(st.text(max_size=80), st.lists(st.text(max_size=12), max_size=5))
def test_name_checks_never_fail(name: str, keywords: list[str]) -> None:
    normalize(name)
    found = matched_keywords(name, keywords)
    assert all(keyword in keywords for keyword in found)


@given(
    st.sampled_from(["北京理工大学", "北理工", "北京大学", "工学院", "官方"]),
    st.text(alphabet="新媒体中心学生会团委研究生院", max_size=6),
    st.text(alphabet="新媒体中心学生会团委研究生院", max_size=6),
    st.sampled_from(["", " ", "\u3000", "·"]),
)
def test_a_protected_keyword_is_found_however_it_is_padded(
    keyword: str, before: str, after: str, gap: str
) -> None:
    assert matched_keywords(f"{before}{gap}{keyword}{gap}{after}", [keyword]) == [keyword]


@given(st.sampled_from(["BIT", "PKU", "Peking University"]), st.sampled_from(["", " ", "·"]))
def test_a_latin_keyword_is_found_in_full_width_or_lower_case(keyword: str, gap: str) -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in keyword)
    assert matched_keywords(f"新媒体{gap}{full_width}{gap}中心", [keyword]) == [keyword]
    assert matched_keywords(f"{keyword.lower()} news", [keyword]) == [keyword]
    assert matched_keywords(f"{keyword}X{keyword[:-1]}", [keyword + "Q"]) == []


# -- profile files ---------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _profile_or_error(text: str) -> Profile | None:
    try:
        return profile_from_json(text, source="测试配置")
    except ProfileError as error:
        assert CJK.search(str(error))
        return None


@given(st.one_of(st.text(max_size=200), json_values.map(json.dumps)))
def test_random_text_or_json_is_a_profile_error(text: str) -> None:
    assert _profile_or_error(text) is None


BASE_PROFILES = [
    json.loads(p.read_text(encoding="utf-8")) for p in sorted(PROFILES_DIR.glob("*.json"))
]


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


@st.composite
def mutated_profiles(draw: st.DrawFn) -> str:
    data = copy.deepcopy(draw(st.sampled_from(BASE_PROFILES)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["delete", "replace", "duplicate"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(json_values)
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
    return json.dumps(data, ensure_ascii=False)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_profiles())
def test_a_mutated_profile_is_valid_or_a_profile_error(text: str) -> None:
    profile = _profile_or_error(text)
    if profile is not None:  # a valid profile survives its own round trip
        assert profile_from_json(profile.to_json()).id == profile.id


# -- import cells -------------------------------------------------------------------------

cell_values = st.one_of(
    st.none(),
    st.text(max_size=40),
    clerk_text,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)


def _cell_or_error(func: Any, *args: Any) -> Any:
    try:
        return func(*args)
    except NmdeskError as error:
        assert CJK.search(str(error))
        return None


@given(cell_values)
def test_import_cells_become_values_or_chinese_errors(value: Any) -> None:
    result = _cell_or_error(cells.partial_date, value, "开设时间")
    assert result is None or 1 <= result.year <= 9999
    _cell_or_error(cells.level, value, BIT)
    _cell_or_error(cells.status, value)
    _cell_or_error(cells.platform, value, ["微信", "微博", "抖音", "B站"])
    assert isinstance(cells.identifier(value), str)
    assert isinstance(cells.long_text(value), str)


@given(cell_values, cell_values, cell_values)
def test_import_phones_become_numbers_or_chinese_errors(
    mobile: Any, office: Any, other: Any
) -> None:
    result = _cell_or_error(cells.phones, mobile, office, other, ("手机", "办公电话", "电话"))
    if result is not None:
        mobile_out, _office = result
        assert mobile_out == "" or re.fullmatch(r"1\d{10}", mobile_out)


# -- the broken-file corpus, through the command line ---------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
HEADER = ("账号名称", "开设平台", "开设单位")


def write_raw_xlsx(
    path: Path,
    rows: Iterator[tuple[int, tuple[str, ...]]],
    *,
    last_row: int,
    shared_string_bytes: int = 0,
) -> Path:
    """An xlsx written as raw XML streamed into the zip (no openpyxl, any size).

    A cell value ``"@0"`` refers to the one shared string, which is
    ``shared_string_bytes`` long (UTF-8).
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as handle:
            handle.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxml'
                b'formats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
            )
            block = ("长" * (1 << 20)).encode()  # 3 MiB of a 3-byte character
            left = shared_string_bytes - shared_string_bytes % 3
            while left > 0:
                handle.write(block[: min(left, len(block))])
                left -= len(block)
            handle.write(b"</t></si></sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
            handle.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main">'
                + f'<dimension ref="A1:C{last_row}"/><sheetData>'.encode()
            )
            pending: list[str] = []
            for number, values in rows:
                cells_xml = "".join(
                    f'<c r="{chr(65 + i)}{number}" t="s"><v>0</v></c>'
                    if value == "@0"
                    else f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
                    for i, value in enumerate(values)
                )
                pending.append(f'<row r="{number}">{cells_xml}</row>')
                if len(pending) >= 10000:
                    handle.write("".join(pending).encode())
                    pending = []
            handle.write("".join(pending).encode())
            handle.write(b"</sheetData></worksheet>")
    return path


def _good_xlsx(path: Path) -> Path:
    return write_raw_xlsx(
        path,
        iter([(1, HEADER), (2, ("北理工计算机", "微信", "计算机学院"))]),
        last_row=2,
    )


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nmdesk", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _assert_one_chinese_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr[-2000:]
    assert CJK.search(lines[0]) and len(lines[0]) < 300
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def quiet_register(tmp_path: Path) -> Path:
    """A register in its own folder, opened once today so its daily backup already exists."""
    folder = tmp_path / "register"
    folder.mkdir()
    path = folder / "office.nmdesk"
    assert _run("init", "--profile", "bit", "--path", str(path)).returncode == 0
    assert _run("verify", "--path", str(path)).returncode == 0
    return path


def _broken_workbooks(folder: Path) -> list[tuple[Path, str]]:
    good = _good_xlsx(folder / "good.xlsx")
    truncated = folder / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    not_xlsx = folder / "photos.xlsx"
    with zipfile.ZipFile(not_xlsx, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff" + b"0" * 1000)
    encrypted = folder / "encrypted.xlsx"
    # an OLE compound file holding an EncryptedPackage stream, as Excel writes it
    encrypted.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")
    )
    legacy = folder / "legacy.xlsx"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    text = folder / "notes.xlsx"
    text.write_text("账号名称,开设平台\n", encoding="utf-8")
    empty = folder / "empty.xlsx"
    empty.write_bytes(b"")
    return [
        (truncated, "损坏"),
        (not_xlsx, "压缩包"),
        (encrypted, "密码"),
        (legacy, "xls"),
        (text, "不是 Excel"),
        (empty, "不是 Excel"),
        (folder / "missing.xlsx", "找不到"),
    ]


def test_broken_workbooks_get_one_chinese_line_and_write_nothing(
    quiet_register: Path, tmp_path: Path
) -> None:
    before = _files(quiet_register.parent)
    for workbook, word in _broken_workbooks(tmp_path):
        done = _run("import", str(workbook), "--path", str(quiet_register))
        _assert_one_chinese_line(done, word, workbook.name)
        assert _files(quiet_register.parent) == before, workbook.name


@pytest.mark.slow
def test_a_sheet_with_a_million_rows_is_refused(quiet_register: Path, tmp_path: Path) -> None:
    rows = ((n, (f"账号{n}", "微信", "计算机学院")) for n in range(2, 1_048_577))
    huge = write_raw_xlsx(tmp_path / "million.xlsx", _chain(rows), last_row=1_048_576)
    before = _files(quiet_register.parent)
    done = _run("import", str(huge), "--path", str(quiet_register))
    _assert_one_chinese_line(done, "1048576 行", "上限")
    assert _files(quiet_register.parent) == before


def _chain(rows: Iterator[tuple[int, tuple[str, ...]]]) -> Iterator[tuple[int, tuple[str, ...]]]:
    yield 1, HEADER
    yield from rows


@pytest.mark.slow
def test_a_fifty_megabyte_cell_is_refused(quiet_register: Path, tmp_path: Path) -> None:
    big = write_raw_xlsx(
        tmp_path / "big-cell.xlsx",
        iter([(1, HEADER), (2, ("@0", "微信", "计算机学院"))]),
        last_row=2,
        shared_string_bytes=50 * 1024 * 1024,
    )
    before = _files(quiet_register.parent)
    done = _run("import", str(big), "--strict", "--path", str(quiet_register))
    _assert_one_chinese_line(done)
    assert "过长" in done.stdout and "最多 100 字" in done.stdout
    assert len(done.stdout) < 2000  # the cell is described, not echoed
    assert _files(quiet_register.parent) == before


BROKEN_PROFILES = {
    "not-json.json": ("{ 这不是 JSON", "不是有效的 JSON"),
    "array.json": ("[1, 2, 3]", "顶层"),
    "empty-object.json": ("{}", "无效"),
    "binary.json": (None, "UTF-8"),
    "truncated.json": (
        (PROFILES_DIR / "bit.json").read_text(encoding="utf-8")[:500],
        "不是有效的 JSON",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN_PROFILES))
def test_a_broken_profile_gets_one_chinese_line_and_creates_nothing(
    name: str, tmp_path: Path
) -> None:
    text, word = BROKEN_PROFILES[name]
    profile = tmp_path / name
    if text is None:
        profile.write_bytes(b"\xff\xfe\x00garbage\x80")
    else:
        profile.write_text(text, encoding="utf-8")
    target = tmp_path / "out" / "new.nmdesk"
    done = _run("init", "--profile", str(profile), "--path", str(target))
    _assert_one_chinese_line(done, word)
    assert not (tmp_path / "out").exists()


def _broken_registers(folder: Path) -> list[tuple[Path, str]]:
    text = folder / "notes.nmdesk"
    text.write_text("这是一份备忘录，不是备案库\n" * 50, encoding="utf-8")
    empty = folder / "empty.nmdesk"
    empty.write_bytes(b"")
    workbook = _good_xlsx(folder / "ledger.nmdesk")
    foreign = folder / "other-app.nmdesk"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    newer = folder / "newer.nmdesk"
    shutil.copy(FIXTURES / "newer.nmdesk", newer)
    header_only = folder / "header-only.nmdesk"
    header_only.write_bytes((FIXTURES / "v1-bit.nmdesk").read_bytes()[:100])
    return [
        (text, "不是 nmdesk 备案库"),
        (empty, "不是 nmdesk 备案库"),
        (workbook, "不是 nmdesk 备案库"),
        (foreign, "不是 nmdesk 备案库"),
        (newer, "更新版本"),
        (header_only, "备案库"),
    ]


@pytest.mark.parametrize(
    "command", [("verify",), ("list",), ("backup",), ("audit-export", "x.csv")]
)
def test_a_broken_register_gets_one_chinese_line_and_is_left_alone(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    cases = _broken_registers(corpus)
    before = _files(corpus)
    for register, word in cases:
        args = [str(tmp_path / a) if a.endswith(".csv") else a for a in command]
        done = _run(*args, "--path", str(register))
        _assert_one_chinese_line(done, word)
        assert _files(corpus) == before, register.name
    assert not (tmp_path / "x.csv").exists()


DAMAGE = {
    # every third page from the ninth on: most tables and indexes are hit
    "scattered": lambda size: range(8 * 4096, size, 4096 * 3),
    # only the last pages (the newest audit entries and search index): opening works
    "tail": lambda size: range(size - 6 * 4096, size, 4096),
}


@pytest.mark.parametrize("migrated", [True, False], ids=["current-schema", "pending-migration"])
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_register_gets_one_chinese_line(
    damage: str, migrated: bool, tmp_path: Path
) -> None:
    """A register whose pages were overwritten: every command says so, none crashes."""
    from nmdesk.store import Register

    source = tmp_path / "source.nmdesk"
    shutil.copy(FIXTURES / "v1-bit.nmdesk", source)
    if migrated:
        with Register.open(source, auto_backup=False) as register:
            register.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            register.db.execute("PRAGMA journal_mode = DELETE")
    original = bytearray(source.read_bytes())
    for offset in DAMAGE[damage](len(original)):
        original[offset + 16 : offset + 400] = b"\xa5" * 384
    for command in (
        ["list"],
        ["show", "BIT-2026-00001"],
        ["verify"],
        ["check"],
        ["export", str(tmp_path / "out.xlsx")],
        ["audit-export", str(tmp_path / "audit.csv")],
        ["backup", "--out", str(tmp_path / "copy.nmdesk")],
    ):
        path = tmp_path / "damaged.nmdesk"
        path.write_bytes(bytes(original))
        done = _run(*command, "--path", str(path))
        assert "Traceback" not in done.stderr, (command, done.stderr[-3000:])
        if done.returncode == 2:
            _assert_one_chinese_line(done)
        else:  # a command that got through reports the damage or ran on intact pages
            assert done.returncode in (0, 1), (command, done.returncode, done.stderr)
            if command == ["verify"]:
                assert done.returncode == 1 and "损坏" in done.stdout


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=0, max_size=4096))
def test_random_bytes_as_a_register_are_refused_with_a_register_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    from nmdesk.errors import RegisterError
    from nmdesk.store import Register

    folder = tmp_path_factory.mktemp("random")
    path = folder / "random.nmdesk"
    path.write_bytes(data)
    with pytest.raises(RegisterError):
        Register.open(path).close()
    assert path.read_bytes() == data
    assert [p.name for p in folder.iterdir()] == ["random.nmdesk"]


# -- import rows, end to end ----------------------------------------------------------------

LEDGER_HEADER = ["开设单位", "开设平台", "账号名称", "账号ID号", "开设时间", "账号级别", "状态"]


def _xml_safe(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


ledger_cells = st.one_of(
    st.none(),
    st.text(max_size=30).map(_xml_safe),
    clerk_text.map(_xml_safe),
    st.sampled_from(["计算机学院", "宇航学院", "微信", "微博", "抖音", "一级", "二级", "运行中"]),
    st.integers(min_value=-(10**6), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.booleans(),
)


plausible_rows = st.tuples(
    st.sampled_from(["计算机学院", "宇航学院", "校团委", " 计算机学院 ", "新成立研究中心"]),
    st.sampled_from(["微信", "微博", "抖音", "B站", "bilibili", "微信公众号", "火星平台"]),
    st.text(min_size=1, max_size=20).map(_xml_safe),
    st.one_of(st.text(max_size=20).map(_xml_safe), st.integers(0, 10**12)),
    st.one_of(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1)), clerk_text),
    st.sampled_from(["一级", "二级账号", "3", 2, "三级", "", "九级"]),
    st.sampled_from(["运行中", "申请中", "已注销", "", "休眠"]),
).map(list)


@pytest.fixture(scope="module")
def ledger_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nmdesk.models import Unit
    from nmdesk.store import Register

    path = tmp_path_factory.mktemp("ledger") / "template.nmdesk"
    with Register.create(path, "bit") as register, register.transaction():
        root = register.units.add(Unit(None, "北京理工大学", "school"))
        register.units.add(Unit(None, "计算机学院", "college", root))
    return path


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.one_of(plausible_rows, st.lists(ledger_cells, min_size=7, max_size=7)),
        min_size=1,
        max_size=6,
    )
)
def test_random_ledger_rows_are_imported_or_reported_never_crash(
    ledger_template: Path, tmp_path_factory: pytest.TempPathFactory, rows: list[list[Any]]
) -> None:
    import openpyxl

    from nmdesk.excel.ledger_import import Verdict, commit_import, plan_import
    from nmdesk.store import Register

    folder = tmp_path_factory.mktemp("rows")
    path = folder / "office.nmdesk"
    shutil.copy(ledger_template, path)
    ledger = folder / "ledger.xlsx"
    book = openpyxl.Workbook()
    book.active.append(LEDGER_HEADER)
    for row in rows:
        book.active.append(row)
    book.save(ledger)
    with Register.open(path, auto_backup=False) as register:
        try:
            plan = plan_import(register, ledger)
        except NmdeskError as error:  # e.g. no header row left after blank rows
            assert CJK.search(str(error))
            return
        for planned in plan.rows:
            assert planned.verdict in set(Verdict)
            if planned.verdict is Verdict.ERROR:
                assert CJK.search(planned.reason)
        before = register.accounts.count()
        try:
            result = commit_import(register, plan)
        except NmdeskError as error:
            assert CJK.search(str(error))
            assert register.accounts.count() == before
        else:
            assert register.accounts.count() == before + len(result.created)
        assert register.integrity_ok()
        assert register.audit.verify() == []
