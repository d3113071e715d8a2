"""Many accounts' forms in one PDF, with progress and cancel (the UI's batch print).

The sheets are gathered first, then laid out; ``progress(done, total)`` is called
as each account's sheet starts on paper and may return False to cancel, in which
case no file is left behind and ``Cancelled`` is raised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nmdesk.errors import NmdeskError, PolicyError
from nmdesk.forms.common import Cancelled, Sheet, require_form, write_pdf

if TYPE_CHECKING:
    from nmdesk.store.interfaces import Register

Progress = Callable[[int, int], bool]


def render_batch(
    register: Register,
    form: str,
    account_ids: Sequence[int],
    out: str | Path,
    progress: Progress | None = None,
    skipped: list[tuple[int, str]] | None = None,
) -> Path:
    """Write ``form`` for every account in ``account_ids`` (each in two copies) to ``out``.

    ``progress(done, steps)`` counts first the accounts read from the register, then
    the sheets laid out (``steps`` is twice the number of accounts). With a
    ``skipped`` list, an account whose form cannot be made (a rectification notice
    without a sanction) is listed there with the reason instead of stopping the batch.
    """
    from nmdesk.forms import sheet_builder

    require_form(register.profile, form)
    if form == "ledger":
        raise_not_batch()
    builder = sheet_builder(form)
    total = len(account_ids)
    steps = 2 * total

    def report(done: int) -> None:
        if progress is not None and not progress(done, steps):
            raise Cancelled()

    sheets: list[Sheet] = []
    with register.transaction():  # the draft identities made on the way, all or none
        for index, account_id in enumerate(account_ids):
            report(index)
            try:
                sheets.extend(builder(register, account_id))
            except NmdeskError as exc:
                if skipped is None:
                    raise
                skipped.append((account_id, str(exc)))
    if not sheets:
        raise PolicyError("所选账号都无法生成该表单，未生成文件")
    offset = total
    report(offset)
    path = write_pdf(
        sheets,
        register.profile.copy_labels,
        out,
        on_sheet=lambda index: report(offset + index * total // len(sheets)),
    )
    try:
        report(steps)
    except Cancelled:
        path.unlink(missing_ok=True)
        raise
    return path


def raise_not_batch() -> None:
    raise PolicyError("台账本身就是全部账号的列表，无需批量打印；请直接打印台账")
