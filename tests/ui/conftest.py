"""Every UI test runs in the application as nmdesk sets it up (``ui.app.make_app``):
its display name in window titles, the bundled font, and Qt's texts in Chinese."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def nmdesk_app(qapp):
    from ui.app import make_app

    return make_app([])


@pytest.fixture
def held_register_worker(qtbot):
    """Keeps the task runner's register worker busy until the block ends, so that a job
    started inside the block waits in line and can be cancelled before it starts."""
    import contextlib
    import threading

    from ui.common.tasks import runner

    @contextlib.contextmanager
    def hold():
        gate, holding = threading.Event(), threading.Event()

        def wait(job):
            holding.set()
            gate.wait(60)

        blocker = runner().run(wait)
        qtbot.waitUntil(holding.is_set)
        try:
            yield
        finally:
            gate.set()
            qtbot.waitUntil(lambda: blocker.done)

    return hold
