#!/usr/bin/env bash
# Debian libraries the Qt desktop needs (xcb platform plugin, EGL, fonts) plus the
# tools used to look at output (Xvfb, pdftoppm) or to watch it (strace), and a colour emoji
# font Qt falls back to for emoji in account names, and LibreOffice Calc (headless), which
# tests/nmdesk/excel/test_libreoffice.py converts nmdesk's spreadsheets with, and PostgreSQL, whose
# initdb and pg_ctl start the throwaway cluster of the server tests (tests/server_cluster.py).
# Installs only what is missing,
# and only when run as root on a Debian-like system; otherwise it says what to install.
set -euo pipefail
PACKAGES="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 \
libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 \
libxcb-randr0 libfontconfig1 libdbus-1-3 libglib2.0-0 xvfb xauth poppler-utils strace \
fonts-noto-color-emoji libreoffice-calc-nogui postgresql"
command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
    echo "nmdesk needs these Debian packages: sudo apt-get install$missing" >&2
fi
