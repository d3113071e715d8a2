"""What an operation changed in the register, so a window refreshes only that.

A dialog or a job says what it wrote as a ``Changes`` (as Anki's ``OpChanges`` does):
the main window then re-reads only the views that show it (``ui/register/main_window.py``,
``MainWindow.apply_changes``). Changes combine with ``|``; an empty one is false.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    """Which parts of the register an operation wrote."""

    accounts: bool = False  # accounts, their roles, applications, statuses
    units: bool = False  # the unit tree, unit heads, priority tables
    people: bool = False  # the people directory, hand-overs
    filings: bool = False  # filings and their signed paper, attachments
    records: bool = False  # sanctions, rectifications, the watch list, annual reviews
    calendar: bool = False  # holiday schedules: every deadline's working days
    # the account the window should show afterwards (a new account, the one edited)
    select: int | None = None

    def __or__(self, other: Changes) -> Changes:
        merged = {f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)}
        merged["select"] = other.select if other.select is not None else self.select
        return Changes(**merged)

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "select")

    @property
    def table(self) -> bool:
        """The register table shows accounts with their unit's and holders' names."""
        return self.accounts or self.units or self.people

    @property
    def choices(self) -> bool:
        """The filter bar offers units, people and platforms."""
        return self.accounts or self.units or self.people

    @property
    def board(self) -> bool:
        """The deadlines board counts working days on filings, records, roles and accounts."""
        return bool(self)


NOTHING = Changes()
EVERYTHING = Changes(
    accounts=True, units=True, people=True, filings=True, records=True, calendar=True
)
