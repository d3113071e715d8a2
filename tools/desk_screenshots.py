"""Render the clerk's data-entry dialogs into PNGs, on a demo register.

``python -m tools.desk_screenshots docs/screenshots`` writes the account form in its
BIT (备案表) and PKU-CoE (审批表) variants, filled in as a clerk would, with one
inline error and the protected-name warning showing. ``render_account_forms``
can be called from the main screenshot script.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from nmdesk.demo import build_demo_register
from nmdesk.models import PersonKind
from nmdesk.store import open_register
from nmdesk.store.interfaces import Register
from ui.desk.account_form import AccountFormDialog


def fill_account_form(form: AccountFormDialog, register: Register, pku: bool) -> None:
    """Fill the account form as a clerk would for a screenshot (also the guide's)."""
    units = register.units.all()
    unit = next(
        u
        for u in units
        if u.parent_id is not None and u.kind in register.profile.eligible_unit_kinds
    )
    form.platform.setCurrentText("微信")
    form.account_type.setCurrentText("订阅号")
    form.name.setText("北大工学青年" if pku else "北理工计算机学院研究生会")
    form.platform_id.setText("pku_coe_youth" if pku else "bit_cs_gsu")
    form.purpose.setPlainText("发布学生活动、学术讲座和志愿服务信息，服务学生成长")
    form.opened_on.setText("2019年3月")
    form.unit.setCurrentIndex(form.unit.findData(unit.id))
    people = [p for p in register.people.all() if p.kind is PersonKind.STAFF][:3]
    roles = list(form.blocks)
    for role, person in zip(roles, people, strict=False):
        form.blocks[role].set_person(person.id or 0)
    if not pku:
        form.blocks["ops_contact"].name.setEditText("陈晓东")
        form.blocks["ops_contact"].kind.setCurrentIndex(1)
        form.blocks["ops_contact"].mobile.setText("1391234567")
        form.blocks["ops_contact"].email.setText("chenxd@bit.edu.cn")
    else:
        form.justification.setPlainText(
            "学院现有账号以新闻发布为主，新增账号面向本科生和研究生开展团学活动宣传。"
        )
        form.operation_plan.setPlainText(
            "每周推送两次，由团委老师审核、学生助理运营；每学期复盘一次。"
        )
        form.priority_rank.setText("3")
        form.pledge_signed.setChecked(True)
        form.pledge_signed_on.setText("2026-11-16")
        form.blocks["password_custodian"].set_person(people[-1].id or 0)


def render_account_forms(out_dir: Path) -> list[Path]:
    """Write account-form-bit.png and account-form-pku-coe.png into out_dir."""
    from ui.app import make_app

    app = make_app(sys.argv[:1])  # registers the bundled CJK font
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for profile in ("bit", "pku-coe"):
            path = Path(tmp) / f"{profile}.nmdesk"
            build_demo_register(path, profile, accounts=40, seed=11)
            register = open_register(path)
            form = AccountFormDialog(register)
            form.resize(1000, 900)
            form.show()
            fill_account_form(form, register, profile == "pku-coe")
            form._touched.update(form.boxes)
            form.validate_live()
            app.processEvents()
            target = out_dir / f"account-form-{profile}.png"
            form.sheet.grab().save(str(target))
            written.append(target)
            form.close()
            register.close()
    return written


if __name__ == "__main__":
    for written_path in render_account_forms(
        Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    ):
        print(written_path)
