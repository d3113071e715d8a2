"""The account form's rules and saving, without Qt (nmdesk/entry.py, entry_checks.py,
entry_save.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from fixtures_entry import sample_entry as _entry

from nmdesk import entry as E
from nmdesk import entry_checks as C
from nmdesk import entry_save as S
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.models import (
    AccountStatus,
    FilingKind,
    FilingStatus,
    Person,
    PersonKind,
    Sanction,
    SanctionKind,
    Unit,
)
from nmdesk.services.accounts import assign_role, end_role
from nmdesk.services.filings import mark_filed
from nmdesk.services.sanctions import issue


def _unit(register, name="计算机学院", kind="college", parent=None) -> int:
    return register.units.add(Unit(None, name, kind, parent_id=parent))


def _fields(errors) -> list[str]:
    return [e.field for e in errors]


def test_create_running_account_with_people(register) -> None:
    unit = _unit(register)
    result = S.save_entry(register, _entry(unit))
    account = register.accounts.get(result.account_id)
    assert account.opened_on.iso() == "2019-03"
    assert account.status is AccountStatus.RUNNING
    assert len(result.created_people) == 3
    holder = register.accounts.holder(result.account_id, "first_responsible")
    assert register.people.get(holder).mobile == "13911112222"
    assert result.filing_ids == []


def test_each_contact_rule_names_its_field(register) -> None:
    unit = _unit(register)
    entry = _entry(unit)
    entry.roles["first_responsible"].mobile = "2391111222"
    entry.roles["first_responsible"].office_phone = "68912345"
    entry.roles["ops_contact"].email = "lina@bit"
    entry.opened_on = "2019-13"
    entry.name = ""
    errors, checked = C.collect_errors(register, entry)
    assert checked is None
    assert _fields(errors) == [
        "账号名称",
        "开设时间",
        "单位负责人办公电话",
        "单位负责人手机",
        "运维负责人邮箱",
    ]


def test_duplicate_points_to_existing(register) -> None:
    unit = _unit(register)
    first = S.save_entry(register, _entry(unit)).account_id
    with pytest.raises(C.DuplicateFieldError) as info:
        C.check_entry(register, _entry(unit, name="另一个"))
    assert info.value.existing_id == first
    assert info.value.field == "账号ID号"
    assert "北理工计算机" in str(info.value)


def test_pku_role_rule_and_eligibility_and_justification(pku_register) -> None:
    group = pku_register.units.add(Unit(None, "张老师课题组", "research_group"))
    dept = pku_register.units.add(Unit(None, "力学系", "department"))
    roles = {
        "first_responsible": E.PersonEntry(None, "赵刚", PersonKind.STAFF),
        "specific_responsible": E.PersonEntry(None, "钱明", PersonKind.STUDENT),
        "operator": E.PersonEntry(None, "孙丽", PersonKind.STUDENT),
        "password_custodian": E.PersonEntry(None, "孙丽", PersonKind.STUDENT),
    }
    entry = _entry(group, roles=roles, status=AccountStatus.APPLYING, name="北大力学")
    errors, _ = C.collect_errors(pku_register, entry)
    assert "账号开设单位" in _fields(errors)
    assert any(e.field == "具体负责人" and "在职教职工" in e.reason for e in errors)
    entry.unit_id = dept
    entry.roles["specific_responsible"].kind = PersonKind.STAFF
    S.save_entry(pku_register, entry)
    second = _entry(dept, roles=roles, status=AccountStatus.APPLYING, platform_id="pku2")
    errors, _ = C.collect_errors(pku_register, second)
    assert _fields(errors) == ["新增账号必要性说明", "运营计划"]
    assert E.entry_warnings(pku_register, second)[-1].startswith("总量控制")
    assert "北大" in E.entry_warnings(pku_register, _entry(dept, name="北大力学"))[0]


def test_suspended_unit_cannot_apply(register) -> None:
    unit = _unit(register)
    issue(register, Sanction(None, unit, SanctionKind.SUSPEND_APPLY, dt.date(2026, 1, 5), "违规"))
    errors, _ = C.collect_errors(register, _entry(unit, status=AccountStatus.APPLYING))
    assert any(e.field == "账号开设单位" and "暂停" in e.reason for e in errors)


def test_edit_creates_change_and_personnel_filings_and_undo_voids_them(register) -> None:
    unit = _unit(register)
    result = S.save_entry(register, _entry(unit))
    account_id = result.account_id
    entry = E.entry_from_account(register, account_id)
    # 2026-09-30 (Wed); 10-01..10-07 National Day holiday; 10-08 Thu and 10-09 Fri work;
    # 10-10 is a make-up Saturday (调休上班): the third working day, BIT's deadline.
    entry.event_on = "2026-09-30"
    entry.purpose = "发布学院新闻和通知"
    entry.roles["ops_contact"] = E.PersonEntry(None, "周杰", PersonKind.STAFF, mobile="13700001111")
    saved = S.save_entry(register, entry, account_id)
    kinds = [register.filings.get(f).kind for f in saved.filing_ids]
    assert kinds == [FilingKind.CHANGE, FilingKind.PERSONNEL]
    change = register.filings.get(saved.filing_ids[0])
    assert change.due_on == dt.date(2026, 10, 10)
    assert change.changes[0].field == "账号主要用途"
    personnel = register.filings.get(saved.filing_ids[1])
    assert [(c.field, c.before, c.after) for c in personnel.changes] == [
        ("运维负责人", "李娜", "周杰")
    ]
    assert saved.edit is not None
    assert S.undo_edit(register, saved.edit) is None
    assert register.accounts.get(account_id).purpose == "发布学院新闻"
    assert register.filings.get(saved.filing_ids[0]).status is FilingStatus.CANCELLED


def test_undo_after_filing_came_back_files_reverse_change(register) -> None:
    unit = _unit(register)
    account_id = S.save_entry(register, _entry(unit)).account_id
    entry = E.entry_from_account(register, account_id)
    entry.name = "北理工计算机学院"
    saved = S.save_entry(register, entry, account_id)
    mark_filed(register, saved.filing_ids[0], dt.date.today())
    reverse = S.undo_edit(register, saved.edit)
    assert reverse is not None
    assert register.filings.get(reverse).changes[0].after == "北理工计算机"
    with pytest.raises(NmdeskError):
        S.undo_edit(register, saved.edit)


def test_pledge_date_required_when_signed(pku_register) -> None:
    dept = pku_register.units.add(Unit(None, "力学系", "department"))
    pid = pku_register.people.add(Person(None, "赵刚", PersonKind.STAFF))
    roles = {
        r: E.PersonEntry(pid, "赵刚", PersonKind.STAFF)
        for r in ("first_responsible", "specific_responsible", "operator", "password_custodian")
    }
    entry = _entry(
        dept, roles=roles, status=AccountStatus.APPLYING, pledge_signed=True, priority_rank="0"
    )
    errors, _ = C.collect_errors(pku_register, entry)
    assert _fields(errors) == ["优先顺序", "承诺书签署日期"]
    with pytest.raises(ValidationError):
        C.check_entry(pku_register, entry)


def test_approval_on_the_sheet_opens_the_opening_filing(register) -> None:
    unit = _unit(register)
    entry = _entry(
        unit,
        status=AccountStatus.APPLYING,
        approval_ref="会议纪要〔2026〕12号",
        decided_on="2026-11-02",
        signed_on="2026-10-30",
    )
    result = S.save_entry(register, entry)
    account = register.accounts.get(result.account_id)
    assert account.status is AccountStatus.APPROVED
    opening = register.filings.get(result.filing_ids[0])
    assert opening.kind is FilingKind.OPENING and opening.event_on == dt.date(2026, 11, 2)
    app = register.accounts.application(result.account_id)
    assert app.applied_on == dt.date(2026, 10, 30)
    assert app.approving_body == "学校内设机构"  # the level's approving body from the profile
    mark_filed(register, opening.id, dt.date(2026, 11, 6))
    assert register.accounts.get(result.account_id).status is AccountStatus.RUNNING


def test_pku_approval_needs_the_pledge_and_edit_can_approve(pku_register) -> None:
    dept = pku_register.units.add(Unit(None, "力学系", "department"))
    pid = pku_register.people.add(Person(None, "赵刚", PersonKind.STAFF))
    roles = {
        r: E.PersonEntry(pid, "赵刚", PersonKind.STAFF)
        for r in ("first_responsible", "specific_responsible", "operator", "password_custodian")
    }
    entry = _entry(
        dept,
        roles=roles,
        status=AccountStatus.APPLYING,
        approval_ref="党政联席会纪要 2026-08",
        decided_on="2026-11-02",
    )
    errors, _ = C.collect_errors(pku_register, entry)
    assert _fields(errors) == ["承诺书"]
    entry.approval_ref = entry.decided_on = ""
    account_id = S.save_entry(pku_register, entry).account_id
    assert pku_register.accounts.get(account_id).status is AccountStatus.APPLYING
    later = E.entry_from_account(pku_register, account_id)
    later.pledge_signed, later.pledge_signed_on = True, "2026-11-01"
    later.approval_ref, later.decided_on = "党政联席会纪要 2026-08", "2026-11-02"
    saved = S.save_entry(pku_register, later, account_id)
    assert pku_register.accounts.get(account_id).status is AccountStatus.APPROVED
    assert pku_register.filings.get(saved.filing_ids[-1]).kind is FilingKind.OPENING


def test_describe_filing_flags_an_estimated_due_date_and_voiding_needs_an_open_filing(
    register,
) -> None:
    unit = _unit(register)
    account_id = S.save_entry(register, _entry(unit)).account_id
    filing_id = register.filings.create(account_id, FilingKind.CHANGE, dt.date(2027, 12, 28), [])
    text = S.describe_filing(register, filing_id)
    assert "变更备案" in text and "估算" in text and "2027" in text
    mark_filed(register, filing_id, dt.date(2027, 12, 29))
    with pytest.raises(NmdeskError, match="已归档"):
        S.cancel_filing(register, filing_id, "test")


def test_person_role_history_lists_current_first_with_end_dates(register) -> None:
    unit = _unit(register)
    result = S.save_entry(register, _entry(unit, signed_on="2026-01-05"))
    ops = register.accounts.holder(result.account_id, "ops_contact")
    assignment = register.accounts.current_roles(result.account_id)
    ops_role = next(a for a in assignment if a.role == "ops_contact")
    end_role(register, ops_role.id, dt.date(2026, 6, 30))
    other = _unit(register, "机电学院")
    second = S.save_entry(register, _entry(other, platform_id="bitme", name="机电"))
    assign_role(register, second.account_id, "operator", ops, dt.date(2026, 9, 1))
    history = register.accounts.person_role_history(ops)
    assert [(h.role, h.end_on) for h in history] == [
        ("operator", None),
        ("ops_contact", dt.date(2026, 6, 30)),
    ]


def test_protected_name_warns_only_while_not_registered(register) -> None:
    unit = _unit(register)
    entry = _entry(unit)
    assert any("北理工" in w for w in E.entry_warnings(register, entry))
    account_id = S.save_entry(register, entry).account_id
    registered = E.entry_from_account(register, account_id)
    assert not any("受保护" in w for w in E.entry_warnings(register, registered, account_id))
    plain = E.entry_warnings(register, _entry(unit, name="计算机学院摄影"))
    assert [w[:4] for w in plain] == ["总量控制"]


def test_missing_required_names_each_empty_required_field_as_the_sheet_does(register) -> None:
    from nmdesk.entry import AccountEntry
    from nmdesk.entry_checks import collect_errors, missing_required, required_summary

    errors, _ = collect_errors(register, AccountEntry(platform="微信"))
    missing = missing_required(register.profile, errors)
    assert missing["账号名称"] == "账号名称"
    assert missing["具体负责人姓名"] == "具体负责人 姓名"
    assert all(not name.endswith("为必填项") for name in missing.values())
    summary = required_summary(["账号名称", "具体负责人 姓名"])
    assert summary == "还有 2 项必填：账号名称、具体负责人 姓名"
    assert required_summary([]) == ""
