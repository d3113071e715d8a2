"""The fast bulk generator used by the table benchmark."""

from __future__ import annotations

from nmdesk.demo_large import build_large_register
from nmdesk.store import Register
from nmdesk.store.search import AccountQuery


def test_large_register_is_consistent_and_searchable(tmp_path):
    path = tmp_path / "large.nmdesk"
    summary = build_large_register(path, 500)
    assert "500 个账号" in summary
    with Register.open(path, actor="tester") as register:
        assert register.accounts.count() == 500
        assert register.audit.verify() == []
        assert register.accounts.missing_required_roles() == []
        assert register.filings.open_filings()
        computer = register.accounts.ids(AccountQuery(text="计算机"))
        assert computer and len(computer) < 500
        by_initials = register.accounts.ids(AccountQuery(text="jsj"))
        assert set(computer) <= set(by_initials)
