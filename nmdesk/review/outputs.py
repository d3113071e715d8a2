"""The listing files and notices of a publish, written by a helper process when large.

Publishing 10,000 accounts writes the listing (xlsx, a 321-page PDF, HTML) and
40 notices of some 280 pages: about 1 s of the publishing time, and they need
only the listing, which is known once the verdicts are decided, before they are
written to the register. An ``OutputWriter`` started at the beginning of a
publish runs a second Python process (``python -m nmdesk.review.outputs``) that
loads reportlab and the form font while this process reads and decides; then
the ``Work`` (the listing and the files to write) is handed over, and the helper
writes the files into the staging folder while this process writes the register
(verdicts, sanctions, statuses and their audit entries). The transaction is
committed only after the helper has written everything. The files are the same
as written here: the same code makes them, from the same listing.

The helper is used only for large publishes (``HELPER_ACCOUNTS``), when a second
core is likely to be free (``_spare_core``: on one core it would only add its
start-up, about 0.4 s), and never where a second Python cannot be started the
same way (a frozen build). Otherwise ``finish`` writes the files here, as it
does when the helper fails (then an error with the files themselves, a full
disk say, is raised here and the publish rolls back like any other failure).
Cancelling, or any error in this process, ends the helper.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from nmdesk.errors import NmdeskError

if TYPE_CHECKING:
    from nmdesk.review.listing import Listing, ListingRow

# Publishes of at least this many accounts write their files in a helper process.
HELPER_ACCOUNTS = 3000
# How long to wait for the helper once this process is done, in seconds.
HELPER_TIMEOUT_S = 600.0
# The steps of ``write_work``, as progress reports them.
STEPS = ("公示（Excel）", "公示（PDF）", "公示（网页）", "整改通知")

Job = tuple[int, list["ListingRow"], Path]  # unit id, its rows, the notice's path


@dataclass
class Work:
    """What to write: the listing's xlsx, PDF and HTML, and the notices."""

    listing: Listing
    xlsx: Path
    pdf: Path
    html: Path
    notices: list[Job] = field(default_factory=list)

    def absolute(self) -> Work:
        """The same work with absolute paths (the helper may resolve them elsewhere)."""
        return Work(
            self.listing,
            self.xlsx.absolute(),
            self.pdf.absolute(),
            self.html.absolute(),
            [(unit_id, rows, path.absolute()) for unit_id, rows, path in self.notices],
        )


def notice_jobs(listing: Listing, folder: Path) -> list[Job]:
    """Each unit that gets a notice, with its accounts concerned and the file to write."""
    from nmdesk.review.pdfs import notice_units

    year = listing.campaign.year
    return [
        (unit_id, rows, folder / f"{year}年度整改通知-{unit_id:03d}-{_safe(rows[0].unit_name)}.pdf")
        for unit_id, rows in notice_units(listing).items()
    ]


def _safe(name: str) -> str:
    return "".join(c for c in name if c not in '\\/:*?"<>|').strip() or "单位"


def write_work(work: Work, step: Callable[[int], None] = lambda index: None) -> None:
    """Write the listing files and the notices in this process; ``step(i)`` before
    each of ``STEPS`` (it may raise to stop)."""
    from nmdesk.review.listing import write_listing_html, write_listing_xlsx
    from nmdesk.review.pdfs import write_listing_pdf, write_notice_pdf

    step(0)
    write_listing_xlsx(work.listing, work.xlsx)
    step(1)
    write_listing_pdf(work.listing, work.pdf)
    step(2)
    write_listing_html(work.listing, work.html)
    step(3)
    if work.notices:
        work.notices[0][2].parent.mkdir(parents=True, exist_ok=True)
    for unit_id, rows, path in work.notices:
        write_notice_pdf(work.listing, unit_id, rows, path)


class OutputWriter:
    """Writes a publish's listing files and notices, in a helper process when large.

    ``start`` the helper early, ``hand_over`` the work when the listing is known,
    do the other work, then ``finish``; ``close`` (always, e.g. in ``finally``)
    ends a helper that is still running.
    """

    def __init__(self, accounts: int) -> None:
        self.accounts = accounts
        self._process: subprocess.Popen[bytes] | None = None
        self._work: Work | None = None
        self._errors: IO[bytes] | None = None  # the helper's stderr
        self._handed: Path | None = None  # the pickled work handed over
        self.failure = ""  # why the helper did not write the files, if it did not

    @property
    def in_helper(self) -> bool:
        return self._process is not None

    def start(self) -> None:
        if self.accounts < HELPER_ACCOUNTS or not _can_start_helper() or not _spare_core():
            return
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console window on Windows
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        try:
            self._process = subprocess.Popen(
                _helper_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self._errors,
                env=env,
                creationflags=flags,
            )
        except OSError:
            self.close()  # write them here instead

    def hand_over(self, work: Work) -> None:
        """Give the helper its work (or keep it, to be written here in ``finish``).

        The work goes to a private temporary file, and only its name down the
        pipe, so that this process never waits for the helper to read.
        """
        self._work = work
        process = self._process
        if process is None:
            return
        assert process.stdin is not None
        with tempfile.NamedTemporaryFile(prefix="nmdesk-publish-", delete=False) as handed:
            pickle.dump(work.absolute(), handed, protocol=pickle.HIGHEST_PROTOCOL)
        self._handed = Path(handed.name)
        try:
            process.stdin.write(os.fsencode(handed.name) + b"\n")
            process.stdin.close()
        except OSError:  # the helper died: write them here
            self.close()

    def finish(self, step: Callable[[int], None] = lambda index: None) -> None:
        """The files written: waits for the helper, or writes them here.

        ``step(i)`` is called before each of ``STEPS`` written here, or while
        waiting for the helper with the last step; it may raise (cancelling),
        which ends the helper.
        """
        process, work = self._process, self._work
        if work is None:
            raise RuntimeError("OutputWriter.finish before hand_over")
        if process is None:
            write_work(work, step)
            return
        deadline = time.monotonic() + HELPER_TIMEOUT_S
        try:
            step(len(STEPS) - 1)
            while True:
                try:
                    process.wait(timeout=0.05)
                    break
                except subprocess.TimeoutExpired:
                    step(len(STEPS) - 1)
                    if time.monotonic() > deadline:
                        raise NmdeskError("生成公示和整改通知超时，已取消发布") from None
        except BaseException:
            self.close()
            raise
        self._process = None
        self.failure = self._error_text() if process.returncode else ""
        self.close()
        paths = [work.xlsx, work.pdf, work.html, *(path for _, _, path in work.notices)]
        if process.returncode != 0 or not all(path.exists() for path in paths):
            # The helper could not write them (a Python that cannot run this nmdesk,
            # say): write them here. A problem with the files themselves (a full
            # disk) then shows here as it would without a helper.
            self.failure = self.failure or f"退出码 {process.returncode}"
            write_work(work, step)

    def close(self) -> None:
        """End the helper if it is still running, and remove what was handed to it."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdin is not None and not process.stdin.closed:
                with contextlib.suppress(OSError):
                    process.stdin.close()
        if self._errors is not None:
            self._errors.close()
            self._errors = None
        if self._handed is not None:
            self._handed.unlink(missing_ok=True)
            self._handed = None

    def _error_text(self) -> str:
        if self._errors is None:
            return ""
        self._errors.seek(0)
        return self._errors.read().decode("utf-8", "replace").strip()


def _spare_core() -> bool:
    """Whether a second core is likely to be idle for the helper.

    At least two cores for this process, and a one-minute load average (where the
    system keeps one) leaving more than half a core free besides one busy
    process. On one core the helper only adds its start-up (about 0.4 s).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    if cores < 2:
        return False
    if hasattr(os, "getloadavg"):
        return os.getloadavg()[0] < cores - 0.5
    return True


def _helper_command() -> list[str]:
    return [sys.executable, "-m", "nmdesk.review.outputs"]


def _can_start_helper() -> bool:
    """Whether ``sys.executable -m nmdesk.review.outputs`` runs this nmdesk."""
    return not getattr(sys, "frozen", False) and bool(sys.executable)


def _helper_main() -> int:
    """The helper: load reportlab and the font, then write the work it is handed."""
    import nmdesk.review.listing
    import nmdesk.review.pdfs  # noqa: F401
    from nmdesk.forms.text import register_form_font

    register_form_font()
    name = sys.stdin.buffer.readline().rstrip(b"\n")
    if not name:
        return 0  # nothing handed over: the publish stopped before the files
    with open(os.fsdecode(name), "rb") as handed:
        work: Any = pickle.load(handed)
    write_work(work)
    return 0


if __name__ == "__main__":
    sys.exit(_helper_main())
