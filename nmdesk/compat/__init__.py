"""Where nmdesk reaches into a library's internals: one module per library.

Each module names the versions its internals were written for (``WRITTEN_FOR``),
checks the installed version, and otherwise takes the library's public API,
which gives the same result, only slower. Nothing outside ``nmdesk/compat/``
uses a library's private names.
"""

from __future__ import annotations

import functools
from importlib import metadata


@functools.cache
def installed_version(distribution: str) -> str:
    """The installed version of ``distribution`` ("" when it is not installed)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


@functools.cache  # asked once per call of a compat function (10,000 times by an import)
def written_for(version: str, series: tuple[str, ...]) -> bool:
    """Whether ``version`` is in one of the release ``series`` ("5.1" covers 5.1.0, 5.1.2 …)."""
    return any(version == one or version.startswith(one + ".") for one in series)
