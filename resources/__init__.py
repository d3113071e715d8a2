"""nmdesk's bundled files, installed as the package ``nmdesk.resources``.

Profiles, fonts with their licences, icons and guides live here in the
repository; the build maps this folder into the package (``setup.py``). Read
them through ``nmdesk.paths``, which uses ``importlib.resources``, never through
a path relative to the source tree.
"""
