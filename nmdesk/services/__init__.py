"""Policy above the store: the rules of the office's regulations that decide what a
clerk may do, written once, Qt-free, against ``nmdesk.store.interfaces``. The
repositories below only keep records; a service checks the policy and then calls them.
"""
