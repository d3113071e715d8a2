"""The SQLite store: the only place in nmdesk that speaks SQL."""

from nmdesk.store.register import Register
from nmdesk.store.search import AccountQuery

__all__ = ["AccountQuery", "Register"]
