"""The bundle and the .deb: what the one bundled program does with its arguments,
and the files the .deb installs (desktop entry, MIME type, icons, maintainer scripts).
The build itself is tested in CI by .ci/bundle-smoke.sh (packaging/smoke.py)."""

from __future__ import annotations

import configparser
import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import nmdesk

ROOT = Path(nmdesk.__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def _entry():
    spec = importlib.util.spec_from_file_location("bundle_entry", PACKAGING / "entry.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundled_program_opens_the_window_without_a_command_and_is_the_cli_with_one():
    entry = _entry()
    assert entry.window_args([]) == []
    assert entry.window_args(["--path", "a.nmdesk"]) == ["--path", "a.nmdesk"]
    assert entry.window_args(["/home/u/办公室.NMDESK"]) == ["--path", "/home/u/办公室.NMDESK"]
    assert entry.window_args(["台账.xlsx"]) == []
    assert entry.window_args(["--version"]) is None
    assert entry.window_args(["demo", "--path", "x.nmdesk"]) is None
    assert entry.window_args(["import", "台账.xlsx"]) is None


def test_desktop_entry_in_chinese_and_english_opens_registers_and_ledgers():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(PACKAGING / "deb" / "nmdesk.desktop", encoding="utf-8")
    fields = entry["Desktop Entry"]
    assert fields["Name[zh_CN]"] == "新媒体账号备案管理台" and fields["Name"].isascii()
    assert fields["Comment[zh_CN]"] and fields["Comment"].isascii()
    assert "Office" in fields["Categories"].split(";")
    assert fields["Exec"] == "/opt/nmdesk/nmdesk %f" and fields["Icon"] == "nmdesk"
    mime = fields["MimeType"].split(";")
    assert "application/x-nmdesk-register" in mime
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in mime
    assert "application/vnd.ms-excel" in mime


def test_mime_type_for_registers_is_shared_mime_info_xml():
    ns = "{http://www.freedesktop.org/standards/shared-mime-info}"
    root = ET.parse(PACKAGING / "deb" / "nmdesk-mime.xml").getroot()
    (mime,) = root.findall(f"{ns}mime-type")
    assert mime.get("type") == "application/x-nmdesk-register"
    assert [g.get("pattern") for g in mime.findall(f"{ns}glob")] == ["*.nmdesk"]


def test_deb_icons_exist_in_every_size_the_script_installs():
    script = (PACKAGING / "make_deb.sh").read_text(encoding="utf-8")
    sizes = next(line for line in script.splitlines() if line.startswith("for size in"))
    for size in sizes.removeprefix("for size in").removesuffix("; do").split():
        assert (ROOT / "resources" / "icons" / f"nmdesk-{size}.png").is_file()


def test_maintainer_scripts_touch_only_system_caches_never_users_folders():
    for name in ("postinst", "postrm"):
        text = (PACKAGING / "deb" / name).read_text(encoding="utf-8")
        assert "rm " not in text and "/home" not in text and "~" not in text
        assert "update-mime-database" in text and "update-desktop-database" in text
