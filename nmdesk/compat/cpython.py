"""CPython's JSON encoder, built once for the audit trail's canonical snapshots.

``json.dumps(row, ensure_ascii=False, sort_keys=True)`` builds a new encoder on
every call; the audit trail encodes some 25,000 rows in a publish and 34,000 in a
ledger import. ``json.encoder.c_make_encoder`` (undocumented, the C encoder
``JSONEncoder.iterencode`` builds) is built once here on the CPython versions
this was written for; otherwise the public ``JSONEncoder.encode`` gives the same
text. Bulk audits use it, for the bench rows "导入 10,000 行台账" (not met even with
it) and "发布 10,000 个账号的年度审核", which writes 25,000 entries.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from typing import Any

WRITTEN_FOR = ("3.11", "3.12", "3.13")

_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def python_version() -> str:
    return platform.python_version()


def canonical_json() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True)`` as one fast function."""
    from nmdesk.compat import written_for

    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None or not written_for(python_version(), WRITTEN_FOR):
        return _CANONICAL.encode
    # the arguments JSONEncoder.iterencode passes (markers None: no circularity check,
    # as the rows are flat)
    encoder = make(
        None, _CANONICAL.default, json.encoder.encode_basestring, None, ": ", ", ",
        True, False, True,
    )  # fmt: skip

    def encode(value: Any) -> str:
        return "".join(encoder(value, 0))

    return encode
