"""nmdesk — the register of a university's new-media public accounts.

The domain, the SQLite store, policy profiles, the working-day calendar and
document generation. This package never imports Qt: the desktop UI lives in
``ui/`` and calls into it.
"""

__version__ = "0.1.0"
