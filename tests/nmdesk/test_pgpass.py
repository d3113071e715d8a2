"""A server password in libpq's password file: one line replaced, the rest kept, 0600."""

from __future__ import annotations

import stat
import sys
import types
from pathlib import Path

from nmdesk.pgpass import PasswordEntry, password_file, usable_keyring


def test_a_password_entry_replaces_only_its_own_line_with_0600(tmp_path):
    path = tmp_path / "pgpass"
    path.write_text("other:5432:*:someone:keep-me\n")
    path.chmod(0o644)
    entry = PasswordEntry("db:a", 5432, "nm\\desk", "clerk")
    entry.put(entry.line("pa:ss"), path)
    assert path.read_text().splitlines() == [
        "db\\:a:5432:nm\\\\desk:clerk:pa\\:ss",
        "other:5432:*:someone:keep-me",
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert entry.saved_line(path) == "db\\:a:5432:nm\\\\desk:clerk:pa\\:ss"
    entry.put(None, path)
    assert path.read_text().splitlines() == ["other:5432:*:someone:keep-me"]
    assert entry.saved_line(path) is None


def test_the_file_is_the_one_pgpassfile_names(tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "named"))
    assert password_file() == tmp_path / "named"
    monkeypatch.delenv("PGPASSFILE")
    assert password_file() == Path.home() / ".pgpass"


def test_a_missing_file_is_made_private(tmp_path):
    path = tmp_path / "sub" / "pgpass"
    entry = PasswordEntry("db", 5432, "nmdesk", "clerk")
    assert entry.saved_line(path) is None
    entry.put(entry.line("pw"), path)
    assert path.read_text() == "db:5432:nmdesk:clerk:pw\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_keyring_is_used_only_with_a_backend_that_keeps_passwords(monkeypatch):
    backend = types.SimpleNamespace(priority=0)  # keyring's fail backend on a headless machine
    fake = types.ModuleType("keyring")
    fake.get_keyring = lambda: backend  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    assert usable_keyring() is None
    backend.priority = 5  # the Secret Service, Windows' Credential Locker, macOS' Keychain
    assert usable_keyring() is backend
    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed
    assert usable_keyring() is None
