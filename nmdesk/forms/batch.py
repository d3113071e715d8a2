"""Many accounts' forms in one PDF, with progress and cancel (the UI's batch print).

The sheets are gathered first, then laid out; ``progress(done, total)`` is called
as each account's sheet starts on paper and may return False to cancel, in which
case no file is left behind and ``Cancelled`` is raised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.forms.common import Cancelled, Sheet, require_form, write_pdf

if TYPE_CHECKING:
    from nmdesk.store.register import Register

Progress = Callable[[int, int], bool]


def render_batch(
    register: Register,
    form: str,
    account_ids: Sequence[int],
    out: str | Path,
    progress: Progress | None = None,
) -> Path:
    """Write ``form`` for every account in ``account_ids`` (each in two copies) to ``out``."""
    from nmdesk.forms import sheet_builder

    require_form(register.profile, form)
    if form == "ledger":
        raise_not_batch()
    builder = sheet_builder(form)
    total = len(account_ids)
    sheets: list[Sheet] = []
    for account_id in account_ids:
        sheets.extend(builder(register, account_id))

    def on_sheet(index: int) -> None:
        if progress is not None and not progress(index, total):
            raise Cancelled()

    path = write_pdf(sheets, register.profile.copy_labels, out, on_sheet=on_sheet)
    if progress is not None and not progress(total, total):
        path.unlink(missing_ok=True)
        raise Cancelled()
    return path


def raise_not_batch() -> None:
    from nmdesk.errors import PolicyError

    raise PolicyError("台账本身就是全部账号的列表，无需批量打印；请直接打印台账")
