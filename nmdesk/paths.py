"""Where nmdesk finds its bundled resources and keeps the default register."""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"
PROFILES_DIR = RESOURCES_DIR / "profiles"
FONTS_DIR = RESOURCES_DIR / "fonts"
FORM_FONT_FILE = FONTS_DIR / "ARPLUMingCN-subset.ttf"
UI_FONT_FILE = FONTS_DIR / "WenQuanYiMicroHei-subset.ttf"
REGISTER_SUFFIX = ".nmdesk"


def default_register_path() -> Path:
    """The register used when no ``--path`` is given: ``register.nmdesk`` in the user data dir."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("nmdesk", appauthor=False)) / f"register{REGISTER_SUFFIX}"
