"""Printed forms for signature, generated with reportlab.

``render_form`` writes one form for one account (or a blank) as a PDF with two
labelled copies; ``render_batch`` (in ``nmdesk.forms.batch``) writes the forms
of many accounts into one PDF. Which forms exist, their titles, offices, copy
labels and foot note come from the register's policy profile; a form the
profile does not use raises PolicyError.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.forms.common import FORM_NAMES, Cancelled, Sheet, require_form, write_pdf

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

SheetBuilder = Callable[["Register", "int | None"], list[Sheet]]


def sheet_builder(form: str) -> SheetBuilder:
    """The function that makes the sheets of ``form`` for an account id (None: blank)."""
    from nmdesk.forms.approval_sheet import approval_sheets
    from nmdesk.forms.change_sheet import change_sheets
    from nmdesk.forms.closure_sheet import closure_sheets
    from nmdesk.forms.filing_sheet import filing_sheets
    from nmdesk.forms.ledger import ledger_sheets
    from nmdesk.forms.pledge import pledge_sheets
    from nmdesk.forms.rectification import rectification_sheets

    builders: dict[str, SheetBuilder] = {
        "filing": filing_sheets,
        "approval": approval_sheets,
        "pledge": pledge_sheets,
        "change": change_sheets,
        "closure": closure_sheets,
        "rectification": rectification_sheets,
        "ledger": ledger_sheets,
    }
    return builders[form]


def form_sheets(
    register: Register,
    form: str,
    account_id: int | None,
    *,
    blank: bool = False,
    progress: Callable[[int, int], bool] | None = None,
) -> list[Sheet]:
    """The sheets of one form, checked against the register's profile.

    ``blank`` (or no account) gives the form for handwriting. The ledger lists the
    whole register unless ``blank``, or only ``account_id`` when given; ``progress``
    follows its rows.
    """
    require_form(register.profile, form)
    if form == "ledger":
        from nmdesk.forms.ledger import ledger_sheets

        return ledger_sheets(register, account_id, blank=blank, progress=progress)
    sheets = sheet_builder(form)(register, None if blank else account_id)
    if blank and account_id is not None:  # a blank for this account carries its identity
        from nmdesk.forms.identity import form_trace

        trace = form_trace(register, form, account_id)
        for sheet in sheets:
            sheet.trace, sheet.account_id = trace, account_id
    elif account_id is None or blank:
        from nmdesk.forms.identity import BLANK_NOTE

        for sheet in sheets:
            if sheet.traced and not sheet.trace.check_code:
                sheet.trace = dataclasses.replace(sheet.trace, note=BLANK_NOTE)
    return sheets


def render_form(
    register: Register,
    form: str,
    account_id: int | None,
    out: str | Path,
    *,
    blank: bool = False,
    progress: Callable[[int, int], bool] | None = None,
) -> Path:
    """Write ``form`` for the account (or a blank) to ``out``; returns the path.

    ``progress(done, total)`` may return False to cancel: ``Cancelled`` is raised and
    no file is left behind.
    """
    sheets = form_sheets(register, form, account_id, blank=blank, progress=progress)
    return write_pdf(sheets, register.profile.copy_labels, out)


def default_file_name(
    register: Register, form: str, account_id: int | None, *, blank: bool = False
) -> str:
    """A sensible file name: ``备案表-BIT-2026-00001.pdf``, ``备案表-空白.pdf`` …"""
    name = FORM_NAMES[form]
    if blank:
        return f"{name}-空白.pdf"
    if account_id is None:
        return f"{name}.pdf"
    account = register.accounts.get(account_id)
    return f"{name}-{account.serial_no or account_id}.pdf"


__all__ = [
    "FORM_NAMES",
    "Cancelled",
    "Sheet",
    "default_file_name",
    "form_sheets",
    "render_form",
    "require_form",
    "sheet_builder",
    "write_pdf",
]
