"""The PySide6 desktop UI of nmdesk. All Qt code lives here."""

from ui.common.binding_guard import guard_bool_refcount, guard_none_refcount

NONE_GUARD_ACTIVE = guard_none_refcount()
BOOL_GUARD_ACTIVE = guard_bool_refcount()
