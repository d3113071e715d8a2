"""Clean, bounded text (issue #12, item 4): one rule set, every path.

A 20 MB 账号主要用途, control characters, ESC, NUL and bidi overrides are refused
by the form's check, the store's single-row and bulk writers and the import, each
with one sentence; phones take ASCII digits only (after full-width ones are
converted); and nothing an older register holds reaches a terminal or a CSV raw.
"""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from nmdesk.entry import AccountEntry, PersonEntry
from nmdesk.entry_checks import collect_errors
from nmdesk.errors import NmdeskError, ProfileError, ValidationError
from nmdesk.excel.export import export_csv, export_xlsx
from nmdesk.models import Account, AccountStatus, Person, PersonKind, Unit
from nmdesk.paths import PROFILES_DIR
from nmdesk.profiles import profile_from_json
from nmdesk.store import Register
from nmdesk.store.bulk import ImportBatch
from nmdesk.text_rules import DEFAULT_LIMITS, EXCEL_CELL_LIMIT, check_row, printable, text_issue
from nmdesk.validation import normalize_mobile, normalize_office_phone

RUNNING = AccountStatus.RUNNING
ESC, NUL, RLO, LRI = "\x1b", "\x00", "\u202e", "\u2066"
HOSTILE_NAMES = {
    "esc": f"计算机{ESC}[2J学院",
    "nul": f"计算机{NUL}学院",
    "rlo": f"计算机{RLO}院学",
    "isolate": f"计算机{LRI}学院",
    "c1": "计算机\x9b2J学院",  # CSI; NEL (\x85) is a line break, folded to a space like \n
    "del": "计算机\x7f学院",
}


# -- the rules --------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(HOSTILE_NAMES))
def test_control_and_bidi_characters_are_refused_with_their_code(case: str) -> None:
    issue = text_issue(HOSTILE_NAMES[case], 100)
    assert issue is not None and "控制字符" in issue and "U+" in issue


def test_a_line_break_only_in_a_multi_line_field() -> None:
    assert text_issue("第一行\n第二行", 500, multiline=True) is None
    assert "换行" in (text_issue("第一行\n第二行", 100) or "")
    assert "控制字符" in (text_issue(f"第一行\n{ESC}", 500, multiline=True) or "")


def test_a_length_past_the_limit_is_named_with_both_numbers() -> None:
    assert text_issue("长" * 100, 100) is None
    assert text_issue("长" * 101, 100) == "过长（101 字），最多 100 字"


def test_printable_escapes_every_control_and_bidi_character() -> None:
    assert printable(f"a{ESC}[31mb{NUL}c{RLO}d\ne\tf") == "a\\x1b[31mb\\x00c\\u202ed\ne\tf"
    assert printable("普通文本") == "普通文本"


# -- the profile ------------------------------------------------------------------------


def _bit() -> dict:
    return json.loads((PROFILES_DIR / "bit.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("profile_id", ["bit", "pku-coe"])
def test_every_shipped_profile_limits_every_text_field(profile_id: str) -> None:
    data = json.loads((PROFILES_DIR / f"{profile_id}.json").read_text(encoding="utf-8"))
    limits = data["text_limits"]
    assert set(DEFAULT_LIMITS) <= set(limits)
    assert limits["accounts.purpose"] <= 1000 and limits["accounts.name"] == 100
    assert max(limits.values()) <= EXCEL_CELL_LIMIT


@pytest.mark.parametrize(
    ("limits", "word"),
    [
        ({"accounts.purpose": 40_000}, "32767"),
        ({"accounts.purpose": 0}, "1 到"),
        ({"accounts.purpos": 500}, "未知：accounts.purpos"),
        ({"accounts.purpose": "500"}, "整数"),
        ([], "对象"),
    ],
)
def test_a_bad_text_limit_in_a_profile_is_a_profile_error(limits: object, word: str) -> None:
    data = _bit()
    data["text_limits"] = limits
    with pytest.raises(ProfileError, match=word):
        profile_from_json(json.dumps(data))


def test_a_profile_without_text_limits_gets_the_defaults() -> None:
    data = copy.deepcopy(_bit())
    del data["text_limits"]
    assert profile_from_json(json.dumps(data)).text_limits["accounts.purpose"] == 500


# -- phones -----------------------------------------------------------------------------


def test_full_width_digits_are_converted_and_other_digits_refused() -> None:
    assert normalize_mobile("１３９１１１１２２２２") == "13911112222"
    assert normalize_office_phone("０１０-６８９１２３４５") == "010-68912345"
    with pytest.raises(ValidationError, match="手机"):
        normalize_mobile("13٩١١١١٢٢٢٢")
    with pytest.raises(ValidationError, match="办公电话"):
        normalize_office_phone("010-6٨٩١٢٣٤٥")


# -- the store: single row and bulk -----------------------------------------------------


def _unit(register: Register) -> int:
    return register.units.add(Unit(None, "计算机学院", "college"))


def test_the_store_refuses_a_twenty_megabyte_purpose(register: Register) -> None:
    unit_id = _unit(register)
    huge = "用途" * (10 * 1024 * 1024)  # 20,971,520 characters
    account = Account(
        None, "微信", "公众号", "北理工计算机", unit_id, 2, purpose=huge, status=RUNNING
    )
    with pytest.raises(ValidationError, match="最多 500 字"), register.transaction():
        register.accounts.create(account)
    with pytest.raises(ValidationError, match="最多 500 字"), register.transaction():
        batch = ImportBatch(register)  # the bulk path, as an import takes it
        register.accounts.create(account, batch=batch)
        batch.flush()
    assert register.scalar("SELECT count(*) FROM accounts") == 0


@pytest.mark.parametrize("case", sorted(HOSTILE_NAMES))
def test_the_store_refuses_hostile_names_for_accounts_units_and_people(
    register: Register, case: str
) -> None:
    name = HOSTILE_NAMES[case]
    unit_id = _unit(register)
    for write in (
        lambda: register.units.add(Unit(None, name, "college")),
        lambda: register.people.add(Person(None, name, PersonKind.STAFF, unit_id)),
        lambda: register.accounts.create(
            Account(None, "微信", "公众号", name, unit_id, 2, status=RUNNING)
        ),
    ):
        with pytest.raises(ValidationError, match="控制字符"):
            write()
    assert register.scalar("SELECT count(*) FROM accounts") == 0


def test_the_form_names_the_field_that_is_too_long(register: Register) -> None:
    unit_id = _unit(register)
    entry = AccountEntry(
        platform="微信",
        name="北理工计算机",
        purpose="长" * 501,
        unit_id=unit_id,
        roles={"operator": PersonEntry(name=f"小王{RLO}")},
    )
    errors, checked = collect_errors(register, entry)
    assert checked is None
    messages = [str(error) for error in errors]
    assert any(m.startswith("账号主要用途：过长（501 字）") for m in messages), messages
    assert any("姓名：含有改变文字方向的控制字符（U+202E）" in m for m in messages), messages


# -- output: CSV, xlsx, terminal --------------------------------------------------------


def _old_register_with_hostile_text(path: Path) -> Path:
    """A register as an older nmdesk left it: an ESC sequence and a bidi override in a
    name, and a purpose longer than an Excel cell (written past today's rules)."""
    register = Register.create(path, "bit", actor="tester")
    unit_id = _unit(register)
    with register.transaction():
        register.accounts.create(
            Account(None, "微信", "公众号", "北理工计算机", unit_id, 2, status=RUNNING)
        )
    register.close()
    db = sqlite3.connect(path)
    db.execute(
        "UPDATE accounts SET name = ?, purpose = ?",
        [f"北理工{ESC}[2J{ESC}]0;pwned\a{RLO}机算计", "长" * (EXCEL_CELL_LIMIT + 10)],
    )
    db.commit()
    db.close()
    return path


def test_csv_and_terminal_never_carry_raw_control_bytes(tmp_path: Path) -> None:
    path = _old_register_with_hostile_text(tmp_path / "old.nmdesk")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    for command in (["list"], ["show", "1"]):
        done = subprocess.run(
            [sys.executable, "-m", "nmdesk", *command, "--path", str(path)],
            capture_output=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr.decode()
        assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout
        assert RLO.encode() not in done.stdout
        assert "北理工\\x1b[2J".encode() in done.stdout
    register = Register.open(path, actor="tester")
    try:
        export_csv(register, tmp_path / "out.csv")
        text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
        assert ESC not in text and RLO not in text and "\\x1b[2J" in text
        with pytest.raises(NmdeskError, match="超过 Excel 单元格上限 32767 字"):
            export_xlsx(register, tmp_path / "out.xlsx")
        assert not (tmp_path / "out.xlsx").exists()
    finally:
        register.close()


# -- the import, as a clerk runs it -----------------------------------------------------


def _ledger(path: Path, rows: list[tuple[str, ...]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(("账号名称", "开设平台", "开设单位", "账号主要用途", "运营人", "手机"))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_the_import_makes_hostile_text_an_error_row_and_writes_nothing(tmp_path: Path) -> None:
    register_path = tmp_path / "reg" / "office.nmdesk"
    register_path.parent.mkdir()
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "nmdesk", *args, "--path", str(register_path)],
            capture_output=True,
            text=True,
            env=env,
        )

    assert run("init", "--profile", "bit").returncode == 0
    assert run("verify").returncode == 0
    ledger = _ledger(
        tmp_path / "hostile.xlsx",
        [
            ("北理工计算机", "微信", "计算机学院", "a" * 20_971_520, "小王", "13911112222"),
            (f"北理工{RLO}机算计", "微信", "计算机学院", "宣传", "小李", "13911113333"),
            ("北理工软件", "微信", "计算机学院", "宣传", "小_x001B_张", "13911114444"),  # ESC
            ("北理工自动化", "微信", "计算机学院", "宣传", "小赵", "13٩١١١١٢٢٢٢"),
        ],
    )
    before = {p.name: p.read_bytes() for p in register_path.parent.rglob("*") if p.is_file()}
    started = time.monotonic()
    done = run("import", str(ledger), "--strict")
    assert time.monotonic() - started < 60
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert "“账号主要用途”列：过长（" in done.stdout and "最多 500 字" in done.stdout
    assert "U+202E" in done.stdout and "U+001B" in done.stdout
    assert "13٩" in done.stdout and "手机" in done.stdout
    assert len(done.stdout) < 4000  # the cells are described, not echoed
    assert "\x1b" not in done.stdout
    after = {p.name: p.read_bytes() for p in register_path.parent.rglob("*") if p.is_file()}
    assert after == before


def test_many_rows_report_the_first_error_a_row_by_row_check_finds(register: Register) -> None:
    """``insert_rows`` checks each distinct value of a column once; when one breaks a
    rule, the error is the one checking the rows in order finds (row 2's note here, not
    row 3's name, though the name column comes first)."""
    rows = [
        {"name": "甲", "kind": "staff", "note": ""},
        {"name": "乙", "kind": "staff", "note": "备注\u202e"},
        {"name": "丙\x07", "kind": "staff", "note": ""},
    ]
    with pytest.raises(ValidationError) as caught, register.transaction():
        register.insert_rows("people", rows)
    with pytest.raises(ValidationError) as one_by_one:
        for row in rows:
            check_row(register.profile.text_limits, "people", row)
    assert str(caught.value) == str(one_by_one.value) and "U+202E" in str(caught.value)
    assert register.people.find("甲") == []
