"""Fixtures for every Qt test."""

from __future__ import annotations

from functools import lru_cache

import pytest

from ui.app import none_refcount_leaks, top_up_none_reserve


@lru_cache(maxsize=1)
def _binding_leaks_none() -> bool:
    return none_refcount_leaks()


@pytest.fixture(autouse=True)
def _keep_none_alive():
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call
    (see ``ui.app``); keep a reserve so a long test session does not abort."""
    if _binding_leaks_none():
        top_up_none_reserve()
    yield
