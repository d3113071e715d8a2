#!/usr/bin/env bash
# Screenshots of the INSTALLED .deb in a real desktop launcher, for docs/install.md:
# Xfce's application finder (xfce4-appfinder) lists the menu entries of
# /usr/share/applications under Xvfb in Chinese; the pointer rests on nmdesk's entry
# (the tooltip shows the installed nmdesk.desktop), then a double click on it starts
# the installed program. Not part of CI: run it by hand after `apt-get install ./dist/nmdesk_*.deb`.
#
#   sudo apt-get install xfce4-appfinder xdotool dbus-x11 fonts-wqy-microhei locales
#   (and zh_CN.UTF-8 in /etc/locale.gen, then locale-gen)
#   xvfb-run -a -s "-screen 0 1366x768x24" bash packaging/menu_screenshot.sh OUT_DIR
#
# The row position (470, 412) is where Xfce 4.18 lists nmdesk among this machine's
# entries; look at the pictures before using them.
set -euo pipefail
out=$(realpath "${1:-docs/screenshots/install}")
py=$(realpath -s "${PYTHON:-.venv/bin/python}")
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8
grab() {  # the whole screen, through Qt (no ImageMagick needed)
    QT_QPA_PLATFORM=xcb "$py" -c "import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv)
app.primaryScreen().grabWindow(0).save(sys.argv[1])" "$1"
}
crop() {  # FILE LEFT TOP RIGHT BOTTOM
    "$py" -c "import sys
from PIL import Image
box = tuple(int(v) for v in sys.argv[2:])
Image.open(sys.argv[1]).crop(box).save(sys.argv[1])" "$@"
}
dbus-run-session -- xfce4-appfinder >/dev/null 2>&1 &
finder=$!
sleep 6
xdotool mousemove 300 700  # the tooltip needs the pointer to arrive on the row
sleep 1
xdotool mousemove 470 412
sleep 3
grab "$out/menu-entry-installed-deb.png"
crop "$out/menu-entry-installed-deb.png" 300 170 980 600
xdotool click --repeat 2 --delay 120 1
sleep 12
grab "$out/started-from-menu-installed-deb.png"
crop "$out/started-from-menu-installed-deb.png" 403 212 943 477
pkill -f /opt/nmdesk/nmdesk || true
kill "$finder" 2>/dev/null || true
