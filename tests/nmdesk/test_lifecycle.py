"""Account lifecycle, role rules per profile, and the filings changes create."""

from __future__ import annotations

import datetime as dt

import pytest

from nmdesk.errors import PolicyError, TransitionError, ValidationError
from nmdesk.lifecycle import TRANSITIONS, check_transition
from nmdesk.models import (
    Account,
    AccountStatus,
    Application,
    FilingKind,
    FilingStatus,
    Person,
    PersonKind,
    Sanction,
    SanctionKind,
    Unit,
)
from nmdesk.services.accounts import approve, assign_role, create_account, edit_account, hand_over
from nmdesk.services.filings import confirm_closure, mark_filed, receive_signed_copy, start_closure
from nmdesk.services.sanctions import issue
from nmdesk.services.sanctions import resolve as resolve_sanction
from nmdesk.store import Register

S = AccountStatus
D = dt.date


def setup_unit(register: Register, kind: str = "college") -> tuple[int, int, int]:
    unit_id = register.units.add(Unit(None, "计算机学院", kind))
    staff = register.people.add(
        Person(None, "王伟", PersonKind.STAFF, unit_id, mobile="13911113333")
    )
    student = register.people.add(Person(None, "李娜", PersonKind.STUDENT, unit_id))
    return unit_id, staff, student


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.APPLYING, S.APPROVED),
        (S.APPROVED, S.RUNNING),
        (S.RUNNING, S.RECTIFYING),
        (S.RECTIFYING, S.RUNNING),
        (S.RUNNING, S.SUSPENDED),
        (S.RUNNING, S.LOST),
        (S.LOST, S.CLOSING),
        (S.CLOSING, S.CLOSED),
        (S.APPLYING, S.REFUSED),
    ],
)
def test_legal_transitions(current: AccountStatus, target: AccountStatus) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.APPLYING, S.RUNNING),
        (S.CLOSED, S.RUNNING),
        (S.CLOSED, S.APPLYING),
        (S.CLOSING, S.RUNNING),
        (S.APPROVED, S.RECTIFYING),
        (S.REFUSED, S.RUNNING),
    ],
)
def test_illegal_transitions_name_both_states(
    current: AccountStatus, target: AccountStatus
) -> None:
    with pytest.raises(TransitionError) as info:
        check_transition(current, target)
    assert current.label in str(info.value) and target.label in str(info.value)


def test_closed_is_final() -> None:
    assert TRANSITIONS[S.CLOSED] == frozenset()


def test_full_lifecycle_in_the_register(register: Register) -> None:
    unit_id, _staff, _ = setup_unit(register)
    account_id = register.accounts.create(
        Account(None, "微信", "订阅号", "北理工计算机", unit_id, 2),
        application=Application(None, 0, D(2026, 3, 2)),
    )
    assert register.accounts.get(account_id).status is S.APPLYING
    with pytest.raises(TransitionError):
        register.accounts.transition(account_id, S.RUNNING)
    filing_id = approve(register, account_id, D(2026, 3, 5), "计算机学院党委", "纪要〔2026〕3号")
    assert register.accounts.get(account_id).status is S.APPROVED
    mark_filed(register, filing_id, D(2026, 3, 9))
    assert register.accounts.get(account_id).status is S.RUNNING
    closure = start_closure(register, account_id, D(2026, 9, 21))
    assert register.accounts.get(account_id).status is S.CLOSING
    assert register.filings.get(closure).due_on == D(2026, 10, 12)  # 10 working days
    confirm_closure(register, closure, D(2026, 9, 30))
    assert register.accounts.get(account_id).status is S.CLOSED
    assert register.accounts.count() == 1  # nothing is deleted
    with pytest.raises(TransitionError):
        register.accounts.transition(account_id, S.RUNNING)


def test_edit_of_a_filed_account_creates_a_change_filing(register: Register) -> None:
    unit_id, _, _ = setup_unit(register)
    account_id = register.accounts.create(
        Account(None, "微信", "订阅号", "旧名称", unit_id, 2, status=S.RUNNING)
    )
    filing_id = edit_account(
        register, account_id, {"name": "新名称", "purpose": "发布通知"}, event_on=D(2026, 9, 30)
    )
    assert filing_id is not None
    filing = register.filings.get(filing_id)
    assert filing.kind is FilingKind.CHANGE and filing.status is FilingStatus.OPEN
    assert filing.due_on == D(2026, 10, 10)  # BIT: 3 working days, the 调休 Saturday counts
    assert [(c.field, c.before, c.after) for c in filing.changes] == [
        ("账号名称", "旧名称", "新名称"),
        ("账号主要用途", "", "发布通知"),
    ]
    assert len(filing.check_code) == 6


def test_edit_of_an_application_creates_no_filing(register: Register) -> None:
    unit_id, _, _ = setup_unit(register)
    account_id = register.accounts.create(Account(None, "微信", "订阅号", "申请中", unit_id, 2))
    assert edit_account(register, account_id, {"name": "改名"}, event_on=D(2026, 3, 2)) is None


def test_bit_allows_a_student_as_specific_responsible(register: Register) -> None:
    unit_id, _, student = setup_unit(register)
    account_id = register.accounts.create(Account(None, "微信", "订阅号", "号", unit_id, 2))
    assign_role(register, account_id, "specific_responsible", student, D(2026, 3, 2))
    assert register.accounts.holder(account_id, "specific_responsible") == student


def test_pku_requires_staff_as_specific_responsible(pku_register: Register) -> None:
    unit_id, _staff, student = setup_unit(pku_register, kind="department")
    account_id = pku_register.accounts.create(Account(None, "微信", "订阅号", "号", unit_id, 2))
    with pytest.raises(ValidationError, match="具体负责人须为在职教职工"):
        assign_role(pku_register, account_id, "specific_responsible", student, D(2026, 3, 2))
    assign_role(pku_register, account_id, "operator", student, D(2026, 3, 2))
    outsider = pku_register.people.add(Person(None, "赵六", PersonKind.EXTERNAL, unit_id))
    with pytest.raises(ValidationError, match="具体运营人须为在职教职工或在读学生"):
        assign_role(pku_register, account_id, "operator", outsider, D(2026, 3, 2))


def test_personnel_change_due_in_five_working_days_at_pku(pku_register: Register) -> None:
    unit_id, _staff, student = setup_unit(pku_register, kind="department")
    account_id = pku_register.accounts.create(
        Account(None, "微信", "订阅号", "号", unit_id, 2, status=S.RUNNING)
    )
    assign_role(pku_register, account_id, "operator", student, D(2026, 1, 5), file_change=False)
    other = pku_register.people.add(Person(None, "周杰", PersonKind.STUDENT, unit_id))
    filing_id = hand_over(pku_register, student, other, D(2026, 2, 13))[0]
    filing = pku_register.filings.get(filing_id)
    assert filing.kind is FilingKind.PERSONNEL
    assert filing.due_on == D(2026, 2, 27)  # Spring Festival Feb 15–23 off, Feb 14 worked
    assert [(c.field, c.before, c.after) for c in filing.changes] == [
        ("具体运营人", "李娜", "周杰")
    ]
    assert pku_register.accounts.responsibilities(student) == []


def test_ineligible_unit_kind_cannot_apply_at_pku(pku_register: Register) -> None:
    group = pku_register.units.add(Unit(None, "智能机器人课题组", "research_group"))
    with pytest.raises(PolicyError, match="课题组"):
        create_account(pku_register, Account(None, "微信", "订阅号", "课题组号", group, 2))


def test_suspended_unit_cannot_apply(register: Register) -> None:
    unit_id, _, _ = setup_unit(register)
    sanction = issue(
        register, Sanction(None, unit_id, SanctionKind.SUSPEND_APPLY, D(2026, 3, 1), "年审不合格")
    )
    with pytest.raises(PolicyError, match="申办资格已被暂停"):
        create_account(register, Account(None, "微信", "订阅号", "新号", unit_id, 2))
    resolve_sanction(register, sanction, D(2026, 6, 1), "整改完成")
    assert create_account(register, Account(None, "微信", "订阅号", "新号", unit_id, 2))


def test_pku_extra_account_needs_justification_and_pledge(pku_register: Register) -> None:
    unit_id, _, _ = setup_unit(pku_register, kind="department")
    first = create_account(
        pku_register,
        Account(None, "微信", "订阅号", "一号", unit_id, 2),
        application=Application(None, 0, D(2026, 3, 2)),
    )
    with pytest.raises(PolicyError, match="承诺书"):
        approve(pku_register, first, D(2026, 3, 5), "学院党政联席会", "纪要3号")
    with pytest.raises(ValidationError, match="必要性"):
        create_account(
            pku_register,
            Account(None, "微博", "机构认证", "二号", unit_id, 2),
            application=Application(None, 0, D(2026, 3, 2)),
        )
    assert create_account(
        pku_register,
        Account(None, "微博", "机构认证", "二号", unit_id, 2),
        application=Application(
            None,
            0,
            D(2026, 3, 2),
            justification="服务学生事务",
            operation_plan="每周两次",
            priority_rank=2,
            pledge_signed=True,
            pledge_signed_on=D(2026, 3, 2),
        ),
    )


def test_rectification_sanction_moves_account_and_back(register: Register) -> None:
    unit_id, _, _ = setup_unit(register)
    account_id = register.accounts.create(
        Account(None, "微信", "订阅号", "号", unit_id, 2, status=S.RUNNING)
    )
    with pytest.raises(PolicyError, match="整改期限"):
        issue(
            register,
            Sanction(
                None,
                unit_id,
                SanctionKind.RECTIFY,
                D(2026, 3, 1),
                "未审先发",
                account_id=account_id,
            ),
        )
    sanction = issue(
        register,
        Sanction(
            None,
            unit_id,
            SanctionKind.RECTIFY,
            D(2026, 3, 1),
            "未审先发",
            account_id=account_id,
            deadline_on=D(2026, 4, 1),
        ),
    )
    assert register.accounts.get(account_id).status is S.RECTIFYING
    resolve_sanction(register, sanction, D(2026, 3, 20), "已建立三审制度")
    assert register.accounts.get(account_id).status is S.RUNNING


def test_signed_copy_is_received_by_check_code(register: Register) -> None:
    unit_id, _, _ = setup_unit(register)
    account_id = register.accounts.create(Account(None, "微信", "订阅号", "号", unit_id, 2))
    filing_id = approve(register, account_id, D(2026, 3, 5), "学院", "纪要")
    code = register.filings.get(filing_id).check_code
    serial = register.accounts.get(account_id).serial_no
    filing = receive_signed_copy(register, f"{serial}|{code.lower()}", D(2026, 3, 9))
    assert filing.status is FilingStatus.FILED and filing.filed_on == D(2026, 3, 9)
    assert register.accounts.get(account_id).status is S.RUNNING


def test_hand_over_to_someone_already_holding_the_role_adds_no_second_assignment(
    register: Register,
) -> None:
    unit_id, staff, student = setup_unit(register)
    account_id = register.accounts.create(
        Account(None, "微信", "订阅号", "号", unit_id, 2, status=S.RUNNING)
    )
    assign_role(register, account_id, "operator", student, D(2026, 1, 5), file_change=False)
    assign_role(register, account_id, "operator", staff, D(2026, 1, 5), file_change=False)
    hand_over(register, student, staff, D(2026, 3, 2))
    holders = [(a.role, a.person_id) for a in register.accounts.current_roles(account_id)]
    assert holders == [("operator", staff)]
