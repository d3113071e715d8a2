"""Who may apply for an account: eligibility (PKU-CoE clause 5), a suspended right to
apply (clause 15) and the justification an extra account needs (clause 7).

``create_account`` is the way a new account enters the register from the desk, the
demo and a ledger import alike; the store's ``Accounts.create`` below it checks only
the record itself (fields, platform list, duplicate platform IDs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nmdesk.errors import PolicyError, ValidationError
from nmdesk.models import Account, AccountStatus, Application
from nmdesk.validation import clean_text

if TYPE_CHECKING:
    from nmdesk.store.interfaces import AccountBatch, Register

JUSTIFICATION_FIELD = "新增账号必要性说明"


def check_unit_may_apply(register: Register, unit_id: int) -> None:
    """Eligibility (PKU-CoE clause 5) and suspension of the right to apply (clause 15):
    PolicyError naming the unit when it may not apply for a new account."""
    unit = register.units.get(unit_id)
    profile = register.profile
    if unit.kind not in profile.eligible_unit_kinds:
        raise PolicyError(
            f"“{unit.name}”（{profile.unit_kind_name(unit.kind)}）不能申请开设账号："
            f"{profile.ineligible_reason}"
        )
    if register.units.is_apply_suspended(unit_id):
        raise PolicyError(f"“{unit.name}”的账号申办资格已被暂停，整改完成并解除前不能提交新的申请")


def needs_justification(register: Register, unit_id: int) -> bool:
    """Whether an application of this unit must say why it needs another account and how
    it will run it (PKU-CoE clause 7: the unit already has an account)."""
    return register.profile.requires_justification_when_existing and bool(
        register.accounts.of_unit(unit_id)
    )


def check_application(
    register: Register, account: Account, application: Application | None
) -> None:
    """Every policy rule a new application (status 申请中) must meet."""
    check_unit_may_apply(register, account.unit_id)
    if (
        application is not None
        and not clean_text(application.justification)
        and needs_justification(register, account.unit_id)
    ):
        raise ValidationError(
            JUSTIFICATION_FIELD,
            "本单位已有账号，申请新增账号须说明必要性并附运营计划（第七条）",
        )


def create_account(
    register: Register,
    account: Account,
    *,
    application: Application | None = None,
    batch: AccountBatch | None = None,
) -> int:
    """Register a new account: an application (status 申请中) is checked against policy
    first; then the store records it (with ``batch``, queued in a bulk import)."""
    if account.status is AccountStatus.APPLYING:
        check_application(register, account, application)
    return register.accounts.create(account, application=application, batch=batch)
