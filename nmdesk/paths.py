"""Where nmdesk finds its bundled resources and keeps the default register.

The bundled files (profiles, fonts, icons, licences, guides) are the package
``nmdesk.resources``: the repository's top-level ``resources/`` folder, which the
build maps into the package (``setup.py``). They are found through
``importlib.resources``, so they are there wherever nmdesk is installed: an
editable checkout, a wheel in any virtualenv, or a PyInstaller bundle.
"""

from __future__ import annotations

import atexit
import contextlib
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

RESOURCES_PACKAGE = "nmdesk.resources"
REGISTER_SUFFIX = ".nmdesk"

_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def resource(*parts: str) -> Traversable:
    """A bundled file or folder, e.g. ``resource("profiles", "bit.json")``."""
    node = files(RESOURCES_PACKAGE)
    for part in parts:
        node = node.joinpath(part)
    return node


def resource_path(*parts: str) -> Path:
    """A bundled file or folder as a real path, for libraries that want a file name
    (Qt's font database, reportlab). Installed from a wheel or a bundle the
    resources are plain files already; from a zip they are extracted once and
    kept until the process ends."""
    node = resource(*parts)
    if isinstance(node, Path):
        return node
    return Path(_extracted.enter_context(as_file(node)))


RESOURCES_DIR = resource_path()
PROFILES_DIR = resource_path("profiles")
FONTS_DIR = resource_path("fonts")
ICONS_DIR = resource_path("icons")
FORM_FONT_FILE = FONTS_DIR / "ARPLUMingCN-subset.ttf"
UI_FONT_FILE = FONTS_DIR / "WenQuanYiMicroHei-subset.ttf"


def default_register_path() -> Path:
    """The register used when no ``--path`` is given: ``register.nmdesk`` in the user data dir."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("nmdesk", appauthor=False)) / f"register{REGISTER_SUFFIX}"
