#!/usr/bin/env bash
# CI after `make test`: build the bundle, smoke-test the built program, build the
# .deb, install it with apt-get, run it, remove it. Prints the time of each step.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { local name=$1; shift; local t0=$SECONDS; "$@"; echo "[ci] $name: $((SECONDS - t0)) s"; }
step "make dist" make dist
step "bundle smoke" make smoke
step "make deb" bash packaging/make_deb.sh
deb_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./dist/nmdesk_*.deb
    nmdesk --version
    local tmp; tmp=$(mktemp -d)
    QT_QPA_PLATFORM=offscreen python3 packaging/smoke.py nmdesk --quick
    [ -f /usr/share/applications/nmdesk.desktop ] && [ -f /usr/share/mime/packages/nmdesk.xml ]
    touch "$tmp/keep.nmdesk"  # a user's register outside the package
    DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq nmdesk
    [ ! -e /opt/nmdesk ] && [ ! -e /usr/bin/nmdesk ] && [ -f "$tmp/keep.nmdesk" ]
    rm -rf "$tmp"
}
if [ "$(id -u)" = "0" ]; then
    step "deb install, run, remove" deb_install
else
    echo "[ci] deb install test skipped: needs root for apt-get"
fi
