"""The rectification notices of a publish, written in a helper process when there are many.

Publishing 10,000 accounts writes 40 notices of some 280 pages in all, about a
fifth of the publishing time, and nothing else depends on them: they need only
the listing. A ``NoticeWriter`` started before the verdicts are applied runs a
second Python process (``python -m nmdesk.review.notices``) that loads
reportlab and the form font while this process writes the register; once the
listing is built it is handed over (pickled on the helper's stdin) and the
helper writes the notices into the staging folder while this process writes
the listing, the xlsx, the HTML and the summary. The files are the same as
written here (the same code makes them).

The helper is used only for large publishes (``HELPER_ACCOUNTS``), when a
second core is likely to be free (``_spare_core``: on one core it would only add
its start-up), and never where a second Python cannot be started the same way
(a frozen build). If it
fails, its error is raised here and the publish is rolled back like any
other failure; cancelling or any error here ends it.
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
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from nmdesk.errors import NmdeskError

if TYPE_CHECKING:
    from nmdesk.review.listing import Listing, ListingRow

# Publishes of at least this many accounts write their notices in a helper process.
HELPER_ACCOUNTS = 3000
# How long to wait for the helper once everything else is written, in seconds.
HELPER_TIMEOUT_S = 600.0

Job = tuple[int, list["ListingRow"], Path]  # unit id, its rows, the notice's path


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


def write_notices(listing: Listing, jobs: list[Job]) -> list[Path]:
    """Write the notices in this process."""
    from nmdesk.review.pdfs import write_notice_pdf

    return [write_notice_pdf(listing, unit_id, rows, path) for unit_id, rows, path in jobs]


class NoticeWriter:
    """Writes a publish's notices, in a helper process when ``accounts`` is large.

    ``start`` the helper early, ``hand_over`` the listing when it is built, do the
    other work, then ``finish``; ``close`` (always, e.g. in ``finally``) ends a
    helper that is still running.
    """

    def __init__(self, accounts: int) -> None:
        self.accounts = accounts
        self._process: subprocess.Popen[bytes] | None = None
        self._jobs: list[Job] = []
        self._listing: Listing | None = None
        self._errors: IO[bytes] | None = None  # the helper's stderr
        self._work: Path | None = None  # the pickled listing and jobs handed over

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
                [sys.executable, "-m", "nmdesk.review.notices"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self._errors,
                env=env,
                creationflags=flags,
            )
        except OSError:
            self.close()  # write them here instead

    def hand_over(self, listing: Listing, jobs: list[Job]) -> None:
        """Give the helper its work (or keep it, to be written here in ``finish``).

        The work goes to a file, and only its name down the pipe, so that this
        process never waits for the helper to read.
        """
        self._listing, self._jobs = listing, jobs
        process = self._process
        if process is None:
            return
        assert process.stdin is not None
        handed = [(unit_id, rows, path.absolute()) for unit_id, rows, path in jobs]
        with tempfile.NamedTemporaryFile(prefix="nmdesk-notices-", delete=False) as work:
            pickle.dump((listing, handed), work, protocol=pickle.HIGHEST_PROTOCOL)
        self._work = Path(work.name)
        try:
            process.stdin.write(os.fsencode(work.name) + b"\n")
            process.stdin.close()
        except OSError:  # the helper died: write them here
            self.close()

    def finish(self, keep_going: Callable[[], bool] = lambda: True) -> list[Path]:
        """The notices written: waits for the helper, or writes them here.

        ``keep_going`` is asked while waiting; False ends the helper and raises
        ``PublishCancelled``.
        """
        process, listing = self._process, self._listing
        if listing is None:
            raise RuntimeError("NoticeWriter.finish before hand_over")
        if process is None:
            return write_notices(listing, self._jobs)
        deadline = time.monotonic() + HELPER_TIMEOUT_S
        while True:
            try:
                process.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                if not keep_going():
                    from nmdesk.review.publish import PublishCancelled

                    self.close()
                    raise PublishCancelled() from None
                if time.monotonic() > deadline:
                    self.close()
                    raise NmdeskError("生成整改通知超时，已取消发布") from None
        self._process = None
        error = self._error_text()
        self.close()
        if process.returncode != 0:
            last = error.splitlines()[-1] if error else f"退出码 {process.returncode}"
            raise NmdeskError(f"生成整改通知失败：{last}")
        missing = [path for _, _, path in self._jobs if not path.exists()]
        if missing:
            raise NmdeskError(f"生成整改通知失败：没有写出 {missing[0].name}")
        return [path for _, _, path in self._jobs]

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
        if self._work is not None:
            self._work.unlink(missing_ok=True)
            self._work = None

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


def _can_start_helper() -> bool:
    """Whether ``sys.executable -m nmdesk.review.notices`` runs this nmdesk."""
    return not getattr(sys, "frozen", False) and bool(sys.executable)


def _helper_main() -> int:
    """The helper: load reportlab and the font, then write the notices it is handed."""
    import nmdesk.review.pdfs  # noqa: F401 - reportlab loaded while the parent applies verdicts
    from nmdesk.forms.text import register_form_font

    register_form_font()
    name = sys.stdin.buffer.readline().rstrip(b"\n")
    if not name:
        return 0  # nothing handed over: the publish stopped before the files
    with open(os.fsdecode(name), "rb") as work:
        data: Any = pickle.load(work)
    listing, jobs = data
    write_notices(listing, jobs)
    return 0


if __name__ == "__main__":
    sys.exit(_helper_main())
