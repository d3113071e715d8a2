"""Every UI test runs in the application as nmdesk sets it up (``ui.app.make_app``):
its display name in window titles, the bundled font, and Qt's texts in Chinese."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def nmdesk_app(qapp):
    from ui.app import make_app

    return make_app([])
