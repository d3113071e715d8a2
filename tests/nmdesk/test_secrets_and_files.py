"""No password anywhere, private file modes on POSIX, attachments that stay in their folder."""

from __future__ import annotations

import csv
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from nmdesk.audit_export import export_audit
from nmdesk.errors import NmdeskError
from nmdesk.models import Attachment, Person, PersonKind
from nmdesk.profiles import load_profile
from nmdesk.store import Register, locking
from nmdesk.store import backup as backups
from nmdesk.store.restore import restore

PASSWORD_LIKE = re.compile(r"pass|pwd|密码|口令|credential|login_secret|token", re.IGNORECASE)
ALLOWED = {("accounts", "password_rotated_on")}

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _columns(register: Register) -> Iterator[tuple[str, str]]:
    tables = register.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    for table in tables:
        for column in register.query(f"PRAGMA table_info([{table['name']}])"):
            yield table["name"], column["name"]


def test_no_column_anywhere_can_hold_a_password(demo_register: Register) -> None:
    columns = list(_columns(demo_register))
    assert len(columns) > 100  # every table, including those added by later migrations
    suspicious = [c for c in columns if PASSWORD_LIKE.search(c[1]) and c not in ALLOWED]
    assert suspicious == []
    assert ("accounts", "password_rotated_on") in columns  # the date of the last rotation only
    keys = [row["key"] for row in demo_register.query("SELECT key FROM meta")]
    assert not [k for k in keys if PASSWORD_LIKE.search(k)]


def test_the_password_custodian_is_a_role_not_a_field() -> None:
    for profile_id in ("bit", "pku-coe"):
        roles = {role.id: role for role in load_profile(profile_id).roles}
        assert "password_custodian" in roles
        assert roles["password_custodian"].name == "密码保管人"


def test_the_pattern_would_catch_a_password_column() -> None:
    for name in ("password", "admin_passwd", "pwd", "账号密码", "login_token", "Password_Hash"):
        assert PASSWORD_LIKE.search(name), name
    assert PASSWORD_LIKE.search("password_rotated_on")  # allowed by name, not by pattern


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A careless umask: the modes below must come from nmdesk, not from the environment."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_register_backups_lock_and_attachments_are_private(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "office.nmdesk"
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 signed copy")
    with Register.create(path, "bit") as register:
        with register.transaction():
            register.people.add(Person(None, "王芳", PersonKind.STAFF))
        for extra in ("-wal", "-shm"):
            assert _mode(Path(f"{path}{extra}")) == 0o600, extra
        assert _mode(locking.lock_path(path)) == 0o600
        with register.transaction():
            attachment_id = register.attachments.add(scan, description="签字件")
        stored = register.attachments.stored_path(register.attachments.get(attachment_id))
        assert _mode(stored.parent) == 0o700 and _mode(stored) == 0o600
        manual = register.backup()
    assert _mode(path) == 0o600
    with Register.open(path):  # the daily and monthly copies
        pass
    folder = backups.backups_dir(path)
    assert _mode(folder) == 0o700
    made = backups.list_backups(path)
    assert {b.kind for b in made} == {"manual", "daily", "monthly"}
    assert manual in [b.path for b in made]
    for info in made:
        assert _mode(info.path) == 0o600, info.path.name
    restored = restore(path, manual)
    assert restored.safety_copy is not None and _mode(restored.safety_copy) == 0o600
    assert _mode(path) == 0o600


@pytest.mark.parametrize(
    "name",
    ["../../x.pdf", "..\\..\\x.pdf", "....pdf", "a/../../../etc/x.pdf", "扫描件 (1).PDF"],
)
def test_attachment_names_never_become_paths(register: Register, tmp_path: Path, name: str) -> None:
    source_dir = tmp_path / "incoming" / "deep" / "er"
    source_dir.mkdir(parents=True)
    source = source_dir / Path(name.replace("/", "_")).name
    source.write_bytes(b"%PDF-1.4 " + name.encode())
    with register.transaction():
        attachment_id = register.attachments.add(source)
    attachment = register.attachments.get(attachment_id)
    stored = register.attachments.stored_path(attachment)
    folder = register.attachments_dir.resolve()
    assert stored.resolve().parent == folder
    assert re.fullmatch(r"[0-9a-f]{64}(\.[a-z0-9]{1,5})?", stored.name)
    assert register.attachments.is_intact(attachment)
    assert sorted(p.name for p in tmp_path.rglob("x.pdf")) == []


@pytest.mark.parametrize(
    "original_name", ["../../x.pdf", "/etc/passwd", "..", "a.pdf/../../b", "x.p/../df"]
)
def test_a_stored_record_with_a_hostile_name_still_maps_into_the_folder(
    register: Register, original_name: str
) -> None:
    record = Attachment(None, None, None, "a" * 64, original_name, 1)
    stored = register.attachments.stored_path(record)
    assert stored.parent == register.attachments_dir
    assert stored.name.startswith("a" * 64) and "/" not in stored.name and ".." not in stored.name


@pytest.mark.parametrize("sha", ["../../etc/passwd", "a" * 63, "A" * 64, "g" * 64, ""])
def test_a_tampered_hash_is_refused_rather_than_used_as_a_path(
    register: Register, sha: str
) -> None:
    with pytest.raises(NmdeskError):
        register.attachments.stored_path(Attachment(None, None, None, sha, "x.pdf", 1))


def test_the_audit_export_neutralises_formulas(tmp_path: Path) -> None:
    path = tmp_path / "office.nmdesk"
    with Register.create(path, "bit", actor='=HYPERLINK("http://x","y")') as register:
        with register.transaction():
            register.people.add(Person(None, "=1+1", PersonKind.STAFF, note="@SUM(A1)"))
        csv_file = tmp_path / "audit.csv"
        xlsx_file = tmp_path / "audit.xlsx"
        assert export_audit(register, csv_file) == export_audit(register, xlsx_file)
        with pytest.raises(NmdeskError, match="已存在"):
            export_audit(register, csv_file)
        with pytest.raises(NmdeskError, match=r"\.csv 或 \.xlsx"):
            export_audit(register, tmp_path / "audit.txt")
    with csv_file.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["序号", "时间", "操作人"]
    for row in rows[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@")), value
    assert rows[-1][2] == '\'=HYPERLINK("http://x","y")'
    book = openpyxl.load_workbook(xlsx_file)
    sheet = book["审计记录"]
    actors = {sheet.cell(row=r, column=3) for r in range(2, sheet.max_row + 1)}
    assert all(cell.data_type == "s" for cell in actors)
    assert {cell.value for cell in actors} == {'=HYPERLINK("http://x","y")'}
    summary = book["校验结果"]
    assert summary["B5"].value == "通过"


def test_the_audit_export_reports_tampering(demo_path: Path, tmp_path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(demo_path)
    conn.execute("UPDATE accounts SET name = '改名' WHERE id = 3")
    conn.commit()
    conn.close()
    with Register.open(demo_path, auto_backup=False) as register:
        export_audit(register, tmp_path / "inspection.xlsx")
    summary = openpyxl.load_workbook(tmp_path / "inspection.xlsx")["校验结果"]
    assert str(summary["B5"].value).startswith("未通过")
    assert "accounts #3" in str(summary["B6"].value)
