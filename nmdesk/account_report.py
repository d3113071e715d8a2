"""One account described in full, as text: for ``nmdesk show`` and the details pane."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nmdesk.dates import deadline_text
from nmdesk.models import Account

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register


def describe_account(register: Register, account: Account) -> str:
    """Every field, role holder, filing, sanction and incident of the account."""
    profile = register.profile
    unit = register.units.get(account.unit_id)
    lines = [
        f"序号：{account.id}",
        f"备案编号：{account.serial_no}",
        f"账号名称：{account.name}",
        f"开设平台：{account.platform}",
        f"账号类型：{account.account_type}",
        f"账号ID号：{account.platform_id}",
        f"账号主要用途：{account.purpose}",
        f"开设时间：{account.opened_on.chinese() if account.opened_on else ''}",
        f"账号级别：{profile.level(account.level).name}",
        f"账号开设单位：{unit.name}（{profile.unit_kind_name(unit.kind)}）",
        f"状态：{account.status.label}",
        f"认证主体：{account.verified_subject}",
        f"涉及校内数据服务：{'是，审批文号 ' + account.it_approval_ref if account.campus_data_service else '否'}",
        f"工信部备案号：{account.miit_filing_no}",
        f"最近更换密码：{account.password_rotated_on or '未记录'}（不保存密码本身）",
        f"最近发布：{account.last_post_on or '未记录'}",
    ]
    assert account.id is not None
    lines.append("责任人：")
    for assignment in register.accounts.current_roles(account.id):
        person = register.people.get(assignment.person_id)
        contact = " ".join(
            x for x in (person.title, person.office_phone, person.mobile, person.email) if x
        )
        lines.append(
            f"  {profile.role_name(assignment.role)}：{person.name}（{person.kind.label}）"
            f" {contact}，自 {assignment.start_on}"
        )
    application = register.accounts.application(account.id)
    if application is not None:
        lines.append(
            f"审批：{application.decision.label} {application.approving_body} "
            f"{application.decided_on or ''} {application.approval_ref}".rstrip()
        )
    lines.append("备案记录：")
    for filing in register.filings.for_account(account.id):
        due = (
            f"，{deadline_text(filing.due_on)}" + ("（估算）" if filing.due_is_estimate else "")
            if filing.due_on
            else ""
        )
        filed = f"，{filing.filed_on} 交回" if filing.filed_on else ""
        lines.append(
            f"  {filing.kind.label} 第{filing.version}版 {filing.event_on}{due}"
            f" {filing.status.label}{filed} 校验码 {filing.check_code}"
        )
        for change in filing.changes:
            lines.append(
                f"    {change.field}：{change.before or '（空）'} → {change.after or '（空）'}"
            )
    for sanction in register.sanctions.for_account(account.id):
        state = (
            f"{sanction.resolved_on} 办结：{sanction.resolution}"
            if sanction.resolved_on
            else "未办结"
        )
        lines.append(
            f"处理：{sanction.kind.label} {sanction.issued_on} {sanction.reason}（{state}）"
        )
    for incident in register.watchlist.incidents(account.id):
        lines.append(
            f"处置记录：{incident.occurred_on} {incident.description} {incident.action_taken}"
        )
    return "\n".join(lines)
