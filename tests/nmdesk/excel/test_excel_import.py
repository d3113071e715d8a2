"""Importing a messy office ledger (issue #8): verdicts, normalised values, error report,
no-op re-import, and a register left byte-for-byte unchanged by cancel, failure or --strict."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from fixtures_excel import (
    EXPECTED,
    LONG_PURPOSE,
    build_messy_ledger,
    build_two_row_header_ledger,
    build_variant_ledger,
)
from register_state import register_state

from nmdesk.cli import main
from nmdesk.dates import PartialDate
from nmdesk.errors import DuplicateAccountError, ValidationError
from nmdesk.excel import normalize
from nmdesk.excel.error_report import REASON_HEADER, write_error_report
from nmdesk.excel.ledger_import import (
    ImportCancelled,
    ImportRefused,
    Verdict,
    commit_import,
    guess_unit_kind,
    plan_import,
)
from nmdesk.excel.mapping import apply_saved, auto_mapping, detect_header_row, mapping_to_saved
from nmdesk.excel.reader import ExcelFileError, read_sheet
from nmdesk.models import Account, AccountStatus, Person, PersonKind, Unit
from nmdesk.services.accounts import assign_role
from nmdesk.store import Register
from nmdesk.store.account_rules import check_level, check_listed_platform, listed_level
from nmdesk.store.search import AccountQuery


def dump(register: Register) -> list[str]:
    return register_state(register)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return build_messy_ledger(tmp_path / "信电学院台账.xlsx")


def by_platform_id(register: Register, platform: str, platform_id: str) -> Account:
    account = register.accounts.by_platform_id(platform, platform_id)
    assert account is not None, (platform, platform_id)
    return account


# -- reading -------------------------------------------------------------------------


def test_reader_fills_merged_unit_down_and_sees_formulas(ledger: Path) -> None:
    grid = read_sheet(ledger)
    assert grid.name == "账号台账"
    assert [grid.rows[r][1] for r in range(3, 10)] == ["信息与电子学院"] * 4 + [
        "机械与车辆学院"
    ] * 3
    assert grid.formulas == {(6, 5): True, (11, 5): False}
    assert grid.rows[6][5] == "bili_ie"  # the cached value, never evaluated
    assert grid.rows[11][5] == '=HYPERLINK("https://www.zhihu.com/org/bit")'  # shown, not run
    assert detect_header_row(grid.rows) == 2  # past the title and 填报单位 rows


def test_synonyms_and_contacts_follow_their_person() -> None:
    mapping = auto_mapping(
        [
            "序号",
            "所属单位",
            "开设平台",
            "账号名称",
            "账号ID",
            "开设时间",
            "负责人",
            "职务",
            "手机",
            "运维负责人",
            "办公电话",
            "电子邮箱",
        ]
    )
    assert mapping == [
        "",
        "unit",
        "platform",
        "name",
        "platform_id",
        "opened_on",
        "first_responsible.name",
        "first_responsible.title",
        "first_responsible.mobile",
        "ops_contact.name",
        "ops_contact.office_phone",
        "ops_contact.email",
    ]
    assert auto_mapping(["单位名称", "微信号", "开通时间", "账号 ID 号"])[:3] == [
        "unit",
        "platform_id",
        "opened_on",
    ]


def test_saved_mapping_overrides_and_round_trips(register: Register) -> None:
    headers = ["单位", "平台", "公众号叫什么", "微信号"]
    mapping = auto_mapping(headers)
    assert mapping[2] == ""
    mapping[2] = "name"
    register.excel.save_mapping("宣传部格式", mapping_to_saved(headers, mapping))
    assert register.excel.mapping_names() == ["宣传部格式"]
    assert apply_saved(headers, register.excel.load_mapping("宣传部格式")) == [
        "unit",
        "platform",
        "name",
        "platform_id",
    ]
    audited = register.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'import_mappings'")
    assert audited == 1


def test_normalisers_keep_precision_and_fix_phones() -> None:
    cases = {
        "2019年3月": PartialDate(2019, 3),
        "2019.03": PartialDate(2019, 3),
        "2017年": PartialDate(2017),
        "2016-9-1": PartialDate(2016, 9, 1),
        "2020/10": PartialDate(2020, 10),
        2017.0: PartialDate(2017),
        dt.datetime(2018, 9, 1): PartialDate(2018, 9, 1),
    }
    for raw, expected in cases.items():
        assert normalize.partial_date(raw, "开通时间") == expected
    with pytest.raises(ValidationError, match="月份 13"):
        normalize.partial_date("2015-13-40", "开通时间")
    cols = ("手机", "办公电话", "电话")
    assert normalize.phones("139 1111 3333", "", "", cols) == ("13911113333", "")
    assert normalize.phones("+86 13911114444", "", "", cols) == ("13911114444", "")
    assert normalize.phones("138-2222-3333", "", "", cols) == ("13822223333", "")
    assert normalize.phones("010-68912345", "", "", cols) == ("", "010-68912345")
    with pytest.raises(ValidationError, match="1391111"):
        normalize.phones("1391111", "", "", cols)
    assert normalize.text("  ＢＩＴ信电  ") == "BIT信电"
    assert normalize.long_text("服务，师生 ＡＩ") == "服务，师生 AI"  # Chinese punctuation kept


def test_unit_kind_guess() -> None:
    kinds = ["school", "admin_dept", "college", "student_org", "mass_org"]
    assert guess_unit_kind("信息与电子学院", kinds) == "college"
    assert guess_unit_kind("研究生会", kinds) == "student_org"
    assert guess_unit_kind("校团委", kinds) == "mass_org"
    assert guess_unit_kind("保卫处", kinds) == "admin_dept"
    assert guess_unit_kind("出版社", [*kinds, "student_club", "support_unit"]) == "support_unit"
    assert guess_unit_kind("摄影协会", [*kinds, "student_club"]) == "student_club"


# -- planning and committing ---------------------------------------------------------


def test_plan_gives_every_row_its_verdict(register: Register, ledger: Path) -> None:
    before = dump(register)
    plan = plan_import(register, ledger)
    assert dump(register) == before  # planning writes nothing
    assert plan.counts() == EXPECTED
    assert plan.summary() == "新增 6，更新 0，重复 1，错误 3"
    verdicts = {row.row_number: row.verdict for row in plan.rows}
    assert verdicts == {
        4: Verdict.NEW,
        5: Verdict.NEW,
        6: Verdict.NEW,
        7: Verdict.NEW,
        8: Verdict.NEW,
        9: Verdict.DUPLICATE,
        10: Verdict.ERROR,
        11: Verdict.ERROR,
        12: Verdict.ERROR,
        13: Verdict.NEW,
    }
    reasons = {row.row_number: row.reason for row in plan.rows}
    assert reasons[9] == "与第 8 行重复"
    assert (
        reasons[10] == "第 10 行 “手机”列：“1391111”不是有效的手机号码，应为以 1 开头的 11 位数字"
    )
    assert reasons[11].startswith("第 11 行 “开通时间”列：") and "月份 13 不存在" in reasons[11]
    assert reasons[12].startswith("第 12 行 “账号 ID 号”列：公式没有计算结果")
    assert [(u.name, u.kind) for u in plan.new_units] == [
        ("信息与电子学院", "college"),
        ("机械与车辆学院", "college"),
        ("研究生会", "student_org"),
    ]


def test_commit_creates_accounts_with_normalised_values(register: Register, ledger: Path) -> None:
    plan = plan_import(register, ledger)
    result = commit_import(register, plan)
    assert len(result.created) == 6 and result.updated == []
    assert register.accounts.count() == 6
    assert sorted(u.name for u in register.units.all()) == sorted(
        ["信息与电子学院", "机械与车辆学院", "研究生会"]
    )

    ie = register.units.find_by_name("信息与电子学院")
    assert ie is not None
    first = by_platform_id(register, "微信", "bit_ie")
    assert first.unit_id == ie.id and first.status is AccountStatus.RUNNING
    assert first.opened_on == PartialDate(2018, 9, 1) and first.level == 2
    weibo = by_platform_id(register, "微博", "1234567890")  # a number cell, not 1234567890.0
    assert weibo.name == "信电学院😀" and weibo.opened_on == PartialDate(2019, 3)
    assert weibo.purpose == LONG_PURPOSE and weibo.note == "=1+1"
    douyin = by_platform_id(register, "抖音", "dy_bitie")
    assert douyin.name == "BIT信电" and douyin.opened_on == PartialDate(2019, 3)
    bili = by_platform_id(register, "B站", "bili_ie")  # from the HYPERLINK's cached value
    assert bili.opened_on == PartialDate(2017) and bili.unit_id == ie.id
    assert by_platform_id(register, "微信", "bit_mv").opened_on == PartialDate(2016, 9, 1)
    grad = by_platform_id(register, "微信", "bit_gs")  # 微信公众号 → 微信
    assert grad.opened_on == PartialDate(2020, 10)

    zhang = register.people.find("张三")
    assert len(zhang) == 1  # one person across the unit's four rows
    assert (zhang[0].mobile, zhang[0].office_phone, zhang[0].email) == (
        "13911113333",
        "010-68912345",
        "zs@bit.edu.cn",
    )
    li = register.people.find("李四")[0]
    assert li.mobile == "13911114444"
    assert first.id is not None
    assert register.accounts.holder(first.id, "first_responsible") == zhang[0].id
    assert register.accounts.holder(first.id, "ops_contact") == li.id
    # imported accounts already exist: no filings are opened for them
    assert register.scalar("SELECT count(*) FROM filings") == 0

    log = register.excel.imports()
    assert len(log) == 1 and log[0]["source_file"] == "信电学院台账.xlsx"
    assert (log[0]["created"], log[0]["duplicates"], log[0]["errors"]) == (6, 1, 3)
    audit = register.query("SELECT after FROM audit_log WHERE table_name = 'imports'")
    assert len(audit) == 1 and "信电学院台账.xlsx" in audit[0]["after"]


def test_reimport_is_a_noop(register: Register, ledger: Path) -> None:
    commit_import(register, plan_import(register, ledger))
    before = dump(register)
    plan = plan_import(register, ledger)
    assert plan.counts() == {"new": 0, "update": 0, "unchanged": 6, "duplicate": 1, "error": 3}
    result = commit_import(register, plan)
    assert result.created == [] and result.import_id is None
    assert dump(register) == before


def test_existing_account_is_updated_with_field_changes(register: Register, ledger: Path) -> None:
    with register.transaction():
        unit_id = register.units.add(Unit(None, "信息与电子学院", "college"))
        account_id = register.accounts.create(
            Account(
                None,
                "微信",
                "订阅号",
                "信电学院旧名",
                unit_id,
                2,
                platform_id="bit_ie",
                status=AccountStatus.RUNNING,
            )
        )
    plan = plan_import(register, ledger)
    assert plan.counts()["update"] == 1 and plan.counts()["new"] == 5
    row = next(r for r in plan.rows if r.verdict is Verdict.UPDATE)
    assert row.account_id == account_id
    fields = {c.field: (c.before, c.after) for c in row.changes}
    assert fields["账号名称"] == ("信电学院旧名", "北理工信电学院")
    assert fields["开设时间"] == ("", "2018年9月1日")
    assert fields["第一责任人"] == ("", "张三")
    result = commit_import(register, plan)
    assert result.updated == [account_id]
    assert register.accounts.get(account_id).name == "北理工信电学院"
    assert [u.name for u in register.units.all()].count("信息与电子学院") == 1
    assert plan_import(register, ledger).counts()["update"] == 0


def test_missing_contacts_are_filled_never_overwritten(register: Register, ledger: Path) -> None:
    with register.transaction():
        unit_id = register.units.add(Unit(None, "信息与电子学院", "college"))
        zhang = register.people.add(
            Person(None, "张三", PersonKind.STAFF, unit_id=unit_id, mobile="13000000000")
        )
        account_id = register.accounts.create(
            Account(None, "微信", "订阅号", "北理工信电学院", unit_id, 2, platform_id="bit_ie",
                    opened_on=PartialDate(2018, 9, 1), purpose="发布学院新闻",
                    status=AccountStatus.RUNNING)
        )  # fmt: skip
        assign_role(register, account_id, "first_responsible", zhang, dt.date(2024, 1, 1))
    plan = plan_import(register, ledger)
    row = next(r for r in plan.rows if r.row_number == 4)
    assert row.verdict is Verdict.UPDATE
    assert [(c.field, c.before, c.after) for c in row.changes] == [
        ("第一责任人职务", "", "院长"),
        ("第一责任人办公电话", "", "010-68912345"),
        ("第一责任人邮箱", "", "zs@bit.edu.cn"),
        ("运维负责人", "", "李四"),
    ]
    commit_import(register, plan)
    person = register.people.get(zhang)
    assert person.mobile == "13000000000"  # the register's own number is kept
    assert (person.title, person.office_phone, person.email) == (
        "院长",
        "010-68912345",
        "zs@bit.edu.cn",
    )
    assert register.people.find("张三") == [person]  # matched by name in the unit, not duplicated
    again = plan_import(register, ledger)
    assert again.counts()["update"] == 0 and again.counts()["new"] == 0


def test_cancelled_import_leaves_register_unchanged(register: Register, ledger: Path) -> None:
    plan = plan_import(register, ledger)
    before = dump(register)
    seen: list[tuple[int, int]] = []
    with pytest.raises(ImportCancelled):
        commit_import(
            register,
            plan,
            progress=lambda d, t: seen.append((d, t)),
            cancelled=lambda: len(seen) >= 3,
        )
    assert seen == [(1, 6), (2, 6), (3, 6)]
    assert dump(register) == before


def test_failed_import_leaves_register_unchanged(
    register: Register, ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_import(register, ledger)
    before = dump(register)
    original = register.accounts.create
    calls: list[int] = []

    def failing_create(account: Account, **kwargs: object) -> int:
        calls.append(1)
        if len(calls) == 4:
            raise OSError("disk full")
        return original(account, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(register.accounts, "create", failing_create)
    with pytest.raises(OSError):
        commit_import(register, plan)
    assert len(calls) == 4
    assert dump(register) == before


def test_planning_can_be_cancelled(register: Register, ledger: Path) -> None:
    with pytest.raises(ImportCancelled):
        plan_import(register, ledger, cancelled=lambda: True)


def test_strict_refuses_the_whole_file(register: Register, ledger: Path) -> None:
    before = dump(register)
    with pytest.raises(ImportRefused, match="3 行错误"):
        commit_import(register, plan_import(register, ledger), skip_errors=False)
    assert dump(register) == before


def test_error_report_has_original_rows_and_reasons(
    register: Register, ledger: Path, tmp_path: Path
) -> None:
    plan = plan_import(register, ledger)
    target = tmp_path / "错误报告.xlsx"
    assert write_error_report(plan, target) == 3
    sheet = openpyxl.load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == REASON_HEADER
    assert rows[0][1:-1] == tuple(plan.headers)
    assert [r[0] for r in rows[1:]] == [10, 11, 12]
    assert rows[1][2] == "机械与车辆学院" and rows[1][6] == "xhs_mv" and rows[1][13] == "1391111"
    assert rows[2][7] == "2015-13-40"
    assert "手机" in rows[1][-1] and "开通时间" in rows[2][-1] and "公式" in rows[3][-1]
    assert rows[3][6] == '=HYPERLINK("https://www.zhihu.com/org/bit")'  # as text
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_variant_headers_import(register: Register, tmp_path: Path) -> None:
    plan = plan_import(register, build_variant_ledger(tmp_path / "v.xlsx"))
    assert plan.header_row == 0 and plan.counts()["new"] == 1
    commit_import(register, plan)
    account = by_platform_id(register, "微信", "bit_ie")
    assert account.opened_on == PartialDate(2018, 9, 1)


def test_missing_required_columns_are_named(register: Register, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["账号名称", "微信号", "开通时间"])
    wb.save(path)
    with pytest.raises(ValidationError, match="开设平台、开设单位"):
        plan_import(register, path)


# -- bad files -----------------------------------------------------------------------


def bad_files(tmp_path: Path, ledger: Path) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "notes.xlsx"
    text.write_text("账号名称,平台\n", encoding="utf-8")
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(ledger.read_bytes()[:2000])
    other_zip = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("a.txt", "hello")
    encrypted = tmp_path / "locked.xlsx"
    encrypted.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\0" * 512
    )
    return {
        "text": (text, "不是 Excel 工作簿"),
        "truncated": (truncated, "已损坏或不完整"),
        "zip": (other_zip, "压缩包"),
        "encrypted": (encrypted, "密码"),
    }


def test_bad_files_are_refused_with_one_message(
    register: Register, ledger: Path, tmp_path: Path
) -> None:
    for path, words in bad_files(tmp_path, ledger).values():
        with pytest.raises(ExcelFileError, match=words):
            plan_import(register, path)


def test_cli_refuses_bad_files_and_writes_nothing(
    tmp_path: Path, ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg_path = tmp_path / "office.nmdesk"
    Register.create(reg_path, "bit").close()
    before = reg_path.read_bytes()
    for path, words in bad_files(tmp_path, ledger).values():
        assert main(["import", str(path), "--path", str(reg_path)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and words in err
    assert reg_path.read_bytes() == before


# -- command line --------------------------------------------------------------------


def test_cli_import_dry_run_report_strict_and_reimport(
    tmp_path: Path, ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg_path = tmp_path / "office.nmdesk"
    Register.create(reg_path, "bit").close()
    args = ["import", str(ledger), "--path", str(reg_path)]

    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "新增 6，更新 0，重复 1，错误 3"
    with Register.open(reg_path) as register:
        assert register.accounts.count() == 0

    assert main([*args, "--strict"]) == 2
    assert capsys.readouterr().out.splitlines()[-1] == "新增 6，更新 0，重复 1，错误 3"
    with Register.open(reg_path) as register:
        assert register.accounts.count() == 0

    report = tmp_path / "report.xlsx"
    assert main([*args, "--report", str(report), "--save-mapping", "信电"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "新增 6，更新 0，重复 1，错误 3"
    assert any(line.startswith("错误\t第 10 行") for line in out)
    assert len(list(openpyxl.load_workbook(report).active.iter_rows())) == 4

    assert main([*args, "--mapping", "信电"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == ["无变化 6", "新增 0，更新 0，重复 1，错误 3"]
    with Register.open(reg_path) as register:
        assert register.accounts.count() == 6


def test_unknown_platform_level_three_and_missing_sheet(register: Register, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "台账"
    wb.active.append(["开设单位", "开设平台", "账号名称", "账号ID号", "账号级别", "开设时间"])
    wb.active.append(["校团委", "脸书", "北理青年", "fb1", "二级", "2019"])
    wb.active.append(["校团委", "微博", "北理青年", "wb1", "三级", "2019"])
    wb.active.append(["校团委", "微博", "北理青年2", "wb2", "九级", "2019-02-30"])
    wb.save(path)
    plan = plan_import(register, path)
    reasons = [row.reason for row in plan.rows]
    assert plan.counts()["error"] == 3
    assert "“开设平台”列：“脸书”不在平台列表中" in reasons[0]
    assert "三级账号须由有上级单位的机构开设" in reasons[1]
    assert "“九级”不是有效的级别" in reasons[2] and "不是真实存在的日期" in reasons[2]
    with pytest.raises(ExcelFileError, match="没有名为“其他”的工作表"):
        plan_import(register, path, sheet="其他")


def test_the_preview_refuses_with_the_account_rules_own_sentences(
    register: Register, tmp_path: Path
) -> None:
    """A 平台 off the list, an unknown 级别 and a level that needs a parent unit are refused
    by the account rules themselves (issue 16), in the sentences the store says them in."""
    unit_id = register.units.add(Unit(None, "校团委", "mass_org"))
    path = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["开设单位", "开设平台", "账号名称", "账号ID号", "账号级别"])
    wb.active.append(["校团委", "脸书", "北理青年", "fb1", "二级"])
    wb.active.append(["校团委", "微博", "北理青年", "wb1", "九级"])
    wb.active.append(["校团委", "微博", "北理青年2", "wb2", "三级"])
    wb.active.append(["新学院", "微博", "新学院微博", "wb3", "三级"])
    wb.save(path)
    reasons = [row.reason for row in plan_import(register, path).rows]

    def sentence(check: Callable[[], object]) -> str:
        with pytest.raises(ValidationError) as caught:
            check()
        return caught.value.reason

    profile, platforms = register.profile, register.accounts.platforms()
    assert sentence(lambda: check_listed_platform("脸书", platforms)) in reasons[0]
    assert sentence(lambda: listed_level(profile, None, "九级")) in reasons[1]
    # the form and the store say it of the number; the preview, of the cell as written
    assert sentence(lambda: check_level(profile, 9, None)) == (
        "“9”不是有效的级别，应为 一级账号、二级账号、三级账号"
    )
    unit = register.units.get(unit_id)
    assert sentence(lambda: check_level(profile, 3, unit)) in reasons[2]
    new_unit = Unit(None, "新学院", "college")
    assert sentence(lambda: check_level(profile, 3, new_unit)) in reasons[3]


def test_new_units_list_only_units_the_commit_creates(register: Register, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["开设单位", "开设平台", "账号名称", "账号ID号", "手机"])
    wb.active.append(["摄影协会", "微信", "光影", "gy1", ""])
    wb.active.append(["摄影协会", "微信", "光影", "gy1", ""])  # duplicate
    wb.active.append(["错误单位", "微信", "坏行", "bad1", ""])
    wb.active.append(["错误单位", "脸书", "坏行", "bad2", ""])
    wb.save(path)
    plan = plan_import(register, path)
    assert [(u.name, u.rows) for u in plan.new_units] == [("摄影协会", 1), ("错误单位", 1)]
    result = commit_import(register, plan)
    assert len(result.new_unit_ids) == 2


def test_known_student_cannot_be_first_responsible(register: Register, tmp_path: Path) -> None:
    with register.transaction():
        unit_id = register.units.add(Unit(None, "校团委", "mass_org"))
        register.people.add(Person(None, "孙八", PersonKind.STUDENT, unit_id=unit_id))
    path = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["开设单位", "开设平台", "账号名称", "账号ID号", "单位负责人"])
    wb.active.append(["校团委", "微信", "北理青年", "qn1", "孙八"])
    wb.save(path)
    plan = plan_import(register, path)
    assert plan.counts()["error"] == 1
    assert "“单位负责人”" not in plan.rows[0].reason  # named by role, as the register knows it
    assert "第一责任人" in plan.rows[0].reason and "在读学生" in plan.rows[0].reason


def test_several_operators_in_one_cell(register: Register, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["开设单位", "开设平台", "账号名称", "账号ID号", "运营人", "单位负责人"])
    wb.active.append(["校团委", "微信", "北理青年", "qn1", "小王、小李", "孙八"])
    wb.active.append(["校团委", "微信", "北理青年2", "qn2", "", "孙八，周九"])
    wb.save(path)
    plan = plan_import(register, path)
    assert plan.rows[1].verdict is Verdict.ERROR and "只能填写一人" in plan.rows[1].reason
    commit_import(register, plan)
    account = by_platform_id(register, "微信", "qn1")
    assert account.id is not None
    holders = register.excel.current_holders(account.id)
    assert [h["name"] for h in holders["operator"]] == ["小王", "小李"]

    wb.active["E2"] = "小李、小张"  # a new operator is added, the others are kept
    wb.save(path)
    plan = plan_import(register, path)
    assert [(c.field, c.after) for c in plan.rows[0].changes] == [("具体运营人", "小张")]
    commit_import(register, plan)
    holders = register.excel.current_holders(account.id)
    assert [h["name"] for h in holders["operator"]] == ["小王", "小李", "小张"]
    assert plan_import(register, path).counts()["update"] == 0


def test_two_row_header_like_the_filing_sheet(register: Register, tmp_path: Path) -> None:
    plan = plan_import(register, build_two_row_header_ledger(tmp_path / "two.xlsx"))
    assert plan.header_row == 1
    assert plan.headers[5:13] == [
        "单位负责人姓名", "单位负责人职务", "单位负责人办公电话", "单位负责人手机", "单位负责人邮箱",
        "运维负责人姓名", "运维负责人手机", "运维负责人邮箱",
    ]  # fmt: skip
    assert plan.mapping[:5] == ["unit", "platform", "name", "platform_id", "opened_on"]
    assert plan.mapping[5:13] == [
        "first_responsible.name", "first_responsible.title", "first_responsible.office_phone",
        "first_responsible.mobile", "first_responsible.email", "ops_contact.name",
        "ops_contact.mobile", "ops_contact.email",
    ]  # fmt: skip
    assert plan.counts()["new"] == 2 and [r.row_number for r in plan.rows] == [4, 5]
    commit_import(register, plan)
    wang = register.people.find("王五")[0]
    assert (wang.office_phone, wang.email) == ("010-68915555", "ww@bit.edu.cn")
    assert by_platform_id(register, "微信", "bit_ie").opened_on == PartialDate(2018, 9)


# -- the bulk commit (issue #7) ---------------------------------------------------------


def _bulk_ledger(path: Path, rows: int) -> Path:
    """``rows`` accounts, 4 per unit, the unit's head on each; operators shared in pairs."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["开设单位", "平台", "账号名称", "账号ID号", "开通时间", "单位负责人", "手机",
               "具体运营人"])  # fmt: skip
    for index in range(rows):
        unit = index // 4
        ws.append([
            f"第{unit + 1}学院", ("微信", "微博", "抖音")[index % 3], f"青年之声{index}号",
            f"bulk{index:04d}", "2019年3月", f"院长{unit}", f"139{index:08d}",
            f"运营{index // 2}、运营{index // 2 + 1}",
        ])  # fmt: skip
    wb.save(path)
    return path


def _search_rows(register: Register) -> list[tuple[int, str, str]]:
    return register.db.execute(
        "SELECT account_id, text, initials FROM account_search ORDER BY account_id"
    ).fetchall()


def test_bulk_commit_is_audited_searchable_and_matches_one_by_one(
    register: Register, tmp_path: Path
) -> None:
    first = register.units.add(Unit(None, "第1学院", "college"))
    head = register.people.add(Person(None, "院长0", PersonKind.STAFF, first))  # no mobile yet
    audited_before = register.audit.count()
    plan = plan_import(register, _bulk_ledger(tmp_path / "bulk.xlsx", 40))
    assert plan.counts()["new"] == 40
    result = commit_import(register, plan)
    assert len(result.created) == 40 and len(result.new_unit_ids) == 9
    assert register.audit.verify() == []
    # every row written is audited once: 9 units; 9 heads and 3 operators per unit (people
    # are matched by name within their unit), plus the known head's mobile, which the
    # register lacked; 40 accounts; 40 head and 80 operator roles; the imports row
    counts: dict[str, int] = {}
    for table, row_set in register.db.execute(
        "SELECT table_name, row_set FROM audit_log WHERE id > ?", [audited_before]
    ).fetchall():
        rows = len(json.loads(row_set)["rows"]) if row_set is not None else 1
        counts[table] = counts.get(table, 0) + rows
    assert counts == {"units": 9, "people": 9 + 30 + 1, "accounts": 40, "role_assignments": 120,
                      "imports": 1}  # fmt: skip
    # each insert is one entry (one link of the chain) listing the rows it wrote; the
    # head's mobile is an update of its own
    entries = dict(
        register.db.execute(
            "SELECT table_name, count(*) FROM audit_log WHERE id > ? GROUP BY table_name",
            [audited_before],
        ).fetchall()
    )
    assert entries == {"units": 1, "people": 2, "accounts": 1, "role_assignments": 1,
                       "imports": 1}  # fmt: skip
    assert register.people.get(head).mobile == "13900000000"
    assert register.people.find("院长0") == [register.people.get(head)]
    account = by_platform_id(register, "微博", "bulk0001")
    assert account.status is AccountStatus.RUNNING and account.serial_no
    serials = [register.accounts.get(account_id).serial_no for account_id in result.created]
    assert serials == [f"BIT-{dt.date.today().year}-{n:05d}" for n in range(1, 41)]
    holders = register.excel.current_holders(account.id)
    assert [h["name"] for h in holders["first_responsible"]] == ["院长0"]
    assert [h["name"] for h in holders["operator"]] == ["运营0", "运营1"]
    # the batched search text is what a one-by-one refresh computes
    batched = _search_rows(register)
    for account_id in result.created:
        register.accounts.refresh_search([account_id])
    assert _search_rows(register) == batched and len(batched) == 40

    def found(text: str) -> set[int]:
        return set(register.accounts.ids(AccountQuery(text=text)))

    assert found("青年之声17号") == {by_platform_id(register, "抖音", "bulk0017").id}
    assert found("院长3") == set(result.created[12:16])  # the head of the 4th unit
    assert found("qnzs") == set(result.created)
    assert found("运营5") == {result.created[i] for i in (8, 9, 10, 11)}
    again = plan_import(register, tmp_path / "bulk.xlsx")
    assert again.counts()["unchanged"] == 40


def test_bulk_commit_refuses_a_taken_id_and_rolls_back(register: Register, tmp_path: Path) -> None:
    unit = register.units.add(Unit(None, "已有单位", "college"))
    register.accounts.create(Account(None, "微博", "", "先登记的", unit, 2, "bulk0001"))
    plan = plan_import(register, _bulk_ledger(tmp_path / "bulk.xlsx", 6))
    assert plan.counts()["update"] == 1  # matched to the register's account
    before = dump(register)
    plan.rows[1].verdict = Verdict.NEW  # as if someone registered it after the preview
    plan.rows[1].account_id = None
    with pytest.raises(DuplicateAccountError, match="已登记为“先登记的”"):
        commit_import(register, plan)
    assert dump(register) == before


def test_pinyin_initials_per_word_are_pypinyins_for_the_whole_name() -> None:
    """The bulk refresh caches initials per word; they must equal pypinyin's for the whole
    text, phrases with heteronyms (银行, 重庆, 音乐, 长安) included."""
    import random

    import pypinyin

    from nmdesk.store.search import pinyin_initials

    words = ["北京理工大学", "信息与电子学院", "团委", "银行", "行长", "重庆", "音乐", "长安",
             "朝阳", "还是", "差不多", "BIT", "2024", "·", "（官方）", "Ｖlog", "〇", "第3",
             "A 班", "_x", "12号"]  # fmt: skip
    chars = "北京理工大学信息电子机械车辆学生会研究宣传部校友图书馆长安银行重庆乐调查都会还朝阳着了的地得"
    rng = random.Random(8)
    for _ in range(3000):
        text = "".join(
            rng.choice(words)
            if rng.random() < 0.6
            else "".join(rng.choice(chars) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(1, 5))
        )
        whole = pypinyin.lazy_pinyin(text, style=pypinyin.Style.FIRST_LETTER, errors="default")
        assert pinyin_initials(text) == "".join(whole).casefold().replace(" ", ""), text
    assert pinyin_initials("中国银行长安分行") == "zgyhcafh"


# -- issue 17: platform names as people write them, unit kinds from the name's end ---


def test_platform_names_as_ledgers_and_the_policies_write_them() -> None:
    known = ["微信", "微博", "抖音", "B站", "QQ", "今日头条", "小红书", "快手", "APP"]
    cases = {
        "APP 客户端": ("APP", "客户端"),  # BIT 第一条
        "APP客户端": ("APP", "客户端"),
        "ＡＰＰ　客户端": ("APP", "客户端"),
        "客户端": ("APP", "客户端"),
        "QQ 公众号": ("QQ", "QQ公众号"),
        "今日头条号": ("今日头条", "头条号"),
        "头条号": ("今日头条", "头条号"),
        "B 站": ("B站", ""),
        "哔哩哔哩": ("B站", ""),
        "BiliBili": ("B站", ""),
        "微信公众号": ("微信", ""),
        "公众号": ("微信", ""),
        "订阅号": ("微信", "订阅号"),
        "服务号": ("微信", "服务号"),
        "视频号": ("微信", "视频号"),
        "微博账号": ("微博", ""),
        "抖音号": ("抖音", ""),
        "快手号": ("快手", ""),
        "小红书号": ("小红书", ""),
        "wechat": ("微信", ""),
    }
    for written, expected in cases.items():
        assert normalize.platform(written, known) == expected, written
    with pytest.raises(ValidationError, match="不在平台列表中"):
        normalize.platform("APP客户端", ["微信"])  # PKU-CoE lists no APP
    assert normalize.platform("北理工APP", known, {"北理工 app": "APP/客户端"}) == ("APP", "客户端")


def test_a_profile_adds_its_own_platform_names_and_the_loader_checks_them(tmp_path) -> None:
    import json

    from nmdesk.errors import ProfileError
    from nmdesk.paths import PROFILES_DIR
    from nmdesk.profiles import load_profile

    data = json.loads((PROFILES_DIR / "bit.json").read_text(encoding="utf-8"))
    data["platform_aliases"] = {"北理工APP": "APP/客户端", "延河课堂": "B站"}
    good = tmp_path / "mine.json"
    good.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_profile(good).platform_aliases["延河课堂"] == "B站"
    data["platform_aliases"] = {"延河课堂": "优酷"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"platform_aliases\.延河课堂"):
        load_profile(bad)


def test_a_ledger_row_with_app_client_imports_and_a_type_named_platform_takes_both(
    register, tmp_path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["开设单位", "平台", "账号名称", "账号ID"])
    sheet.append(["人文与社会科学学院", "APP客户端", "北理工人文", "bit_app_rw"])
    sheet.append(["人文与社会科学学院", "订阅号", "北理工人文之声", "bit_rw_voice"])
    book.save(tmp_path / "ledger.xlsx")
    from nmdesk.excel.ledger_import import import_file

    plan, result = import_file(register, tmp_path / "ledger.xlsx")
    assert not [row.errors for row in plan.rows if row.errors]
    assert len(result.created) == 2
    app = by_platform_id(register, "APP", "bit_app_rw")
    assert (app.platform, app.account_type) == ("APP", "客户端")
    voice = by_platform_id(register, "微信", "bit_rw_voice")
    assert (voice.platform, voice.account_type) == ("微信", "订阅号")
    assert register.units.find_by_name("人文与社会科学学院").kind == "college"


def test_unit_kinds_come_from_the_end_of_the_name() -> None:
    bit = ["school", "party_office", "admin_dept", "college", "research_institute"]
    bit += ["support_unit", "mass_org", "student_org", "student_club", "alumni_org"]
    expected = {
        "人文与社会科学学院": "college",  # 社 in the middle: never a student club
        "社会学系": "college",
        "计算机学院学生会": "student_org",
        "研究生会": "student_org",
        "校团委": "mass_org",
        "机电学院团委": "mass_org",
        "摄影协会": "student_club",
        "话剧社": "student_club",
        "出版社": "support_unit",
        "图书馆": "support_unit",
        "党委宣传部": "party_office",
        "党委学生工作部": "party_office",
        "保卫处": "admin_dept",
        "国际交流合作处": "admin_dept",
        "前沿交叉科学研究院": "research_institute",
        "北京市校友会": "alumni_org",
    }
    for name, kind in expected.items():
        assert guess_unit_kind(name, bit) == kind, name
    pku = ["school", "party_office", "admin_dept", "department", "affiliated_unit"]
    pku += ["mass_org", "research_base", "student_org", "research_group", "conference"]
    assert guess_unit_kind("力学与工程科学系", pku) == "department"
    assert guess_unit_kind("张老师课题组", pku) == "research_group"
    assert guess_unit_kind("工程训练中心", pku) == "admin_dept"


# -- issue 17: CSV and text ledgers in the encodings offices send -------------------

_CSV_HEADERS = ["开设单位", "平台", "账号类型", "账号名称", "微信号/账号ID", "开通时间", "联系电话"]
_CSV_ROWS = [
    ["信息与电子学院", "微信", "订阅号", "北理工信电", "bit_ie", "2019-03-01", "13900001111"],
    ["信息与电子学院", "微博", "机构认证", "北理工信电微博", "bit_ie_wb", "2020年5月", ""],
    ["人文与社会科学学院", "APP 客户端", "", "北理工人文", "bit_rw_app", "2021", ""],
    ["机械与车辆学院", "抖音号", "企业号", "北理工机车", "bit_mv_dy", "2022-09-01", ""],
]


def _ledger_as(path: Path, encoding: str, delimiter: str = ",") -> Path:
    import csv

    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(_CSV_HEADERS)
        writer.writerows(_CSV_ROWS)
    return path


def _verdicts(tmp_path: Path, ledger: Path) -> list[tuple[str, str, str, str]]:
    from nmdesk.excel.ledger_import import plan_import

    with Register.create(tmp_path / f"{ledger.name}.nmdesk", "bit", actor="t") as register:
        plan = plan_import(register, ledger)
        return [
            (row.verdict.value, row.fields["platform"], row.fields["account_type"], row.reason)
            for row in plan.rows
        ]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "suffix", "read_as"),
    [
        ("utf-8", ",", ".csv", "UTF-8 编码，逗号分隔"),
        ("utf-8-sig", ",", ".csv", "UTF-8（带 BOM） 编码，逗号分隔"),  # Excel's "CSV UTF-8"
        ("gbk", ",", ".csv", "GBK/GB18030 编码，逗号分隔"),  # Excel on a Chinese Windows
        ("gb18030", ";", ".csv", "GBK/GB18030 编码，分号分隔"),
        ("utf-16", "\t", ".txt", "UTF-16（Unicode 文本） 编码，制表符分隔"),  # "Unicode 文本"
    ],
)
def test_a_text_ledger_imports_with_the_verdicts_of_the_same_xlsx(
    tmp_path, encoding, delimiter, suffix, read_as
) -> None:
    from nmdesk.excel.reader import read_sheet

    book = openpyxl.Workbook()
    book.active.append(_CSV_HEADERS)
    for row in _CSV_ROWS:
        book.active.append(row)
    book.save(tmp_path / "ledger.xlsx")
    expected = _verdicts(tmp_path, tmp_path / "ledger.xlsx")
    assert [v for v, *_ in expected] == ["new"] * 4
    text = _ledger_as(tmp_path / f"ledger-{encoding}{suffix}", encoding, delimiter)
    grid = read_sheet(text)
    assert grid.read_as == read_as
    assert grid.rows[3][0] == "人文与社会科学学院"
    assert _verdicts(tmp_path, text) == expected


def test_the_cli_says_how_it_read_a_gbk_csv_and_imports_it(tmp_path, capsys) -> None:
    ledger = _ledger_as(tmp_path / "台账.csv", "gbk")
    path = tmp_path / "r.nmdesk"
    Register.create(path, "bit", actor="t").close()
    assert main(["import", str(ledger), "--path", str(path)]) == 0
    out = capsys.readouterr().out
    assert "读取\t台账.csv：GBK/GB18030 编码，逗号分隔" in out
    with Register.open(path, auto_backup=False) as register:
        assert by_platform_id(register, "微信", "bit_ie").name == "北理工信电"
        assert register.accounts.count() == 4


def test_a_binary_file_named_csv_gets_one_sentence(tmp_path) -> None:
    from nmdesk.excel.reader import read_sheet

    bad = tmp_path / "ledger.csv"
    bad.write_bytes(b"\x00\x01\x02binary\x00" * 100)
    with pytest.raises(ExcelFileError, match="不是文本台账"):
        read_sheet(bad)


def test_big5_is_told_apart_from_gbk() -> None:
    from nmdesk.excel.text_ledger import detect_encoding

    traditional = "開設單位,平台,帳號名稱\n資訊與電子學院,微信,北理工資訊\n".encode("big5")
    assert detect_encoding(traditional) == "big5"
    simplified = "开设单位,平台,账号名称\n信息与电子学院,微信,北理工信电\n".encode("gbk")
    assert detect_encoding(simplified) == "gb18030"


@pytest.mark.parametrize(
    ("name", "members"),
    [
        (
            "ledger.ods",
            {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"},
        ),
        ("ledger.xlsb", {"[Content_Types].xml": "<x/>", "xl/workbook.bin": "b"}),
    ],
)
def test_a_damaged_workbook_in_another_format_is_not_called_a_zip(tmp_path, name, members) -> None:
    """.ods and .xlsb are read now (tests/nmdesk/excel/test_excel_formats.py); a damaged one
    is called damaged, not a zip."""
    from nmdesk.excel.reader import read_sheet

    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    with pytest.raises(ExcelFileError, match="已损坏") as raised:
        read_sheet(path)
    assert "压缩包" not in str(raised.value)


def test_a_wps_et_file_says_how_to_save_it_in_wps(tmp_path) -> None:
    from nmdesk.excel.reader import read_sheet

    path = tmp_path / "台账.et"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(ExcelFileError, match=r"WPS 表格（\.et）.*另存为"):
        read_sheet(path)
